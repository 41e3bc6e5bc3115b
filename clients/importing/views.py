"""Pages of the file import: upload → preview → confirm (or cancel), template and error-list downloads.

The uploaded file waits in private storage under a generated name, remembered in the uploader's session;
confirming validates it again and commits it in one transaction."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients.importing.columns import KIND_ORDER, KINDS, spec_for
from clients.importing.forms import ImportUploadForm
from clients.importing.services import (
    import_errors_csv,
    import_run,
    import_template_build,
    import_upload_discard,
    import_upload_exists,
    import_upload_open,
    import_upload_store,
)
from lawfirm_kpi.text import sentences_join
from reviews.roles import roles_of

SESSION_KEY = "clients_imports"
# The preview table shows this many errors; the complete list is a CSV download.
ERRORS_SHOWN = 1000


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


def _run(request, spec, pending, *, commit):
    with import_upload_open(pending["name"]) as stream:
        return import_run(kind=spec.kind, stream=stream, file_name=pending["file_name"], by=request.user, commit=commit)


def _list_url(kind):
    # Departments have no list of their own: back to the imports, where the staff file comes next.
    names = {"staff": "reviews:people", "departments": "clients:import_index"}
    return reverse(names.get(kind, f"clients:{kind}_list"))


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
            imports = request.session.get(SESSION_KEY, {})
            imports[spec.kind] = {"name": name, "file_name": upload.name[:150]}
            request.session[SESSION_KEY] = imports
            return redirect("clients:import_preview", kind=spec.kind)
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
    report = _run(request, spec, pending, commit=False)
    # Remembered for the upload page, which then says the waiting file has errors rather than that it awaits
    # confirmation (a file with errors can never be confirmed).
    if pending.get("errors") != len(report.errors):
        imports = request.session.get(SESSION_KEY, {})
        imports[spec.kind] = {**pending, "errors": len(report.errors)}
        request.session[SESSION_KEY] = imports
    return render(
        request,
        "clients/importing/preview.html",
        {
            "spec": spec,
            "report": report,
            "pending": pending,
            "token": pending["name"],
            "errors_shown": report.errors[:ERRORS_SHOWN],
            "errors_hidden": max(0, len(report.errors) - ERRORS_SHOWN),
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
    report = _run(request, spec, pending, commit=True)
    if not report.committed:
        messages.error(request, _("The file has errors; nothing was imported."))
        return redirect("clients:import_preview", kind=spec.kind)
    _forget(request, spec.kind)
    text = _("Imported %(file)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % {
        "file": pending["file_name"],
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
    }
    if report.invitations_sent:
        text = sentences_join([text, _("%(count)d invitations sent.") % {"count": report.invitations_sent}])
    messages.success(request, text)
    if report.invitations_failed:
        messages.warning(
            request,
            _("%(count)d invitations could not be sent; send them from the people page.")
            % {"count": report.invitations_failed},
        )
    return redirect(_list_url(spec.kind))


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
    pending = _pending(request, spec.kind)
    if pending is None:
        raise Http404
    report = _run(request, spec, pending, commit=False)
    response = HttpResponse(import_errors_csv(report=report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{spec.kind}-errors.csv"'
    return response
