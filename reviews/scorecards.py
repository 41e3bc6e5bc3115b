"""Reads behind a person's scorecard page (regulation 三.5: score of every indicator, ranking, overall evaluation).

Every read here is a fixed number of queries, whatever the number of staff, quarters or indicators.
"""

from collections import OrderedDict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, OuterRef, Prefetch, Q, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import charts
from .access import get_scorecard_for_user
from .deadlines import appeal_window_ends_on, interview_due_on
from .interviews import PUBLISHED_STATES, interview_status
from .models import ImprovementItem, IndicatorScore, Interview, Position, Quarter, Scorecard
from .roles import roles_of

TREND_QUARTERS = 4


def _safe_reverse(name, *args):
    """A URL, or None while the page it names does not exist yet (other parts of the product add them)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def scorecard_for_user(user, pk) -> Scorecard:
    """The scorecard if the user may read it, else Http404 (the shared rule in reviews.access)."""
    return get_scorecard_for_user(user, pk)


# --- Formatting ------------------------------------------------------------------------------------------


def _plain(value, places="0.01"):
    """A Decimal without trailing zeros: 12.50 → 12.5, 3.00 → 3."""
    value = Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)
    text = format(value.normalize(), "f")
    return text


def _satisfaction_percent(mean):
    try:
        from indicators.scoring import satisfaction_percent
    except ImportError:  # the scoring module is another engineer's; the rule is 1 → 0, 3 → 50, 5 → 100
        return (Decimal(mean) - 1) * 100 / 4
    return satisfaction_percent(Decimal(mean))


def format_measure(value, unit, *, code=""):
    """A value in its unit for people: '25 %', '3 clients', '4.35 / 5 (84 / 100)' for satisfaction."""
    if value is None:
        return None
    value = Decimal(value)
    if unit == "%":
        return f"{_plain(value, '0.1')} %"
    if unit == "clients":
        count = int(value.to_integral_value(rounding=ROUND_HALF_UP))
        return ngettext("%(n)s client", "%(n)s clients", count) % {"n": _plain(value)}
    if unit == "score":
        text = f"{_plain(value)} / 5"
        if code == "satisfaction":
            text += f" ({_plain(_satisfaction_percent(value), '1')} / 100)"
        return text
    return f"{_plain(value)} {unit}".strip()


RANK_PHRASES = {
    Position.LAWYER: lambda rank, count: ngettext(
        "%(rank)s / %(count)s lawyer", "%(rank)s / %(count)s lawyers", count
    ) % {"rank": rank, "count": count},
    Position.ASSISTANT: lambda rank, count: ngettext(
        "%(rank)s / %(count)s assistant", "%(rank)s / %(count)s assistants", count
    ) % {"rank": rank, "count": count},
    Position.ADMINISTRATIVE: lambda rank, count: ngettext(
        "%(rank)s / %(count)s administrative staff member", "%(rank)s / %(count)s administrative staff", count
    ) % {"rank": rank, "count": count},
}


def rank_text(scorecard):
    """'5 / 32 lawyers': the rank among the people of the same position."""
    phrase = RANK_PHRASES.get(scorecard.position)
    if phrase is None:
        return f"{scorecard.rank} / {scorecard.ranked_count}"
    return phrase(scorecard.rank, scorecard.ranked_count)


# --- The page --------------------------------------------------------------------------------------------


@dataclass
class Line:
    score: IndicatorScore
    value_text: str | None
    target_text: str | None
    explain_url: str | None

    @property
    def indicator(self):
        return self.score.indicator


@dataclass
class CategoryTotal:
    code: str
    label: str
    points: Decimal
    available: Decimal


def _lines(scorecard):
    scores = IndicatorScore.objects.filter(scorecard=scorecard).select_related("indicator").order_by("indicator__order")
    lines = []
    for score in scores:
        indicator = score.indicator
        lines.append(
            Line(
                score=score,
                value_text=format_measure(score.value, indicator.unit, code=indicator.code),
                target_text=format_measure(score.target, indicator.unit, code=indicator.code),
                explain_url=_safe_reverse("indicators:explain", score.pk),
            )
        )
    return lines


def _category_totals(lines):
    from indicators.models import Indicator

    totals = OrderedDict(
        (code, CategoryTotal(code=code, label=str(label), points=Decimal(0), available=Decimal(0)))
        for code, label in Indicator.Category.choices
    )
    for line in lines:
        total = totals.get(line.indicator.category)
        if total is None:
            continue
        total.points += line.score.points
        total.available += line.score.effective_weight
    return [total for total in totals.values() if total.available or total.points]


def _trend(scorecard, own_cards):
    """The last four published quarters up to this one: the person's total and the firm's average.

    One query: the quarters with their firm average as a subquery, which the database computes for the four
    quarters kept only.
    """
    quarter = scorecard.quarter
    firm_average = (
        Scorecard.objects.filter(quarter=OuterRef("pk"), status=Scorecard.Status.PUBLISHED, is_current=True)
        .order_by()
        .values("quarter")
        .annotate(average=Avg("total"))
        .values("average")
    )
    quarters = list(
        Quarter.objects.filter(state__in=PUBLISHED_STATES, published_at__isnull=False)
        .filter(Q(year__lt=quarter.year) | Q(year=quarter.year, number__lte=quarter.number))
        .annotate(firm_average=Subquery(firm_average))
        .order_by("-year", "-number")[:TREND_QUARTERS]
    )
    averages = {q.pk: q.firm_average for q in quarters}
    if quarter.pk not in averages:
        # A draft seen by the organisers still shows its own quarter at the end of the trend.
        quarters = [quarter, *quarters[: TREND_QUARTERS - 1]]
        averages[quarter.pk] = Scorecard.objects.filter(
            quarter=quarter, status=Scorecard.Status.PUBLISHED, is_current=True
        ).aggregate(average=Avg("total"))["average"]
    quarters.reverse()
    own = {card.quarter_id: card.total for card in own_cards}
    own[scorecard.quarter_id] = scorecard.total
    return {
        "labels": [q.code for q in quarters],
        "person": [own.get(q.pk) for q in quarters],
        "firm": [averages.get(q.pk) for q in quarters],
    }


def scorecard_page(*, scorecard, user, today=None):
    """Everything the scorecard page shows, in a constant number of queries."""
    today = today or timezone.localdate()
    roles = roles_of(user)
    profile = getattr(user, "profile", None)
    quarter = scorecard.quarter
    staff = scorecard.staff
    lines = _lines(scorecard)
    categories = _category_totals(lines)

    own_cards = list(
        Scorecard.objects.filter(staff=staff, status=Scorecard.Status.PUBLISHED, is_current=True)
        .select_related("quarter", "scheme")
        .order_by("-quarter__year", "-quarter__number")
    )
    for card in own_cards:
        if card.pk == scorecard.pk:
            # The page names the scheme version: read with the person's cards instead of a query of its own.
            scorecard.scheme = card.scheme
    trend = _trend(scorecard, own_cards)

    previous_year, previous_number = quarter.previous()
    interviews = list(
        Interview.objects.filter(staff=staff)
        .filter(Q(quarter=quarter) | Q(quarter__year=previous_year, quarter__number=previous_number))
        .select_related("quarter", "superior")
        .prefetch_related(Prefetch("improvement_items", queryset=ImprovementItem.objects.select_related("owner")))
    )
    interview = next((i for i in interviews if i.quarter_id == quarter.pk), None)
    follow_up = next((i for i in interviews if i.quarter_id != quarter.pk), None)

    is_owner = profile is not None and profile.pk == staff.pk
    published = scorecard.status == Scorecard.Status.PUBLISHED
    appeal_until = appeal_window_ends_on(quarter) if published else None
    appeal_open = appeal_until is not None and today <= appeal_until
    is_direct_superior = profile is not None and staff.superior_id == profile.pk

    person_label = staff.full_name
    bar = charts.bar_chart_svg(
        [c.label for c in categories],
        [c.points for c in categories],
        capacities=[c.available for c in categories],
        title=_("Points by category"),
    )
    line = charts.line_chart_svg(
        trend["labels"],
        {person_label: trend["person"], _("Firm average"): trend["firm"]},
        title=_("Total over the last four quarters"),
    )
    return {
        "scorecard": scorecard,
        "quarter": quarter,
        "staff": staff,
        "lines": lines,
        "categories": categories,
        "rank_text": rank_text(scorecard),
        "category_chart": mark_safe(bar),  # noqa: S308 — built by reviews.charts, which escapes every text
        "trend_chart": mark_safe(line),  # noqa: S308
        "trend": trend,
        "past": [card for card in own_cards if card.quarter_id != quarter.pk],
        "interview": interview,
        "interview_status": interview_status(interview),
        "interview_due_on": interview_due_on(quarter) if published else None,
        "follow_up": follow_up,
        "is_owner": is_owner,
        "is_direct_superior": is_direct_superior,
        "is_organiser": roles.is_organiser,
        "published": published,
        "feedback_url": _safe_reverse("notifications:scorecard_feedback_pdf", scorecard.pk) if published else None,
        "appeal_until": appeal_until,
        "appeal_open": appeal_open,
        "appeal_url": _safe_reverse("appeals:file", scorecard.pk) if (appeal_open and is_owner) else None,
        "interview_url": _safe_reverse("reviews:interview", interview.pk) if interview else None,
        "schedule_url": (
            _safe_reverse("reviews:interview_schedule", scorecard.pk)
            if published and is_direct_superior and (interview is None or not interview.is_recorded)
            else None
        ),
    }


def my_scorecards(*, user):
    """The person's published quarters, newest first, with the interview of each."""
    profile = getattr(user, "profile", None)
    if profile is None:
        return []
    cards = list(
        Scorecard.objects.filter(staff=profile, status=Scorecard.Status.PUBLISHED, is_current=True)
        .select_related("quarter")
        .order_by("-quarter__year", "-quarter__number")
    )
    interviews = {i.quarter_id: i for i in Interview.objects.filter(staff=profile)}
    return [
        {
            "scorecard": card,
            "rank_text": rank_text(card),
            "interview": interviews.get(card.quarter_id),
            "interview_status": interview_status(interviews.get(card.quarter_id)),
        }
        for card in cards
    ]
