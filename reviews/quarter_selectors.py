"""Reads that feed the quarter pages: the list, one quarter, and the leadership group's ranked table."""

from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from .deadlines import quarter_deadlines
from .lifecycle import actions_for
from .models import Department, Position, Quarter, QuarterEvent, Scorecard
from .quarter_services import pending_interviews, undecided_appeals

RANKED_PAGE_SIZE = 100
SORTS = {
    # key: (ascending order, descending order)
    "total": (("total", "staff__full_name"), ("-total", "staff__full_name")),
    "rank": (("position", "rank", "staff__full_name"), ("position", "-rank", "staff__full_name")),
    "name": (("staff__full_name",), ("-staff__full_name",)),
    "department": (("department__code", "-total"), ("-department__code", "-total")),
}
DEFAULT_DIRECTION = {"total": "desc", "rank": "asc", "name": "asc", "department": "asc"}


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


def quarters_page(*, today):
    """Every quarter with its state and deadlines, newest first."""
    quarters = list(Quarter.objects.all())
    return {
        "rows": [
            {"quarter": q, "deadlines": quarter_deadlines(q, today=today, pending_interviews=pending_interviews(q))}
            for q in quarters
        ],
        "today": today,
    }


def quarter_page(*, quarter, user, today):
    events = QuarterEvent.objects.filter(quarter=quarter).select_related("by__profile").order_by("at", "id")
    interviews = pending_interviews(quarter) if quarter.published_at else None
    return {
        "quarter": quarter,
        "events": events,
        "actions": actions_for(quarter=quarter, user=user),
        "deadlines": quarter_deadlines(quarter, today=today, pending_interviews=interviews),
        "scorecard_count": Scorecard.objects.filter(quarter=quarter, is_current=True).count(),
        "pending_interviews": interviews,
        "undecided_appeals": undecided_appeals(quarter) if quarter.published_at else None,
        "today": today,
    }


def _url_or_none(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def scorecard_link_maker():
    """A function card -> URL of the scorecard drill-down, or None when no scorecard page is installed."""
    if _url_or_none("reviews:scorecard", 1) is not None:
        return lambda card: reverse("reviews:scorecard", args=[card.pk])
    return lambda card: None


def ranked_results_page(*, quarter, query):
    """The full ranked table of the quarter's current results: sorted, filtered and searched as the query says.

    A fixed number of queries whatever the number of staff: one count, one page of rows, the filter choices.
    """
    sort = query.get("sort") if query.get("sort") in SORTS else "total"
    direction = query.get("dir") if query.get("dir") in ("asc", "desc") else DEFAULT_DIRECTION[sort]
    cards = Scorecard.objects.filter(quarter=quarter, is_current=True).select_related("staff__user", "department")
    search = (query.get("q") or "").strip()
    if search:
        cards = cards.filter(Q(staff__full_name__icontains=search) | Q(staff__user__username__icontains=search))
    department = query.get("department") or ""
    if department:
        cards = cards.filter(department__code=department)
    position = query.get("position") or ""
    if position:
        cards = cards.filter(position=position)
    grade = query.get("grade") or ""
    if grade:
        cards = cards.filter(grade=grade)
    ordering = SORTS[sort][0 if direction == "asc" else 1]
    page = Paginator(cards.order_by(*ordering), RANKED_PAGE_SIZE).get_page(query.get("page"))
    link = scorecard_link_maker()
    rows = [{"card": card, "url": link(card)} for card in page]
    grades = list(
        Scorecard.objects.filter(quarter=quarter, is_current=True)
        .values_list("grade", flat=True)
        .annotate(best=Max("total"))
        .order_by("-best")
    )
    return {
        "page": page,
        "rows": rows,
        "sort": sort,
        "direction": direction,
        "search": search,
        "selected_department": department,
        "selected_position": position,
        "selected_grade": grade,
        "departments": Department.objects.all(),
        "positions": Position.choices,
        # Best grade first, as the totals order them.
        "grades": grades,
    }
