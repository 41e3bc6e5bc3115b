"""The self-assessment before the interview (regulation 三.5): the person writes it from publication until the
interview is recorded; their interviewer and the execution group read it; the record shows both side by side;
everyone else gets a 404; the person is reminded once before the interview."""

import datetime
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from interviews.interviewers import interviewer_designate
from interviews.models import Interview, SelfAssessment, SelfAssessmentEvent
from interviews.self_assessment import self_assessment_save
from interviews.services import PlanItem, interview_record
from notifications.models import Notice, Notification
from notifications.reminders import reminders_send
from reviews.models import QuarterState
from tests.reviews.scorecard_builders import LAWYER_LINES, make_quarter, make_scorecard, published_at

pytestmark = pytest.mark.django_db

# Published on Wednesday 8 July 2026 at 10:00 Shanghai time; the interview is on Friday 10 July at 15:00.
ON_TIME = datetime.datetime(2026, 7, 9, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))

ANSWERS = {
    "development": {"went_well": "新签两家制造业客户", "obstacles": "投标周期长", "needs": "希望参加招投标培训"},
    "feedback": {"went_well": "", "obstacles": "一起投诉回复超时", "needs": ""},
}


def local(text):
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def quarter(firm):
    return make_quarter(2026, 2, published_at=published_at(2026, 7, 8))


@pytest.fixture
def card(firm, quarter):
    make_scorecard(quarter, firm.colleague, total="75", rank=2, ranked_count=2)
    return make_scorecard(quarter, firm.lawyer, total="82.5", rank=1, ranked_count=2, lines=LAWYER_LINES)


@pytest.fixture
def interview(firm, quarter, card):
    return Interview.objects.create(
        quarter=quarter,
        staff=firm.lawyer.profile,
        superior=firm.superior.profile,
        scheduled_at=local("2026-07-10 15:00"),
        place="3楼小会议室",
        scheduled_by=firm.superior,
    )


@pytest.fixture(autouse=True)
def at_day_one():
    with time_machine.travel(ON_TIME, tick=False):
        yield


def form(action="submit", goals="下季度新增三位客户", **answers):
    data = {"action": action, "proposed_goals": goals}
    for category, row in (answers or ANSWERS).items():
        for question, text in row.items():
            data[f"{category}__{question}"] = text
    return data


def url(card):
    return reverse("interviews:self_assessment", args=[card.pk])


def submit(firm, card, **overrides):
    arguments = {"answers": ANSWERS, "proposed_goals": "下季度新增三位客户", "submit": True} | overrides
    return self_assessment_save(scorecard=card, by=firm.lawyer, **arguments)


def record(firm, interview):
    with time_machine.travel(local("2026-07-10 17:00"), tick=False):
        interview_record(
            interview=interview,
            by=firm.superior,
            held_at=local("2026-07-10 15:00"),
            strengths="新客户开拓积极",
            weaknesses="投诉处理不够及时",
            goals="下季度新增两位客户",
            items=[PlanItem("每周检查投诉台账", firm.lawyer.profile, datetime.date(2026, 9, 30))],
        )
    interview.refresh_from_db()


