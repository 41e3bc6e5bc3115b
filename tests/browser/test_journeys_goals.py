"""Journey: the self-assessment and goals that carry forward (regulation 三.5, docs/goals.md). The lawyer writes her
self-assessment for 2026Q2 and submits it; the practice head records her interview with it beside the form and two
numeric goals (新增客户不少于3家 → new clients ≥ 3, satisfaction ≥ 4); 2026Q3 is then scored by the
real services and published; the lawyer's 2026Q3 scorecard shows each goal with what was reached, met or not, and
her goal history says the same."""

import datetime

import pytest
from django.utils import timezone

from goals.models import Goal
from indicators.models import Indicator
from interviews.models import Interview, SelfAssessment
from interviews.services import interview_schedule
from results.drafts import results_store_drafts
from results.models import Scorecard
from reviews.models import QuarterState
from tests.appeals.conftest import AS_OF, publish, survey
from tests.browser.conftest import Session
from tests.goals.conftest import approved_scheme
from tests.reviews.scorecard_builders import LAWYER_LINES, make_quarter, make_scorecard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"  # noqa: S105 — the test personas' password (tests/personas.py)


@pytest.fixture
def scheduled(firm):
    """2026Q2 published yesterday with the lawyer's scorecard, her interview scheduled; 2026Q3's scheme approved."""
    q2 = make_quarter(2026, 2, state=QuarterState.PUBLISHED, published_at=timezone.now() - datetime.timedelta(days=1))
    approved_scheme(q2, firm)
    card = make_scorecard(q2, firm.lawyer, total="80", lines=LAWYER_LINES)
    interview_schedule(
        scorecard=card, by=firm.superior, scheduled_at=timezone.now() + datetime.timedelta(hours=2), place="3 号会议室"
    )
    q3 = make_quarter(2026, 3, state=QuarterState.APPROVED)
    approved_scheme(q3, firm)
    return q2, q3


def _session(browser, live_server, username):
    session = Session(browser, live_server.url, username, "goals").login(password=PASSWORD)
    if session.page.locator("html").get_attribute("lang") != "en":
        session.switch_language("en")
    return session


WENT_WELL = "老客户推荐带来两家新客户。"
NEEDS = "希望参加一次客户开发培训。"


def test_the_lawyer_self_assesses_the_practice_head_records_a_numeric_goal_and_the_next_scorecard_shows_it_reached(
    firm, scheduled, browser, live_server
):
    q2, q3 = scheduled
    interview = Interview.objects.get(quarter=q2, staff=firm.lawyer.profile)
    q2_card = Scorecard.objects.get(quarter=q2, staff=firm.lawyer.profile, is_current=True)
    lawyer = _session(browser, live_server, "lawyer")
    head = None
    try:
        # The lawyer writes her self-assessment from her scorecard and submits it to her interviewer
        lawyer.page.goto(f"/scorecards/{q2_card.pk}/")
        lawyer.page.locator("#self-assessment-link").click()
        lawyer.page.wait_for_url("**/self-assessment/")
        lawyer.page.locator("#id_development__went_well").fill(WENT_WELL)
        lawyer.page.locator("#id_development__needs").fill(NEEDS)
        lawyer.page.get_by_role("button", name="Submit to my interviewer").click()
        lawyer.page.wait_for_load_state()
        assert "Your self-assessment is submitted" in lawyer.text()
        assert SelfAssessment.objects.get(quarter=q2, staff=firm.lawyer.profile).is_submitted

        head = _session(browser, live_server, "senior")
        # The practice head opens the interview from the team page and records it with two numeric goals
        page = head.page
        page.goto("/team/")
        page.locator("tr", has_text="陈静").get_by_role("link", name="Record").click()
        page.wait_for_url("**/record/")
        # Her self-assessment is beside the record form
        beside = page.locator("#self-assessment").inner_text()
        assert WENT_WELL in beside and NEEDS in beside
        held = timezone.localtime() - datetime.timedelta(minutes=5)
        page.fill("input[name=held_at]", held.strftime("%Y-%m-%dT%H:%M"))
        page.fill("textarea[name=strengths]", "客户沟通及时，文书质量高。")
        page.fill("textarea[name=weaknesses]", "新客户开发不足。")
        page.fill("input[name='items-0-description']", "每月参加一次行业活动")
        page.fill("input[name='items-0-due_on']", (timezone.localdate() + datetime.timedelta(days=60)).isoformat())
        new_clients = Indicator.objects.get(code="new_clients")
        satisfaction = Indicator.objects.get(code="satisfaction")
        page.fill("input[name='goals-0-description']", "新增客户不少于3家")
        page.locator("select[name='goals-0-indicator']").select_option(value=str(new_clients.pk))
        page.fill("input[name='goals-0-target']", "3")
        page.locator("select[name='goals-1-indicator']").select_option(value=str(satisfaction.pk))
        page.locator("select[name='goals-1-comparator']").select_option(value="gte")
        page.fill("input[name='goals-1-target']", "4")
        head.shot("01-record-with-goals")
        page.locator("main form [type=submit]").last.click()
        page.wait_for_load_state()
        assert "The interview is recorded" in head.text()
        goals_card = page.locator("#goals-agreed").inner_text()
        assert "New clients ≥ 3 clients" in goals_card and "Client satisfaction ≥ 4 / 5" in goals_card
        assert "Not measured yet" in goals_card
        # The recorded interview shows her self-assessment and the record side by side
        assert WENT_WELL in page.locator("#interview-side-by-side #self-assessment").inner_text()
        head.shot("02-goals-agreed")
        assert Goal.objects.filter(interview=interview).count() == 2

        # 2026Q3 is scored from its data by the real services and published: satisfaction 4.0, no new clients
        survey(firm.lawyer, (4, 4, 4))
        results_store_drafts(quarter=q3, scheme=q3.schemes.get(), by=firm.executor, as_of=AS_OF)
        publish(q3, days_ago=0)
        card = Scorecard.objects.get(quarter=q3, staff=firm.lawyer.profile, is_current=True)
        reached = card.lines.get(indicator=satisfaction).value

        # The lawyer's 2026Q3 scorecard follows the goals up with what was reached
        lawyer.page.goto(f"/scorecards/{card.pk}/")
        followed = lawyer.page.locator("#goals-followed")
        satisfaction_row = followed.locator("tr", has_text="Client satisfaction")
        assert "4 / 5" in satisfaction_row.inner_text() and reached == 4
        assert "Met" in satisfaction_row.locator(".goal-status").inner_text()
        assert "on the published 2026Q3 scorecard" in satisfaction_row.inner_text()
        clients_row = followed.locator("tr", has_text="New clients")
        assert clients_row.locator(".goal-status").inner_text().strip() in ("Not met", "Not known")
        lawyer.shot("03-scorecard-goals-reached")

        # And her goal history says the same
        lawyer.page.goto("/goals/")
        history = lawyer.page.locator("#goals-2026Q2").inner_text()
        assert "Goals for 2026Q3, agreed in the 2026Q2 interview" in history and "4 / 5" in history
        lawyer.shot("04-goal-history")
    finally:
        lawyer.close()
        if head is not None:
            head.close()
