"""Issue 5 §3: with the clock moved day by day, exactly the expected reminders go out, and none twice."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from indicators.models import Indicator, RaterType, RatingAssignment, RatingRound
from notifications import tasks
from notifications.models import Notification, ReminderLog
from reviews.interviews import interview_schedule
from reviews.models import QuarterState, Scorecard
from tests.reviews.scorecard_builders import LAWYER_LINES, make_quarter, make_scorecard

SHANGHAI = ZoneInfo("Asia/Shanghai")
BEAT_TASKS = (
    tasks.reminders_interviews,
    tasks.reminders_data_collection,
    tasks.reminders_results,
    tasks.reminders_ratings,
    tasks.reminders_appeals,
)


def beat_fires_twice(day):
    """Every beat task at 08:00 and again at 14:00 Shanghai time on `day` (what the schedule does)."""
    for hour in (8, 14):
        with time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI), tick=False):
            for task in BEAT_TASKS:
                task.delay()


def sent_on(day):
    return sorted(
        (log.kind, log.recipient.username) for log in ReminderLog.objects.filter(sent_at__date=day)
        .select_related("recipient")
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
    """Move the clock day by day; what each day sent (ReminderLog rows, e-mails) by day."""
    seen = {}
    for day in days(first, last):
        logs_before, mails_before = ReminderLog.objects.count(), len(mail.outbox)
        with time_machine.travel(datetime.datetime.combine(day, datetime.time(8), tzinfo=SHANGHAI), tick=False):
            beat_fires_twice(day)
        new_logs = ReminderLog.objects.order_by("pk")[logs_before:]
        kinds = sorted((log.kind, log.recipient.username) for log in new_logs.select_related("recipient"))
        # One e-mail per reminder, never two
        assert len(mail.outbox) - mails_before == len(kinds), day
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
    assert "陈静" in overdue.body and "2026-07-10" in overdue.body


@pytest.mark.django_db
def test_a_recorded_interview_drops_out_of_the_reminders(firm, published_q2):
    # Given every interview of the senior's team is recorded; only the outsider (the partner's report) is not
    for name in ("lawyer", "colleague", "assistant"):
        interview = published_q2.interviews.create(
            staff=getattr(firm, name).profile, superior=firm.superior.profile, place="会议室",
            scheduled_at=datetime.datetime(2026, 7, 6, 9, tzinfo=SHANGHAI), scheduled_by=firm.superior,
            held_at=datetime.datetime(2026, 7, 6, 9, tzinfo=SHANGHAI),
            recorded_at=datetime.datetime(2026, 7, 6, 10, tzinfo=SHANGHAI), recorded_by=firm.superior,
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
    for day in (datetime.date(2026, 9, 30), *days(datetime.date(2026, 10, 2), datetime.date(2026, 10, 4)),
                datetime.date(2026, 10, 6), datetime.date(2026, 10, 8)):
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
    rating_round = RatingRound.objects.create(quarter=quarter, opened_by=firm.executor,
                                              closes_on=datetime.date(2026, 10, 15))
    communication = Indicator.objects.get(code="communication")
    RatingAssignment.objects.create(round=rating_round, rater=firm.lawyer.profile, ratee=firm.colleague.profile,
                                    rater_type=RaterType.PEER, indicator=communication)
    # and the colleague has already rated the lawyer
    RatingAssignment.objects.create(round=rating_round, rater=firm.colleague.profile, ratee=firm.lawyer.profile,
                                    rater_type=RaterType.PEER, indicator=communication, score=4,
                                    rated_at=timezone.now())

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
    from notifications.reminders import appeal_reminders

    assert appeal_reminders(datetime.date(2026, 7, 8)) == []


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
        interview_schedule(scorecard=scorecard, by=firm.superior, scheduled_at=slot + datetime.timedelta(hours=1),
                           place="3号会议室")

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
