"""Reads behind the appeal pages, the queue, and the appeal statistics of a quarter's report."""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reviews.deadlines import appeal_window_ends_on, local_date
from reviews.models import EXECUTION_GROUP, IndicatorScore, QuarterState, Scorecard
from reviews.roles import roles_of

from .lifecycle import actions_for
from .models import OPEN_STATUSES, Appeal, AppealStatus, Outcome

# --- Filing ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilingWindow:
    """Whether the person may file on this scorecard today, and if not, why (with the dates)."""

    is_open: bool
    reason: str
    published_on: datetime.date | None
    ends_on: datetime.date | None
    open_appeal: Appeal | None = None


def filing_window(*, scorecard: Scorecard, today: datetime.date) -> FilingWindow:
    """The appeal window of this scorecard: publication + the quarter's appeal_window_days, last day included."""
    quarter = scorecard.quarter
    published_on = local_date(quarter.published_at)
    ends_on = appeal_window_ends_on(quarter)
    dates = {"quarter": quarter.code, "published": published_on, "ends": ends_on}

    def closed(reason):
        return FilingWindow(False, reason, published_on, ends_on)

    if scorecard.status != Scorecard.Status.PUBLISHED or published_on is None:
        return closed(_("The results of %(quarter)s are not published yet: appeals open on publication.") % dates)
    if not scorecard.is_current:
        return closed(_("This is an earlier version of the result; appeals are filed on the current version."))
    if quarter.state == QuarterState.CLOSED:
        return closed(_("The quarter %(quarter)s is closed: no more appeals can be filed.") % dates)
    if today > ends_on:
        return closed(
            _(
                "The appeal window of %(quarter)s is closed: the results were published on %(published)s and "
                "appeals could be filed until %(ends)s."
            )
            % {**dates, "published": published_on.isoformat(), "ends": ends_on.isoformat()}
        )
    existing = open_appeal_of(scorecard)
    if existing is not None:
        return FilingWindow(
            False,
            _("You already have an open appeal on this result; follow it or withdraw it first."),
            published_on,
            ends_on,
            open_appeal=existing,
        )
    return FilingWindow(True, "", published_on, ends_on)


def open_appeal_of(scorecard) -> Appeal | None:
    return Appeal.objects.filter(quarter_id=scorecard.quarter_id, staff_id=scorecard.staff_id,
                                 status__in=OPEN_STATUSES).first()


def contested_lines(scorecard):
    """The scorecard's lines, in catalogue order: the indicators one may contest."""
    return IndicatorScore.objects.filter(scorecard=scorecard).select_related("indicator").order_by("indicator__order")


# --- Lists -----------------------------------------------------------------------------------------------


def _with_people(appeals):
    return appeals.select_related("quarter", "staff", "handler__profile", "scorecard")


def appeals_for_user(*, user, status: str = "", quarter=None):
    """The execution and leadership groups see every appeal; anyone else only their own."""
    appeals = _with_people(Appeal.objects.all())
    if not roles_of(user).is_organiser:
        appeals = appeals.filter(appellant=user)
    if status == "open":
        appeals = appeals.filter(status__in=OPEN_STATUSES)
    elif status:
        appeals = appeals.filter(status=status)
    if quarter is not None:
        appeals = appeals.filter(quarter=quarter)
    return appeals.order_by("decision_due_on", "filed_at", "pk") if status == "open" else appeals


def execution_members(*, exclude=None):
    """Who may handle an appeal: active members of the execution group, never the appellant."""
    users = (
        get_user_model()
        .objects.filter(groups__name=EXECUTION_GROUP, is_active=True)
        .select_related("profile")
        .order_by("username")
    )
    return users.exclude(pk=exclude.pk) if exclude is not None else users


# --- One appeal ------------------------------------------------------------------------------------------

# Which kind of department record each list of ids stored on a scorecard line points to (indicators/scoring.py).


@dataclass(frozen=True)
class RecordLink:
    kind: str
    pk: int
    url: str


def _reverse(name, *args):
    return reverse(name, args=args)


