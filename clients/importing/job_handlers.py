"""The file import's two long steps as jobs (docs/operations.md, "Jobs"; docs/imports.md): checking the file
(the preview) and writing it (the confirmation). Each wraps the import service as the pages called it: the check
writes nothing, the commit writes every row or none. Registered from ClientsConfig.ready()."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_noop

from clients.importing.services import import_errors_csv, import_run, import_upload_discard, import_upload_open
from clients.importing.validators import RowError
from jobs.models import Job
from jobs.registry import JobFailed, Outcome, register

VALIDATE = "import_validate"
COMMIT = "import_commit"
# The preview shows this many errors; every one is in the CSV file the check keeps with its job.
ERRORS_SHOWN = 1000

ERRORS_LISTED = 20
# Where the commit job keeps, in its own row and in the import's transaction, what it wrote.
COMMITTED = "committed"
ERROR_LINE = gettext_noop("Row %(row)s, %(column)s: %(reason)s")
GONE = gettext_noop("The uploaded file is no longer there.")
UPLOAD_AGAIN = gettext_noop("Upload the file again from the import page.")


@dataclass
class CheckedReport:
    """What the preview page shows of a check, as the check's job kept it (the first errors, their counts)."""

    kind: str
    file_name: str = ""
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)
    error_count: int = 0
    error_rows: int = 0
    samples: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.error_count

    @classmethod
    def from_job(cls, job):
        data = dict(job.result_data)
        data["errors"] = [RowError(*error) for error in data.get("errors", [])]
        return cls(**data)


def _plain(value):
    """JSON for a sample's values: dates, amounts and translated labels as the page prints them."""
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal | Promise | datetime.date):
        return str(value)
    return value


def _run(job, *, commit):
    try:
        with import_upload_open(job.params["name"]) as stream:
            return import_run(
                kind=job.params["kind"],
                stream=stream,
                file_name=job.params.get("file_name", ""),
                by=job.requested_by,
                commit=commit,
            )
    except FileNotFoundError:
        raise JobFailed(GONE, next_step=UPLOAD_AGAIN, retry=False) from None


def import_validate_run(job, progress):
    """Check the whole file as the confirmation will: the counts, the first errors, a sample of the changes; every
    error goes into a CSV file kept with the job."""
    progress(0, 1)
    report = _run(job, commit=False)
    data = {
        "kind": report.kind,
        "file_name": report.file_name,
        "total_rows": report.total_rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "errors": [[error.row, str(error.column), str(error.message)] for error in report.errors[:ERRORS_SHOWN]],
        "error_count": len(report.errors),
        "error_rows": report.error_rows,
        "samples": _plain(report.samples),
    }
    file = (f"import-{report.kind}-errors.csv", import_errors_csv(report=report)) if report.errors else None
    return Outcome(
        gettext_noop("Checked %(file)s: %(rows)d rows, %(errors)d with errors."),
        {"file": report.file_name, "rows": report.total_rows, "errors": report.error_rows},
        url=reverse("clients:import_preview", kwargs={"kind": report.kind}),
        file=file,
        data=data,
    )


def _error_params(error) -> dict:
    return {"row": error.row or "—", "column": str(error.column) or "—", "reason": str(error.message)}


def list_url(kind):
    # Departments have no list of their own: back to the imports, where the staff file comes next.
    names = {"staff": "reviews:people", "departments": "clients:import_index"}
    return reverse(names.get(kind, f"clients:{kind}_list"))


def _commit_outcome(summary: dict) -> Outcome:
    lines = []
    if summary["invitations_sent"]:
        lines.append([gettext_noop("%(count)d invitations sent."), {"count": summary["invitations_sent"]}])
    if summary["invitations_failed"]:
        lines.append(
            [
                gettext_noop("%(count)d invitations could not be sent; send them from the people page."),
                {"count": summary["invitations_failed"]},
            ]
        )
    return Outcome(
        gettext_noop("Imported %(file)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged."),
        {key: summary[key] for key in ("file", "created", "updated", "unchanged")},
        url=list_url(summary["kind"]),
        data={"lines": lines, COMMITTED: summary},
    )


def import_commit_run(job, progress):
    """Write the file, every row or none (the service's one transaction). The job row records the write in that
    same transaction, so a worker lost after the commit (before the job was marked done) finds the rows written
    and reports them on the next run, never writing them twice ("Faults lose nothing", docs/operations.md)."""
    written = (job.result_data or {}).get(COMMITTED)
    if written:
        import_upload_discard(job.params["name"])
        return _commit_outcome(written)
    progress(0, 1)
    with transaction.atomic():
        report = _run(job, commit=True)
        if not report.committed:
            # The data changed since the preview (a contract renumbered, a lock): say what is wrong now.
            raise JobFailed(
                gettext_noop("The file has errors; nothing was imported."),
                next_step=gettext_noop("Correct the file and upload it again."),
                retry=False,
                lines=[
                    [
                        ERROR_LINE,
                        {"row": error.row or "—", "column": str(error.column) or "—", "reason": str(error.message)},
                    ]
                    for error in report.errors[:ERRORS_LISTED]
                ],
            )
        summary = {
            "kind": report.kind,
            "file": report.file_name,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "invitations_sent": report.invitations_sent,
            "invitations_failed": report.invitations_failed,
        }
        Job.objects.filter(pk=job.pk).update(result_data={COMMITTED: summary})
    import_upload_discard(job.params["name"])
    return _commit_outcome(summary)


def register_import_jobs():
    register(
        VALIDATE,
        label=gettext_noop("Checking an import file"),
        handler=import_validate_run,
        next_step=gettext_noop("Upload the file again; if it fails again, tell the execution group."),
    )
    register(
        COMMIT,
        label=gettext_noop("Importing a file"),
        handler=import_commit_run,
        retry_safe=False,
        next_step=gettext_noop(
            "Nothing was imported: open the preview and confirm again, or tell the execution group."
        ),
    )
