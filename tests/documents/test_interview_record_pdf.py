"""The printable interview record (regulation 三.5): the recorded interview, its improvement plan and goals, and lines
for both people to sign; read by exactly those who read the interview page."""

import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from interviews.models import Interview
from interviews.services import PlanItem, interview_record
from tests.reviews.scorecard_builders import LAWYER_LINES, make_quarter, make_scorecard, published_at

pytestmark = pytest.mark.django_db


def local(text):
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


@pytest.fixture
def interview(firm):
    quarter = make_quarter(2026, 2, published_at=published_at(2026, 7, 8))
    make_scorecard(quarter, firm.lawyer, total="82.5", lines=LAWYER_LINES)
    return Interview.objects.create(
        quarter=quarter,
        staff=firm.lawyer.profile,
        superior=firm.superior.profile,
        scheduled_at=local("2026-07-10 15:00"),
        place="3楼小会议室",
        scheduled_by=firm.superior,
    )


@pytest.fixture
def recorded(firm, interview):
    item = PlanItem(description="每周检查投诉台账", owner=firm.lawyer.profile, due_on=datetime.date(2026, 9, 30))
    with time_machine.travel(local("2026-07-10 17:00"), tick=False):
        interview_record(
            interview=interview,
            by=firm.superior,
            held_at=local("2026-07-10 15:00"),
            strengths="新客户开拓积极",
            weaknesses="投诉处理不够及时",
            goals="下季度新增三位客户",
            items=[item],
        )
    interview.refresh_from_db()
    return interview


def pdf_text(response):
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def url_of(interview):
    return reverse("documents:interview_record_pdf", args=[interview.pk])


def test_the_record_holds_the_interview_the_plan_the_goals_and_lines_to_sign(firm, recorded, client_for):
    client = client_for(firm.lawyer)
    client.cookies["django_language"] = "en"
    response = client.get(url_of(recorded))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    text = pdf_text(response)
    assert "Record of the feedback interview, 2026Q2" in text
    for expected in ("陈静", "新客户开拓积极", "投诉处理不够及时", "每周检查投诉台账", "下季度新增三位客户"):
        assert expected in text, expected
    assert "Assessed person: 陈静" in text
    assert f"Interviewer: {firm.superior.profile.full_name}" in text
    assert text.count("Date") >= 2


def test_the_record_prints_in_chinese_with_the_chinese_font(firm, recorded, client_for):
    client = client_for(firm.lawyer)
    client.cookies["django_language"] = "zh-hans"
    text = pdf_text(client.get(url_of(recorded)))
    assert "2026Q2考核面谈记录" in text
    assert "被考核人：陈静" in text
    assert f"面谈人：{firm.superior.profile.full_name}" in text
    assert "共同制定的改进计划" in text


@pytest.mark.parametrize("persona", ["lawyer", "superior", "partner", "executor"])
def test_those_who_read_the_interview_read_its_record(firm, recorded, client_for, persona):
    assert client_for(getattr(firm, persona)).get(url_of(recorded)).status_code == 200


@pytest.mark.parametrize(
    "persona", ["colleague", "outsider", "assistant", "business_clerk", "finance_clerk", "admin_clerk"]
)
def test_nobody_else_learns_that_the_record_exists(firm, recorded, client_for, persona):
    assert client_for(getattr(firm, persona)).get(url_of(recorded)).status_code == 404


def test_an_unrecorded_interview_leads_back_to_its_page(firm, interview, client_for):
    response = client_for(firm.superior).get(url_of(interview))
    assert response.status_code == 302
    assert response["Location"] == reverse("interviews:interview", args=[interview.pk])


def test_the_interview_page_links_the_record_once_it_is_recorded(firm, interview, client_for):
    page = reverse("interviews:interview", args=[interview.pk])
    assert url_of(interview) not in client_for(firm.lawyer).get(page).content.decode()
    item = PlanItem(description="回访", owner=firm.lawyer.profile, due_on=datetime.date(2026, 9, 30))
    with time_machine.travel(local("2026-07-10 17:00"), tick=False):
        interview_record(
            interview=interview, by=firm.superior, held_at=local("2026-07-10 15:00"), strengths="a", weaknesses="b",
            goals="c", items=[item],
        )  # fmt: skip
    assert url_of(interview) in client_for(firm.lawyer).get(page).content.decode()
