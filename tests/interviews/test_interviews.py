"""The interview (regulation 三.5): the superior schedules and records it, the person acknowledges it, late ones are
flagged to the execution group."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from interviews.models import ImprovementItem, Interview
from interviews.selectors import overdue_interviews
from interviews.services import PlanItem, interview_acknowledge, interview_record, interview_schedule
from reviews.models import QuarterState
from tests.reviews.scorecard_builders import LAWYER_LINES, make_quarter, make_scorecard, published_at

pytestmark = pytest.mark.django_db

# Published on Wednesday 8 July 2026 at 10:00 Shanghai time: the interview is due by 15 July.
PUBLISHED = (2026, 7, 8)
ON_TIME = datetime.datetime(2026, 7, 9, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def quarter(firm):
    return make_quarter(2026, 2, published_at=published_at(*PUBLISHED))


@pytest.fixture
def card(firm, quarter):
    make_scorecard(quarter, firm.colleague, total="75", rank=2, ranked_count=2)
    return make_scorecard(quarter, firm.lawyer, total="82.5", rank=1, ranked_count=2, lines=LAWYER_LINES)


@pytest.fixture
def at_day_one():
    with time_machine.travel(ON_TIME, tick=False):
        yield


def local(text):
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


def schedule_form(when="2026-07-10T15:00", place="3楼小会议室"):
    return {"scheduled_at": when, "place": place}


def record_form(**overrides):
    data = {
        "held_at": "2026-07-10T15:00",
        "strengths": "新客户开拓积极",
        "weaknesses": "投诉处理不够及时",
        "goals": "下季度新增三位客户",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "20",
        "items-0-description": "每周检查投诉台账",
        "items-0-owner": "",
        "items-0-due_on": "2026-09-30",
        "items-1-description": "",
        "items-1-owner": "",
        "items-1-due_on": "",
        "items-2-description": "",
        "items-2-owner": "",
        "items-2-due_on": "",
    }
    data.update(overrides)
    return data


def scheduled(firm, quarter, when="2026-07-10 15:00"):
    return Interview.objects.create(
        quarter=quarter,
        staff=firm.lawyer.profile,
        superior=firm.superior.profile,
        scheduled_at=local(when),
        place="3楼小会议室",
        scheduled_by=firm.superior,
    )


# --- The team page -------------------------------------------------------------------------------------


def test_the_superior_sees_the_published_scorecards_of_direct_reports_with_the_deadline(
    firm, card, client_for, at_day_one
):
    page = english(client_for(firm.superior)).get(reverse("interviews:team")).content.decode()
    assert "陈静" in page and "刘洋" in page
    assert "Not scheduled" in page
    assert reverse("interviews:interview_schedule", args=[card.pk]) in page
    assert "2026-07-15" in page or "07/15/2026" in page or "15/07/2026" in page


def test_the_team_page_of_someone_without_reports_is_empty(firm, card, client_for, at_day_one):
    page = english(client_for(firm.colleague)).get(reverse("interviews:team")).content.decode()
    assert "陈静" not in page
    assert "None of your direct reports has a published result" in page


def test_drafts_do_not_appear_on_the_team_page(firm, client_for, at_day_one):
    draft_quarter = make_quarter(2026, 3)
    make_scorecard(draft_quarter, firm.lawyer, total="90", status="draft")
    page = client_for(firm.superior).get(reverse("interviews:team")).content.decode()
    assert "陈静" not in page


# --- Scheduling ----------------------------------------------------------------------------------------


def test_the_direct_superior_schedules_the_interview(firm, card, client_for, at_day_one):
    response = client_for(firm.superior).post(reverse("interviews:interview_schedule", args=[card.pk]), schedule_form())
    assert response.status_code == 302
    interview = Interview.objects.get(staff=firm.lawyer.profile)
    assert interview.scheduled_at == local("2026-07-10 15:00")
    assert interview.place == "3楼小会议室"
    assert interview.superior == firm.superior.profile
    listing = english(client_for(firm.lawyer)).get(reverse("portal:my_scorecards")).content.decode()
    assert "Scheduled" in listing


def test_the_schedule_form_states_the_deadline(firm, card, client_for, at_day_one):
    page = english(client_for(firm.superior)).get(reverse("interviews:interview_schedule", args=[card.pk]))
    assert "The interview is due by" in page.content.decode()
    assert 'type="datetime-local"' in page.content.decode()


def test_an_interview_in_the_past_is_refused_next_to_the_field(firm, card, client_for, at_day_one):
    response = english(client_for(firm.superior)).post(
        reverse("interviews:interview_schedule", args=[card.pk]), schedule_form(when="2026-07-08T15:00")
    )
    assert response.status_code == 200
    assert "Choose a date and time in the future." in response.content.decode()
    assert not Interview.objects.exists()


def test_a_second_schedule_moves_the_interview_instead_of_adding_one(firm, card, client_for, at_day_one):
    client = client_for(firm.superior)
    client.post(reverse("interviews:interview_schedule", args=[card.pk]), schedule_form())
    client.post(reverse("interviews:interview_schedule", args=[card.pk]), schedule_form("2026-07-11T09:30", "线上"))
    interview = Interview.objects.get()
    assert (interview.scheduled_at, interview.place) == (local("2026-07-11 09:30"), "线上")


@pytest.mark.parametrize("persona", ["colleague", "outsider", "assistant", "business_clerk"])
def test_people_who_may_not_see_the_scorecard_cannot_schedule_and_learn_nothing(
    firm, card, client_for, persona, at_day_one
):
    response = client_for(getattr(firm, persona)).post(
        reverse("interviews:interview_schedule", args=[card.pk]), schedule_form()
    )
    assert response.status_code == 404
    assert not Interview.objects.exists()


@pytest.mark.parametrize("persona", ["lawyer", "partner", "executor"])
def test_only_the_direct_superior_schedules_even_among_those_who_see_the_scorecard(
    firm, card, client_for, persona, at_day_one
):
    response = client_for(getattr(firm, persona)).post(
        reverse("interviews:interview_schedule", args=[card.pk]), schedule_form()
    )
    assert response.status_code == 403
    assert not Interview.objects.exists()


def test_a_draft_scorecard_cannot_be_scheduled(firm, client_for, at_day_one):
    draft = make_scorecard(make_quarter(2026, 3), firm.lawyer, total="90", status="draft")
    with pytest.raises(ValidationError):
        interview_schedule(scorecard=draft, by=firm.superior, scheduled_at=local("2026-07-10 15:00"), place="x")
    assert not Interview.objects.exists()


def test_a_closed_quarter_takes_no_new_interviews(firm, card, quarter, at_day_one):
    quarter.state = QuarterState.CLOSED
    quarter.save()
    with pytest.raises(ValidationError):
        interview_schedule(scorecard=card, by=firm.superior, scheduled_at=local("2026-07-10 15:00"), place="x")


# --- Recording -----------------------------------------------------------------------------------------


def test_the_superior_records_strengths_weaknesses_plan_and_goals(firm, card, quarter, client_for):
    interview = scheduled(firm, quarter)
    with time_machine.travel(local("2026-07-10 17:00"), tick=False):
        response = client_for(firm.superior).post(
            reverse("interviews:interview_record", args=[interview.pk]),
            record_form(**{"items-0-owner": str(firm.lawyer.profile.pk)}),
        )
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.is_recorded and interview.recorded_by == firm.superior
    assert interview.strengths == "新客户开拓积极"
    assert interview.goals == "下季度新增三位客户"
    item = ImprovementItem.objects.get()
    assert (item.description, item.owner, item.due_on) == (
        "每周检查投诉台账",
        firm.lawyer.profile,
        datetime.date(2026, 9, 30),
    )
    page = client_for(firm.lawyer).get(reverse("interviews:interview", args=[interview.pk])).content.decode()
    assert "新客户开拓积极" in page and "每周检查投诉台账" in page


def test_the_person_reads_the_interview_as_theirs_with_the_superior(firm, card, quarter, client_for):
    # Given a scheduled interview, read by the person and by the superior who holds it
    interview = scheduled(firm, quarter)
    url = reverse("interviews:interview", args=[interview.pk])
    lawyer, superior = firm.lawyer.profile, firm.superior.profile
    # Then the person's page names the superior, never the person as the one they meet
    mine = english(client_for(firm.lawyer)).get(url).content.decode()
    assert f"Your interview with {superior.full_name}" in mine
    assert f"Interview with {lawyer.full_name}" not in mine
    # And the superior's page names the person they interview
    theirs = english(client_for(firm.superior)).get(url).content.decode()
    assert f"Interview with {lawyer.full_name}" in theirs


def test_a_record_without_any_improvement_item_is_refused(firm, card, quarter, client_for):
    interview = scheduled(firm, quarter)
    with time_machine.travel(local("2026-07-10 17:00"), tick=False):
        response = english(client_for(firm.superior)).post(
            reverse("interviews:interview_record", args=[interview.pk]),
            record_form(**{"items-0-description": "", "items-0-due_on": ""}),
        )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    interview.refresh_from_db()
    assert not interview.is_recorded
    assert not ImprovementItem.objects.exists()


def test_an_item_owned_by_a_stranger_is_refused(firm, card, quarter, client_for):
    interview = scheduled(firm, quarter)
    with time_machine.travel(local("2026-07-10 17:00"), tick=False):
        response = client_for(firm.superior).post(
            reverse("interviews:interview_record", args=[interview.pk]),
            record_form(**{"items-0-owner": str(firm.outsider.profile.pk)}),
        )
    assert response.status_code == 200
    assert not ImprovementItem.objects.exists()


def test_an_interview_held_in_the_future_is_refused(firm, card, quarter, client_for):
    interview = scheduled(firm, quarter)
    with time_machine.travel(local("2026-07-09 17:00"), tick=False):
        response = english(client_for(firm.superior)).post(
            reverse("interviews:interview_record", args=[interview.pk]),
            record_form(**{"items-0-owner": str(firm.lawyer.profile.pk)}),
        )
    assert "The interview must have taken place already." in response.content.decode()
    interview.refresh_from_db()
    assert not interview.is_recorded


def test_the_lawyer_cannot_record_their_own_interview(firm, card, quarter, client_for):
    interview = scheduled(firm, quarter)
    with time_machine.travel(local("2026-07-10 17:00"), tick=False):
        response = client_for(firm.lawyer).post(
            reverse("interviews:interview_record", args=[interview.pk]),
            record_form(**{"items-0-owner": str(firm.lawyer.profile.pk)}),
        )
    assert response.status_code == 403
    interview.refresh_from_db()
    assert not interview.is_recorded


@pytest.mark.parametrize("persona", ["colleague", "outsider", "assistant", "admin_clerk"])
def test_an_interview_does_not_exist_for_unrelated_people(firm, card, quarter, client_for, persona):
    interview = scheduled(firm, quarter)
    client = client_for(getattr(firm, persona))
    assert client.get(reverse("interviews:interview", args=[interview.pk])).status_code == 404
    assert client.post(reverse("interviews:interview_record", args=[interview.pk]), record_form()).status_code == 404
    assert client.post(reverse("interviews:interview_acknowledge", args=[interview.pk]), {}).status_code == 404


@pytest.mark.parametrize("persona", ["executor", "partner", "superior", "lawyer"])
def test_the_interview_is_readable_by_the_person_the_superiors_and_the_organisers(
    firm, card, quarter, client_for, persona
):
    interview = scheduled(firm, quarter)
    page = client_for(getattr(firm, persona)).get(reverse("interviews:interview", args=[interview.pk]))
    assert page.status_code == 200
    assert "3楼小会议室" in page.content.decode()


def test_a_recorded_interview_is_not_recorded_twice(firm, card, quarter):
    interview = scheduled(firm, quarter)
    item = PlanItem(description="整理客户档案", owner=firm.lawyer.profile, due_on=datetime.date(2026, 9, 30))
    with time_machine.travel(local("2026-07-10 17:00"), tick=False):
        arguments = dict(
            by=firm.superior, held_at=local("2026-07-10 15:00"), strengths="a", weaknesses="b", goals="c", items=[item]
        )
        interview_record(interview=interview, **arguments)
        with pytest.raises(ValidationError):
            interview_record(interview=interview, **{**arguments, "strengths": "changed"})
    interview.refresh_from_db()
    assert interview.strengths == "a"
    assert ImprovementItem.objects.count() == 1


def test_a_recorded_interview_cannot_be_moved(firm, card, quarter):
    interview = scheduled(firm, quarter)
    item = PlanItem(description="整理客户档案", owner=firm.lawyer.profile, due_on=datetime.date(2026, 9, 30))
    with time_machine.travel(local("2026-07-10 17:00"), tick=False):
        interview_record(
            interview=interview,
            by=firm.superior,
            held_at=local("2026-07-10 15:00"),
            strengths="a",
            weaknesses="b",
            goals="c",
            items=[item],
        )
        with pytest.raises(ValidationError):
            interview_schedule(scorecard=card, by=firm.superior, scheduled_at=local("2026-07-12 10:00"), place="x")


# --- Acknowledging -------------------------------------------------------------------------------------


def _recorded(firm, quarter):
    interview = scheduled(firm, quarter)
    item = PlanItem(description="整理客户档案", owner=firm.lawyer.profile, due_on=datetime.date(2026, 9, 30))
    with time_machine.travel(local("2026-07-10 17:00"), tick=False):
        return interview_record(
            interview=interview,
            by=firm.superior,
            held_at=local("2026-07-10 15:00"),
            strengths="a",
            weaknesses="b",
            goals="c",
            items=[item],
        )


def test_the_person_acknowledges_the_record_with_a_comment(firm, card, quarter, client_for):
    interview = _recorded(firm, quarter)
    client = english(client_for(firm.lawyer))
    response = client.post(
        reverse("interviews:interview_acknowledge", args=[interview.pk]), {"comment": "同意改进计划"}
    )
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.is_acknowledged and interview.acknowledgement_comment == "同意改进计划"
    page = client.get(reverse("interviews:interview", args=[interview.pk])).content.decode()
    assert "acknowledged the record" in page and "同意改进计划" in page


@pytest.mark.parametrize("persona", ["superior", "partner", "executor"])
def test_nobody_but_the_person_acknowledges(firm, card, quarter, client_for, persona):
    interview = _recorded(firm, quarter)
    response = client_for(getattr(firm, persona)).post(
        reverse("interviews:interview_acknowledge", args=[interview.pk]), {"comment": "x"}
    )
    assert response.status_code == 403
    interview.refresh_from_db()
    assert not interview.is_acknowledged


def test_an_unrecorded_interview_cannot_be_acknowledged(firm, card, quarter):
    interview = scheduled(firm, quarter)
    with pytest.raises(ValidationError):
        interview_acknowledge(interview=interview, by=firm.lawyer, comment="?")
    interview.refresh_from_db()
    assert not interview.is_acknowledged


def test_the_first_acknowledgement_stands(firm, card, quarter):
    interview = _recorded(firm, quarter)
    interview_acknowledge(interview=interview, by=firm.lawyer, comment="first")
    with pytest.raises(ValidationError):
        interview_acknowledge(interview=interview, by=firm.lawyer, comment="second")
    interview.refresh_from_db()
    assert interview.acknowledgement_comment == "first"


def test_the_service_refuses_a_stranger(firm, card, quarter):
    with pytest.raises(PermissionDenied):
        interview_schedule(scorecard=card, by=firm.colleague, scheduled_at=local("2026-07-20 10:00"), place="x")


# --- Overdue -------------------------------------------------------------------------------------------


def test_an_interview_not_held_within_seven_days_is_flagged_to_the_execution_group(firm, card, quarter, client_for):
    # Given the lawyer's interview is scheduled but never recorded, and the colleague's is recorded in time
    scheduled(firm, quarter)
    colleague_interview = Interview.objects.create(
        quarter=quarter,
        staff=firm.colleague.profile,
        superior=firm.superior.profile,
        scheduled_at=local("2026-07-09 10:00"),
        place="会议室",
        scheduled_by=firm.superior,
        held_at=local("2026-07-09 10:00"),
        strengths="s",
        weaknesses="w",
        goals="g",
        recorded_by=firm.superior,
        recorded_at=local("2026-07-09 11:00"),
    )
    url = reverse("interviews:interviews_overdue")

    # On the last day (15 July) nothing is overdue yet
    with time_machine.travel(local("2026-07-15 23:00"), tick=False):
        assert overdue_interviews() == []
        page = english(client_for(firm.executor)).get(url).content.decode()
        assert "No interview is overdue." in page

    # The day after, the lawyer's interview is overdue; the colleague's is not
    with time_machine.travel(local("2026-07-16 08:00"), tick=False):
        rows = overdue_interviews()
        assert [row.scorecard.staff for row in rows] == [firm.lawyer.profile]
        page = english(client_for(firm.executor)).get(url).content.decode()
        assert "陈静" in page and "Overdue" in page
        assert "刘洋" not in page
        full = english(client_for(firm.executor)).get(reverse("interviews:interviews")).content.decode()
        assert "刘洋" in full and reverse("interviews:interview", args=[colleague_interview.pk]) in full
        team = english(client_for(firm.superior)).get(reverse("interviews:team")).content.decode()
        assert "Overdue" in team


def test_a_person_never_scheduled_is_overdue_too(firm, card, quarter):
    with time_machine.travel(local("2026-07-20 08:00"), tick=False):
        staff = {row.scorecard.staff for row in overdue_interviews()}
    assert staff == {firm.lawyer.profile, firm.colleague.profile}


@pytest.mark.parametrize("persona", ["lawyer", "superior", "business_clerk", "outsider"])
def test_the_interview_lists_are_for_the_organisers_only(firm, card, client_for, persona):
    client = client_for(getattr(firm, persona))
    assert client.get(reverse("interviews:interviews_overdue")).status_code == 403
    assert client.get(reverse("interviews:interviews")).status_code == 403


def test_the_lists_send_anonymous_visitors_to_log_in(client):
    for name in ["interviews:interviews", "interviews:interviews_overdue", "interviews:team", "portal:my_scorecards"]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("login") in response["Location"]


# --- The interview's date against publication (regulation 三.5, calendar days in Asia/Shanghai) ----------------


@pytest.mark.parametrize(
    "held",
    [
        "2026-07-08 09:00",  # the publication day, an hour before the 10:00 publication: same calendar day
        "2026-07-08 00:00",  # the first minute of the publication day in Shanghai
    ],
)
def test_an_interview_held_on_the_publication_day_before_its_hour_is_accepted(firm, card, quarter, held):
    interview = scheduled(firm, quarter)
    item = PlanItem(description="整理客户档案", owner=firm.lawyer.profile, due_on=datetime.date(2026, 9, 30))
    with time_machine.travel(local("2026-07-08 18:00"), tick=False):
        interview_record(
            interview=interview, by=firm.superior, held_at=local(held), strengths="a", weaknesses="b", goals="c",
            items=[item],
        )  # fmt: skip
    interview.refresh_from_db()
    assert interview.is_recorded and interview.held_at == local(held)


def test_an_interview_dated_the_day_before_publication_is_refused_with_the_date(firm, card, quarter):
    # 23:59 on 7 July in Shanghai is 15:59 UTC: the day before publication, whatever the UTC date says.
    interview = scheduled(firm, quarter)
    item = PlanItem(description="整理客户档案", owner=firm.lawyer.profile, due_on=datetime.date(2026, 9, 30))
    with time_machine.travel(local("2026-07-08 18:00"), tick=False), pytest.raises(ValidationError) as refused:
        interview_record(
            interview=interview, by=firm.superior, held_at=local("2026-07-07 23:59"), strengths="a", weaknesses="b",
            goals="c", items=[item],
        )  # fmt: skip
    assert "cannot be dated before 2026-07-08, the day the results were published" in " ".join(refused.value.messages)
    interview.refresh_from_db()
    assert not interview.is_recorded and ImprovementItem.objects.count() == 0


def test_the_record_page_accepts_the_publication_day_before_its_hour(firm, card, quarter, client_for):
    interview = scheduled(firm, quarter)
    form = record_form(**{"held_at": "2026-07-08T08:30", "items-0-owner": str(firm.lawyer.profile.pk)})
    with time_machine.travel(local("2026-07-08 18:00"), tick=False):
        response = english(client_for(firm.superior)).post(
            reverse("interviews:interview_record", args=[interview.pk]), form
        )
    assert response.status_code == 302
    interview.refresh_from_db()
    assert timezone.localtime(interview.held_at).date() == datetime.date(2026, 7, 8)
