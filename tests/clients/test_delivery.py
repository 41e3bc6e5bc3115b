"""A data department marks its delivery for the quarter done (regulation 二.3: deliver on time; 三.3: who delivers
what): only its clerks, only while the quarter is collected, recorded with who and when, withdrawable until
scoring; the home cards stop warning, the completeness board shows it, the "still incomplete" reminder skips it."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from clients.models import DataDelivery
from clients.services import data_delivery_mark, data_delivery_withdraw
from documents.completeness import completeness_board
from portal.home import home_tasks
from portal.reminders import data_collection_reminders
from reviews.models import QuarterState
from tests.reviews.scorecard_builders import make_quarter

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 2026Q3 ended on 30 September; its results are due on 10 October. The 12th is after that date.
LATE = datetime.datetime(2026, 10, 12, 9, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def q3(firm):
    return make_quarter(2026, 3, state=QuarterState.COLLECTING)


@time_machine.travel(LATE, tick=False)
def test_a_clerk_marks_the_departments_delivery_and_it_is_recorded(firm, q3):
    mark = data_delivery_mark(quarter=q3, department=firm.finance, by=firm.finance_clerk, note="  全部收款已录入 ")
    mark.refresh_from_db()
    assert (mark.marked_by, mark.marked_at, mark.kinds, mark.note) == (
        firm.finance_clerk,
        LATE,
        ["revenue"],
        "全部收款已录入",
    )
    assert mark.standing


@time_machine.travel(LATE, tick=False)
@pytest.mark.parametrize("who", ["business_clerk", "admin_clerk", "executor", "lawyer", "partner"])
def test_nobody_but_the_departments_clerks_marks_it(firm, q3, who):
    with pytest.raises(ValidationError, match="Only the data clerks"):
        data_delivery_mark(quarter=q3, department=firm.finance, by=getattr(firm, who))
    assert not DataDelivery.objects.exists()


@time_machine.travel(LATE, tick=False)
def test_a_second_mark_is_refused_while_the_first_stands(firm, q3):
    data_delivery_mark(quarter=q3, department=firm.finance, by=firm.finance_clerk)
    with pytest.raises(ValidationError, match="already marked"):
        data_delivery_mark(quarter=q3, department=firm.finance, by=firm.finance_clerk)
    assert DataDelivery.objects.count() == 1


@pytest.mark.parametrize(
    ("state", "moment"),
    [
        (QuarterState.COLLECTING, datetime.datetime(2026, 9, 20, 9, tzinfo=SHANGHAI)),  # the quarter has not ended
        (QuarterState.SCORED, LATE),  # already scored: too late
        (QuarterState.PUBLISHED, LATE),
    ],
)
def test_a_quarter_not_being_collected_cannot_be_marked(firm, state, moment):
    quarter = make_quarter(2026, 3, state=state)
    with time_machine.travel(moment, tick=False), pytest.raises(ValidationError, match="not collecting data"):
        data_delivery_mark(quarter=quarter, department=firm.finance, by=firm.finance_clerk)
    assert not DataDelivery.objects.exists()


@time_machine.travel(LATE, tick=False)
def test_a_mark_is_withdrawn_before_scoring_and_kept_on_record(firm, q3):
    mark = data_delivery_mark(quarter=q3, department=firm.finance, by=firm.finance_clerk)
    data_delivery_withdraw(delivery=mark, by=firm.finance_clerk)
    mark.refresh_from_db()
    assert (mark.withdrawn_by, mark.withdrawn_at, mark.standing) == (firm.finance_clerk, LATE, False)
    # A fresh mark may follow; the withdrawn one stays
    data_delivery_mark(quarter=q3, department=firm.finance, by=firm.finance_clerk)
    assert DataDelivery.objects.filter(department=firm.finance).count() == 2
    with pytest.raises(ValidationError, match="already withdrawn"):
        data_delivery_withdraw(delivery=mark, by=firm.finance_clerk)


@time_machine.travel(LATE, tick=False)
def test_after_scoring_the_mark_can_no_longer_be_withdrawn(firm, q3):
    mark = data_delivery_mark(quarter=q3, department=firm.finance, by=firm.finance_clerk)
    q3.state = QuarterState.SCORED
    q3.save()
    with pytest.raises(ValidationError, match="has been scored"):
        data_delivery_withdraw(delivery=mark, by=firm.finance_clerk)
    mark.refresh_from_db()
    assert mark.standing


@time_machine.travel(LATE, tick=False)
def test_another_departments_clerk_cannot_withdraw_it(firm, q3):
    mark = data_delivery_mark(quarter=q3, department=firm.finance, by=firm.finance_clerk)
    with pytest.raises(ValidationError):
        data_delivery_withdraw(delivery=mark, by=firm.admin_clerk)
    mark.refresh_from_db()
    assert mark.standing


def cards(user):
    return {task["title"]: task for task in home_tasks(user=user, today=LATE.date())}


@time_machine.travel(LATE, tick=False)
def test_the_home_cards_stop_warning_once_the_delivery_is_marked(firm, q3):
    before = cards(firm.finance_clerk)
    assert before["Enter or import: Revenue entries"]["overdue"]
    assert before["Mark the delivery of Finance Department for 2026Q3 done"]["overdue"]

    data_delivery_mark(quarter=q3, department=firm.finance, by=firm.finance_clerk)

    after = cards(firm.finance_clerk)
    revenue = after["Enter or import: Revenue entries"]
    assert not revenue["overdue"] and revenue["due_on"] is None
    assert "Delivered for 2026Q3: marked complete by 孙丽" in revenue["text"]
    assert not any("Mark the delivery" in title for title in after)
    # Another department's cards still count down
    assert cards(firm.admin_clerk)["Enter or import: Complaints"]["overdue"]


@time_machine.travel(LATE, tick=False)
def test_the_completeness_board_shows_each_data_departments_mark(firm, q3, client_for):
    data_delivery_mark(quarter=q3, department=firm.business, by=firm.business_clerk, note="客户与合同已齐")
    board = completeness_board(quarter=q3)
    marks = {department.code: mark for department, mark in board.delivery_marks}
    assert set(marks) == {"biz", "fin", "adm"}  # the practice groups deliver no data
    assert marks["biz"].marked_by == firm.business_clerk and marks["fin"] is None
    web = client_for(firm.executor)
    web.cookies["django_language"] = "en"
    html = web.get(reverse("portal:completeness", args=[q3.code])).content.decode()
    section = html.split('id="delivery-marks"')[1].split("</ul>")[0]
    assert "Marked done" in section and "钱芳" in section and "客户与合同已齐" in section
    assert "Not marked yet" in section


def test_the_still_incomplete_reminder_skips_a_department_that_marked_its_delivery(firm, q3):
    with time_machine.travel(datetime.datetime(2026, 10, 3, 9, tzinfo=SHANGHAI), tick=False):
        data_delivery_mark(quarter=q3, department=firm.finance, by=firm.finance_clerk)
    reminders = data_collection_reminders(datetime.date(2026, 10, 5))
    assert {r.user.username for r in reminders if r.kind == "data_incomplete"} == {"bizclerk", "admclerk"}


# ------------------------------------------------------------------------------------------ the page


@time_machine.travel(LATE, tick=False)
def test_the_clerk_marks_and_withdraws_on_the_page(firm, q3, client_for):
    web = client_for(firm.finance_clerk)
    web.cookies["django_language"] = "en"
    page = web.get(reverse("clients:delivery")).content.decode()
    assert "Data delivery for 2026Q3" in page and 'id="mark-fin"' in page and "biz" not in page.split("<main")[1]

    response = web.post(
        reverse("clients:delivery_mark", args=[firm.finance.pk]), {"quarter": "2026Q3", "note": "齐了"}, follow=True
    )

    text = response.content.decode()
    assert "The delivery of Finance Department for 2026Q3 is marked complete." in text
    assert 'id="delivery-mark-fin"' in text and "齐了" in text
    mark = DataDelivery.objects.get()
    response = web.post(reverse("clients:delivery_withdraw", args=[mark.pk]), follow=True)
    assert "was withdrawn" in response.content.decode()
    mark.refresh_from_db()
    assert not mark.standing


@time_machine.travel(LATE, tick=False)
def test_a_clerk_cannot_mark_or_withdraw_another_departments_delivery(firm, q3, client_for):
    mark = data_delivery_mark(quarter=q3, department=firm.finance, by=firm.finance_clerk)
    web = client_for(firm.admin_clerk)
    assert web.post(reverse("clients:delivery_mark", args=[firm.finance.pk]), {"quarter": "2026Q3"}).status_code == 404
    assert web.post(reverse("clients:delivery_withdraw", args=[mark.pk])).status_code == 404
    lawyer = client_for(firm.lawyer)
    assert lawyer.get(reverse("clients:delivery")).status_code == 403
    mark.refresh_from_db()
    assert mark.standing and DataDelivery.objects.count() == 1


@time_machine.travel(LATE, tick=False)
def test_a_stale_page_of_a_scored_quarter_marks_nothing(firm, q3, client_for):
    q3.state = QuarterState.SCORED
    q3.save()
    web = client_for(firm.finance_clerk)
    web.cookies["django_language"] = "en"
    response = web.post(reverse("clients:delivery_mark", args=[firm.finance.pk]), {"quarter": "2026Q3"}, follow=True)
    assert "not collecting data" in response.content.decode()
    assert not DataDelivery.objects.exists()
