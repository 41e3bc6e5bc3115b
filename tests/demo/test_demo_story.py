"""The demo firm agrees with the calendar on any day it is loaded (demo/quarters.py): a punctual firm's state for the
reference date, every step stamped with its day of the story, nothing overdue on the home pages."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import models
from django.utils import translation

from appeals.models import Appeal, Outcome
from indicators.models import Scheme
from interviews.models import Interview
from results.models import Scorecard
from reviews.deadlines import appeal_window_ends_on, local_date
from reviews.models import Quarter, QuarterState

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def seed_on(day, hour=16):
    """Load the demo as a firm would on `day` (the command's default reference date is today)."""
    moment = datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False), translation.override("en"):
        call_command("seed_demo", stdout=StringIO())
    return moment


def states():
    return {q.code: q.state for q in Quarter.objects.order_by("year", "number")}


def every_timestamp():
    """(model, field, value) for every date-time the seed wrote, in every table."""
    for model in apps.get_models():
        for field in model._meta.fields:
            if isinstance(field, models.DateTimeField):
                for value in model.objects.exclude(**{field.name: None}).values_list(field.name, flat=True):
                    yield model._meta.label, field.name, value


def test_after_the_collection_window_the_quarter_just_ended_was_published_on_time_and_closed():
    loaded_at = seed_on(datetime.date(2026, 11, 30))

    assert states() == {
        "2025Q4": QuarterState.CLOSED,
        "2026Q1": QuarterState.CLOSED,
        "2026Q2": QuarterState.CLOSED,
        "2026Q3": QuarterState.CLOSED,
        "2026Q4": QuarterState.SCHEME_APPROVED,
        "2027Q1": QuarterState.SCHEME_DRAFT,
    }
    latest = Quarter.objects.get(year=2026, number=3)
    # Regulation 三.1: published by 10 October; 三.5: every interview within the week after.
    assert local_date(latest.published_at) <= latest.results_due_on == datetime.date(2026, 10, 10)
    published = Scorecard.objects.filter(quarter=latest, status=Scorecard.Status.PUBLISHED, is_current=True)
    interviews = Interview.objects.filter(quarter=latest, recorded_at__isnull=False)
    assert published.exists() and interviews.count() == published.exclude(staff__superior=None).count()
    week_after = local_date(latest.published_at) + datetime.timedelta(days=7)
    assert all(local_date(interview.held_at) <= week_after for interview in interviews)
    # The demo lawyer's upheld appeal is on the latest closed quarter, as README.md tells.
    assert Appeal.objects.get(appellant__username="lawyer").quarter == latest
    assert Appeal.objects.get(outcome=Outcome.REJECTED).quarter.code == "2026Q2"
    # The current quarter's scheme was approved in its first days, on a day of the story.
    current = Quarter.objects.get(year=2026, number=4)
    approved = Scheme.objects.get(quarter=current, status=Scheme.Status.APPROVED)
    assert local_date(approved.approved_at) < datetime.date(2026, 10, 10)
    # Nothing is stamped after the moment the demo was loaded.
    assert [row for row in every_timestamp() if row[2] > loaded_at] == []


def test_every_step_of_the_history_carries_its_own_day_not_the_day_the_demo_was_loaded():
    loaded_at = seed_on(datetime.date(2026, 11, 30))

    today = loaded_at.date()
    stamped_today = {(label, name) for label, name, at in every_timestamp() if at.astimezone(SHANGHAI).date() == today}
    # Only next quarter's draft scheme, which the execution group is preparing now, the clerks' entries of the
    # last days' records and the execution group's jobs of today (demo/jobs.py) are of today.
    jobs = {("jobs.Job", name) for name in ("created_at", "started_at", "finished_at", "heartbeat_at")}
    assert stamped_today == {("indicators.Scheme", "created_at"), ("clients.ChangeRecord", "at"), *jobs}
    for quarter in Quarter.objects.filter(state=QuarterState.CLOSED):
        assert local_date(quarter.submitted_at) < local_date(quarter.approved_at) <= local_date(quarter.published_at)
        assert local_date(quarter.closed_at) == quarter.ends_on + datetime.timedelta(days=20)
        cards = Scorecard.objects.filter(quarter=quarter, version=1)
        assert {local_date(card.computed_at) for card in cards} == {quarter.ends_on + datetime.timedelta(days=4)}
    joined = set(User.objects.filter(profile__isnull=False).values_list("date_joined__date", flat=True))
    assert joined == {datetime.date(2025, 10, 1)}


def test_between_publication_and_closing_the_appeal_window_is_open():
    loaded_at = seed_on(datetime.date(2026, 10, 13))

    assert states()["2026Q3"] == QuarterState.PUBLISHED
    assert states()["2026Q2"] == QuarterState.CLOSED
    latest = Quarter.objects.get(year=2026, number=3)
    assert appeal_window_ends_on(latest) >= loaded_at.date()
    # The demo lawyer's upheld appeal stays on the latest closed quarter.
    assert Appeal.objects.get(appellant__username="lawyer").quarter.code == "2026Q2"
    assert [row for row in every_timestamp() if row[2] > loaded_at] == []


@pytest.mark.parametrize("day", [datetime.date(2026, 10, 6), datetime.date(2026, 11, 30)])
def test_no_home_page_of_a_demo_login_reports_anything_overdue(client, day):
    loaded_at = seed_on(day)

    with time_machine.travel(loaded_at, tick=False):
        for username in ("partner", "executor", "bizclerk", "finclerk", "admclerk", "senior", "lawyer", "assistant"):
            client.force_login(User.objects.get(username=username))
            page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
            assert "overdue" not in page.lower(), username
            page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
            assert "逾期" not in page, username


def test_the_goals_agreed_in_past_interviews_are_about_what_the_persons_position_is_assessed_on():
    seed_on(datetime.date(2026, 11, 30))

    for interview in Interview.objects.select_related("staff"):
        mentions_new_clients = "新增客户" in interview.goals or "新客户" in interview.weaknesses
        assert mentions_new_clients == (interview.staff.position == "lawyer"), interview.staff.position


def test_the_goals_of_past_interviews_show_what_the_next_quarter_reached():
    from goals.models import Goal
    from goals.selectors import Status, progress_of

    seed_on(datetime.date(2026, 11, 30))
    rows = progress_of(Goal.objects.select_related("indicator", "quarter", "staff"))

    # Measured on the next published scorecard: some met, some not; goals in words marked by the superior
    measured = {row.status for row in rows if row.goal.is_numeric and row.for_code == "2026Q3"}
    assert {Status.MET, Status.NOT_MET} <= measured
    assert any(row.status == Status.MET and not row.goal.is_numeric for row in rows)
    # The latest interviews' goals wait for 2026Q4; nobody has a goal their position is not assessed on
    assert {row.status for row in rows if row.goal.quarter.code == "2026Q3"} == {Status.PENDING}
    assert not any(
        row.goal.staff.position != "lawyer" and row.goal.indicator_id and row.goal.indicator.code == "new_clients"
        for row in rows
    )
