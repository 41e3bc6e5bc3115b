"""Agreeing goals in the interview (regulation 三.5): numeric goals on the person's own indicators, in range, with
their reasons when refused; goals in words marked by the superior of the next interview, nobody on themselves."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from goals.models import Goal
from goals.services import goal_assess
from indicators.models import Scheme, SchemeItem
from interviews.models import Interview
from reviews.models import Position, QuarterState
from tests.goals.conftest import interview_of, numeric, publish_quarter, record, text

pytestmark = pytest.mark.django_db


def test_a_numeric_goal_is_saved_with_the_comparison_of_the_indicator_s_direction(firm, quarter):
    record(firm, quarter, firm.lawyer, [numeric("new_clients", "3"), numeric("complaint_rate", "2")])

    goals = {goal.indicator.code: goal for goal in Goal.objects.filter(staff=firm.lawyer.profile)}
    assert goals["new_clients"].comparator == "gte" and goals["new_clients"].target == Decimal("3")
    assert goals["complaint_rate"].comparator == "lte"
    assert {goal.quarter_id for goal in goals.values()} == {quarter.pk}
    assert goals["new_clients"].department == firm.lawyer.profile.department


def test_an_assistant_is_refused_a_new_clients_goal_with_the_reason_and_nothing_is_saved(firm, quarter):
    with pytest.raises(ValidationError) as refusal:
        record(firm, quarter, firm.assistant, [numeric("new_clients", "3"), text("熟悉新的案卷系统")])

    message = " ".join(refusal.value.messages)
    assert "Goal 1: New clients is not on the 2026Q2 scheme for the position Assistant" in message
    assert "A goal can use: Client satisfaction" in message
    # Nothing changed: no goal, and the interview is still only scheduled
    assert not Goal.objects.exists()
    assert not Interview.objects.get(staff=firm.assistant.profile).is_recorded


@pytest.mark.parametrize(
    ("code", "target", "comparator", "expected"),
    [
        ("new_client_revenue_share", "120", "", "lies between 0 and 100"),
        ("new_clients", "2.5", "", "is a whole number"),
        ("new_clients", "-1", "", "is at least 0"),
        ("satisfaction", "6", "", "lies between 1 and 5"),
        # Always met: nothing asked of the person
        ("new_clients", "0", "", "is met whatever happens"),
        ("complaint_rate", "100", "lte", "is met whatever happens"),
        ("satisfaction", "4.555", "", "at most two decimals"),
    ],
)
def test_a_target_outside_the_indicator_s_unit_and_range_is_refused(firm, quarter, code, target, comparator, expected):
    with pytest.raises(ValidationError, match=expected):
        record(firm, quarter, firm.lawyer, [numeric(code, target, comparator)])
    assert not Goal.objects.exists()


def test_two_goals_on_one_indicator_are_refused(firm, quarter):
    with pytest.raises(ValidationError, match="already has a goal"):
        record(firm, quarter, firm.lawyer, [numeric("new_clients", "3"), numeric("new_clients", "4")])


def test_a_target_without_an_indicator_is_refused(firm, quarter):
    from goals.services import GoalDraft

    with pytest.raises(ValidationError, match="Choose the indicator"):
        record(firm, quarter, firm.lawyer, [GoalDraft(description="多签客户", target=Decimal("3"))])


def test_the_goals_in_words_may_stay_empty_only_when_goals_are_listed(firm, quarter):
    with pytest.raises(ValidationError, match="Write the goals for the next quarter"):
        record(firm, quarter, firm.lawyer, [])
    interview = record(firm, quarter, firm.lawyer, [text("完成两次客户回访培训")])
    assert interview.is_recorded and interview.goals == ""
    assert Goal.objects.get().description == "完成两次客户回访培训"


def test_the_next_quarter_s_approved_scheme_decides_which_indicators_apply(firm, quarter, next_quarter):
    # Given 2026Q3's approved scheme drops the referral rate for lawyers (2026Q2's still has it)
    scheme = Scheme.objects.get(quarter=next_quarter, status=Scheme.Status.APPROVED)
    SchemeItem.objects.filter(scheme=scheme, position=Position.LAWYER, indicator__code="referral_rate").delete()

    # Then a referral goal is refused, named against 2026Q3
    with pytest.raises(ValidationError, match="Referral rate is not on the 2026Q3 scheme"):
        record(firm, quarter, firm.lawyer, [numeric("referral_rate", "12")])

    # And while 2026Q3's scheme is not approved yet, 2026Q2's stands in
    Scheme.objects.filter(pk=scheme.pk).update(status=Scheme.Status.SUBMITTED)
    record(firm, quarter, firm.lawyer, [numeric("referral_rate", "12")])
    assert Goal.objects.get().indicator.code == "referral_rate"


# --- A goal in words, marked in the next quarter's interview ------------------------------------------------


@pytest.fixture
def text_goal(firm, quarter, next_quarter):
    record(firm, quarter, firm.lawyer, [text("完成两次客户回访培训"), numeric("satisfaction", "3.8")])
    publish_quarter(next_quarter)
    return Goal.objects.get(indicator__isnull=True)


def test_the_superior_holding_the_next_interview_marks_a_goal_in_words_met(firm, next_quarter, text_goal):
    interview = interview_of(firm, next_quarter, firm.lawyer)
    goal_assess(goal=text_goal, interview=interview, met=True, by=firm.superior)
    text_goal.refresh_from_db()
    assert text_goal.met is True and text_goal.assessed_by == firm.superior and text_goal.assessed_at

    # A second click with the same verdict changes nothing more; the opposite verdict replaces it
    goal_assess(goal=text_goal, interview=interview, met=False, by=firm.superior)
    text_goal.refresh_from_db()
    assert text_goal.met is False


def test_nobody_marks_their_own_goal(firm, next_quarter, text_goal):
    interview = interview_of(firm, next_quarter, firm.lawyer)
    with pytest.raises(PermissionDenied, match="Nobody marks their own goals"):
        goal_assess(goal=text_goal, interview=interview, met=True, by=firm.lawyer)
    text_goal.refresh_from_db()
    assert text_goal.met is None


@pytest.mark.parametrize("persona", ["colleague", "executor", "partner"])
def test_only_the_superior_holding_the_interview_marks_a_goal(firm, next_quarter, text_goal, persona):
    interview = interview_of(firm, next_quarter, firm.lawyer)
    with pytest.raises(PermissionDenied):
        goal_assess(goal=text_goal, interview=interview, met=True, by=getattr(firm, persona))
    text_goal.refresh_from_db()
    assert text_goal.met is None


def test_a_numeric_goal_is_not_marked_by_hand(firm, next_quarter, text_goal):
    interview = interview_of(firm, next_quarter, firm.lawyer)
    measured = Goal.objects.get(indicator__isnull=False)
    with pytest.raises(ValidationError, match="measured by the published result"):
        goal_assess(goal=measured, interview=interview, met=True, by=firm.superior)


def test_a_closed_quarter_s_goals_are_final(firm, next_quarter, text_goal):
    interview = interview_of(firm, next_quarter, firm.lawyer)
    next_quarter.state = QuarterState.CLOSED
    next_quarter.save(update_fields=["state"])
    with pytest.raises(ValidationError, match="2026Q3 is closed: its goals can no longer be marked"):
        goal_assess(goal=text_goal, interview=interview, met=True, by=firm.superior)
    text_goal.refresh_from_db()
    assert text_goal.met is None


def test_a_goal_is_marked_only_in_the_interview_of_the_quarter_it_was_set_for(firm, quarter, text_goal):
    same_quarter_interview = Interview.objects.get(quarter=quarter, staff=firm.lawyer.profile)
    with pytest.raises(ValidationError, match="interview of the quarter it was set for"):
        goal_assess(goal=text_goal, interview=same_quarter_interview, met=True, by=firm.superior)
