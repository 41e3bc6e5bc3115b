"""Reads that feed the quarter pages: the list, one quarter, and the leadership group's ranked table."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, Sum
from django.urls import reverse
from django.utils.translation import get_language

from portal.quarter_services import pending_interviews, quarter_close_blockers, stale_drafts, undecided_appeals
from results.cells import cells_by_scorecard
from results.models import Scorecard
from reviews.deadlines import appeal_window_ends_on, quarter_deadlines
from reviews.lifecycle import actions_for
from reviews.models import Department, Position, Quarter, QuarterEvent, QuarterState, StaffProfile

RANKED_PAGE_SIZE = 100
# The quarter page names this many people still waiting for their interview; the interviews page lists them all.
CLOSE_BLOCKERS_SHOWN = 100
SORTS = {
    # key: (ascending order, descending order)
    "total": (("total", "staff__full_name"), ("-total", "staff__full_name")),
    "rank": (("position", "rank", "staff__full_name"), ("position", "-rank", "staff__full_name")),
    "name": (("staff__full_name",), ("-staff__full_name",)),
    "department": (("department__code", "-total"), ("-department__code", "-total")),
}
DEFAULT_DIRECTION = {"total": "desc", "rank": "asc", "name": "asc", "department": "asc"}


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
    appeals_until = appeal_window_ends_on(quarter)
    # Drafts computed with a scheme version superseded since cannot be submitted or approved: said at the top.
    stale = stale_drafts(quarter) if quarter.state in (QuarterState.SCORED, QuarterState.SUBMITTED) else None
    # A published quarter lists by name what keeps it from closing (the same check quarter_close makes).
    blockers = quarter_close_blockers(quarter, today=today) if quarter.state == QuarterState.PUBLISHED else None
    return {
        "close_blockers": blockers,
        "close_blockers_shown": blockers.interviews[:CLOSE_BLOCKERS_SHOWN] if blockers else [],
        "close_blockers_hidden": max(0, len(blockers.interviews) - CLOSE_BLOCKERS_SHOWN) if blockers else 0,
        "stale_drafts": stale.message_for(quarter.state) if stale else None,
        # Closing waits for the appeal window's last day (quarter_services.quarter_close); the page says so.
        "appeal_window_open_until": appeals_until if appeals_until and today <= appeals_until else None,
        "quarter": quarter,
        "events": events,
        "actions": actions_for(quarter=quarter, user=user),
        "deadlines": quarter_deadlines(quarter, today=today, pending_interviews=interviews),
        "scorecard_count": Scorecard.objects.filter(quarter=quarter, is_current=True).count(),
        # The scheme's steps (submit, approve) live on the scheme's page; the quarter page links the newest version.
        "scheme": quarter.schemes.order_by("-version").first(),
        "pending_interviews": interviews,
        "undecided_appeals": undecided_appeals(quarter) if quarter.published_at else None,
        "today": today,
    }


def scorecard_link_maker():
    """A function scorecard id -> URL of the scorecard drill-down.

    Reversed once and filled in: a reverse() per row cost more than the row's query."""
    sentinel = "987654321"
    head, _sentinel, tail = reverse("portal:scorecard", args=[int(sentinel)]).partition(sentinel)
    return lambda pk: f"{head}{pk}{tail}"


def _rounded(value):
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if value is not None else None


ROW_FIELDS = ("pk", "position", "rank", "ranked_count", "total", "grade", "grade_en", "status", "department_id")


def _grade_rows(current) -> list[tuple]:
    """(grade, grade_en, best, worst, count, sum of totals, highest version) per grade, best grade first: the
    grade filter, the overview of the whole quarter and whether any result is a correction. One aggregate
    query over the quarter's current results, read on every page (no cache: docs/benchmarks.md, "pages")."""
    return list(
        current.order_by()
        .values_list("grade", "grade_en")
        .annotate(best=Max("total"), worst=Min("total"), n=Count("pk"), points=Sum("total"), latest=Max("version"))
        .order_by("-best")
    )


