"""Published quarters and scorecards built directly, for the scorecard, interview and integrity tests."""

import datetime
from decimal import Decimal

from django.utils import timezone

from indicators.defaults import scheme_create_default
from indicators.models import Indicator
from results.models import IndicatorScore, Scorecard
from reviews.models import Quarter, QuarterState

D = Decimal

# code, value, target, weight, points — a lawyer's nine lines that add up to 82.5.
LAWYER_LINES = [
    ("new_clients", "3", "2", "15", "18"),
    ("new_client_revenue_share", "25", "20", "10", "12.5"),
    ("satisfaction", "4.36", "4.2", "15", "16.6"),
    ("repeat_engagement_rate", "30", "30", "10", "10"),
    ("referral_rate", "8", "10", "10", "9"),
    ("complaint_rate", "2", "0", "10", "6"),
    ("complaint_timeliness", None, "100", "5", "0"),
    ("communication", "3.5", None, "10", "7"),
    ("collaboration", "2", None, "15", "3.4"),
]


def make_quarter(year, number, *, published_at=None, state=None):
    """A quarter; published (in the published state) when published_at is given."""
    if state is None:
        state = QuarterState.PUBLISHED if published_at else QuarterState.SCORED
    return Quarter.objects.create(year=year, number=number, state=state, published_at=published_at)


def published_at(year, month, day, hour=10):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, 0))


def scheme_for(quarter, by=None):
    scheme = quarter.schemes.order_by("-version").first()
    return scheme or scheme_create_default(quarter=quarter, by=by)


def make_scorecard(
    quarter,
    user,
    *,
    total,
    rank=1,
    ranked_count=1,
    status=Scorecard.Status.PUBLISHED,
    grade="良好",
    grade_en="Good",
    evaluation="",
    lines=None,
    scheme=None,
    version=1,
):
    """One person's scorecard with indicator lines (code, value, target, weight, points)."""
    profile = user.profile
    card = Scorecard.objects.create(
        quarter=quarter,
        staff=profile,
        # Written as a draft with its lines, then published: the database refuses lines on a published card.
        status=Scorecard.Status.DRAFT,
        version=version,
        scheme=scheme or scheme_for(quarter),
        position=profile.position,
        department=profile.department,
        total=D(str(total)),
        grade=grade,
        grade_en=grade_en,
        rank=rank,
        ranked_count=ranked_count,
        evaluation=evaluation,
        computed_at=timezone.now(),
    )
    if lines:
        indicators = {i.code: i for i in Indicator.objects.filter(code__in=[line[0] for line in lines])}
        IndicatorScore.objects.bulk_create(
            IndicatorScore(
                scorecard=card,
                indicator=indicators[code],
                value=None if value is None else D(value),
                target=None if target is None else D(target),
                weight=D(weight),
                effective_weight=D(weight),
                points=D(points),
                rule="test",
                no_data_applied=value is None,
            )
            for code, value, target, weight, points in lines
        )
    if status != Scorecard.Status.DRAFT:
        Scorecard.objects.filter(pk=card.pk).update(status=status)
        card.status = status
    return card
