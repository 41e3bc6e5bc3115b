"""Reads behind a person's scorecard page (regulation 三.5: score of every indicator, ranking, overall evaluation).

Every read here is a fixed number of queries, whatever the number of staff, quarters or indicators.
"""

from collections import OrderedDict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Exists, OuterRef, Prefetch, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from appeals.models import Appeal
from documents import charts
from goals.models import Goal
from goals.selectors import progress_of
from indicators.scoring import satisfaction_percent
from interviews.access import get_scorecard_for_user
from interviews.interviewers import may_interview
from interviews.models import ImprovementItem, Interview
from interviews.selectors import PUBLISHED_STATES, interview_status
from results.explain import rule_text
from results.models import IndicatorScore, Scorecard
from reviews.deadlines import appeal_window_ends_on, interview_due_on
from reviews.models import Position, Quarter, QuarterState
from reviews.roles import roles_of

TREND_QUARTERS = 4


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
    Position.LAWYER: lambda rank, count: (
        ngettext("%(rank)s / %(count)s lawyer", "%(rank)s / %(count)s lawyers", count) % {"rank": rank, "count": count}
    ),
    Position.ASSISTANT: lambda rank, count: (
        ngettext("%(rank)s / %(count)s assistant", "%(rank)s / %(count)s assistants", count)
        % {"rank": rank, "count": count}
    ),
    Position.ADMINISTRATIVE: lambda rank, count: (
        ngettext("%(rank)s / %(count)s administrative staff member", "%(rank)s / %(count)s administrative staff", count)
        % {"rank": rank, "count": count}
    ),
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
    rule_text: str = ""

    @property
    def indicator(self):
        return self.score.indicator

    @property
    def is_excluded(self) -> bool:
        """Left out for want of data (the scheme's "exclude" policy): it weighs nothing this quarter."""
        return self.score.no_data_applied and not self.score.effective_weight

    @property
    def weight_text(self) -> str:
        """The scheme's weight, without trailing zeros, for "rescaled from 15"."""
        return _plain(self.score.weight)

    @property
    def is_rescaled(self) -> bool:
        return not self.is_excluded and self.score.effective_weight != self.score.weight


def rescaling_note(lines) -> str:
    """Why some weights differ from the scheme's, in words (docs/indicators.md, "No data": an excluded item's weight
    is shared among the others in proportion to their weights, so the total stays out of the same maximum)."""
    excluded = [line for line in lines if line.is_excluded]
    if not excluded or not any(line.is_rescaled for line in lines):
        return ""
    nominal = sum((line.score.weight for line in lines), Decimal(0))
    kept = nominal - sum((line.score.weight for line in excluded), Decimal(0))
    return ngettext(
        "%(names)s had no data this quarter and is left out (the scheme's no-data rule). Its weight of %(excluded)s "
        "is shared among the other indicators in proportion to their own weights: each of their weights, and the "
        "points earned on it, is multiplied by %(nominal)s ÷ %(kept)s, so the total is still out of %(nominal)s.",
        "%(names)s had no data this quarter and are left out (the scheme's no-data rule). Their weight of "
        "%(excluded)s is shared among the other indicators in proportion to their own weights: each of their "
        "weights, and the points earned on it, is multiplied by %(nominal)s ÷ %(kept)s, so the total is still out "
        "of %(nominal)s.",
        len(excluded),
    ) % {
        "names": _(", ").join(line.indicator.name for line in excluded),
        "excluded": _plain(nominal - kept),
        "nominal": _plain(nominal),
        "kept": _plain(kept),
    }


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
                explain_url=reverse("portal:explain", args=[score.pk]),
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


def scorecard_results(scorecard) -> dict:
    """What the scorecard shows of the results themselves: lines, categories, charts, rank, past quarters.

    None of it depends on who reads the page or on the day. Read fresh on every view: a person's first view of a
    published scorecard is the one that matters (docs/benchmarks.md, "pages"), so nothing here leans on a cache.
    """
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
    scale = int({"rating_scale": 5, **(scorecard.scheme.parameters or {})}["rating_scale"])
    for item in lines:
        item.rule_text = rule_text(item.score, item.indicator, scale)
    trend = _trend(scorecard, own_cards)
    bar = charts.bar_chart_svg(
        [c.label for c in categories],
        [c.points for c in categories],
        capacities=[c.available for c in categories],
        title=_("Points by category"),
    )
    line = charts.line_chart_svg(
        trend["labels"],
        {staff.full_name: trend["person"], _("Firm average"): trend["firm"]},
        title=_("Total over the last four quarters"),
    )
    return {
        "scorecard": scorecard,
        "quarter": quarter,
        "staff": staff,
        "lines": lines,
        "rescaling_note": rescaling_note(lines),
        "categories": categories,
        "rank_text": rank_text(scorecard),
        "scheme_version": scorecard.scheme.version,
        "category_chart": mark_safe(bar),  # noqa: S308 — built by documents.charts, which escapes every text
        "trend_chart": mark_safe(line),  # noqa: S308
        "trend": trend,
        "past": [card for card in own_cards if card.quarter_id != quarter.pk],
    }


