"""Quarters in a given state and results built directly, for the quarter-life, report and approval tests."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from indicators.defaults import scheme_create_default
from indicators.models import Indicator, Scheme
from results.models import IndicatorScore, Scorecard
from reviews.models import EXECUTION_GROUP, LEADERSHIP_GROUP, Quarter, QuarterState

D = Decimal
GRADES = [
    (D("90"), "优秀", "Excellent"),
    (D("80"), "良好", "Good"),
    (D("60"), "合格", "Satisfactory"),
    (D("0"), "待改进", "Needs improvement"),
]


def grade_of(total):
    return next((zh, en) for floor, zh, en in GRADES if D(str(total)) >= floor)


def make_quarter(year=2026, number=3, state=QuarterState.SCORED, **fields):
    return Quarter.objects.create(year=year, number=number, state=state, **fields)


def approved_scheme(quarter, by=None):
    scheme = scheme_create_default(quarter=quarter, by=by)
    scheme.status = Scheme.Status.APPROVED
    scheme.save(update_fields=["status"])
    return scheme


def make_card(
    quarter, user, total, *, rank=1, ranked_count=1, status=Scorecard.Status.DRAFT, scheme=None, lines=(), evaluation=""
):
    """A scorecard; lines are (indicator code, points, weight)."""
    profile = user.profile
    zh, en = grade_of(total)
    card = Scorecard.objects.create(
        quarter=quarter,
        staff=profile,
        # Written as a draft with its lines, then published: the database refuses lines on a published card.
        status=Scorecard.Status.DRAFT,
        scheme=scheme or quarter.schemes.first() or approved_scheme(quarter),
        position=profile.position,
        department=profile.department,
        total=D(str(total)),
        grade=zh,
        grade_en=en,
        rank=rank,
        ranked_count=ranked_count,
        evaluation=evaluation,
        computed_at=timezone.now(),
    )
    indicators = {i.code: i for i in Indicator.objects.all()}
    IndicatorScore.objects.bulk_create(
        IndicatorScore(
            scorecard=card,
            indicator=indicators[code],
            weight=D(str(weight)),
            effective_weight=D(str(weight)),
            points=D(str(points)),
            rule="test",
        )
        for code, points, weight in lines
    )
    if status != Scorecard.Status.DRAFT:
        Scorecard.objects.filter(pk=card.pk).update(status=status)
        card.status = status
    return card


def aware(year, month, day, hour=10, minute=0):
    """A moment in the configured time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def second_partner():
    from tests.personas import make_person

    user = make_person("partner2", "李明", "lawyer", _lit(), assessed=False)
    user.groups.add(Group.objects.get(name=LEADERSHIP_GROUP))
    return user


def executor_partner():
    """Someone in both groups: the four-eyes rule is about people, not groups."""
    from tests.personas import make_person

    user = make_person("both", "吴刚", "lawyer", _lit(), assessed=False)
    user.groups.add(Group.objects.get(name=LEADERSHIP_GROUP), Group.objects.get(name=EXECUTION_GROUP))
    return user


def _lit():
    from reviews.models import Department

    return Department.objects.get(code="lit")
