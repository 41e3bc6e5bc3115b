"""Reads of goals: what each goal reached, a person's history, the goals a quarter follows up, and the share met per
department.

What a numeric goal reached is the raw value of its indicator on the person's current published scorecard of the
quarter the goal is for: the value the points were computed from, out of the frozen basis (docs/results.md). A
later edit of department data does not move it; a correction makes a new version, and the goal follows it.
Every read is a fixed number of queries, whatever the number of goals.
"""

from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from goals.models import Comparator, Goal
from indicators.numbers import plain_number
from results.models import IndicatorScore, Scorecard
from reviews.models import Department, Quarter, QuarterState

PUBLISHED_STATES = (QuarterState.PUBLISHED, QuarterState.CLOSED)
SHARE_QUARTERS = 4


class Status:
    MET = "met"
    NOT_MET = "not_met"
    PENDING = "pending"  # the quarter the goal is for has no published results yet
    AWAITING = "awaiting"  # a text goal the superior has not marked yet
    UNKNOWN = "unknown"  # measured quarter published, but nothing to judge the goal by


def measure_text(value, unit) -> str:
    """A value in its indicator's unit: '3 clients', '25 %', '4.5 / 5'."""
    if value is None:
        return ""
    number = plain_number(Decimal(value).quantize(Decimal("0.01")))
    if unit == "clients":
        return ngettext("%(n)s client", "%(n)s clients", int(Decimal(value))) % {"n": number}
    if unit == "%":
        return f"{number} %"
    if unit == "score":
        return f"{number} / 5"
    return f"{number} {unit}".strip()


def goal_wording(goal) -> str:
    """The goal as one line: its own words, or 'New clients ≥ 3 clients'."""
    if not goal.is_numeric:
        return goal.description
    return f"{goal.indicator.name} {Comparator(goal.comparator).label} {measure_text(goal.target, goal.indicator.unit)}"


@dataclass
class GoalProgress:
    goal: Goal
    status: str
    for_code: str
    reached: Decimal | None = None
    explanation: str = ""
    scorecard_id: int | None = None
    wording: str = field(default="")

    @property
    def is_met(self):
        return self.status == Status.MET

    @property
    def is_known(self):
        """Met or not met: the share of goals met counts these only."""
        return self.status in (Status.MET, Status.NOT_MET)

    @property
    def reached_text(self):
        return measure_text(self.reached, self.goal.indicator.unit) if self.goal.is_numeric else ""

    @property
    def status_label(self):
        return {
            Status.MET: _("Met"),
            Status.NOT_MET: _("Not met"),
            Status.PENDING: _("Not measured yet"),
            Status.AWAITING: _("Awaiting the superior's verdict"),
            Status.UNKNOWN: _("Not known"),
        }[self.status]


def _key_q(keys):
    query = Q(pk__in=[])
    for year, number in keys:
        query |= Q(year=year, number=number)
    return query


def progress_of(goals) -> list[GoalProgress]:
    """Each goal with what it reached: three queries at most (the quarters, the scorecards and their lines)."""
    goals = list(goals)
    if not goals:
        return []
    keys = {goal.for_quarter_key for goal in goals}
    quarters = {(q.year, q.number): q for q in Quarter.objects.filter(_key_q(keys))}
    published = {key: q for key, q in quarters.items() if q.state in PUBLISHED_STATES and q.published_at}
    numeric = [g for g in goals if g.is_numeric and g.for_quarter_key in published]
    cards, lines = {}, {}
    if numeric:
        for card in Scorecard.objects.filter(
            quarter__in=[q.pk for q in published.values()],
            staff__in={g.staff_id for g in numeric},
            status=Scorecard.Status.PUBLISHED,
            is_current=True,
        ).only("pk", "quarter_id", "staff_id"):
            cards[(card.quarter_id, card.staff_id)] = card.pk
        for line in IndicatorScore.objects.filter(
            scorecard__in=list(cards.values()), indicator__in={g.indicator_id for g in numeric}
        ).only("scorecard_id", "indicator_id", "value"):
            lines[(line.scorecard_id, line.indicator_id)] = line
    rows = []
    for goal in goals:
        year, number = goal.for_quarter_key
        code = f"{year}Q{number}"
        quarter = published.get((year, number))
        row = GoalProgress(goal=goal, status=Status.PENDING, for_code=code, wording=goal_wording(goal))
        if quarter is None and not goal.is_numeric:
            row.explanation = _(
                "The superior marks it in the %(quarter)s interview, once its results are published."
            ) % {"quarter": code}
        elif quarter is None:
            row.explanation = _("Measured once the results of %(quarter)s are published.") % {"quarter": code}
        elif not goal.is_numeric:
            _judge_text(row, goal, quarter)
        else:
            _measure(row, goal, quarter, cards, lines)
        rows.append(row)
    return rows


