"""The goal pages: recording goals with the interview, the follow-up on the next scorecard and interview, the
person's goal history (the person, those above, the groups; 404 for everyone else) and the department share."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from goals.models import Goal
from indicators.models import Indicator
from interviews.models import Interview
from results.models import Scorecard
from tests.goals.conftest import interview_of, numeric, publish_quarter, record, text

pytestmark = pytest.mark.django_db


def record_post(interview, staff, **goal_fields):
    data = {
        "held_at": timezone.localtime(timezone.now() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "strengths": "沟通主动",
        "weaknesses": "回访不及时",
        "goals": "",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "20",
        "items-0-description": "每周复盘客户回访",
        "items-0-owner": str(staff.pk),
        "items-0-due_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "goals-TOTAL_FORMS": "2",
        "goals-INITIAL_FORMS": "0",
        "goals-MIN_NUM_FORMS": "0",
        "goals-MAX_NUM_FORMS": "10",
        "goals-0-description": "",
        "goals-0-indicator": "",
        "goals-0-comparator": "",
        "goals-0-target": "",
        "goals-1-description": "",
        "goals-1-indicator": "",
        "goals-1-comparator": "",
        "goals-1-target": "",
    }
    data.update(goal_fields)
    return data


def test_the_record_form_offers_only_the_person_s_indicators(firm, quarter, client_for):
    interview = interview_of(firm, quarter, firm.assistant)
    page = client_for(firm.superior).get(reverse("interviews:interview_record", args=[interview.pk])).content.decode()
    assert 'name="goals-0-indicator"' in page
    assert "Client satisfaction" in page and "New clients" not in page


def test_the_superior_records_a_numeric_goal_on_the_page(firm, quarter, client_for):
    interview = interview_of(firm, quarter, firm.lawyer)
    new_clients = Indicator.objects.get(code="new_clients")
    data = record_post(
        interview,
        firm.lawyer.profile,
        **{"goals-0-description": "新增客户不少于3家", "goals-0-indicator": str(new_clients.pk), "goals-0-target": "3"},
    )
    response = client_for(firm.superior).post(reverse("interviews:interview_record", args=[interview.pk]), data)
    assert response.status_code == 302
    goal = Goal.objects.get()
    assert (goal.indicator, goal.comparator, goal.target) == (new_clients, "gte", 3)
    assert goal.description == "新增客户不少于3家"
    page = client_for(firm.lawyer).get(reverse("interviews:interview", args=[interview.pk])).content.decode()
    assert "New clients ≥ 3 clients" in page and "Measured once the results of 2026Q3 are published." in page


def test_a_posted_goal_off_the_person_s_scheme_is_refused_on_the_page_and_nothing_is_saved(firm, quarter, client_for):
    interview = interview_of(firm, quarter, firm.assistant)
    new_clients = Indicator.objects.get(code="new_clients")
    data = record_post(
        interview, firm.assistant.profile, **{"goals-0-indicator": str(new_clients.pk), "goals-0-target": "3"}
    )
    response = client_for(firm.superior).post(reverse("interviews:interview_record", args=[interview.pk]), data)
    assert response.status_code == 200
    assert "New clients is not on the 2026Q2 scheme for the position Assistant" in response.content.decode()
    assert not Goal.objects.exists()
    interview.refresh_from_db()
    assert not interview.is_recorded


@pytest.fixture
def measured(firm, quarter, next_quarter):
    """The lawyer's 2026Q2 goals (satisfaction ≥ 3.8, a goal in words), 2026Q3 published, its interview scheduled."""
    record(firm, quarter, firm.lawyer, [numeric("satisfaction", "3.8"), text("完成两次客户回访培训")])
    publish_quarter(next_quarter)
    return interview_of(firm, next_quarter, firm.lawyer)


def test_the_next_scorecard_shows_each_goal_with_what_was_reached(firm, next_quarter, measured, client_for):
    card = Scorecard.objects.get(quarter=next_quarter, staff=firm.lawyer.profile, is_current=True)
    page = client_for(firm.lawyer).get(reverse("portal:scorecard", args=[card.pk])).content.decode()
    assert 'id="goals-followed"' in page
    assert "Client satisfaction ≥ 3.8 / 5" in page and "4 / 5" in page and "Met" in page
    assert "Awaiting the superior&#x27;s verdict" in page