def pdf_text(response):
    assert response["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


# --- The person writes it ------------------------------------------------------------------------------------


def test_the_person_saves_a_draft_that_nobody_else_reads(firm, card, interview, client_for):
    # When the lawyer saves a draft from her page
    response = english(client_for(firm.lawyer)).post(url(card), form(action="draft"))
    assert response.status_code == 302
    # Then it is stored, not submitted, without history
    assessment = SelfAssessment.objects.get(staff=firm.lawyer.profile)
    assert assessment.answers["development"]["went_well"] == "新签两家制造业客户"
    assert "feedback" in assessment.answers and "went_well" not in assessment.answers["feedback"]
    assert not assessment.is_submitted and not assessment.events.exists()
    # And the superior sees that none was submitted, not the draft
    page = english(client_for(firm.superior)).get(url(card)).content.decode()
    assert "No self-assessment was submitted." in page and "新签两家制造业客户" not in page
    interview_page = client_for(firm.superior).get(reverse("interviews:interview", args=[interview.pk]))
    assert "新签两家制造业客户" not in interview_page.content.decode()


def test_the_person_submits_and_the_superior_reads_it_when_preparing_the_interview(firm, card, interview, client_for):
    # When the lawyer submits her self-assessment
    response = english(client_for(firm.lawyer)).post(url(card), form())
    assert response.status_code == 302
    # Then the submission is in its history, with who and when
    assessment = SelfAssessment.objects.get(staff=firm.lawyer.profile)
    assert assessment.submitted_at == ON_TIME
    event = assessment.events.get()
    assert (event.action, event.by, event.at) == (SelfAssessmentEvent.Action.SUBMITTED, firm.lawyer, ON_TIME)
    # And the superior is told once, and reads it on the interview page and the record form
    assert Notification.objects.filter(user=firm.superior, kind="self_assessment_submitted").count() == 1
    superior = english(client_for(firm.superior))
    for page_url in (
        reverse("interviews:interview", args=[interview.pk]),
        reverse("interviews:interview_record", args=[interview.pk]),
    ):
        page = superior.get(page_url).content.decode()
        assert "Self-assessment of 陈静" in page
        for text in (
            "新签两家制造业客户",
            "投标周期长",
            "一起投诉回复超时",
            "下季度新增三位客户",
            "Client development",
        ):
            assert text in page, (page_url, text)
    # And the scorecard page leads to it
    assert url(card) in superior.get(reverse("portal:scorecard", args=[card.pk])).content.decode()


def test_a_revision_after_submission_is_recorded_and_a_second_submission_is_not(firm, card, interview):
    submit(firm, card)
    with time_machine.travel(local("2026-07-09 20:00"), tick=False):
        submit(firm, card, proposed_goals="下季度新增四位客户")
        submit(firm, card, proposed_goals="下季度新增四位客户")  # nothing changed: no event
    assessment = SelfAssessment.objects.get(staff=firm.lawyer.profile)
    assert assessment.proposed_goals == "下季度新增四位客户"
    assert assessment.submitted_at == ON_TIME
    assert list(assessment.events.values_list("action", flat=True)) == ["submitted", "revised"]
    assert Notice.objects.filter(kind="self_assessment_submitted").count() == 1


def test_submitting_an_empty_self_assessment_is_refused(firm, card, interview, client_for):
    response = english(client_for(firm.lawyer)).post(url(card), form(goals="", development={"went_well": " "}))
    assert response.status_code == 400
    assert "Write at least one answer or a proposed goal before you submit." in response.content.decode()
    assert not SelfAssessment.objects.exists()


def test_too_long_an_answer_is_refused_next_to_its_field_and_nothing_is_stored(firm, card):
    with pytest.raises(ValidationError) as error:
        submit(firm, card, answers={"maintenance": {"needs": "很" * 2001}})
    assert "maintenance__needs" in error.value.message_dict
    assert not SelfAssessment.objects.exists()


# --- Who reads it --------------------------------------------------------------------------------------------


def test_the_execution_group_reads_a_submitted_self_assessment(firm, card, interview, client_for):
    submit(firm, card)
    page = english(client_for(firm.executor)).get(url(card))
    assert page.status_code == 200
    assert "新签两家制造业客户" in page.content.decode() and "Submitted" in page.content.decode()


@pytest.mark.parametrize("persona", ["colleague", "assistant", "outsider", "business_clerk", "admin_clerk", "partner"])
def test_peers_clerks_and_the_leadership_group_get_a_404(firm, card, interview, client_for, persona):
    submit(firm, card)
    client = client_for(getattr(firm, persona))
    assert client.get(url(card)).status_code == 404
    assert client.post(url(card), form(goals="改写")).status_code == 404
    assert SelfAssessment.objects.get().proposed_goals == "下季度新增三位客户"


def test_the_partner_reads_the_interview_but_not_the_self_assessment(firm, card, interview, client_for):
    # The leadership group reads every interview (regulation 四) but the self-assessment is the person's words to
    # their interviewer: it is not shown to them.
    submit(firm, card)
    record(firm, interview)
    page = client_for(firm.partner).get(reverse("interviews:interview", args=[interview.pk])).content.decode()
    assert "新客户开拓积极" in page and "新签两家制造业客户" not in page
    text = pdf_text(client_for(firm.partner).get(reverse("documents:interview_record_pdf", args=[interview.pk])))
    assert "新客户开拓积极" in text and "新签两家制造业客户" not in text


def test_a_designated_interviewer_reads_it_and_the_superior_no_longer_does(firm, quarter, card, interview, client_for):
    # Given the execution group designated the outsider to hold the lawyer's interview
    interviewer_designate(
        quarter=quarter, staff=firm.lawyer.profile, interviewer=firm.outsider.profile, by=firm.executor, reason="回避"
    )
    submit(firm, card)
    # Then the designated interviewer reads it and is the one told
    assert "新签两家制造业客户" in client_for(firm.outsider).get(url(card)).content.decode()
    assert Notification.objects.filter(user=firm.outsider, kind="self_assessment_submitted").exists()
    assert not Notification.objects.filter(user=firm.superior, kind="self_assessment_submitted").exists()
    # And the direct superior, who no longer holds the interview, gets a 404
    assert client_for(firm.superior).get(url(card)).status_code == 404


def test_nobody_else_writes_it(firm, card, interview, client_for):
    submit(firm, card)
    for user in (firm.superior, firm.executor):
        assert client_for(user).post(url(card), form(goals="改写")).status_code == 403
        with pytest.raises(PermissionDenied):
            self_assessment_save(scorecard=card, by=user, answers={}, proposed_goals="改写", submit=True)
    assert SelfAssessment.objects.get().proposed_goals == "下季度新增三位客户"


# --- The window ----------------------------------------------------------------------------------------------


def test_before_publication_the_self_assessment_is_refused(firm, client_for):
    draft_quarter = make_quarter(2026, 3, state=QuarterState.SCORED)
    draft = make_scorecard(draft_quarter, firm.lawyer, total="90", status="draft")
    with pytest.raises(ValidationError) as error:
        submit(firm, draft)
    assert "is not published yet" in error.value.messages[0]
    assert client_for(firm.lawyer).get(url(draft)).status_code == 404
    assert not SelfAssessment.objects.exists()


def test_after_the_interview_is_recorded_it_is_read_only_and_unchanged(firm, card, interview, client_for):
    # Given a submitted self-assessment and the interview recorded
    submit(firm, card)
    record(firm, interview)
    # When the lawyer tries to change it
    client = english(client_for(firm.lawyer))
    response = client.post(url(card), form(goals="改写"), follow=True)
    # Then she is told why, and nothing changed
    assert "can no longer change. Nothing was changed." in response.content.decode()
    with pytest.raises(ValidationError):
        submit(firm, card, proposed_goals="改写")
    assessment = SelfAssessment.objects.get()
    assert assessment.proposed_goals == "下季度新增三位客户" and assessment.events.count() == 1
    # And her page shows it read-only, without the form
    page = client.get(url(card)).content.decode()
    assert "下季度新增三位客户" in page and 'id="self-assessment-form"' not in page


def test_a_closed_quarter_refuses_it(firm, quarter, card, interview):
    submit(firm, card)
    quarter.state = QuarterState.CLOSED
    quarter.save(update_fields=["state"])
    with pytest.raises(ValidationError) as error:
        submit(firm, card, proposed_goals="改写")
    assert "is closed" in error.value.messages[0]
    assert SelfAssessment.objects.get().proposed_goals == "下季度新增三位客户"


# --- The record shows both -----------------------------------------------------------------------------------


def test_the_recorded_interview_shows_the_self_assessment_beside_the_record(firm, card, interview, client_for):
    submit(firm, card)
    record(firm, interview)
    for user in (firm.superior, firm.lawyer, firm.executor):
        page = english(client_for(user)).get(reverse("interviews:interview", args=[interview.pk])).content.decode()
        side = page[page.index('id="interview-side-by-side"') :]
        assert side.index("新签两家制造业客户") < side.index("新客户开拓积极"), user
        assert 'class="col-lg-6"' in side


def test_the_record_pdf_shows_the_self_assessment_next_to_the_record(firm, card, interview, client_for):
    submit(firm, card)
    record(firm, interview)
    client = english(client_for(firm.superior))
    text = pdf_text(client.get(reverse("documents:interview_record_pdf", args=[interview.pk])))
    assert "Self-assessment (the person's own words)" in text and "Interviewer's record" in text
    for expected in ("新签两家制造业客户", "投标周期长", "下季度新增三位客户", "新客户开拓积极", "下季度新增两位客户"):
        assert expected in text, expected


# --- The reminder --------------------------------------------------------------------------------------------


def test_whoever_has_not_submitted_is_reminded_once_before_the_interview(firm, quarter, card, interview):
    # Given the colleague's interview on the same day and the lawyer's self-assessment submitted
    Interview.objects.create(
        quarter=quarter,
        staff=firm.colleague.profile,
        superior=firm.superior.profile,
        scheduled_at=local("2026-07-10 16:00"),
        place="3楼小会议室",
        scheduled_by=firm.superior,
    )
    submit(firm, card)
    # When the interview rule runs twice a day from publication to after the interviews
    for day in range(8, 13):
        for hour in (8, 14):
            moment = datetime.datetime(2026, 7, day, hour, tzinfo=ON_TIME.tzinfo)
            with time_machine.travel(moment, tick=False):
                reminders_send(rule="interviews", today=moment.date())
    # Then the colleague is reminded exactly once, the lawyer never
    reminders = Notice.objects.filter(kind="self_assessment_due")
    assert [notice.recipient for notice in reminders] == [firm.colleague]
    note = Notification.objects.get(user=firm.colleague, kind="self_assessment_due")
    assert note.url == reverse(
        "interviews:self_assessment", args=[quarter.scorecards.get(staff=firm.colleague.profile).pk]
    )


def test_the_home_page_asks_for_the_self_assessment_until_it_is_submitted(firm, card, interview, client_for):
    client = english(client_for(firm.lawyer))
    assert "Write your self-assessment for 2026Q2" in client.get(reverse("home")).content.decode()
    submit(firm, card)
    assert "Write your self-assessment for 2026Q2" not in client.get(reverse("home")).content.decode()


def test_the_page_reads_in_chinese(firm, card, interview, client_for):
    client = client_for(firm.lawyer)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(url(card)).content.decode()
    assert "自我评价" in page and "提交" in page
