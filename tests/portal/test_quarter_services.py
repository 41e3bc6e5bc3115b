"""The quarter's steps around the scheme: drafts computed with a superseded scheme version are stale."""

import pytest
from django.urls import reverse
from django.utils import translation

from indicators.models import Scheme
from indicators.schemes import SchemeStateError, scheme_approve, scheme_new_version, scheme_submit
from portal.quarter_services import (
    quarter_approve,
    quarter_recompute,
    quarter_return,
    quarter_score,
    quarter_submit,
    stale_drafts,
)
from results.models import Scorecard
from reviews.lifecycle import TransitionRefused
from reviews.models import QuarterEvent, QuarterState
from tests.reviews.quarter_builders import approved_scheme, make_quarter, second_partner

S = QuarterState
STALE_SUBMIT = (
    "The results were computed with scheme version 1; version 2 was approved since: recompute before submitting."
)
STALE_APPROVE = (
    "The results were computed with scheme version 1; version 2 was approved since: "
    "return them to the execution group to recompute them."
)


@pytest.fixture(autouse=True)
def in_english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def scored(firm):
    """2026Q3 scored with scheme version 1, its report written."""
    quarter = make_quarter(state=S.COLLECTING, report_summary="A steady quarter.")
    approved_scheme(quarter, by=firm.partner)
    quarter_score(quarter=quarter, by=firm.executor, incomplete_data_reason="测试：数据不全也计算")
    return quarter


def approve_version_2(quarter, firm):
    """The execution group drafts version 2 and the partner approves it: the drafts are now stale."""
    version_1 = Scheme.objects.get(quarter=quarter, status=Scheme.Status.APPROVED)
    version_2 = scheme_new_version(scheme=version_1, by=firm.executor)
    return scheme_approve(scheme=scheme_submit(scheme=version_2, by=firm.executor), by=firm.partner)


def test_drafts_of_a_superseded_scheme_cannot_be_submitted_until_recomputed(firm, scored):
    # Given version 2 of the scheme approved after the quarter was scored with version 1
    approve_version_2(scored, firm)
    # When the execution group submits the results
    with pytest.raises(TransitionRefused) as refusal:
        quarter_submit(quarter=scored, by=firm.executor, expected_state=S.SCORED)
    # Then it is refused, saying which versions and what to do; nothing moved
    assert str(refusal.value) == STALE_SUBMIT
    scored.refresh_from_db()
    assert scored.state == S.SCORED and not QuarterEvent.objects.filter(action="submit").exists()
    # And once recomputed (with version 2) the results go to the leadership group
    quarter_recompute(
        quarter=scored, by=firm.executor, expected_state=S.SCORED, incomplete_data_reason="测试：数据不全也计算"
    )
    assert stale_drafts(scored) is None
    assert set(Scorecard.objects.filter(quarter=scored).values_list("scheme__version", flat=True)) == {2}
    quarter_submit(quarter=scored, by=firm.executor, expected_state=S.SCORED)
    assert scored.state == S.SUBMITTED


def test_submitted_drafts_of_a_superseded_scheme_cannot_be_approved(firm, scored):
    # Given the results submitted, and then version 2 of the scheme approved
    quarter_submit(quarter=scored, by=firm.executor, expected_state=S.SCORED)
    approve_version_2(scored, firm)
    # When another partner approves the results, then it is refused
    partner2 = second_partner()
    with pytest.raises(TransitionRefused) as refusal:
        quarter_approve(quarter=scored, by=partner2, expected_state=S.SUBMITTED)
    assert str(refusal.value) == STALE_APPROVE
    scored.refresh_from_db()
    assert scored.state == S.SUBMITTED and scored.approved_by is None
    # And the way on is: return, recompute, submit, approve
    quarter_return(quarter=scored, by=partner2, comment="Scheme version 2 applies.")
    quarter_recompute(quarter=scored, by=firm.executor, incomplete_data_reason="测试：数据不全也计算")
    quarter_submit(quarter=scored, by=firm.executor)
    quarter_approve(quarter=scored, by=partner2, expected_state=S.SUBMITTED)
    assert scored.state == S.APPROVED


def test_the_quarter_page_says_so_with_the_recompute_button(firm, scored, client_for):
    approve_version_2(scored, firm)
    page = client_for(firm.executor).get(reverse("portal:quarter", args=[scored.code])).content.decode()
    start = page.index('id="stale-drafts"')
    banner = page[start : page.index("</div>", page.index("</a>", start))]
    assert STALE_SUBMIT in banner
    assert reverse("portal:compute", args=[scored.code]) in banner
    # The button leads to the compute step, which recomputes once the missing data are acknowledged
    client_for(firm.executor).post(
        reverse("portal:compute", args=[scored.code]),
        {"expected_state": "scored", "acknowledge": "on", "reason": "问卷稍后补录"},
    )
    page = client_for(firm.executor).get(reverse("portal:quarter", args=[scored.code])).content.decode()
    assert 'id="stale-drafts"' not in page


