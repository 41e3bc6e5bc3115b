"""Pages of the file import: upload → preview → confirm (or cancel), template and error-list downloads.

The uploaded file waits in private storage under a generated name, remembered in the uploader's session.
Checking it and writing it are jobs on the workers (clients/importing/job_handlers.py): the upload starts the
check, whose page leads to the preview; confirming starts the write, which validates again and commits in one
transaction."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients.importing.columns import KIND_ORDER, KINDS, spec_for
from clients.importing.forms import ImportUploadForm
from clients.importing.job_handlers import COMMIT, VALIDATE, CheckedReport
from clients.importing.services import (
    import_template_build,
    import_upload_discard,
    import_upload_exists,
    import_upload_store,
)
from jobs.models import Job
from jobs.services import JobAlreadyRunning, job_start
from lawfirm_kpi.text import sentences_join
from reviews.roles import roles_of

SESSION_KEY = "clients_imports"


def may_import(user, kind):
    """Regulation 三.3: a clerk delivers their own department's data; the firm's people and departments are the
    execution group's (二.2: it organises the assessment)."""
    roles = roles_of(user)
    return roles.is_execution if kind in ("staff", "departments") else roles.can_edit_data(kind)


def importable_kinds(user):
    return [KINDS[kind] for kind in KIND_ORDER if may_import(user, kind)]


def import_view(view):
    """Log in first; 404 for a kind that does not exist, 403 for one the user may not import."""

    @login_required
    @wraps(view)
    def wrapped(request, kind, *args, **kwargs):
        spec = spec_for(kind)
        if spec is None:
            raise Http404
        if not may_import(request.user, kind):
            raise PermissionDenied
        return view(request, spec, *args, **kwargs)

    return wrapped


def _pending(request, kind):
    pending = request.session.get(SESSION_KEY, {}).get(kind)
    if pending and import_upload_exists(pending.get("name")):
        return pending
    return None


def _forget(request, kind):
    imports = request.session.get(SESSION_KEY, {})
    pending = imports.pop(kind, None)
    request.session[SESSION_KEY] = imports
    if pending:
        import_upload_discard(pending.get("name"))


def _start(request, spec, pending, kind):
    return job_start(
        kind=kind,
        by=request.user,
        subject=pending["file_name"],
        subject_key=f"import:{pending['name']}",
        params={"kind": spec.kind, "name": pending["name"], "file_name": pending["file_name"]},
    )


def _after_start(request, job):
    """To the job's page; a job already finished when the request ends (run in-process, as in the tests) goes
    straight to what it made, its outcome as a message."""
    job.refresh_from_db()
    if job.state != Job.State.SUCCEEDED:
        return redirect("jobs:detail", pk=job.pk)
    if job.kind == COMMIT:
        from jobs.selectors import job_status

        status = job_status(job)
        messages.success(request, sentences_join([status["outcome"], *status["lines"]]))
    return redirect(job.result_url)


def _checked(request, pending):
    """The finished check of the waiting file, or None while it is queued or running (or lost with its job)."""
    job = Job.objects.filter(pk=pending.get("check"), requested_by=request.user, kind=VALIDATE).first()
    if job is None or job.params.get("name") != pending["name"]:
        return None
    return job


def _size_limit_mb():
    return f"{settings.IMPORT_MAX_UPLOAD_BYTES / 1048576:g}"


@login_required
def import_index(request):
    kinds = importable_kinds(request.user)
    if not kinds:
        raise PermissionDenied
    return render(request, "clients/importing/index.html", {"kinds": kinds, "size_limit_mb": _size_limit_mb()})


@import_view
def import_upload(request, spec):
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            _forget(request, spec.kind)
            name = import_upload_store(upload=upload)
            pending = {"name": name, "file_name": upload.name[:150]}
            # Checking a large file takes seconds: a job, whose page leads to the preview.
            job = _start(request, spec, pending, VALIDATE)
            imports = request.session.get(SESSION_KEY, {})
            imports[spec.kind] = {**pending, "check": job.pk}
            request.session[SESSION_KEY] = imports
            return _after_start(request, job)
    else:
        form = ImportUploadForm()
    return render(
        request,
        "clients/importing/upload.html",
        {"spec": spec, "form": form, "size_limit_mb": _size_limit_mb(), "pending": _pending(request, spec.kind)},
    )


@import_view
def import_preview(request, spec):
    pending = _pending(request, spec.kind)
    if pending is None:
        messages.info(request, _("Upload a file to import first."))
        return redirect("clients:import_upload", kind=spec.kind)
    job = _checked(request, pending)
    if job is None:
        messages.info(request, _("Upload a file to import first."))
        return redirect("clients:import_upload", kind=spec.kind)
    if job.state != Job.State.SUCCEEDED:
        return redirect("jobs:detail", pk=job.pk)
    report = CheckedReport.from_job(job)
    # Remembered for the upload page, which then says the waiting file has errors rather than that it awaits
    # confirmation (a file with errors can never be confirmed).
    if pending.get("errors") != report.error_count:
        imports = request.session.get(SESSION_KEY, {})
        imports[spec.kind] = {**pending, "errors": report.error_count}
        request.session[SESSION_KEY] = imports
    return render(
        request,
        "clients/importing/preview.html",
        {
            "spec": spec,
            "report": report,
            "pending": pending,
            "token": pending["name"],
            "errors_shown": report.errors,
            "errors_hidden": max(0, report.error_count - len(report.errors)),
        },
    )


@require_POST
@import_view
def import_confirm(request, spec):
    pending = _pending(request, spec.kind)
    if pending is None:
        messages.error(request, _("There is no file waiting to be imported; upload it again."))
        return redirect("clients:import_upload", kind=spec.kind)
    if request.POST.get("token") != pending["name"]:
        # Another tab uploaded a different file since this preview was shown: never import what was not seen.
        messages.error(request, _("A newer file was uploaded since this preview; check its preview before confirming."))
        return redirect("clients:import_preview", kind=spec.kind)
    checked = _checked(request, pending)
    if checked is not None and checked.state == Job.State.SUCCEEDED and checked.result_data.get("error_count"):
        messages.error(request, _("The file has errors; nothing was imported."))
        return redirect("clients:import_preview", kind=spec.kind)
    try:
        job = _start(request, spec, pending, COMMIT)
    except JobAlreadyRunning as refusal:
        messages.error(request, sentences_join(refusal.messages))
        return redirect("jobs:detail", pk=refusal.job.pk)
    job.refresh_from_db()
    if job.state == Job.State.SUCCEEDED:
        _forget(request, spec.kind)
    return _after_start(request, job)


@require_POST
@import_view
def import_cancel(request, spec):
    _forget(request, spec.kind)
    messages.info(request, _("The import was cancelled; nothing was imported."))
    return redirect("clients:import_upload", kind=spec.kind)


@import_view
def import_template(request, spec, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    headers = request.GET.get("headers")
    chinese = headers == "zh" or (headers != "en" and (translation.get_language() or "").startswith("zh"))
    content, content_type, file_name = import_template_build(kind=spec.kind, fmt=fmt, chinese=chinese)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


@import_view
def import_errors(request, spec):
    """Every error of the waiting file's check, as the CSV file its job kept."""
    pending = _pending(request, spec.kind)
    job = _checked(request, pending) if pending is not None else None
    if job is None or job.state != Job.State.SUCCEEDED or not job.result_file:
        raise Http404
    response = FileResponse(job.result_file.open("rb"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{spec.kind}-errors.csv"'
    return response