def ranked_results_page(*, quarter, query, default_sort="total"):
    """One page of the ranked table of the quarter's current results: sorted, filtered and searched in SQL.

    A fixed number of queries whatever the number of staff: one page of plain rows (no model instances: at 100
    rows they cost more than the query), the grades with the overview figures, the departments, and a count only
    when a filter is set (unfiltered, the grades' counts add up to it).
    """
    sort = query.get("sort") if query.get("sort") in SORTS else default_sort
    direction = query.get("dir") if query.get("dir") in ("asc", "desc") else DEFAULT_DIRECTION[sort]
    current = Scorecard.objects.filter(quarter=quarter, is_current=True)
    cards = current
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
    filtered = bool(search or department or position or grade)
    english = (get_language() or "").startswith("en")

    grade_rows = _grade_rows(current)
    grades, grade_counts = [], []
    for label, label_en, _best, _worst, count, _points, _latest in grade_rows:
        if label not in grades:
            grades.append(label)
        grade_counts.append({"grade": label_en if english and label_en else label, "count": count})
    everyone = sum(row[4] for row in grade_rows)
    overview = {
        "count": everyone,
        "average": _rounded(sum(row[5] for row in grade_rows) / everyone) if everyone else None,
        "highest": _rounded(max((row[2] for row in grade_rows), default=None)),
        "lowest": _rounded(min((row[3] for row in grade_rows), default=None)),
    }

    ordering = SORTS[sort][0 if direction == "asc" else 1]
    shown = cards.order_by(*ordering).values(*ROW_FIELDS, name=F("staff__full_name"))
    paginator = Paginator(shown, RANKED_PAGE_SIZE)
    if not filtered:
        paginator.count = everyone
    page = paginator.get_page(query.get("page"))
    departments = list(Department.objects.all())
    department_names = {d.pk: d.name for d in departments}
    link = scorecard_link_maker()
    # Labels looked up once: get_FOO_display() rebuilds the choices dictionary on every call.
    positions, statuses = dict(Position.choices), dict(Scorecard.Status.choices)
    rows = [
        {
            **card,
            "url": link(card["pk"]),
            "department": department_names.get(card["department_id"], ""),
            "position_label": positions.get(card["position"], card["position"]),
            "status_label": statuses.get(card["status"], card["status"]),
            "grade_label": card["grade_en"] if english and card["grade_en"] else card["grade"],
            "total": _rounded(card["total"]),
        }
        for card in page
    ]
    return {
        "page": page,
        "rows": rows,
        "sort": sort,
        "direction": direction,
        "search": search,
        "filtered": filtered,
        "selected_department": department,
        "selected_position": position,
        "selected_grade": grade,
        "departments": departments,
        "positions": Position.choices,
        "grades": grades,
        "grade_counts": grade_counts,
        # The report's headline figures, for the approval page. The full report (distribution, averages,
        # changes, data quality) takes about thirty queries and most of a second at 2,000 staff: it stays on its
        # own page (portal:report) rather than running again with every page of the table.
        "overview": overview,
        # Whether any current result is a correction (version 2 or later): only then is the note of the
        # corrections worth its query (appeals.selectors.quarter_corrections).
        "has_corrections": any(row[6] > 1 for row in grade_rows),
    }


def mark_corrected(rows, corrected: dict[int, int]) -> None:
    """Give each row of a corrected result its version (appeals.selectors.corrected_versions), for its mark."""
    for row in rows:
        row["corrected_version"] = corrected.get(row["pk"])


def results_table_page(*, quarter, query):
    """The results page: a page of the ranked table and its indicator columns.

    The columns are the indicators that have a line in the quarter, found with one EXISTS per indicator rather
    than by reading every line; each row gets its cells, one per column (results.cells: one query for the page).
    """
    from indicators.models import Indicator
    from results.models import IndicatorScore

    table = ranked_results_page(quarter=quarter, query=query, default_sort="rank")
    in_quarter = IndicatorScore.objects.filter(
        indicator=OuterRef("pk"), scorecard__quarter=quarter, scorecard__is_current=True
    )
    columns = list(Indicator.objects.filter(Exists(in_quarter)).order_by("order"))
    cells = cells_by_scorecard([row["pk"] for row in table["rows"]], columns)
    for row in table["rows"]:
        row["cells"] = cells[row["pk"]]
    return {**table, "columns": columns, "has_results": bool(table["grades"])}


def assessed_people(quarter):
    """The people the quarter assesses: those with a current result once it is scored, else the active assessed."""
    people = StaffProfile.objects.select_related("superior", "department", "user").order_by("full_name")
    results = Scorecard.objects.filter(quarter=quarter, is_current=True).values("staff_id")
    if results.exists():
        return people.filter(pk__in=results)
    return people.filter(active=True, assessed=True)


EVALUATION_STATES = ("done", "todo")


def evaluations_page(*, quarter, query):
    """The evaluations page's filters (department, position, done / not done, name) and counts.

    Returns the filtered current scorecards (ordered by department and name) with the filter values and how many
    of the quarter's people have a written evaluation ("done"), overall and among those shown.
    """
    cards = Scorecard.objects.filter(quarter=quarter, is_current=True)
    counts = cards.aggregate(total=Count("pk"), done=Count("pk", filter=~Q(evaluation="")))
    department = query.get("department", "")
    position = query.get("position", "")
    state = query.get("state", "")
    search = (query.get("q") or "").strip()[:100]
    shown = cards
    if department:
        shown = shown.filter(department__code=department)
    if position:
        shown = shown.filter(position=position)
    if state == "done":
        shown = shown.exclude(evaluation="")
    elif state == "todo":
        shown = shown.filter(evaluation="")
    else:
        state = ""
    if search:
        shown = shown.filter(Q(staff__full_name__icontains=search) | Q(staff__user__username__icontains=search))
    filtered = bool(department or position or state or search)
    shown_counts = (
        shown.aggregate(total=Count("pk"), done=Count("pk", filter=~Q(evaluation=""))) if filtered else counts
    )
    return {
        "cards": shown.select_related("staff", "department")
        .prefetch_related("lines__indicator")
        .order_by("department__code", "staff__full_name", "pk"),
        "total": counts["total"],
        "done": counts["done"],
        "todo": counts["total"] - counts["done"],
        "shown_total": shown_counts["total"],
        "shown_done": shown_counts["done"],
        "filtered": filtered,
        "departments": list(Department.objects.all()),
        "positions": Position.choices,
        "selected_department": department,
        "selected_position": position,
        "selected_state": state,
        "search": search,
    }
