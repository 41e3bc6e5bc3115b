"""Two handlers deciding the same appeal at the same moment: one wins, the other is told, nothing twice.

Real threads need real transactions and row locks: this runs on PostgreSQL only (SQLite serialises writers
differently; the stale-state check is tested on every database in test_handling.py).
"""

import threading

import pytest
from django.db import connection
from django.utils import translation

from appeals import services
from appeals.lifecycle import AppealRefused
from appeals.models import Appeal, AppealEvent
from results.models import Scorecard
from tests.appeals.conftest import satisfaction, second_executor, under_review

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def test_two_handlers_deciding_at_once_one_wins(published, monkeypatch):
    monkeypatch.setattr(services, "feedback_regenerate", lambda **kwargs: None)
    firm = published.firm
    other = second_executor()
    appeal = under_review(published)
    barrier = threading.Barrier(2)
    outcomes = {}

    def decide(name, call):
        translation.activate("en")  # the language is per thread
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[name] = "won"
        except AppealRefused as refused:
            outcomes[name] = str(refused)
        finally:
            connection.close()

    # When one handler rejects while the other upholds with an adjustment, from the same page state
    threads = [
        threading.Thread(
            target=decide,
            args=(
                "reject",
                lambda: services.appeal_reject(
                    appeal=Appeal.objects.get(pk=appeal.pk),
                    by=firm.executor,
                    reason="录入无误",
                    expected_status="under_review",
                ),
            ),
        ),
        threading.Thread(
            target=decide,
            args=(
                "uphold",
                lambda: services.appeal_uphold(
                    appeal=Appeal.objects.get(pk=appeal.pk),
                    by=other,
                    justification="应予加分",
                    adjustments=[(satisfaction(), 10)],
                    expected_status="under_review",
                ),
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # Then exactly one decided, the other was told the appeal had moved on
    assert sorted(v == "won" for v in outcomes.values()) == [False, True], outcomes
    loser = next(v for v in outcomes.values() if v != "won")
    assert "already" in loser and "Nothing was changed" in loser
    appeal.refresh_from_db()
    assert AppealEvent.objects.filter(appeal=appeal, action__in=["reject", "uphold"]).count() == 1
    # And the result matches the single decision
    corrected = Scorecard.objects.filter(quarter=published.quarter, version__gt=1).count()
    assert corrected == (2 if appeal.outcome == "upheld" else 0)