def _judge_text(row, goal, quarter):
    if goal.met is None:
        if quarter.state == QuarterState.CLOSED:
            row.status = Status.UNKNOWN
            row.explanation = _("Not marked in the %(quarter)s interview before the quarter was closed.") % {
                "quarter": quarter.code
            }
        else:
            row.status = Status.AWAITING
            row.explanation = _("The superior marks it met or not met in the %(quarter)s interview.") % {
                "quarter": quarter.code
            }
        return
    row.status = Status.MET if goal.met else Status.NOT_MET
    row.explanation = _("Marked by the superior on %(date)s.") % {
        "date": formats.date_format(goal.assessed_at, "DATE_FORMAT") if goal.assessed_at else ""
    }


def _measure(row, goal, quarter, cards, lines):
    card = cards.get((quarter.pk, goal.staff_id))
    if card is None:
        row.status = Status.UNKNOWN
        row.explanation = _("There is no published %(quarter)s scorecard for this person.") % {"quarter": quarter.code}
        return
    row.scorecard_id = card
    line = lines.get((card, goal.indicator_id))
    if line is None:
        row.status = Status.UNKNOWN
        row.explanation = _("%(indicator)s is not on the %(quarter)s scorecard: the goal could not be measured.") % {
            "indicator": goal.indicator.name,
            "quarter": quarter.code,
        }
        return
    if line.value is None:
        row.status = Status.UNKNOWN
        row.explanation = _(
            "%(indicator)s had no data in %(quarter)s: the goal could not be measured, so it counts neither as met "
            "nor as not met."
        ) % {"indicator": goal.indicator.name, "quarter": quarter.code}
        return
    row.reached = line.value
    met = line.value >= goal.target if goal.comparator == Comparator.AT_LEAST else line.value <= goal.target
    row.status = Status.MET if met else Status.NOT_MET
    row.explanation = _("Reached %(value)s on the published %(quarter)s scorecard.") % {
        "value": measure_text(line.value, goal.indicator.unit),
        "quarter": quarter.code,
    }


def _goals():
    return Goal.objects.select_related("indicator", "quarter")


def goals_of_interview(interview) -> list[GoalProgress]:
    """The goals agreed in this interview, with what they reached."""
    return progress_of(_goals().filter(interview_id=interview.pk))


def goals_followed_in(*, staff, quarter) -> list[GoalProgress]:
    """The goals set for this quarter (agreed in the previous quarter's interview), with what they reached."""
    year, number = quarter.previous()
    return progress_of(_goals().filter(staff_id=staff.pk, quarter__year=year, quarter__number=number))


@dataclass
class HistoryQuarter:
    agreed_in: Quarter
    for_code: str
    rows: list


def goal_history(*, staff) -> list[HistoryQuarter]:
    """The person's goals, newest first, grouped by the interview quarter that agreed them."""
    rows = progress_of(_goals().filter(staff_id=staff.pk).order_by("-quarter__year", "-quarter__number", "pk"))
    grouped = OrderedDict()
    for row in rows:
        group = grouped.setdefault(
            row.goal.quarter_id, HistoryQuarter(agreed_in=row.goal.quarter, for_code=row.for_code, rows=[])
        )
        group.rows.append(row)
    return list(grouped.values())


@dataclass
class ShareCell:
    met: int = 0
    known: int = 0
    total: int = 0

    @property
    def share(self):
        """Percent of the goals with a known outcome that were met, or None when none is known yet."""
        if not self.known:
            return None
        return (Decimal(self.met) * 100 / self.known).quantize(Decimal("1"))

    @property
    def not_known(self):
        return self.total - self.known


def department_share(*, quarter_count=SHARE_QUARTERS) -> dict:
    """Regulation 三.5 followed up firm-wide: per department and quarter measured, how many goals were met.

    The last published quarters (newest last) that goals were set for; a goal counts in the department its person
    belonged to when it was agreed. The share is of the goals whose outcome is known.
    """
    measured = list(
        Quarter.objects.filter(state__in=PUBLISHED_STATES, published_at__isnull=False).order_by("-year", "-number")[
            :quarter_count
        ]
    )
    agreed_keys = [q.previous() for q in measured]
    rows = progress_of(_goals().filter(quarter__in=Quarter.objects.filter(_key_q(agreed_keys)).values("pk")))
    codes = [q.code for q in reversed(measured)]
    departments = {d.pk: d for d in Department.objects.all()}
    table = OrderedDict()
    totals = {code: ShareCell() for code in codes}
    for row in rows:
        if row.for_code not in totals:
            continue
        cells = table.setdefault(row.goal.department_id, {code: ShareCell() for code in codes})
        for cell in (cells[row.for_code], totals[row.for_code]):
            cell.total += 1
            cell.known += row.is_known
            cell.met += row.is_met
    ordered = sorted(table.items(), key=lambda item: departments[item[0]].code)
    return {
        "codes": codes,
        "rows": [{"department": departments[pk], "cells": [cells[code] for code in codes]} for pk, cells in ordered],
        "totals": [totals[code] for code in codes],
    }
