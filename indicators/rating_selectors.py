"""Reads that feed the rating pages: rounds and their progress, a rater's to-do list, a ratee's averages."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from indicators import calibration
from indicators.models import Indicator, RaterType, RatingAssignment, RatingRound, Scheme
from indicators.numbers import signed_number
from indicators.ratings import QUARTER_STATES_CLOSED_TO_RATING, rating_scale_for
from indicators.schemes import calibration_label
from indicators.selectors import round_ratings, scheme_calibration
from reviews.models import Quarter, QuarterState, StaffProfile

# Regulation 三.4 (多角度评价) has colleagues rate each other. What they gave reaches the ratee (averages by kind of
# rater, their comments) only when at least this many colleagues rated the line, so that no colleague's score can be
# read off or worked out. The execution and leadership groups see the full figures.
MIN_PEERS_SHOWN = 3


def peer_figures_withheld(peer_count: int) -> bool:
    """Whether a line's figures by kind of rater must be kept from the ratee: some colleagues rated, too few.

    Then every kind's average is withheld, not only the colleagues': next to the overall average, the superior's
    or the other departments' average would give the colleagues' away by subtraction.
    """
    return 0 < peer_count < MIN_PEERS_SHOWN


def get_rating_round(pk) -> RatingRound:
    """The round (organisers only reach the views that call this)."""
    return get_object_or_404(RatingRound.objects.select_related("quarter", "opened_by", "closed_by"), pk=pk)


def get_assignment_for_rater(user, pk) -> RatingAssignment:
    """The assignment only if this user is its rater; anyone else is told it does not exist."""
    assignment = (
        RatingAssignment.objects.select_related("round__quarter", "ratee__department", "indicator", "rater")
        .filter(pk=pk, rater__user_id=user.pk)
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


def get_assignment_in_round(rating_round, pk) -> RatingAssignment:
    return get_object_or_404(RatingAssignment, pk=pk, round=rating_round)


def quarters_without_round():
    """Quarters a round can still be opened for."""
    return Quarter.objects.filter(rating_round__isnull=True).exclude(state__in=QUARTER_STATES_CLOSED_TO_RATING)


def rating_rounds_page():
    """Every round with answered / total counts."""
    rounds = RatingRound.objects.select_related("quarter").annotate(
        total=Count("assignments"), answered=Count("assignments", filter=Q(assignments__score__isnull=False))
    )
    return {"rounds": rounds, "today": timezone.localdate()}


def rating_round_page(*, rating_round, query):
    """One round: overall progress, progress per rater and the (filterable, paged) assignment list."""
    assignments = rating_round.assignments.all()
    progress = assignments.aggregate(total=Count("id"), answered=Count("score"))
    per_rater = (
        assignments.values("rater_id", "rater__full_name", "rater__department__code")
        .annotate(total=Count("id"), answered=Count("score"))
        .order_by("rater__department__code", "rater__full_name")
    )
    listing = assignments.select_related("rater", "ratee", "indicator").order_by(
        "ratee__department__code", "ratee__full_name", "indicator__order", "rater_type", "rater__full_name"
    )
    search = (query.get("q") or "").strip()
    if search:
        listing = listing.filter(Q(rater__full_name__icontains=search) | Q(ratee__full_name__icontains=search))
    if query.get("status") == "answered":
        listing = listing.filter(score__isnull=False)
    elif query.get("status") == "unanswered":
        listing = listing.filter(score__isnull=True)
    total = progress["total"] or 0
    return {
        "rating_round": rating_round,
        "is_open": rating_round.is_open_on(timezone.localdate()),
        "total": total,
        "answered": progress["answered"] or 0,
        "percent": round(100 * (progress["answered"] or 0) / total) if total else 0,
        "per_rater": per_rater,
        "page": Paginator(listing, 100).get_page(query.get("page")),
        "search": search,
        "status": query.get("status", ""),
    }


def ratings_todo(*, user):
    """The user's assignments in rounds still open, grouped by round, with each round's scale."""
    today = timezone.localdate()
    assignments = (
        RatingAssignment.objects.filter(rater__user_id=user.pk, round__closed_at__isnull=True)
        .filter(Q(round__closes_on__isnull=True) | Q(round__closes_on__gte=today))
        .select_related("round__quarter", "ratee__department", "indicator")
        .order_by("round_id", "score", "ratee__full_name", "indicator__order")
    )
    rounds = {}
    for assignment in assignments:
        entry = rounds.get(assignment.round_id)
        if entry is None:
            entry = rounds[assignment.round_id] = {
                "rating_round": assignment.round,
                "scale": rating_scale_for(assignment.round.quarter),
                "assignments": [],
            }
        entry["assignments"].append(assignment)
    for entry in rounds.values():
        entry["answered"] = sum(1 for a in entry["assignments"] if a.score is not None)
    return list(rounds.values())


def rounds_closed_with_submission(*, user):
    """Rounds this user rated in that closed when their quarter's results went for approval, while the quarter is
    not yet closed: the to-do page says why nothing is asked of them any more."""
    return list(
        RatingRound.objects.filter(
            closed_at__isnull=False,
            quarter__state__in=[QuarterState.SUBMITTED, QuarterState.APPROVED, QuarterState.PUBLISHED],
            assignments__rater__user_id=user.pk,
        )
        .distinct()
        .select_related("quarter")
        .order_by("-closed_at")
    )


def _two_places(value):
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def my_ratings(*, user):
    """What a ratee may see of closed rounds: averages per indicator and rater type, never who gave them."""
    profile = StaffProfile.objects.filter(user_id=user.pk).first()
    if profile is None:
        return []
    rows = (
        RatingAssignment.objects.filter(ratee=profile, round__closed_at__isnull=False, score__isnull=False)
        .values("round_id", "indicator_id", "rater_type")
        .annotate(points=Sum("score"), answers=Count("id"))
    )
    rounds = {r.pk: r for r in RatingRound.objects.filter(closed_at__isnull=False).select_related("quarter")}
    indicators = {i.pk: i for i in Indicator.objects.filter(kind=Indicator.Kind.RATED)}
    type_labels = dict(RaterType.choices)
    grouped = {}
    for row in rows:
        entry = grouped.setdefault(
            row["round_id"],
            {
                "rating_round": rounds[row["round_id"]],
                "scale": rating_scale_for(rounds[row["round_id"]].quarter),
                "indicators": {},
            },
        )
        line = entry["indicators"].setdefault(
            row["indicator_id"], {"indicator": indicators[row["indicator_id"]], "by_type": [], "comments": []}
        )
        line["by_type"].append(
            {
                "rater_type": row["rater_type"],
                "label": type_labels.get(row["rater_type"], row["rater_type"]),
                "average": _two_places(Decimal(row["points"]) / row["answers"]),
                "answers": row["answers"],
                "points": row["points"],
            }
        )
    # Peers' averages and comments: only where enough peers answered; comments sorted by text so their order says
    # nothing.
    for round_id, entry in grouped.items():
        for indicator_id, line in entry["indicators"].items():
            line["by_type"].sort(key=lambda item: list(type_labels).index(item["rater_type"]))
            # Regulation 三.4: the plain average of all raters' scores (scheme weights apply in the scoring).
            line["overall"] = _two_places(
                Decimal(sum(item["points"] for item in line["by_type"]))
                / sum(item["answers"] for item in line["by_type"])
            )
            peers = next((item for item in line["by_type"] if item["rater_type"] == RaterType.PEER), None)
            line["withheld"] = peer_figures_withheld(peers["answers"] if peers else 0)
            if line["withheld"]:
                line["by_type"] = []
            if peers and peers["answers"] >= MIN_PEERS_SHOWN:
                line["comments"] = sorted(
                    RatingAssignment.objects.filter(
                        round_id=round_id,
                        ratee=profile,
                        indicator_id=indicator_id,
                        rater_type=RaterType.PEER,
                        score__isnull=False,
                    )
                    .exclude(comment="")
                    .values_list("comment", flat=True)
                )
        entry["indicators"] = sorted(entry["indicators"].values(), key=lambda line: line["indicator"].order)
    return sorted(
        grouped.values(), key=lambda e: (e["rating_round"].quarter.year, e["rating_round"].quarter.number), reverse=True
    )


# The orders of the calibration page: generous first (the default), strict first, farthest from the rest either way,
# or by rater.
CALIBRATION_SORTS = {
    "lenient": lambda row: (row["leniency"] is None, -(row["leniency"] or 0), row["name"]),
    "strict": lambda row: (row["leniency"] is None, row["leniency"] or 0, row["name"]),
    "far": lambda row: (row["leniency"] is None, -abs(row["leniency"] or 0), row["name"]),
    "name": lambda row: (row["name"], row["indicator_order"]),
}


def rating_calibration_page(*, rating_round, sort=None) -> dict:
    """The round's leniency table (indicators.calibration) with each rater's name and the indicator's, for the
    execution and leadership groups only: it names raters, which a ratee never sees (regulation 三.4)."""
    scale = rating_scale_for(rating_round.quarter)
    table = calibration.leniency_table(round_ratings(rating_round.quarter), scale)
    names = dict(StaffProfile.objects.filter(pk__in={row.rater_id for row in table}).values_list("pk", "full_name"))
    indicators = {indicator.code: indicator for indicator in Indicator.objects.filter(kind=Indicator.Kind.RATED)}
    rows = [
        {
            "name": names.get(row.rater_id, ""),
            "indicator": indicators[row.indicator].name if row.indicator in indicators else row.indicator,
            "indicator_order": indicators[row.indicator].order if row.indicator in indicators else 0,
            "count": row.count,
            "compared": row.compared,
            "average": row.average,
            "others_average": row.others_average,
            "leniency": row.leniency,
            "leniency_text": signed_number(row.leniency),
            "flagged": row.flagged,
        }
        for row in table
    ]
    sort = sort if sort in CALIBRATION_SORTS else "lenient"
    rows.sort(key=CALIBRATION_SORTS[sort])
    scheme = rating_round.quarter.schemes.filter(status=Scheme.Status.APPROVED).first()
    return {
        "rating_round": rating_round,
        "rows": rows,
        "sort": sort,
        "flagged": sum(1 for row in rows if row["flagged"]),
        "threshold": calibration.flag_threshold(scale),
        "min_ratings": calibration.MIN_RATINGS_FLAGGED,
        "scale": scale,
        "rule": calibration_label(scheme_calibration(scheme)) if scheme is not None else None,
    }
