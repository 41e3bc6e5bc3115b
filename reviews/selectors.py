"""Reads that feed the organisation's pages, and a quarter looked up by its code (2026Q3)."""

import datetime

from django.core.exceptions import PermissionDenied

# Lazy: the titles are translated when a page is rendered, in the reader's language.
from django.core.management.base import CommandError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from reviews.models import (
    EXECUTION_GROUP,
    LEADERSHIP_GROUP,
    Department,
    DepartmentKind,
    Position,
    Quarter,
    StaffChange,
    StaffProfile,
)
from reviews.roles import roles_of
from reviews.staff_changes import value_display


def people_page(*, query):
    """The people page: every staff member with department, superior and group membership."""
    people = StaffProfile.objects.select_related("user", "department", "superior").prefetch_related(
        "user__groups", "user__clerk_departments"
    )
    search = (query.get("q") or "").strip()
    if search:
        people = people.filter(
            Q(full_name__icontains=search) | Q(user__username__icontains=search) | Q(user__email__icontains=search)
        )
    if query.get("department"):
        people = people.filter(department__code=query["department"])
    if query.get("position"):
        people = people.filter(position=query["position"])
    if query.get("active") in ("1", "0"):
        people = people.filter(active=query["active"] == "1")
    page = Paginator(people.order_by("department__code", "full_name"), 50).get_page(query.get("page"))
    return {
        "page": page,
        "departments": Department.objects.all(),
        "positions": Position.choices,
        "search": search,
        "selected_department": query.get("department", ""),
        "selected_position": query.get("position", ""),
        "selected_active": query.get("active", ""),
        "matching": page.paginator.count,
        # Regulation 二.3: the departments that provide data, and who enters it for them.
        "data_departments": Department.objects.exclude(kind=DepartmentKind.PRACTICE).prefetch_related(
            "clerks__profile"
        ),
        "leadership": StaffProfile.objects.filter(user__groups__name=LEADERSHIP_GROUP).select_related("user"),
        "execution": StaffProfile.objects.filter(user__groups__name=EXECUTION_GROUP).select_related("user"),
    }


def get_person_for_user(user, pk, *, manage=False):
    """A staff profile if the user may see it (organisers) or, with manage, change it (execution group)."""
    roles = roles_of(user)
    if not (roles.can_manage_people if manage else roles.is_organiser):
        raise PermissionDenied
    try:
        return StaffProfile.objects.select_related("user", "department", "superior").get(pk=pk)
    except StaffProfile.DoesNotExist:
        raise Http404 from None


STAFF_CHANGES_PAGE_SIZE = 50


def staff_changes_page(*, query):
    """The record of role changes, newest first, filtered by person, who, kind and date range (firm's days)."""
    from reviews.forms import StaffChangeFilterForm

    form = StaffChangeFilterForm(query or None)
    changes = StaffChange.objects.select_related("person__profile", "by__profile")
    if form.is_bound and form.is_valid():
        wanted = form.cleaned_data
        if wanted.get("person"):
            changes = changes.filter(person=wanted["person"])
        if wanted.get("by"):
            changes = changes.filter(by=wanted["by"])
        if wanted.get("kind"):
            changes = changes.filter(kind=wanted["kind"])
        zone = timezone.get_current_timezone()
        if wanted.get("since"):
            start = datetime.datetime.combine(wanted["since"], datetime.time.min, tzinfo=zone)
            changes = changes.filter(at__gte=start)
        if wanted.get("until"):
            end = datetime.datetime.combine(
                wanted["until"] + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
            )
            changes = changes.filter(at__lt=end)
    page = Paginator(changes.order_by("-at", "-id"), STAFF_CHANGES_PAGE_SIZE).get_page(query.get("page"))
    departments = {department.code: department for department in Department.objects.all()}
    rows = [
        {
            "change": change,
            "before": value_display(change.kind, change.before, departments=departments),
            "after": value_display(change.kind, change.after, departments=departments),
        }
        for change in page
    ]
    return {"form": form, "page": page, "rows": rows}


def get_quarter_or_404(code) -> Quarter:
    """The quarter named by a code like 2026Q3."""
    try:
        year, number = Quarter.parse_code(code)
    except ValueError:
        raise Http404 from None
    try:
        return Quarter.objects.get(year=year, number=number)
    except Quarter.DoesNotExist:
        raise Http404 from None


def quarter_from_code(code):
    """The quarter named by a code like 2026Q3, for management commands (a CommandError that says what is wrong)."""
    try:
        year, number = Quarter.parse_code(code)
    except ValueError as error:
        raise CommandError(str(error)) from None
    try:
        return Quarter.objects.get(year=year, number=number)
    except Quarter.DoesNotExist:
        raise CommandError(
            _(
                "There is no quarter %(quarter)s: start it on the Quarters page or with "
                "`manage.py quarter_start %(quarter)s --by …`."
            )
            % {"quarter": f"{year}Q{number}"}
        ) from None