def test_the_leadership_group_sees_it_on_the_approval_page(firm, scored, client_for):
    quarter_submit(quarter=scored, by=firm.executor)
    approve_version_2(scored, firm)
    page = client_for(firm.partner).get(reverse("portal:approval", args=[scored.code])).content.decode()
    assert 'id="stale-drafts"' in page and STALE_APPROVE in page
    quarter_page = client_for(firm.partner).get(reverse("portal:quarter", args=[scored.code])).content.decode()
    assert STALE_APPROVE in quarter_page


def test_drafts_of_the_approved_scheme_are_not_stale(firm, scored):
    assert stale_drafts(scored) is None
    # A new version being drafted does not make them stale: only its approval does
    scheme_new_version(scheme=Scheme.objects.get(quarter=scored, status=Scheme.Status.APPROVED), by=firm.executor)
    assert stale_drafts(scored) is None


def test_no_scheme_version_is_approved_once_the_results_are_approved(firm, scored):
    # Given a version 2 drafted while the quarter was scored, and the results approved with version 1
    version_1 = Scheme.objects.get(quarter=scored, status=Scheme.Status.APPROVED)
    version_2 = scheme_new_version(scheme=version_1, by=firm.executor)
    quarter_submit(quarter=scored, by=firm.executor)
    quarter_approve(quarter=scored, by=firm.partner)
    # When version 2 is submitted, then it is refused: approved results are never recomputed
    with pytest.raises(SchemeStateError, match="already approved; its scheme can no longer change"):
        scheme_submit(scheme=version_2, by=firm.executor)
    version_2.refresh_from_db()
    assert version_2.status == Scheme.Status.DRAFT
    # Nor is a version submitted before the results were approved
    Scheme.objects.filter(pk=version_2.pk).update(status=Scheme.Status.SUBMITTED)
    with pytest.raises(SchemeStateError, match="already approved; its scheme can no longer change"):
        scheme_approve(scheme=version_2, by=firm.partner)
    version_2.refresh_from_db()
    assert version_2.status == Scheme.Status.SUBMITTED


# --- The rating round closes with the submission ---


@pytest.fixture
def rated_and_scored(firm):
    """2026Q3 with its rating round open (nobody has answered yet), then scored."""
    from indicators.ratings import rating_round_open

    quarter = make_quarter(state=S.COLLECTING, report_summary="A steady quarter.")
    approved_scheme(quarter, by=firm.partner)
    rating_round_open(quarter=quarter, by=firm.executor)
    # Nobody has rated yet: the execution group computes anyway, saying why.
    quarter_score(quarter=quarter, by=firm.executor, incomplete_data_reason="Ratings are still coming in.")
    return quarter


def test_submitting_the_results_closes_the_rating_round_and_records_who_and_when(firm, rated_and_scored):
    from portal.home import home_tasks

    rating_round = rated_and_scored.rating_round
    assert rating_round.closed_at is None
    assert any(task["title"] == "Rate your colleagues" for task in home_tasks(user=firm.lawyer))
    # When the execution group submits the results
    quarter_submit(quarter=rated_and_scored, by=firm.executor, expected_state=S.SCORED)
    # Then the round is closed at the submission's moment, by the submitter
    rated_and_scored.refresh_from_db()
    rating_round.refresh_from_db()
    assert (rating_round.closed_at, rating_round.closed_by) == (rated_and_scored.submitted_at, firm.executor)
    # And the raters' home pages stop asking
    assert not any(task["title"] == "Rate your colleagues" for task in home_tasks(user=firm.lawyer))


def test_after_submission_a_rating_is_refused_and_the_rating_pages_say_why(firm, rated_and_scored, client_for):
    from django.core.exceptions import ValidationError

    from indicators.ratings import rating_give

    assignment = rated_and_scored.rating_round.assignments.filter(rater=firm.lawyer.profile).first()
    quarter_submit(quarter=rated_and_scored, by=firm.executor, expected_state=S.SCORED)
    with pytest.raises(ValidationError):
        rating_give(assignment=assignment, by=firm.lawyer, score=4)
    assignment.refresh_from_db()
    assert assignment.score is None
    client = client_for(firm.lawyer)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("indicators:rating_give", args=[assignment.pk])).content.decode()
    assert "The ratings of 2026Q3 closed on" in page and "the results have been submitted for approval" in page
    assert 'type="submit"' not in page.split('id="rating-round-closed', 1)[1].split("</main>", 1)[0]
    todo = client.get(reverse("indicators:ratings_todo")).content.decode()
    assert "the results have been submitted for approval" in todo and "You have no ratings to give right now." in todo
    # A score posted anyway changes nothing
    client.post(reverse("indicators:rating_give", args=[assignment.pk]), {f"a{assignment.pk}-score": "4"})
    assignment.refresh_from_db()
    assert assignment.score is None


def test_in_chinese_the_rating_page_says_the_ratings_closed_with_the_submission(firm, rated_and_scored, client_for):
    assignment = rated_and_scored.rating_round.assignments.filter(rater=firm.lawyer.profile).first()
    quarter_submit(quarter=rated_and_scored, by=firm.executor, expected_state=S.SCORED)
    client = client_for(firm.lawyer)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("indicators:rating_give", args=[assignment.pk])).content.decode()
    assert "2026Q3的评分已于" in page and "截止，结果已提交审批" in page
