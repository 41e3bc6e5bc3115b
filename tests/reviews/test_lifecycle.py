"""The quarter's life: the transition table, each step's service, stale pages, four eyes."""

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from interviews.models import Interview
from portal.quarter_services import (
    quarter_approve,
    quarter_close,
    quarter_publish,
    quarter_recompute,
    quarter_report_summary_update,
    quarter_return,
    quarter_score,
    quarter_start_collecting,
    quarter_submit,
)
from results.models import Scorecard
from reviews.lifecycle import (
    TRANSITIONS,
    Action,
    StaleQuarter,
    TransitionForbidden,
    TransitionRefused,
    actions_for,
    quarter_published,
    quarter_transition,
)
from reviews.models import QuarterEvent, QuarterState
from tests.reviews.quarter_builders import (
    approved_scheme,
    aware,
    executor_partner,
    make_card,
    make_quarter,
    second_partner,
)


@pytest.fixture(autouse=True)
def in_english(client):
    # These tests read the English source texts; Simplified Chinese is the site's default language.
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


S = QuarterState
# The expected table, written out independently of reviews.lifecycle: (from, action) -> (to, group).
EXPECTED = {
    (S.SCHEME_DRAFT, Action.APPROVE_SCHEME): (S.SCHEME_APPROVED, "partner"),
    (S.SCHEME_APPROVED, Action.START_COLLECTING): (S.COLLECTING, "executor"),
    (S.COLLECTING, Action.SCORE): (S.SCORED, "executor"),
    (S.SCORED, Action.RECOMPUTE): (S.SCORED, "executor"),
    (S.SCORED, Action.SUBMIT): (S.SUBMITTED, "executor"),
    (S.SUBMITTED, Action.APPROVE): (S.APPROVED, "partner"),
    (S.SUBMITTED, Action.RETURN): (S.SCORED, "partner"),
    (S.APPROVED, Action.PUBLISH): (S.PUBLISHED, "executor"),
    (S.PUBLISHED, Action.CLOSE): (S.CLOSED, "executor"),
}
ALL_CASES = list(itertools.product(S.values, Action.values))


def test_the_table_is_exactly_the_regulated_life():
    assert {key: (t.to_state, t.actor) for key, t in TRANSITIONS.items()} == {
        key: (to, "leadership" if who == "partner" else "execution") for key, (to, who) in EXPECTED.items()
    }


@pytest.mark.parametrize(("state", "action"), list(EXPECTED))
@pytest.mark.parametrize("persona", ["partner", "executor", "lawyer"])
def test_each_transition_is_allowed_only_to_its_group(firm, state, action, persona):
    # Given a quarter in the transition's from-state
    quarter = make_quarter(state=state)
    to_state, allowed = EXPECTED[(state, action)]
    user = getattr(firm, persona)
    comment = "Please check the complaint data."
    if persona == allowed:
        # When the right group acts, then the quarter moves and the step is in the history
        quarter_transition(quarter=quarter, action=action, by=user, comment=comment, expected_state=state)
        assert quarter.state == to_state
        event = QuarterEvent.objects.get(quarter=quarter)
        assert (event.from_state, event.to_state, event.by, event.comment) == (state, to_state, user, comment)
    else:
        # Otherwise it is refused as forbidden and nothing changes
        with pytest.raises(TransitionForbidden):
            quarter_transition(quarter=quarter, action=action, by=user, comment=comment, expected_state=state)
        quarter.refresh_from_db()
        assert quarter.state == state
        assert not QuarterEvent.objects.exists()


@pytest.mark.parametrize(("state", "action"), [case for case in ALL_CASES if case not in EXPECTED])
def test_every_step_outside_the_table_is_refused_by_state(firm, state, action):
    quarter = make_quarter(state=state)
    for user in (firm.partner, firm.executor):
        with pytest.raises(TransitionRefused) as refusal:
            quarter_transition(quarter=quarter, action=action, by=user, comment="x")
        assert "cannot take the step" in str(refusal.value)
    quarter.refresh_from_db()
    assert quarter.state == state
    assert not QuarterEvent.objects.exists()


def test_the_quarter_page_offers_each_group_only_its_own_steps(firm):
    quarter = make_quarter(state=S.SUBMITTED)
    assert {t.action for t in actions_for(quarter=quarter, user=firm.partner)} == {Action.APPROVE, Action.RETURN}
    assert actions_for(quarter=quarter, user=firm.executor) == []
    assert actions_for(quarter=quarter, user=firm.lawyer) == []


