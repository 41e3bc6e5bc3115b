"""An import's write job whose worker is lost after the write committed, before the job was marked done: the next
run finds the rows written and reports them, and writes nothing twice (docs/operations.md, "Jobs")."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clients.importing import job_handlers
from clients.importing.services import import_upload_exists, import_upload_store
from clients.models import RevenueEntry
from jobs.models import Job
from jobs.services import job_run
from tests.clients.test_import_parsing import csv_bytes
from tests.clients.test_import_web import REVENUE_HEADER, contract  # noqa: F401 — the import's fixture

pytestmark = pytest.mark.django_db


def _commit_job(firm, content) -> Job:
    name = import_upload_store(upload=SimpleUploadedFile("r.csv", content))
    return Job.objects.create(
        kind=job_handlers.COMMIT,
        requested_by=firm.finance_clerk,
        params={"name": name, "kind": "revenue", "file_name": "r.csv"},
    )


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside the handler: nothing after it runs."""


def test_a_write_whose_worker_was_lost_after_the_commit_is_reported_not_written_again(
    firm,
    contract,  # noqa: F811
    monkeypatch,
):
    content = csv_bytes([REVENUE_HEADER, ["SK-1", "HT-001", "2026-02-03", "5000", "lawyer"]])
    job = _commit_job(firm, content)
    # The worker writes the rows, then dies right after the commit, before the upload is discarded and the job
    # marked done.
    discard = job_handlers.import_upload_discard

    def killed(name):
        raise WorkerKilled

    monkeypatch.setattr(job_handlers, "import_upload_discard", killed)
    with pytest.raises(WorkerKilled):
        job_handlers.import_commit_run(Job.objects.get(pk=job.pk), lambda done, total=None: None)
    monkeypatch.setattr(job_handlers, "import_upload_discard", discard)
    assert RevenueEntry.objects.count() == 1 and import_upload_exists(job.params["name"])
    # The message is delivered again (the broker kept it) and the job runs again, as after a worker lost
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, heartbeat_at=None)
    assert job_run(job_id=job.pk) == Job.State.SUCCEEDED
    job.refresh_from_db()
    # Then nothing is written twice, and the job reports what the first run wrote
    assert RevenueEntry.objects.count() == 1
    assert job.outcome_params["created"] == 1 and job.outcome_params["file"] == "r.csv"
    assert not import_upload_exists(job.params["name"])


def test_a_write_refused_for_errors_records_nothing_and_can_be_confirmed_again(firm, contract):  # noqa: F811
    content = csv_bytes([REVENUE_HEADER, ["SK-1", "HT-404", "2026-02-03", "5000", "lawyer"]])
    job = _commit_job(firm, content)
    assert job_run(job_id=job.pk) == Job.State.FAILED
    job.refresh_from_db()
    assert RevenueEntry.objects.count() == 0
    assert job_handlers.COMMITTED not in (job.result_data or {})
    assert import_upload_exists(job.params["name"])  # kept: the preview can be confirmed after a fix elsewhere
