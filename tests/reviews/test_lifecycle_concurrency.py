"""Two members of a group taking the same step of a quarter at the same moment: one wins, the other is told.

Real threads need real transactions and row locks: this runs on PostgreSQL only (SQLite serialises writers
differently; the stale-page check itself is tested on every database in test_lifecycle.py).
"""

import threading

import pytest
from django.db import connection
from django.dispatch import Signal
from django.utils import translation

from portal import quarter_services
from results.models import Scorecard
from reviews.lifecycle import TransitionRefused
from reviews.models import Quarter, QuarterEvent, QuarterState
from tests.appeals.conftest import second_executor
from tests.reviews.quarter_builders import make_card, make_quarter, second_partner

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def race(calls):
    """Run each (name, call) in its own thread, released together; {name: "won" or the refusal's message}."""
    barrier = threading.Barrier(len(calls))
    outcomes = {}

    def run(name, call):
        translation.activate("en")  # the language is per thread
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[name] = "won"
        except TransitionRefused as refused:
            outcomes[name] = str(refused)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(name, call)) for name, call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def one_won(outcomes):
    assert sorted(v == "won" for v in outcomes.values()) == [False, True], outcomes
    return next(v for v in outcomes.values() if v != "won")


def test_two_partners_approving_the_results_at_once_approve_them_once(firm):
    # Given 2026Q3's results submitted by the execution group, and two partners on the approval page
    quarter = make_quarter(state=QuarterState.SUBMITTED, submitted_by=firm.executor, report_summary="Summary.")
    make_card(quarter, firm.lawyer, 85)
    partner2 = second_partner()

    def approve(user):
        return lambda: quarter_services.quarter_approve(
            quarter=Quarter.objects.get(pk=quarter.pk), by=user, expected_state=QuarterState.SUBMITTED
        )

    # When both send "approve" at the same moment
    race_result = race([("partner", approve(firm.partner)), ("partner2", approve(partner2))])
    loser = one_won(race_result)
    # Then one approved, the other was told the page was out of date, and there is one approval
    assert "already “Approved”" in loser and "Nothing was changed" in loser
    assert QuarterEvent.objects.filter(quarter=quarter, action="approve").count() == 1
    quarter.refresh_from_db()
    assert quarter.state == QuarterState.APPROVED
    winner = next(name for name, outcome in race_result.items() if outcome == "won")
    assert quarter.approved_by.username == winner


def test_two_executors_publishing_at_once_publish_once(firm, monkeypatch):
    # Given approved results, and the publication's notices switched off (they are tested elsewhere)
    monkeypatch.setattr(quarter_services, "quarter_published", Signal())
    quarter = make_quarter(state=QuarterState.APPROVED)
    make_card(quarter, firm.lawyer, 85)
    make_card(quarter, firm.colleague, 75)
    other = second_executor()

    def publish(user):
        return lambda: quarter_services.quarter_publish(
            quarter=Quarter.objects.get(pk=quarter.pk), by=user, expected_state=QuarterState.APPROVED
        )

    # When two members of the execution group publish at the same moment
    loser = one_won(race([("executor", publish(firm.executor)), ("executor2", publish(other))]))
    # Then one published, the other was told, and there is one publication
    assert "already “Published”" in loser and "Nothing was changed" in loser
    assert QuarterEvent.objects.filter(quarter=quarter, action="publish").count() == 1
    assert set(Scorecard.objects.filter(quarter=quarter).values_list("status", flat=True)) == {"published"}
    assert Scorecard.objects.filter(quarter=quarter).count() == 2
