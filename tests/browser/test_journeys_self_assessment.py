"""Journey: the self-assessment before the interview (regulation 三.5). The demo's last quarter is published with the
lawyer's interview scheduled; the lawyer follows the card on her home page, writes her self-assessment and submits
it (the page fits a 390 px phone); her superior opens the interview, reads it, and finds it beside the record form.
"""

import datetime

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from demo.quarters import _history_publication
from interviews.models import Interview, SelfAssessment
from interviews.services import interview_schedule
from portal import quarter_services as steps
from results.models import Scorecard
from reviews.models import QuarterState
from tests.browser.test_journeys_quarter import collecting  # noqa: F401 — the demo's quarter collecting data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WENT_WELL = "通过老客户推荐新签约两家制造业企业。"
OBSTACLES = "一起投诉首次回复超过24小时。"
GOALS = "下季度新增客户不少于3家。"


@pytest.fixture
def interview(collecting):  # noqa: F811
    """The quarter scored, approved and published through the services (without rendering every feedback PDF: the
    quarter journey does that), and the lawyer's interview scheduled by her superior in two days."""
    executor, approver = User.objects.get(username="executor"), User.objects.get(username="lizhiming")
    quarter = collecting
    steps.quarter_score(quarter=quarter, by=executor, incomplete_data_reason="演示：先出结果")
    steps.quarter_report_summary_update(quarter=quarter, by=executor, text="本季度考核按时完成。")
    steps.quarter_submit(quarter=quarter, by=executor)
    steps.quarter_approve(quarter=quarter, by=approver)
    with _history_publication():
        steps.quarter_publish(quarter=quarter, by=executor)
    quarter.refresh_from_db()
    assert quarter.state == QuarterState.PUBLISHED
    card = Scorecard.objects.get(quarter=quarter, staff__user__username="lawyer", is_current=True)
    return interview_schedule(
        scorecard=card,
        by=User.objects.get(username="senior"),
        scheduled_at=timezone.now() + datetime.timedelta(days=2),
        place="第二会议室",
    )


def test_the_lawyer_writes_her_self_assessment_and_her_superior_reads_it_before_the_interview(interview, session_as):
    quarter = interview.quarter
    # The lawyer finds the card on her home page and opens the form
    lawyer = session_as("lawyer")
    page = lawyer.page
    page.goto("/")
    page.get_by_role("link", name=f"Write your self-assessment for {quarter.code}").click()
    page.wait_for_url("**/self-assessment/")
    assert f"Your self-assessment, {quarter.code}" in lawyer.text()
    page.locator("#id_development__went_well").fill(WENT_WELL)
    page.locator("#id_feedback__obstacles").fill(OBSTACLES)
    page.locator("#id_proposed_goals").fill(GOALS)
    # On a phone the form fits the screen
    page.set_viewport_size({"width": 390, "height": 900})
    fits = "() => document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(fits), "the self-assessment form is wider than a 390 px phone"
    lawyer.shot("01-form-phone")
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.get_by_role("button", name="Submit to my interviewer").click()
    page.wait_for_load_state()
    assert "Your self-assessment is submitted" in lawyer.text()
    assessment = SelfAssessment.objects.get(quarter=quarter, staff__user__username="lawyer")
    assert assessment.is_submitted and assessment.proposed_goals == GOALS
    lawyer.shot("02-submitted")

    # Her superior opens the interview and reads it while preparing, then again beside the record form
    superior = session_as("senior")
    page = superior.page
    page.goto(f"/interviews/{interview.pk}/")
    text = superior.text()
    assert "Self-assessment of 陈静" in text
    for expected in (WENT_WELL, OBSTACLES, GOALS):
        assert expected in text, expected
    superior.shot("03-interview-page")
    page.get_by_role("link", name="Record the interview").click()
    page.wait_for_url("**/record/")
    side = page.locator("#self-assessment")
    assert WENT_WELL in side.inner_text()
    superior.shot("04-record-form-beside")
    page.set_viewport_size({"width": 390, "height": 900})
    assert page.evaluate(fits), "the record form with the self-assessment is wider than a 390 px phone"
    superior.shot("05-record-form-phone")
    assert not Interview.objects.get(pk=interview.pk).is_recorded
