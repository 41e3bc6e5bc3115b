"""Goals agreed in 2026Q2's interviews and measured on 2026Q3's published scorecards, scored by the real services.

2026Q2 is published with built scorecards (tests.reviews.scorecard_builders); 2026Q3 is scored by
results.drafts from the lawyers' satisfaction surveys (lawyer 4,4,4 → 4.0; colleague 4,4,5; superior 3,3,3) and
published when a test asks for it.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from goals.services import GoalDraft
from indicators.models import Indicator, Scheme
from interviews.models import Interview
from interviews.services import PlanItem, interview_record, interview_schedule
from results.drafts import results_store_drafts
from results.models import Scorecard
from reviews.models import QuarterState
from tests.appeals.conftest import AS_OF, publish, survey
from tests.reviews.scorecard_builders import LAWYER_LINES, make_quarter, make_scorecard, scheme_for


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def approved_scheme(quarter, firm):
    scheme = scheme_for(quarter, by=firm.executor)
    Scheme.objects.filter(pk=scheme.pk).update(status=Scheme.Status.APPROVED, approved_by=firm.partner)
    scheme.refresh_from_db()
    return scheme


@pytest.fixture
def quarter(firm):
    """2026Q2, published yesterday: its interviews are open."""
    q2 = make_quarter(2026, 2, state=QuarterState.PUBLISHED, published_at=timezone.now() - datetime.timedelta(days=1))
    approved_scheme(q2, firm)
    for user in (firm.lawyer, firm.colleague, firm.assistant):
        make_scorecard(q2, user, total="80", lines=LAWYER_LINES if user == firm.lawyer else None)
    return q2


def indicator(code):
    return Indicator.objects.get(code=code)


def numeric(code, target, comparator="", description=""):
    return GoalDraft(description=description, indicator=indicator(code), comparator=comparator, target=Decimal(target))


def text(description):
    return GoalDraft(description=description)


def interview_of(firm, quarter, user):
    card = Scorecard.objects.get(quarter=quarter, staff=user.profile, is_current=True)
    return interview_schedule(
        scorecard=card, by=firm.superior, scheduled_at=timezone.now() + datetime.timedelta(days=1), place="3 号会议室"
    )


def record(firm, quarter, user, drafts, *, goals_text="", by=None):
    """The superior records the person's 2026Q2 interview with these goals."""
    interview = Interview.objects.filter(quarter=quarter, staff=user.profile).first() or interview_of(
        firm, quarter, user
    )
    return interview_record(
        interview=interview,
        by=by or firm.superior,
        held_at=timezone.now() - datetime.timedelta(hours=1),
        strengths="沟通主动",
        weaknesses="回访不及时",
        goals=goals_text,
        items=[PlanItem("每周复盘客户回访", user.profile, timezone.localdate() + datetime.timedelta(days=30))],
        goal_drafts=drafts,
    )


@pytest.fixture
def next_quarter(firm, quarter):
    """2026Q3 scored by the real services (not yet published)."""
    q3 = make_quarter(2026, 3, state=QuarterState.APPROVED)
    scheme = approved_scheme(q3, firm)
    survey(firm.lawyer, (4, 4, 4))
    survey(firm.colleague, (4, 4, 5))
    survey(firm.superior, (3, 3, 3))
    results_store_drafts(quarter=q3, scheme=scheme, by=firm.executor, as_of=AS_OF)
    return q3


def publish_quarter(quarter):
    publish(quarter, days_ago=1)
    quarter.refresh_from_db()
    return quarter