def record_links(line: IndicatorScore) -> list[RecordLink]:
    """Links to the edit pages of the department records that counted for a line (for an uphold by correction)."""
    from indicators.explain import line_record_ids

    links = []
    for kind, pks in line_record_ids(line).items():
        for pk in dict.fromkeys(pks):
            links.append(RecordLink(kind, pk, _reverse(f"clients:{kind}_edit", pk)))
    return links


def appeal_history(appeal):
    """Every event, message and attachment, oldest first, as (when, kind, item) for the page's timeline."""
    items = [(e.at, "event", e) for e in appeal.events.select_related("by__profile")]
    items += [
        (m.at, "message", m)
        for m in appeal.messages.select_related("author__profile").prefetch_related("attachments")
    ]
    items.sort(key=lambda item: (item[0], 0 if item[1] == "event" else 1))
    return items


def appeal_page(*, appeal, user, today=None) -> dict:
    """Everything the appeal page shows to one of the people allowed to see it."""
    today = today or timezone.localdate()
    roles = roles_of(user)
    contested = set(appeal.indicators.values_list("pk", flat=True))
    current = (
        Scorecard.objects.filter(quarter_id=appeal.quarter_id, staff_id=appeal.staff_id, is_current=True)
        .only("pk", "version", "total", "rank", "ranked_count", "grade", "grade_en")
        .first()
    )
    lines = [
        {"line": line, "records": record_links(line), "explain_url": _reverse("indicators:explain", line.pk)}
        for line in contested_lines(appeal.scorecard)
        if line.indicator_id in contested
    ]
    return {
        "appeal": appeal,
        "lines": lines,
        "history": appeal_history(appeal),
        "filing_attachments": [a for a in appeal.attachments.all() if a.message_id is None],
        "adjustments": list(appeal.adjustments.select_related("indicator", "created_by__profile")),
        "actions": actions_for(appeal=appeal, user=user),
        "is_appellant": user.pk == appeal.appellant_id,
        "is_organiser": roles.is_organiser,
        "can_message": appeal.is_open and (user.pk == appeal.appellant_id or roles.is_organiser),
        "handlers": list(execution_members(exclude=appeal.appellant)) if roles.is_execution else [],
        "current_scorecard": current,
        "overdue": appeal.is_open and today > appeal.decision_due_on,
        "versions": list(
            Scorecard.objects.filter(quarter_id=appeal.quarter_id, staff_id=appeal.staff_id)
            .order_by("version")
            .only("pk", "version", "total", "rank", "ranked_count", "is_current", "correction_reason")
        ),
    }


# --- Report ----------------------------------------------------------------------------------------------


def appeal_statistics(*, quarter) -> dict:
    """Filed, upheld, rejected, withdrawn, still open, and the median days from filing to decision.

    For the execution group's report on the next quarter (regulation 二.2). Decisions by the leadership group
    count under their outcome (upheld or rejected).
    """
    appeals = Appeal.objects.filter(quarter=quarter)
    counts = appeals.aggregate(
        # distinct: the join on events (for "escalated") would otherwise count an appeal once per event.
        filed=Count("pk", distinct=True),
        upheld=Count("pk", filter=Q(outcome=Outcome.UPHELD), distinct=True),
        rejected=Count("pk", filter=Q(outcome=Outcome.REJECTED), distinct=True),
        withdrawn=Count("pk", filter=Q(status=AppealStatus.WITHDRAWN), distinct=True),
        escalated=Count("pk", filter=Q(events__action="escalate"), distinct=True),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES), distinct=True),
    )
    days = [
        (local_date(decided) - local_date(filed)).days
        for filed, decided in appeals.exclude(outcome="").values_list("filed_at", "decided_at")
    ]
    median = None
    if days:
        median = Decimal(str(statistics.median(days))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return {**counts, "median_days_to_decide": median}


def quarter_corrections(*, quarter):
    """The current scorecards of the quarter that are corrections (version 2 or later), for the ranked table's note."""
    return (
        Scorecard.objects.filter(quarter=quarter, is_current=True, version__gt=1)
        .select_related("staff")
        .order_by("position", "rank")
    )
