"""Two handlers deciding the same appeal at the same moment: one wins, the other is told, nothing twice.

Real threads need real transactions and row locks: this runs on PostgreSQL only (SQLite serialises writers
differently; the stale-state check is tested on every database in test_handling.py).
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from appeals import services
from appeals.lifecycle import AppealRefused
from appeals.models import Appeal, AppealEvent
from results.models import CorrectionStatus, Scorecard
from tests.appeals.conftest import file_appeal, satisfaction, second_executor, under_review

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def test_two_handlers_deciding_at_once_one_wins(published):
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
    # And the result matches the single decision: a rejection corrects nothing; the uphold's +10 moves the colleague
    # too, so its correction waits for a partner (regulation 二.1) and no version is made yet
    assert not Scorecard.objects.filter(quarter=published.quarter, version__gt=1).exists()
    if appeal.outcome == "upheld":
        assert appeal.correction.status == CorrectionStatus.AWAITING_APPROVAL
    else:
        assert appeal.correction_id is None


def test_two_filings_by_the_same_person_at_once_make_one_appeal(published):
    # Given the lawyer's published result, and the appeal form open in two tabs
    firm = published.firm
    barrier = threading.Barrier(2)
    outcomes = {}

    def file(name):
        translation.activate("en")  # the language is per thread
        try:
            barrier.wait(timeout=10)
            file_appeal(published)
            outcomes[name] = "won"
        except ValidationError as refused:
            outcomes[name] = " ".join(refused.messages)
        finally:
            connection.close()

    # When both tabs send the appeal at the same moment
    threads = [threading.Thread(target=file, args=(name,)) for name in ("tab 1", "tab 2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # Then one appeal is filed, the other tab is told it already has one, and the database holds one appeal
    assert sorted(v == "won" for v in outcomes.values()) == [False, True], outcomes
    loser = next(v for v in outcomes.values() if v != "won")
    assert loser == "You already have an open appeal on this result; follow it or withdraw it first."
    assert Appeal.objects.filter(staff=firm.lawyer.profile).count() == 1
    assert AppealEvent.objects.filter(action="file").count() == 1
