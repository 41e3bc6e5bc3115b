"""Reminders (docs/operations.md, "Notices"): with the clock moved day by day, exactly the expected reminders go
out, and none twice."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from appeals import services as appeals
from indicators.models import Indicator, RaterType, RatingAssignment, RatingRound
from interviews.services import interview_schedule
from notifications import reminder_tasks, tasks
from notifications.models import Notice, Notification
from results.models import Scorecard
from reviews.models import EXECUTION_GROUP, Department, Position, QuarterState
from tests.personas import make_person
from tests.reviews.scorecard_builders import LAWYER_LINES, make_quarter, make_scorecard

SHANGHAI = ZoneInfo("Asia/Shanghai")
BEAT_TASKS = (
    reminder_tasks.reminders_interviews,
    reminder_tasks.reminders_data_collection,
    reminder_tasks.reminders_results,
    reminder_tasks.reminders_ratings,
    reminder_tasks.reminders_appeals,
    tasks.outbox_drain,  # beat drains the outbox every minute; here after the reminders
)


def beat_fires_twice(day):
    """Every beat task at 08:00 and again at 14:00 Shanghai time on `day` (what the schedule does)."""
    for hour in (8, 14):
        with time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI), tick=False):
            for task in BEAT_TASKS:
                task.delay()


def sent_on(day):
    return sorted(
        (log.kind, log.recipient.username)
        for log in Notice.objects.filter(created_at__date=day).select_related("recipient")
    )


def days(first, last):
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


@pytest.fixture
def published_q2(firm):
    """2026Q2 published on Friday 3 July 2026 at 10:00 (interviews due 10 July): four people."""
    moment = datetime.datetime(2026, 7, 3, 10, tzinfo=SHANGHAI)
    quarter = make_quarter(2026, 2, published_at=moment)
    for name in ("lawyer", "colleague", "assistant", "outsider"):
        make_scorecard(quarter, getattr(firm, name), total=80, lines=LAWYER_LINES)
    return quarter


def run_days(first, last):
    """Move the clock day by day; what each day sent (notices, e-mails) by day."""
    seen = {}
    for day in days(first, last):
        last_pk = Notice.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        mails_before = len(mail.outbox)
        with time_machine.travel(datetime.datetime.combine(day, datetime.time(8), tzinfo=SHANGHAI), tick=False):
            beat_fires_twice(day)
        new_logs = list(Notice.objects.filter(pk__gt=last_pk).order_by("pk").select_related("recipient"))
        kinds = sorted((log.kind, log.recipient.username) for log in new_logs)
        # One e-mail per reminder, never two
        message_ids = [m.extra_headers["Message-ID"] for m in mail.outbox[mails_before:]]
        assert all(message_ids.count(log.message_id) == 1 for log in new_logs), day
        seen[day] = kinds
    return seen


@pytest.mark.django_db
def test_interview_reminders_go_to_the_superiors_then_the_execution_group_once_each(firm, published_q2):
    # Given 2026Q2 published on 3 July: the senior lawyer leads three of the four, the partner the outsider
    # When beat fires twice a day from 3 to 13 July
    seen = run_days(datetime.date(2026, 7, 3), datetime.date(2026, 7, 13))

    # Then the superiors are asked at publication, reminded 2 days before and on the day; then the execution group
    expected = {
        datetime.date(2026, 7, 3): [("interview_ask", "partner"), ("interview_ask", "senior")],
        datetime.date(2026, 7, 8): [("interview_due_soon", "partner"), ("interview_due_soon", "senior")],
        datetime.date(2026, 7, 10): [("interview_due_today", "partner"), ("interview_due_today", "senior")],
        datetime.date(2026, 7, 11): [("interview_overdue", "executor")],
    }
    for day, kinds in seen.items():
        assert kinds == expected.get(day, []), day
    # And each reminder is in the recipient's notification list
    assert Notification.objects.filter(user=firm.superior, kind="interview_ask").count() == 1
    overdue = Notification.objects.get(user=firm.executor, kind="interview_overdue")
    assert "陈静" in overdue.body and "2026年7月10日" in overdue.body


@pytest.mark.django_db
def test_a_recorded_interview_drops_out_of_the_reminders(firm, published_q2):
    # Given every interview of the senior's team is recorded; only the outsider (the partner's report) is not
    for name in ("lawyer", "colleague", "assistant"):
        interview = published_q2.interviews.create(
            staff=getattr(firm, name).profile,
            superior=firm.superior.profile,
            place="会议室",
            scheduled_at=datetime.datetime(2026, 7, 6, 9, tzinfo=SHANGHAI),
            scheduled_by=firm.superior,
            held_at=datetime.datetime(2026, 7, 6, 9, tzinfo=SHANGHAI),
            recorded_at=datetime.datetime(2026, 7, 6, 10, tzinfo=SHANGHAI),
            recorded_by=firm.superior,
        )
        assert interview.is_recorded

    # When beat fires on the day the interviews are due
    seen = run_days(datetime.date(2026, 7, 10), datetime.date(2026, 7, 11))

    # Then only the partner is reminded (and, as beat never ran that week, asked late: the ask catches up once)
    assert seen[datetime.date(2026, 7, 10)] == [("interview_ask", "partner"), ("interview_due_today", "partner")]
    assert seen[datetime.date(2026, 7, 11)] == [("interview_overdue", "executor")]
    # and the overdue notice names only the outsider
    overdue = Notification.objects.get(user=firm.executor, kind="interview_overdue")
    assert "黄磊" in overdue.body and "陈静" not in overdue.body


@pytest.mark.django_db
def test_clerks_get_what_is_due_when_the_quarter_ends_and_again_on_the_5th_and_the_execution_group_on_the_7th(firm):
    # Given 2026Q3 is collecting data and nothing has been entered
    quarter = make_quarter(2026, 3, state=QuarterState.COLLECTING)

    # When beat fires from 30 September to 8 October
    seen = run_days(datetime.date(2026, 9, 30), datetime.date(2026, 10, 8))

    # Then the three data clerks get the list the day after the quarter, again on the 5th; the execution group
    # hears on the 7th that the results (due on the 10th) are not submitted
    clerks = [("bizclerk",), ("finclerk",), ("admclerk",)]
    assert seen[datetime.date(2026, 10, 1)] == sorted(("data_due", c) for (c,) in clerks)
    assert seen[datetime.date(2026, 10, 5)] == sorted(("data_incomplete", c) for (c,) in clerks)
    assert seen[datetime.date(2026, 10, 7)] == [("results_not_submitted", "executor")]
    for day in (
        datetime.date(2026, 9, 30),
        *days(datetime.date(2026, 10, 2), datetime.date(2026, 10, 4)),
        datetime.date(2026, 10, 6),
        datetime.date(2026, 10, 8),
    ):
        assert seen[day] == [], day
    finance = Notification.objects.get(user=firm.finance_clerk, kind="data_due")
    assert "2026Q3" in finance.title
    assert "0" in finance.body
    assert quarter.pk


@pytest.mark.django_db
def test_a_submitted_quarter_reminds_the_other_partners_every_day_it_waits(firm):
    # Given the execution group submitted 2026Q3 on 8 October
    quarter = make_quarter(2026, 3, state=QuarterState.SUBMITTED)
    quarter.submitted_by = firm.executor
    quarter.submitted_at = datetime.datetime(2026, 10, 8, 16, tzinfo=SHANGHAI)
    quarter.save()

    # When beat fires on the 8th and 9th
    seen = run_days(datetime.date(2026, 10, 8), datetime.date(2026, 10, 9))

    # Then the partner is reminded from the next day on, once a day
    assert seen[datetime.date(2026, 10, 8)] == []
    assert seen[datetime.date(2026, 10, 9)] == [("approval_waiting", "partner")]


@pytest.mark.django_db
def test_raters_with_open_ratings_are_reminded_two_days_before_the_round_closes_and_on_the_last_day(firm):
    # Given a rating round closing on 15 October where the lawyer still has to rate the colleague
    quarter = make_quarter(2026, 3, state=QuarterState.COLLECTING)
    rating_round = RatingRound.objects.create(
        quarter=quarter, opened_by=firm.executor, closes_on=datetime.date(2026, 10, 15)
    )
    communication = Indicator.objects.get(code="communication")
    RatingAssignment.objects.create(
        round=rating_round,
        rater=firm.lawyer.profile,
        ratee=firm.colleague.profile,
        rater_type=RaterType.PEER,
        indicator=communication,
    )
    # and the colleague has already rated the lawyer
    RatingAssignment.objects.create(
        round=rating_round,
        rater=firm.colleague.profile,
        ratee=firm.lawyer.profile,
        rater_type=RaterType.PEER,
        indicator=communication,
        score=4,
        rated_at=timezone.now(),
    )

    # When beat fires from 12 to 16 October
    seen = run_days(datetime.date(2026, 10, 12), datetime.date(2026, 10, 16))

    # Then only the lawyer is reminded, on the 13th and the 15th
    ratings = {day: [k for k in kinds if k[0] == "ratings_open"] for day, kinds in seen.items()}
    assert ratings == {
        datetime.date(2026, 10, 12): [],
        datetime.date(2026, 10, 13): [("ratings_open", "lawyer")],
        datetime.date(2026, 10, 14): [],
        datetime.date(2026, 10, 15): [("ratings_open", "lawyer")],
        datetime.date(2026, 10, 16): [],
    }


@pytest.mark.django_db
def test_appeal_reminders_are_skipped_while_the_firm_keeps_no_appeals(firm):
    from appeals.reminders import appeal_reminders

    assert appeal_reminders(datetime.date(2026, 7, 8)) == []


def at(day, hour):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI), tick=False)


def appeal_on(quarter, user):
    """The person files an appeal on their satisfaction line (now, as the clock says)."""
    card = Scorecard.objects.get(quarter=quarter, staff=user.profile, is_current=True)
    return appeals.appeal_file(
        scorecard=card, by=user, indicators=[Indicator.objects.get(code="satisfaction")], reason="满意度调查录入有误。"
    )


@pytest.mark.django_db
def test_an_undecided_appeal_reminds_its_handler_or_the_execution_group_two_days_before_and_on_the_day(
    firm, published_q2
):
    # Given a second member of the execution group
    second = make_person("executor2", "郑红", Position.ADMINISTRATIVE, Department.objects.get(code="adm"))
    second.groups.add(Group.objects.get(name=EXECUTION_GROUP))
    filed = {}

    def file(name):
        filed[name] = appeal_on(published_q2, getattr(firm, name))

    # And four appeals against 2026Q2 (published 3 July), each decision due 10 days after filing:
    actions = {
        # the lawyer's (due 14 July) given to the second member; the assistant's (due 14 July) rejected on the
        # 10th; the outsider's withdrawn the next day
        datetime.date(2026, 7, 4): [lambda: file("lawyer"), lambda: file("assistant"), lambda: file("outsider")],
        datetime.date(2026, 7, 5): [
            lambda: appeals.appeal_assign(appeal=filed["lawyer"], handler=second, by=firm.executor),
            lambda: appeals.appeal_assign(appeal=filed["assistant"], handler=firm.executor, by=firm.executor),
            lambda: appeals.appeal_withdraw(appeal=filed["outsider"], by=firm.outsider),
        ],
        # the colleague's (due 16 July), which nobody takes on
        datetime.date(2026, 7, 6): [lambda: file("colleague")],
        datetime.date(2026, 7, 10): [
            lambda: appeals.appeal_reject(appeal=filed["assistant"], by=firm.executor, reason="录入无误。"),
        ],
    }
    # When beat fires twice a day from 4 to 17 July, the day's steps taken in the afternoon
    seen = {}
    for day in days(datetime.date(2026, 7, 4), datetime.date(2026, 7, 17)):
        seen.update(run_days(day, day))
        with at(day, 16):
            for action in actions.get(day, []):
                action()

    # Then the handler of the lawyer's appeal hears of it on the 12th and the 14th; the colleague's appeal, with
    # no handler, goes to the whole execution group on the 14th and the 16th; nothing for the decided ones
    assert (filed["lawyer"].decision_due_on, filed["colleague"].decision_due_on) == (
        datetime.date(2026, 7, 14),
        datetime.date(2026, 7, 16),
    )
    lawyer, colleague = f"appeal:{filed['lawyer'].pk}", f"appeal:{filed['colleague'].pk}"
    expected = {
        datetime.date(2026, 7, 12): [(lawyer, "executor2")],
        datetime.date(2026, 7, 14): [(colleague, "executor"), (colleague, "executor2"), (lawyer, "executor2")],
        datetime.date(2026, 7, 16): [(colleague, "executor"), (colleague, "executor2")],
    }
    appeal_logs = sorted(
        (log.day, log.object_key, log.recipient.username)
        for log in Notice.objects.filter(kind="appeal_due").select_related("recipient")
    )
    assert appeal_logs == sorted((day, key, user) for day, sent in expected.items() for key, user in sent)
    for day, kinds in seen.items():
        assert sorted(user for kind, user in kinds if kind == "appeal_due") == sorted(
            user for _key, user in expected.get(day, [])
        ), day
    # And the reminder, in the handler's language, links to the appeal and says when it is due
    notices = Notification.objects.filter(
        user=second, kind="appeal_due", url=reverse("appeals:detail", args=[filed["lawyer"].pk])
    ).order_by("pk")
    assert [n.title for n in notices] == ["有一项申诉须于2026年7月14日前作出决定", "有一项申诉须于今日作出决定"]
    assert f"{filed['lawyer'].pk}" in notices[0].body


@pytest.mark.django_db(transaction=True)
def test_scheduling_an_interview_sends_the_person_an_ics_invitation_once_per_slot(firm, published_q2):
    # Given the results are published and it is 6 July
    scorecard = Scorecard.objects.get(staff=firm.lawyer.profile)
    with time_machine.travel(datetime.datetime(2026, 7, 6, 9, tzinfo=SHANGHAI), tick=False):
        slot = datetime.datetime(2026, 7, 8, 15, 30, tzinfo=SHANGHAI)
        # When the superior schedules the interview, and saves the same slot again
        interview_schedule(scorecard=scorecard, by=firm.superior, scheduled_at=slot, place="3号会议室")
        interview_schedule(scorecard=scorecard, by=firm.superior, scheduled_at=slot, place="3号会议室")
        # And then moves it by an hour
        interview_schedule(
            scorecard=scorecard, by=firm.superior, scheduled_at=slot + datetime.timedelta(hours=1), place="3号会议室"
        )

    # Then the lawyer got two invitations (the first slot and the moved one), each with a calendar entry
    invitations = [m for m in mail.outbox if m.to == [firm.lawyer.email]]
    assert len(invitations) == 2
    filename, content, mimetype = invitations[0].attachments[0]
    assert filename == "interview.ics" and mimetype.startswith("text/calendar")
    assert "METHOD:REQUEST\r\n" in content
    assert "DTSTART:20260708T073000Z\r\n" in content  # 15:30 in Shanghai is 07:30 UTC
    assert "DTEND:20260708T083000Z\r\n" in content
    uid = next(line for line in content.split("\r\n") if line.startswith("UID:"))
    moved = invitations[1].attachments[0][1]
    assert uid in moved and "SEQUENCE:1\r\n" in moved and "DTSTART:20260708T083000Z" in moved
    assert Notification.objects.filter(user=firm.lawyer, kind="interview_invitation").count() == 2


@pytest.mark.django_db
def test_an_escalated_appeal_reminds_the_leadership_group_and_a_departed_handler_is_replaced(firm, published_q2):
    from appeals.reminders import appeal_reminders

    # Given two appeals filed on 4 July (decisions due on the 14th)
    with at(datetime.date(2026, 7, 4), 10):
        escalated = appeal_on(published_q2, firm.lawyer)
        orphaned = appeal_on(published_q2, firm.colleague)
        appeals.appeal_assign(appeal=escalated, handler=firm.executor, by=firm.executor)
        appeals.appeal_escalate(appeal=escalated, by=firm.executor, reason="涉及合伙人分配，提请领导小组决定。")
        second = make_person("executor2", "郑红", Position.ADMINISTRATIVE, Department.objects.get(code="adm"))
        second.groups.add(Group.objects.get(name=EXECUTION_GROUP))
        appeals.appeal_assign(appeal=orphaned, handler=second, by=firm.executor)
    # And the second appeal's handler has since left the firm
    second.is_active = False
    second.save()
    # Then on the day the escalated one goes to the leadership group, the other to the active execution group
    recipients = {}
    for reminder in appeal_reminders(datetime.date(2026, 7, 14)):
        recipients.setdefault(reminder.object_key, set()).add(reminder.user)
    assert recipients[f"appeal:{escalated.pk}"] == {firm.partner}
    assert recipients[f"appeal:{orphaned.pk}"] == {firm.executor}
