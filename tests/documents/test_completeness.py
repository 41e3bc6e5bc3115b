"""The data completeness board: what each department delivered for the quarter."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import translation

from clients.models import ChangeRecord, Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey
from documents.completeness import completeness_board
from indicators.models import Indicator, RaterType, RatingAssignment, RatingRound
from reviews.models import QuarterState
from tests.reviews.quarter_builders import aware, make_quarter


@pytest.fixture(autouse=True)
def in_english(client):
    # These tests read the English source texts; Simplified Chinese is the site's default language.
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def _data(firm):
    """Q3 2026: two contracts and a revenue entry of the litigation group, a corporate complaint still open, a
    handled one, one survey for the lawyer; plus a Q2 contract that must not count."""
    lawyer, outsider = firm.lawyer.profile, firm.outsider.profile
    client = Client.objects.create(code="C1", name="甲公司", kind="organisation", created_on=datetime.date(2026, 7, 2))
    old = Client.objects.create(code="C0", name="乙公司", kind="organisation", created_on=datetime.date(2026, 1, 2))
    first = Contract.objects.create(
        number="K1",
        client=client,
        signed_on=datetime.date(2026, 7, 3),
        originating_lawyer=lawyer,
        responsible_lawyer=lawyer,
        matter="m",
        fee=100,
    )
    Contract.objects.create(
        number="K2",
        client=client,
        signed_on=datetime.date(2026, 9, 30),
        originating_lawyer=lawyer,
        responsible_lawyer=lawyer,
        matter="m",
        fee=100,
    )
    Contract.objects.create(
        number="K0",
        client=old,
        signed_on=datetime.date(2026, 6, 30),
        originating_lawyer=outsider,
        responsible_lawyer=outsider,
        matter="m",
        fee=100,
    )
    RevenueEntry.objects.create(
        ref="R1", contract=first, received_on=datetime.date(2026, 8, 1), amount=Decimal("5000"), credited_to=lawyer
    )
    Complaint.objects.create(ref="P1", client=client, about=outsider, received_at=aware(2026, 8, 1))
    Complaint.objects.create(
        ref="P2", client=client, about=lawyer, received_at=aware(2026, 8, 2), handled_at=aware(2026, 8, 3)
    )
    SatisfactionSurvey.objects.create(
        ref="S1",
        client=client,
        staff=lawyer,
        surveyed_on=datetime.date(2026, 9, 1),
        channel="phone",
        service_quality=5,
        communication=4,
        outcome=4,
    )
    return first


def test_the_board_counts_the_quarters_records_per_department(firm):
    # Given the quarter's data
    quarter = make_quarter(state=QuarterState.COLLECTING)
    contract = _data(firm)
    ChangeRecord.objects.create(
        content_type=ContentType.objects.get_for_model(Contract),
        object_id=str(contract.pk),
        object_repr="K1",
        action="create",
        by=firm.business_clerk,
    )
    # When the board is built
    board = completeness_board(quarter=quarter)
    rows = {row.department.code: row for row in board.rows}
    # Then each department's counts are the quarter's only
    assert rows["lit"].counts == {"contracts": 2, "revenue": 1, "complaints": 1, "surveys": 1}
    assert rows["corp"].counts == {"complaints": 1}
    assert rows["corp"].open_complaints == 1 and rows["lit"].open_complaints == 0
    deliveries = {d.kind: d for d in board.deliveries}
    assert deliveries["contracts"].count == 2 and deliveries["clients"].count == 1
    assert [d.code for d in deliveries["contracts"].departments] == ["biz"]
    assert deliveries["contracts"].last_change is not None and deliveries["revenue"].last_change is None
    # The department whose people the changed record is attributed to, not the clerk's own department
    assert rows["lit"].last_change is not None
    assert rows["biz"].last_change is None and rows["corp"].last_change is None
    # Nine assessed people, the lawyer alone surveyed
    assert len(board.without_surveys) == 8
    assert firm.lawyer.profile not in board.without_surveys
    assert board.open_complaints == 1
    assert "1 complaint of the quarter is still open." in board.notes
    assert "No rating round has been opened for this quarter." in board.notes


def test_rating_progress_counts_given_and_missing_ratings(firm):
    quarter = make_quarter(state=QuarterState.COLLECTING)
    rating_round = RatingRound.objects.create(quarter=quarter, opened_by=firm.executor)
    communication = Indicator.objects.get(code="communication")
    for rater, ratee, score in [
        (firm.superior, firm.lawyer, 4),
        (firm.colleague, firm.lawyer, None),
        (firm.lawyer, firm.outsider, None),
    ]:
        RatingAssignment.objects.create(
            round=rating_round,
            rater=rater.profile,
            ratee=ratee.profile,
            rater_type=RaterType.PEER,
            indicator=communication,
            score=score,
        )
    board = completeness_board(quarter=quarter)
    rows = {row.department.code: row for row in board.rows}
    assert (rows["lit"].ratings_done, rows["lit"].ratings_total) == (1, 2)
    assert (rows["corp"].ratings_done, rows["corp"].ratings_total) == (0, 1)
    assert (board.ratings_done, board.ratings_total) == (1, 3)
    assert "2 ratings are not given yet." in board.notes


def test_the_completeness_page_shows_the_counts_to_organisers_only(firm, client_for):
    quarter = make_quarter(state=QuarterState.COLLECTING)
    _data(firm)
    page = client_for(firm.executor).get(reverse("portal:completeness", args=[quarter.code]))
    text = page.content.decode()
    assert "1 complaint of the quarter is still open." in text
    assert "8 assessed people have no satisfaction survey." in text
    assert client_for(firm.lawyer).get(reverse("portal:completeness", args=[quarter.code])).status_code == 403
    assert client_for(firm.admin_clerk).get(reverse("portal:completeness", args=[quarter.code])).status_code == 403