def test_collection_starts_only_after_the_quarter_has_ended(firm):
    quarter = make_quarter(2026, 3, state=S.SCHEME_APPROVED)
    with pytest.raises(TransitionRefused) as refusal:
        quarter_start_collecting(quarter=quarter, by=firm.executor, today=datetime.date(2026, 9, 30))
    assert "2026-09-30" in str(refusal.value)
    assert quarter.state == S.SCHEME_APPROVED
    quarter_start_collecting(quarter=quarter, by=firm.executor, today=datetime.date(2026, 10, 1))
    assert quarter.state == S.COLLECTING


def test_scoring_stores_a_draft_result_for_every_assessed_person(firm):
    quarter = make_quarter(state=S.COLLECTING)
    approved_scheme(quarter, by=firm.partner)
    quarter_score(
        quarter=quarter, by=firm.executor, expected_state=S.COLLECTING, incomplete_data_reason="测试：数据不全也计算"
    )
    assert quarter.state == S.SCORED
    cards = Scorecard.objects.filter(quarter=quarter, is_current=True)
    # Everyone assessed (the partner is not) has a draft result.
    assert cards.count() == 9
    assert set(cards.values_list("status", flat=True)) == {Scorecard.Status.DRAFT}


def test_scoring_without_an_approved_scheme_is_refused(firm):
    quarter = make_quarter(state=S.COLLECTING)
    with pytest.raises(TransitionRefused, match="approved scheme"):
        quarter_score(quarter=quarter, by=firm.executor, incomplete_data_reason="测试：数据不全也计算")
    quarter.refresh_from_db()
    assert quarter.state == S.COLLECTING
    assert not QuarterEvent.objects.exists()


def test_recomputing_replaces_the_drafts_but_keeps_written_evaluations(firm):
    quarter = make_quarter(state=S.COLLECTING)
    approved_scheme(quarter, by=firm.partner)
    quarter_score(quarter=quarter, by=firm.executor, incomplete_data_reason="测试：数据不全也计算")
    Scorecard.objects.filter(quarter=quarter, staff=firm.lawyer.profile).update(evaluation="Strong quarter.")
    quarter_recompute(
        quarter=quarter,
        by=firm.executor,
        comment="Complaints corrected",
        expected_state=S.SCORED,
        incomplete_data_reason="测试：数据不全也计算",
    )
    assert quarter.state == S.SCORED
    assert Scorecard.objects.get(quarter=quarter, staff=firm.lawyer.profile).evaluation == "Strong quarter."
    assert list(QuarterEvent.objects.values_list("action", flat=True)) == ["score", "recompute"]


def test_submission_needs_the_report_summary(firm):
    quarter = make_quarter(state=S.SCORED)
    make_card(quarter, firm.lawyer, 85)
    with pytest.raises(TransitionRefused, match="summary"):
        quarter_submit(quarter=quarter, by=firm.executor, expected_state=S.SCORED)
    assert quarter.state == S.SCORED


def test_submission_records_the_submitter_and_drafts_missing_evaluations(firm):
    quarter = make_quarter(state=S.SCORED, report_summary="A steady quarter.")
    card = make_card(quarter, firm.lawyer, 85, lines=[("satisfaction", 15, 15), ("collaboration", 5, 15)])
    quarter_submit(quarter=quarter, by=firm.executor, expected_state=S.SCORED)
    assert quarter.state == S.SUBMITTED
    assert quarter.submitted_by == firm.executor
    card.refresh_from_db()
    assert "85" in card.evaluation and "陈静" in card.evaluation


def test_a_double_submission_makes_one_transition_and_tells_the_second_click(firm):
    # Given a scored quarter with a summary
    quarter = make_quarter(state=S.SCORED, report_summary="Summary.")
    make_card(quarter, firm.lawyer, 85)
    # When the same page posts twice
    quarter_submit(quarter=quarter, by=firm.executor, expected_state=S.SCORED)
    with pytest.raises(StaleQuarter) as refusal:
        quarter_submit(quarter=quarter, by=firm.executor, expected_state=S.SCORED)
    # Then there is one transition and a clear message
    assert "out of date" in str(refusal.value)
    assert QuarterEvent.objects.filter(action=Action.SUBMIT).count() == 1


