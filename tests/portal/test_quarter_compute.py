"""The compute step (portal:compute): what the completeness board says is missing, and the acknowledgement with a
reason that computing over it needs (regulation 二.3, 三.4), recorded in the quarter's history."""

import pytest
from django.urls import reverse
from django.utils import translation

from documents.completeness import completeness_board
from jobs.models import Job
from portal.quarter_services import quarter_score
from results.models import Scorecard
from reviews.lifecycle import TransitionRefused
from reviews.models import Quarter, QuarterEvent, QuarterState, StaffProfile
from tests.indicators.test_selectors import AS_OF, quarter_with_scheme, ratings, scored_firm, survey  # noqa: F401


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def collecting(scored_firm):  # noqa: F811
    """The test firm's quarter collecting data; its board lists one gap: eight people without a survey."""
    firm, quarter, _ = scored_firm
    Quarter.objects.filter(pk=quarter.pk).update(state=QuarterState.COLLECTING)
    quarter.refresh_from_db()
    return firm, quarter


def complete_the_surveys(board):
    for person in board.without_surveys:
        survey(person.user, (4, 4, 4))


def unchanged(quarter):
    quarter.refresh_from_db()
    return quarter.state == QuarterState.COLLECTING and not Scorecard.objects.filter(quarter=quarter).exists()


def test_the_quarter_page_leads_to_the_compute_step_not_to_a_bare_confirmation(collecting, client_for):
    firm, quarter = collecting
    page = client_for(firm.executor).get(reverse("portal:quarter", args=[quarter.code])).content.decode()
    assert f'href="{reverse("portal:compute", args=[quarter.code])}" id="compute-score"' in page
    assert reverse("portal:quarter_act", args=[quarter.code, "score"]) not in page


def test_the_compute_step_lists_what_is_missing_with_links_and_asks_for_an_acknowledgement(collecting, client_for):
    firm, quarter = collecting
    text = client_for(firm.executor).get(reverse("portal:compute", args=[quarter.code])).content.decode()
    assert 'id="compute-gaps"' in text and "8 assessed people have no satisfaction survey." in text
    assert f"{reverse('clients:surveys_list')}?quarter={quarter.code}" in text
    assert 'name="acknowledge"' in text and 'name="reason"' in text


def test_computing_without_the_acknowledgement_is_refused_and_changes_nothing(collecting, client_for):
    firm, quarter = collecting
    url = reverse("portal:compute", args=[quarter.code])
    browser = client_for(firm.executor)
    # Neither ticked nor explained; ticked without a reason; a reason without the tick
    for data in ({}, {"acknowledge": "on"}, {"reason": "时间紧"}):
        response = browser.post(url, {"expected_state": "collecting", **data})
        assert response.status_code == 400
        assert unchanged(quarter)
    text = response.content.decode()
    assert "Tick this to compute with the data that are missing." in text
    # The service refuses too, whoever calls it (the quarter page's old button, the command)
    with pytest.raises(TransitionRefused, match="incomplete"):
        quarter_score(quarter=quarter, by=firm.executor, expected_state="collecting")
    assert unchanged(quarter) and not QuarterEvent.objects.filter(quarter=quarter).exists()


def test_with_the_acknowledgement_it_computes_and_records_the_gaps_and_the_reason(collecting, client_for):
    firm, quarter = collecting
    response = client_for(firm.executor).post(
        reverse("portal:compute", args=[quarter.code]),
        {"expected_state": "collecting", "acknowledge": "on", "reason": "问卷下周补录，先出初稿"},
    )
    # The scoring is a job (run in-process by the test settings): the page redirects to it, it succeeded
    job = Job.objects.get(kind="scoring")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.state == Job.State.SUCCEEDED and job.result_url == reverse("portal:quarter", args=[quarter.code])
    quarter.refresh_from_db()
    assert quarter.state == QuarterState.SCORED
    event = QuarterEvent.objects.get(quarter=quarter, action="score")
    assert event.by == firm.executor
    assert "Computed with incomplete data, acknowledged: 问卷下周补录，先出初稿" in event.comment
    assert "8 assessed people have no satisfaction survey." in event.comment
    # And the quarter page's history shows it
    page = client_for(firm.executor).get(reverse("portal:quarter", args=[quarter.code])).content.decode()
    assert "问卷下周补录，先出初稿" in page


def test_with_nothing_missing_no_acknowledgement_is_asked(collecting, client_for):
    firm, quarter = collecting
    complete_the_surveys(completeness_board(quarter=quarter))
    url = reverse("portal:compute", args=[quarter.code])
    text = client_for(firm.executor).get(url).content.decode()
    assert 'id="compute-ready"' in text and 'name="acknowledge"' not in text
    response = client_for(firm.executor).post(url, {"expected_state": "collecting", "comment": "数据齐全"})
    assert response.status_code == 302
    event = QuarterEvent.objects.get(quarter=quarter, action="score")
    assert event.comment == "数据齐全"


def test_a_stale_page_is_refused_with_a_message(collecting, client_for):
    firm, quarter = collecting
    response = client_for(firm.executor).post(
        reverse("portal:compute", args=[quarter.code]),
        {"expected_state": "scheme_approved", "acknowledge": "on", "reason": "x"},
    )
    assert response.status_code == 302 and unchanged(quarter)
    # The job says why, and what to do next
    job = Job.objects.get(kind="scoring")
    assert job.state == Job.State.FAILED and not job.retry_allowed
    page = client_for(firm.executor).get(response["Location"]).content.decode()
    assert "cannot be computed in its present state" in page and "What to do next" in page


def test_a_second_scoring_is_refused_while_one_is_under_way(collecting, client_for):
    firm, quarter = collecting
    running = Job.objects.create(
        kind="scoring", requested_by=firm.executor, subject=quarter.code, subject_key=f"quarter:{quarter.pk}"
    )
    url = reverse("portal:compute", args=[quarter.code])
    page = client_for(firm.executor).get(url).content.decode()
    assert 'id="compute-running"' in page and reverse("jobs:detail", args=[running.pk]) in page
    response = client_for(firm.executor).post(url, {"expected_state": "collecting", "acknowledge": "on", "reason": "x"})
    assert response.status_code == 302 and response["Location"] == url
    assert Job.objects.count() == 1 and unchanged(quarter)


@pytest.mark.parametrize("persona", ["partner", "lawyer", "business_clerk", "superior"])
def test_only_the_execution_group_computes(collecting, client_for, persona):
    firm, quarter = collecting
    browser = client_for(getattr(firm, persona))
    url = reverse("portal:compute", args=[quarter.code])
    assert browser.get(url).status_code == 403
    data = {"expected_state": "collecting", "acknowledge": "on", "reason": "x"}
    assert browser.post(url, data).status_code == 403
    assert unchanged(quarter)


def test_the_survey_gap_leaves_out_positions_whose_scheme_has_no_satisfaction_indicator(collecting):
    # Given the scheme without the satisfaction indicator for administrative staff
    from indicators.models import SchemeItem

    firm, quarter = collecting
    admins = set(StaffProfile.objects.filter(position="administrative", assessed=True, active=True))
    assert admins and admins & set(completeness_board(quarter=quarter).without_surveys)
    SchemeItem.objects.filter(
        scheme__quarter=quarter, position="administrative", indicator__code="satisfaction"
    ).delete()
    # Then they are no longer listed as missing a survey
    assert not admins & set(completeness_board(quarter=quarter).without_surveys)