def _appeals_seen(*, quarter, staff, user, is_owner) -> list:
    """The person's own appeals on this quarter's result, newest first, each with its page's address, for the
    person reading their scorecard. Keyed by quarter and person, not by version: an upheld appeal's corrected
    version still shows the appeal that led to it. The two groups follow appeals in their queue (appeals list),
    which keeps their reading of the page within its query budget (docs/benchmarks.md, "pages"); a superior may
    not see appeals at all (appeals.access). One query, for the owner only."""
    if not is_owner:
        return []
    appeals = list(
        Appeal.objects.filter(quarter_id=quarter.pk, staff_id=staff.pk, appellant_id=user.pk).order_by(
            "-filed_at", "-pk"
        )
    )
    for appeal in appeals:
        appeal.url = reverse("appeals:detail", args=[appeal.pk])
    return appeals


def scorecard_viewer_context(*, scorecard, user, today=None) -> dict:
    """What the page shows that depends on the reader and the day: the interview, the appeal window, the buttons."""
    today = today or timezone.localdate()
    roles = roles_of(user)
    quarter = scorecard.quarter
    staff = scorecard.staff
    year, number = quarter.previous()
    # This quarter's interview and the previous quarter's (its goals and plan are followed up here), with that
    # quarter found by its year and number in the same query rather than looked up first.
    interviews = list(
        Interview.objects.filter(staff_id=staff.pk)
        .filter(Q(quarter_id=quarter.pk) | Q(quarter__year=year, quarter__number=number))
        .select_related("quarter")
        .prefetch_related(Prefetch("improvement_items", queryset=ImprovementItem.objects.select_related("owner")))
        # Whether any goals were agreed, in the same query: a page without goals costs nothing more (the budget of
        # docs/benchmarks.md, "pages").
        .annotate(has_goals=Exists(Goal.objects.filter(interview=OuterRef("pk"))))
        .order_by()  # picked by quarter below; the model's ordering cost a third of the query's time
    )
    interview = next((i for i in interviews if i.quarter_id == quarter.pk), None)
    follow_up = next((i for i in interviews if i.quarter_id != quarter.pk), None)
    if interview is not None:
        interview.quarter = quarter

    # By user id: the card comes with its staff and their superior, and the reader's profile is not needed.
    is_owner = staff.user_id == user.pk
    published = scorecard.status == Scorecard.Status.PUBLISHED
    appeal_until = appeal_window_ends_on(quarter) if published else None
    # A closed quarter is read-only, whatever its window said (appeals.selectors.filing_window refuses it too).
    appeal_open = appeal_until is not None and today <= appeal_until and quarter.state == QuarterState.PUBLISHED
    is_direct_superior = staff.superior is not None and staff.superior.user_id == user.pk
    appeals = _appeals_seen(quarter=quarter, staff=staff, user=user, is_owner=is_owner)
    open_appeal = next((appeal for appeal in appeals if appeal.is_open), None)
    # The interview is scheduled by the person's interviewer (interviews.interviewers): asked only while it can be.
    may_schedule = (
        published
        and quarter.state == QuarterState.PUBLISHED  # a closed quarter's interviews are read-only
        and not is_owner
        and (interview is None or not interview.is_recorded)
        and may_interview(user, quarter=quarter, staff=staff)
    )
    # Regulation 三.5: the goals agreed last quarter, each with what this quarter's published result reached (read
    # from the current version's lines, goals.selectors; no query when none were agreed).
    goals_followed = []
    if follow_up is not None and follow_up.has_goals:
        goals_followed = progress_of(Goal.objects.filter(interview=follow_up).select_related("indicator", "quarter"))
    return {
        "scorecard": scorecard,
        "quarter": quarter,
        "staff": staff,
        "interview": interview,
        "goals_followed": goals_followed,
        "interview_status": interview_status(interview),
        "interview_due_on": interview_due_on(quarter) if published else None,
        "follow_up": follow_up,
        "is_owner": is_owner,
        "is_direct_superior": is_direct_superior,
        "is_organiser": roles.is_organiser,
        "published": published,
        "feedback_url": reverse("documents:scorecard_feedback_pdf", args=[scorecard.pk]) if published else None,
        "appeal_until": appeal_until,
        "appeal_open": appeal_open,
        # One open appeal per person and quarter, filed on the current version (appeals.selectors.filing_window):
        # while one is open the page leads to it instead of offering a second.
        "appeal_url": (
            reverse("appeals:file", args=[scorecard.pk])
            if (appeal_open and is_owner and open_appeal is None and scorecard.is_current)
            else None
        ),
        "appeals": appeals,
        "open_appeal": open_appeal,
        "interview_url": reverse("interviews:interview", args=[interview.pk]) if interview else None,
        # The person's goal history (goals.access also lets those higher up the line in; the link is for the
        # readers who meet the person's goals most).
        "goals_url": (
            reverse("goals:person", args=[staff.pk]) if (is_owner or roles.is_organiser or is_direct_superior) else None
        ),
        "schedule_url": (reverse("interviews:interview_schedule", args=[scorecard.pk]) if may_schedule else None),
    }


def scorecard_page(*, scorecard, user, today=None):
    """Everything the scorecard shows, in a constant number of queries (the feedback PDF's content)."""
    return {**scorecard_results(scorecard), **scorecard_viewer_context(scorecard=scorecard, user=user, today=today)}


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
