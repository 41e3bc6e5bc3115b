"""Department-data pages (regulation 三.3): list, add, edit and history for each kind of data."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clients import access, locks, selectors
from clients.forms import RECORD_FORMS, DataFilterForm
from clients.services import RECORD_SERVICES
from reviews.roles import roles_of


def _import_url(kind):
    """The file-import page of this kind (it lives in clients.importing)."""
    return reverse("clients:import_upload", args=[kind])


def _page_context(request, spec):
    roles = roles_of(request.user)
    can_edit = roles.can_edit_data(spec.kind)
    return {
        "spec": spec,
        "kind": spec.kind,
        "can_edit": can_edit,
        "import_url": _import_url(spec.kind) if can_edit else None,
        "tabs": [selectors.KINDS[kind] for kind in access.readable_kinds(request.user)],
    }


@login_required
def data_index(request):
    """/data/: the first kind of data this person may read."""
    kinds = access.readable_kinds(request.user)
    if not kinds:
        raise PermissionDenied
    # The tabs on every list lead on to the other kinds this person may read.
    return redirect(f"clients:{kinds[0]}_list")


@login_required
def record_list(request, kind):
    spec = access.require_kind(request.user, kind)
    filter_form = DataFilterForm(request.GET or None, kind=kind)
    page = selectors.data_list_page(
        kind=kind, filters=filter_form.filters() if filter_form.is_bound else {}, page_number=request.GET.get("page")
    )
    return render(
        request,
        f"clients/{kind}_list.html",
        {**_page_context(request, spec), **page, "filter_form": filter_form},
    )


def _save(request, spec, form, instance=None):
    """Hand the form's values to the kind's service; a late validation error goes back onto the form."""
    create, update = RECORD_SERVICES[spec.kind]
    fields = dict(form.cleaned_data)
    try:
        if instance is None:
            return create(by=request.user, **fields)
        return update(instance=instance, by=request.user, **fields)
    except ValidationError as error:
        form.add_error(None, error)
        return None


def _after_save(request, spec, record, *, created):
    if created:
        messages.success(request, _("Saved new %(what)s %(name)s.") % {"what": spec.singular, "name": record})
    else:
        messages.success(request, _("Saved %(what)s %(name)s.") % {"what": spec.singular, "name": record})
    if "_addanother" in request.POST:
        return redirect(f"clients:{spec.kind}_add")
    return redirect(f"clients:{spec.kind}_list")


@login_required
@require_http_methods(["GET", "POST"])
def record_add(request, kind):
    spec = access.require_kind(request.user, kind, edit=True)
    form = RECORD_FORMS[kind](request.POST or None)
    if request.method == "POST" and form.is_valid():
        record = _save(request, spec, form)
        if record is not None:
            return _after_save(request, spec, record, created=True)
    return render(request, "clients/record_form.html", {**_page_context(request, spec), "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request, kind, pk):
    record = access.get_record_for_user(request.user, kind, pk, edit=True)
    spec = selectors.KINDS[kind]
    form = RECORD_FORMS[kind](request.POST or None, instance=record)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, spec, form, instance=record)
        if saved is not None:
            return _after_save(request, spec, saved, created=False)
    context = {**_page_context(request, spec), "form": form, "record": record}
    # Said before the clerk types: a record of a submitted or closed quarter is read-only (clients.locks).
    context["lock_message"] = locks.record_lock_message(record)
    return render(request, "clients/record_form.html", context)


@login_required
def record_history(request, kind, pk):
    record = access.get_record_for_user(request.user, kind, pk)
    spec = selectors.KINDS[kind]
    page = Paginator(selectors.record_history(instance=record), selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "clients/record_history.html", {**_page_context(request, spec), "record": record, "page": page}
    )
