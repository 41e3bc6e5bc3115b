"""Who may read or change which department data; every data page goes through these helpers."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from clients.models import Client, Complaint, Contract, DataDelivery, RevenueEntry, SatisfactionSurvey
from clients.selectors import KINDS, data_departments
from reviews.models import Department
from reviews.roles import roles_of


def readable_kinds(user):
    """The kinds of data this user may read, in menu order."""
    roles = roles_of(user)
    return [kind for kind in KINDS if roles.can_read_data(kind)]


def require_kind(user, kind, *, edit=False):
    """Refuse (403) unless the user may read — or, with edit, change — this kind of data.

    Regulation 二.3: a clerk changes only their own department's kinds; the execution and leadership
    groups read every list; other departments' clerks and lawyers see none of it.
    """
    if kind not in KINDS:
        raise Http404
    roles = roles_of(user)
    allowed = roles.can_edit_data(kind) if edit else roles.can_read_data(kind)
    if not allowed:
        raise PermissionDenied
    return KINDS[kind]


def _get_for_user(user, kind, queryset, pk, edit):
    # The role check comes first, so that a refused user learns nothing about which records exist.
    require_kind(user, kind, edit=edit)
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def get_client_for_user(user, pk, *, edit=False) -> Client:
    return _get_for_user(user, "clients", Client.objects.select_related("referred_by"), pk, edit)


def get_contract_for_user(user, pk, *, edit=False) -> Contract:
    return _get_for_user(user, "contracts", Contract.objects.select_related("client"), pk, edit)


def get_revenue_entry_for_user(user, pk, *, edit=False) -> RevenueEntry:
    return _get_for_user(user, "revenue", RevenueEntry.objects.select_related("contract"), pk, edit)


def get_complaint_for_user(user, pk, *, edit=False) -> Complaint:
    return _get_for_user(user, "complaints", Complaint.objects.select_related("client"), pk, edit)


def get_survey_for_user(user, pk, *, edit=False) -> SatisfactionSurvey:
    return _get_for_user(user, "surveys", SatisfactionSurvey.objects.select_related("client"), pk, edit)


RECORD_GETTERS = {
    "clients": get_client_for_user,
    "contracts": get_contract_for_user,
    "revenue": get_revenue_entry_for_user,
    "complaints": get_complaint_for_user,
    "surveys": get_survey_for_user,
}


def get_record_for_user(user, kind, pk, *, edit=False):
    """The record of this kind if the user may read (or change) it: 403 for the wrong role, 404 if missing."""
    if kind not in RECORD_GETTERS:
        raise Http404
    return RECORD_GETTERS[kind](user, pk, edit=edit)


def clerk_departments(user):
    """The data departments this user is a clerk of (regulation 二.3), in code order."""
    if not user.is_authenticated:
        return Department.objects.none()
    return data_departments().filter(clerks=user)


def require_clerk(user):
    """Refuse (403) anyone who is no data department's clerk: marking a delivery is the clerks' own statement."""
    departments = list(clerk_departments(user))
    if not departments:
        raise PermissionDenied
    return departments


def get_clerk_department_for_user(user, pk) -> Department:
    """A department the user is a clerk of: 403 for a non-clerk, 404 for any other department."""
    for department in require_clerk(user):
        if department.pk == pk:
            return department
    raise Http404


def get_delivery_for_user(user, pk) -> DataDelivery:
    """A delivery mark of one of the user's departments: 403 for a non-clerk, 404 for any other mark."""
    departments = require_clerk(user)
    try:
        return DataDelivery.objects.select_related("quarter", "department").get(pk=pk, department__in=departments)
    except DataDelivery.DoesNotExist:
        raise Http404 from None