def test_the_submitter_cannot_approve_their_own_results(firm):
    # Given someone in both groups submits
    both = executor_partner()
    quarter = make_quarter(state=S.SCORED, report_summary="Summary.")
    make_card(quarter, firm.lawyer, 85)
    quarter_submit(quarter=quarter, by=both)
    # When they try to approve, then four eyes refuse it
    with pytest.raises(TransitionRefused, match="another member"):
        quarter_approve(quarter=quarter, by=both, expected_state=S.SUBMITTED)
    assert quarter.state == S.SUBMITTED
    # And another partner may approve
    quarter_approve(quarter=quarter, by=second_partner(), expected_state=S.SUBMITTED)
    assert quarter.state == S.APPROVED
    assert quarter.approved_by.username == "partner2"


def test_returning_the_results_needs_a_comment_and_goes_back_to_scored(firm):
    quarter = make_quarter(state=S.SUBMITTED, submitted_by=firm.executor)
    with pytest.raises(TransitionRefused, match="comment"):
        quarter_return(quarter=quarter, by=firm.partner, comment="  ")
    assert quarter.state == S.SUBMITTED
    quarter_return(quarter=quarter, by=firm.partner, comment="Check the litigation group's surveys.")
    assert quarter.state == S.SCORED
    assert quarter.submitted_by is None
    assert QuarterEvent.objects.get(action=Action.RETURN).comment == "Check the litigation group's surveys."


def test_publishing_publishes_every_current_draft_and_signals_after_commit(firm, django_capture_on_commit_callbacks):
    quarter = make_quarter(state=S.APPROVED)
    make_card(quarter, firm.lawyer, 85)
    make_card(quarter, firm.colleague, 75)
    received = []

    def receiver(sender, quarter, **kwargs):
        received.append(quarter.code)

    quarter_published.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            quarter_publish(quarter=quarter, by=firm.executor, expected_state=S.APPROVED)
    finally:
        quarter_published.disconnect(receiver)
    assert quarter.state == S.PUBLISHED
    assert quarter.published_at is not None
    assert set(Scorecard.objects.filter(quarter=quarter).values_list("status", flat=True)) == {"published"}
    assert received == ["2026Q3"]


def test_a_quarter_closes_only_when_every_interview_is_recorded(firm):
    # Given a published quarter with two results and one recorded interview
    quarter = make_quarter(state=S.PUBLISHED, published_at=aware(2026, 10, 8))
    make_card(quarter, firm.lawyer, 85, status=Scorecard.Status.PUBLISHED)
    make_card(quarter, firm.colleague, 75, status=Scorecard.Status.PUBLISHED)
    Interview.objects.create(
        quarter=quarter,
        staff=firm.lawyer.profile,
        superior=firm.superior.profile,
        scheduled_at=aware(2026, 10, 10),
        place="Room 1",
        scheduled_by=firm.superior,
        held_at=aware(2026, 10, 10),
        recorded_by=firm.superior,
        recorded_at=aware(2026, 10, 10, 12),
    )
    # When the execution group closes it, then it is refused naming what is missing
    with pytest.raises(TransitionRefused, match="1 interview is not recorded"):
        quarter_close(quarter=quarter, by=firm.executor)
    assert quarter.state == S.PUBLISHED
    # And once the second interview is recorded it closes
    Interview.objects.create(
        quarter=quarter,
        staff=firm.colleague.profile,
        superior=firm.superior.profile,
        scheduled_at=aware(2026, 10, 11),
        place="Room 1",
        scheduled_by=firm.superior,
        held_at=aware(2026, 10, 11),
        recorded_by=firm.superior,
        recorded_at=aware(2026, 10, 11, 12),
    )
    quarter_close(quarter=quarter, by=firm.executor, expected_state=S.PUBLISHED)
    assert quarter.state == S.CLOSED
    assert quarter.closed_at is not None


def test_the_report_summary_can_be_written_only_by_the_execution_group_before_submission(firm):
    quarter = make_quarter(state=S.SCORED)
    quarter_report_summary_update(quarter=quarter, by=firm.executor, text="  Good quarter.  ")
    quarter.refresh_from_db()
    assert quarter.report_summary == "Good quarter."
    with pytest.raises(TransitionForbidden.__mro__[1]):
        quarter_report_summary_update(quarter=quarter, by=firm.partner, text="Mine")
    quarter.state = S.SUBMITTED
    quarter.save()
    with pytest.raises(ValidationError):
        quarter_report_summary_update(quarter=quarter, by=firm.executor, text="Too late")
    quarter.refresh_from_db()
    assert quarter.report_summary == "Good quarter."
