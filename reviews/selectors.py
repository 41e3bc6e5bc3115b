"""Reads that feed the organisation's pages."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import EXECUTION_GROUP, LEADERSHIP_GROUP, Department, Position, StaffProfile
from .roles import roles_of

DATA_PAGE_TITLES = {
    "clients": _("Clients"),
    "contracts": _("Engagement contracts"),
    "revenue": _("Revenue entries"),
    "complaints": _("Complaints"),
    "surveys": _("Satisfaction surveys"),
}


def home_tasks(*, user):
    """What this person can do now, most urgent first, as (title, text, url) cards."""
    roles = roles_of(user)
    tasks = []
    for kind in ("clients", "contracts", "revenue", "complaints", "surveys"):
        if roles.can_edit_data(kind):
            tasks.append(
                {
                    "title": _("Enter or import: %(what)s") % {"what": DATA_PAGE_TITLES[kind]},
                    "text": _("Your department delivers this data for the quarter (regulation 三.3)."),
                    "url": reverse(f"clients:{kind}_list"),
                }
            )
    if roles.can_manage_people:
        tasks.append(
            {
                "title": _("People and reporting lines"),
                "text": _("Add people, fix superiors, invite new colleagues."),
                "url": reverse("reviews:people"),
            }
        )
    return tasks


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
    page = Paginator(people.order_by("department__code", "full_name"), 50).get_page(query.get("page"))
    return {
        "page": page,
        "departments": Department.objects.all(),
        "positions": Position.choices,
        "search": search,
        "selected_department": query.get("department", ""),
        "selected_position": query.get("position", ""),
        "leadership": StaffProfile.objects.filter(user__groups__name=LEADERSHIP_GROUP).select_related("user"),
        "execution": StaffProfile.objects.filter(user__groups__name=EXECUTION_GROUP).select_related("user"),
    }