def test_the_superior_marks_the_goal_in_words_in_the_next_interview(firm, measured, client_for):
    goal = Goal.objects.get(indicator__isnull=True)
    url = reverse("interviews:goal_assess", args=[measured.pk, goal.pk])
    superior_page = client_for(firm.superior).get(reverse("interviews:interview", args=[measured.pk])).content.decode()
    assert url in superior_page
    lawyer_page = client_for(firm.lawyer).get(reverse("interviews:interview", args=[measured.pk])).content.decode()
    assert url not in lawyer_page and "完成两次客户回访培训" in lawyer_page

    # The person cannot mark it, the superior can
    assert client_for(firm.lawyer).post(url, {"met": "1"}).status_code == 403
    goal.refresh_from_db()
    assert goal.met is None
    response = client_for(firm.superior).post(url, {"met": "1"}, follow=True)
    assert "“完成两次客户回访培训” is marked met." in response.content.decode()
    goal.refresh_from_db()
    assert goal.met is True


def test_a_goal_of_another_person_is_not_found_through_this_interview(firm, quarter, measured, client_for):
    record(firm, quarter, firm.colleague, [text("整理客户档案")])
    other = Goal.objects.get(staff=firm.colleague.profile)
    response = client_for(firm.superior).post(reverse("interviews:goal_assess", args=[measured.pk, other.pk]))
    assert response.status_code == 404


# --- The goal history, per role ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["lawyer", "superior", "executor", "partner"])
def test_the_goal_history_is_read_by_the_person_those_above_and_the_groups(firm, measured, client_for, persona):
    response = client_for(getattr(firm, persona)).get(reverse("goals:person", args=[firm.lawyer.profile.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Goals for 2026Q3, agreed in the 2026Q2 interview" in page and "完成两次客户回访培训" in page


@pytest.mark.parametrize("persona", ["colleague", "assistant", "outsider", "business_clerk"])
def test_nobody_else_learns_the_goals_exist(firm, measured, client_for, persona):
    response = client_for(getattr(firm, persona)).get(reverse("goals:person", args=[firm.lawyer.profile.pk]))
    assert response.status_code == 404


def test_my_goals_shows_the_reader_s_own_history_only(firm, measured, client_for):
    assert "完成两次客户回访培训" in client_for(firm.lawyer).get(reverse("goals:mine")).content.decode()
    page = client_for(firm.colleague).get(reverse("goals:mine")).content.decode()
    assert "完成两次客户回访培训" not in page and "No goals have been agreed yet." in page


def test_the_department_share_is_for_the_two_groups(firm, measured, client_for):
    page = client_for(firm.executor).get(reverse("goals:departments")).content.decode()
    # satisfaction met, the goal in words not marked yet
    assert "100 %" in page and "1 of 1 met" in page and "1 not known" in page
    assert client_for(firm.lawyer).get(reverse("goals:departments")).status_code == 403
    assert client_for(firm.superior).get(reverse("goals:departments")).status_code == 403


def test_the_interview_page_and_scorecard_of_someone_without_goals_show_no_goal_table(firm, quarter, client_for):
    interview = interview_of(firm, quarter, firm.lawyer)
    page = client_for(firm.superior).get(reverse("interviews:interview", args=[interview.pk])).content.decode()
    assert "goal-table" not in page
    assert Interview.objects.count() == 1


def test_the_printed_interview_record_lists_the_goals_agreed(firm, quarter):
    from django.template.loader import render_to_string

    from documents.interview_records import interview_record_context

    interview = record(firm, quarter, firm.lawyer, [numeric("new_clients", "3", description="新增客户不少于3家")])
    html = render_to_string("pdf/interview_record.html", interview_record_context(interview))
    assert 'id="record-goal-rows"' in html and "New clients ≥ 3 clients · 新增客户不少于3家" in html
