"""Deadlines of the regulation (三.1, 三.5) and the days left, in the firm's time zone."""

import datetime

import pytest

from reviews.deadlines import (
    appeal_window_ends_on,
    days_phrase,
    interview_due_on,
    quarter_deadlines,
    results_due_on,
)
from reviews.models import Quarter, QuarterState
from tests.reviews.quarter_builders import aware

date = datetime.date


@pytest.mark.parametrize(
    ("number", "due"),
    [
        (1, date(2026, 4, 10)),
        (2, date(2026, 7, 10)),
        (3, date(2026, 10, 10)),
        # Year end: the fourth quarter's results are due in January of the next year.
        (4, date(2027, 1, 10)),
    ],
)
def test_results_are_due_on_the_tenth_of_the_month_after_each_quarter(number, due):
    assert results_due_on(Quarter(year=2026, number=number)) == due


def test_interviews_are_due_seven_days_after_publication_in_shanghai_time(settings):
    # Published at 23:30 on 8 October in Shanghai, which is still 8 October (15:30 UTC).
    quarter = Quarter(year=2026, number=3, published_at=aware(2026, 10, 8, 23, 30))
    assert interview_due_on(quarter) == date(2026, 10, 15)
    assert appeal_window_ends_on(quarter) == date(2026, 10, 15)
    quarter.appeal_window_days = 14
    assert appeal_window_ends_on(quarter) == date(2026, 10, 22)


def test_nothing_is_due_for_interviews_before_publication():
    quarter = Quarter(year=2026, number=3)
    assert interview_due_on(quarter) is None
    assert appeal_window_ends_on(quarter) is None
    assert [d.key for d in quarter_deadlines(quarter, today=date(2026, 10, 1))] == ["results"]


@pytest.mark.parametrize(
    ("today", "phrase"),
    [
        (date(2026, 10, 7), "3 days left"),
        (date(2026, 10, 9), "1 day left"),
        (date(2026, 10, 10), "due today"),
        (date(2026, 10, 12), "2 days overdue"),
    ],
)
def test_days_left_are_counted_from_the_given_today(today, phrase):
    assert days_phrase(date(2026, 10, 10), today) == phrase


def test_a_late_unpublished_quarter_is_overdue_and_a_published_one_is_done():
    quarter = Quarter(year=2026, number=3, state=QuarterState.SCORED)
    [results] = quarter_deadlines(quarter, today=date(2026, 10, 12))
    assert results.overdue and results.status == "2 days overdue"
    quarter.state = QuarterState.PUBLISHED
    quarter.published_at = aware(2026, 10, 9)
    results, interviews, appeals = quarter_deadlines(quarter, today=date(2026, 10, 12), pending_interviews=3)
    assert results.done and not results.overdue
    assert (interviews.due_on, interviews.status) == (date(2026, 10, 16), "4 days left")
    assert appeals.status == "open · 4 days left"
    *_rest, appeals_later = quarter_deadlines(quarter, today=date(2026, 10, 20), pending_interviews=0)
    assert appeals_later.status == "closed" and not appeals_later.overdue
