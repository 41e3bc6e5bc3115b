"""The definitions of regulation 三.2 (docs/indicators.md): which records count for whom.

Each table's rows are written to the database and read back by the production selectors
(indicators.selectors.quarter_rows) before the definitions (indicators.scoring) run on them: the code production
runs, on SQLite and on PostgreSQL. Record ids are kept as given, so the tables read as plain rows.
"""

import datetime
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import User

from clients.models import Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey
from indicators import scoring, selectors
from indicators.models import Indicator, RatingAssignment, RatingRound
from indicators.scoring import ClientRow, ComplaintRow, ContractRow, RatingGroup, RevenueRow, SurveyRow
from reviews.models import Department, DepartmentKind, Quarter, StaffProfile

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))  # Asia/Shanghai, the firm's zone
START = datetime.datetime(2026, 7, 1, tzinfo=TZ)
END = datetime.datetime(2026, 10, 1, tzinfo=TZ)
PERIOD = scoring.Period(
    starts_on=datetime.date(2026, 7, 1),
    ends_on=datetime.date(2026, 9, 30),
    lookback_starts_on=datetime.date(2024, 7, 1),
    starts_at=START,
    ends_before=END,
    as_of=datetime.datetime(2026, 10, 5, tzinfo=TZ),
)
# Two people with fixed ids, far above anything a sequence hands out in a test run.
ME, OTHER = 900_001, 900_002
# Records the tables leave implicit (the client of a complaint, a survey, the raters) get ids from here.
FILLER = 800_000
day = datetime.date


def _person(pk, department):
    user = User.objects.create(username=f"p{pk}")
    return StaffProfile.objects.create(
        pk=pk, user=user, full_name=f"律师{pk}", position="lawyer", department=department
    )


def _client(pk, referred_by_id=None):
    return Client.objects.get_or_create(
        pk=pk,
        defaults={"code": f"C{pk}", "name": f"客户{pk}", "kind": "organisation", "referred_by_id": referred_by_id},
    )[0]


def _ratings(quarter, rows, department):
    """Rating groups as assignments: `count` raters whose scores (1–5) add up to `total`."""
    rating_round = RatingRound.objects.create(quarter=quarter, opened_by=User.objects.create(username="opener"))
    indicators = {i.code: i for i in Indicator.objects.all()}
    raters = iter(_person(FILLER + n, department) for n in range(1, 100))
    for group in rows:
        base, extra = divmod(group.total, group.count)
        scores = [base + (1 if n < extra else 0) for n in range(group.count)]
        RatingAssignment.objects.bulk_create(
            RatingAssignment(
                round=rating_round,
                rater=next(raters),
                ratee_id=group.ratee_id,
                rater_type=group.rater_type,
                indicator=indicators[group.indicator],
                score=score,
            )
            for score in scores
        )


def facts(*, contracts=(), clients=(), revenue=(), complaints=(), surveys=(), ratings=(), as_of=PERIOD.as_of):
    """Store the rows as department records, then index what the production selectors read back."""
    department = Department.objects.create(
        code="lit", name_zh="诉讼部", name_en="Litigation", kind=DepartmentKind.PRACTICE
    )
    for pk in (ME, OTHER):
        _person(pk, department)
    quarter = Quarter.objects.create(year=2026, number=3)
    for row in clients:
        if row.referred_by_id:
            _client(row.referred_by_id)
        _client(row.id, row.referred_by_id)
    for row in contracts:
        Contract.objects.create(
            pk=row.id,
            number=f"HT{row.id}",
            client=_client(row.client_id),
            originating_lawyer_id=row.originating_id,
            responsible_lawyer_id=row.responsible_id,
            signed_on=row.signed_on,
            closed_on=row.closed_on,
            matter="事务",
            fee=D("10000"),
        )
    for row in revenue:
        # Revenue is received on a contract of its client; a client without one in the table gets a contract
        # long closed, which changes nothing the definitions count.
        contract = Contract.objects.filter(client_id=row.client_id).order_by("signed_on").first()
        if contract is None:
            contract = Contract.objects.create(
                pk=FILLER + row.client_id,
                number=f"HT-OLD-{row.client_id}",
                client=_client(row.client_id),
                originating_lawyer_id=OTHER,
                responsible_lawyer_id=OTHER,
                signed_on=day(2020, 1, 1),
                closed_on=day(2020, 6, 30),
                matter="旧事务",
                fee=D("1"),
            )
        RevenueEntry.objects.create(
            pk=row.id,
            ref=f"R{row.id}",
            contract=contract,
            received_on=row.received_on,
            amount=row.amount,
            credited_to_id=row.credited_to_id,
        )
    filler = _client(FILLER)
    for row in complaints:
        Complaint.objects.create(
            pk=row.id,
            ref=f"TS{row.id}",
            client=filler,
            about_id=row.about_id,
            handler_id=row.handler_id,
            received_at=row.received_at,
            handled_at=row.handled_at,
        )
    for row in surveys:
        SatisfactionSurvey.objects.create(
            pk=row.id,
            ref=f"S{row.id}",
            client=filler,
            staff_id=row.staff_id,
            surveyed_on=row.surveyed_on,
            channel="phone",
            service_quality=row.service_quality,
            communication=row.communication,
            outcome=row.outcome,
        )
    if ratings:
        _ratings(quarter, ratings, department)
    parameters = {"lookback_quarters": 8, "complaint_deadline_hours": 48}
    period = selectors.quarter_period(quarter, parameters, as_of)
    assert (period.starts_at, period.ends_before, period.lookback_starts_on) == (START, END, PERIOD.lookback_starts_on)
    return scoring.index_rows(selectors.quarter_rows(quarter, period))


def test_a_new_client_is_credited_to_the_originating_lawyer_of_its_first_contract():
    # Given client 10 is new (first contract in the quarter, originated by ME, handled by OTHER) and
    # client 11 signs a second contract in the quarter but is not new
    rows = dict(
        contracts=[
            ContractRow(100, 10, ME, OTHER, day(2026, 8, 1)),
            ContractRow(101, 10, OTHER, OTHER, day(2026, 9, 1)),  # a later contract of the same new client
            ContractRow(102, 11, ME, ME, day(2026, 7, 15)),
            ContractRow(103, 11, ME, ME, day(2025, 1, 15)),
        ],
    )
    # Then ME has one new client, credited through contract 100; OTHER has none
    f = facts(**rows)
    mine = scoring.new_clients(f, ME)
    assert mine.value == D(1) and mine.details == {"clients": [10], "contracts": [100]}
    assert scoring.new_clients(f, OTHER).value == D(0)


def test_two_first_contracts_on_the_same_day_credit_the_lower_contract_id():
    f = facts(
        contracts=[ContractRow(201, 10, OTHER, OTHER, day(2026, 8, 1)), ContractRow(200, 10, ME, ME, day(2026, 8, 1))]
    )
    assert (scoring.new_clients(f, ME).value, scoring.new_clients(f, OTHER).value) == (D(1), D(0))


@pytest.mark.parametrize(
    "revenue, expected",
    [
        # 300 of 1,000 credited to ME came from ME's new client 10: 30 %.
        ([(1, ME, 10, "300"), (2, ME, 11, "700")], D("30")),
        # Revenue from a new client credited to someone else does not count for ME.
        ([(1, OTHER, 10, "300"), (2, ME, 11, "700")], D("0")),
        # Revenue from client 12, new but credited to OTHER, is not from ME's new clients.
        ([(1, ME, 12, "500"), (2, ME, 11, "500")], D("0")),
        # No revenue credited to ME at all: no value (the no-data policy decides).
        ([(1, OTHER, 10, "300")], None),
        # Revenue received outside the quarter does not count.
        ([(1, ME, 10, "300"), (2, ME, 11, "100", day(2026, 6, 30))], D("100")),
    ],
)
def test_new_client_revenue_share(revenue, expected):
    contracts = [ContractRow(100, 10, ME, ME, day(2026, 8, 1)), ContractRow(101, 12, OTHER, ME, day(2026, 8, 2))]
    rows = [RevenueRow(r[0], r[1], r[2], D(r[3]), r[4] if len(r) > 4 else day(2026, 8, 20)) for r in revenue]
    f = facts(contracts=contracts, revenue=rows)
    assert scoring.new_client_revenue_share(f, ME).value == expected


EXISTING = [
    ContractRow(1, 20, ME, OTHER, day(2025, 3, 1)),  # existing (originating)
    ContractRow(2, 21, OTHER, ME, day(2024, 7, 1)),  # existing (responsible), first day of the look-back window
    ContractRow(3, 22, ME, ME, day(2024, 6, 30)),  # before the look-back window: not existing
    ContractRow(4, 23, OTHER, OTHER, day(2025, 5, 1)),  # someone else's client
    ContractRow(5, 24, ME, ME, day(2026, 7, 2)),  # signed in the quarter only: not an existing client
]


@pytest.mark.parametrize(
    "quarter_contracts, expected",
    [
        ([], D("0")),  # nobody came back: 0 of 2
        ([ContractRow(10, 20, OTHER, OTHER, day(2026, 8, 1))], D("50")),  # client 20 came back (to anyone in the firm)
        (
            [ContractRow(10, 20, ME, ME, day(2026, 8, 1)), ContractRow(11, 20, ME, ME, day(2026, 9, 1))],
            D("50"),
        ),  # two new contracts of the same client count once
        (
            [ContractRow(10, 20, ME, ME, day(2026, 8, 1)), ContractRow(11, 21, ME, ME, day(2026, 9, 30))],
            D("100"),
        ),  # the last day of the quarter counts
        ([ContractRow(10, 22, ME, ME, day(2026, 8, 1))], D("0")),  # client 22 is outside the look-back window
        ([ContractRow(10, 20, ME, ME, day(2026, 10, 1))], D("0")),  # after the quarter
    ],
)
def test_repeat_engagement_rate(quarter_contracts, expected):
    f = facts(contracts=EXISTING + quarter_contracts)
    result = scoring.repeat_engagement_rate(f, ME)
    assert result.value == expected
    assert result.denominator == D(2) and result.details["existing_clients"] == [20, 21]


def test_a_person_without_existing_clients_has_no_repeat_or_referral_rate():
    f = facts(contracts=[ContractRow(5, 24, ME, ME, day(2026, 7, 2))])
    assert scoring.repeat_engagement_rate(f, ME).value is None
    assert scoring.referral_rate(f, ME).value is None


@pytest.mark.parametrize(
    "new_clients, expected",
    [
        ([ClientRow(30, 20)], D("50")),  # existing client 20 referred new client 30
        ([ClientRow(30, 20), ClientRow(31, 20)], D("50")),  # two referrals by the same client count once
        ([ClientRow(30, 20), ClientRow(31, 21)], D("100")),
        ([ClientRow(30, 23)], D("0")),  # the referrer is someone else's client
        ([ClientRow(30, None)], D("0")),  # nobody referred the new client
    ],
)
def test_referral_rate(new_clients, expected):
    contracts = EXISTING + [ContractRow(50 + n.id, n.id, OTHER, OTHER, day(2026, 8, 1)) for n in new_clients]
    assert scoring.referral_rate(facts(contracts=contracts, clients=new_clients), ME).value == expected


def test_a_client_with_a_contract_before_the_look_back_window_is_not_new():
    # Given client 10 signs in the quarter, but signed once in 2020 (closed long before the quarter)
    f = facts(
        contracts=[
            ContractRow(1, 10, OTHER, OTHER, day(2020, 3, 1), day(2020, 12, 31)),
            ContractRow(2, 10, ME, ME, day(2026, 8, 1)),
        ]
    )
    # Then the client is not new, for anyone
    assert scoring.new_clients(f, ME).value == D(0)


def at(month, d, hour=10):
    return datetime.datetime(2026, month, d, hour, tzinfo=TZ)


@pytest.mark.parametrize(
    "contracts, complaints, expected",
    [
        # 1 complaint, 4 clients served (active contracts): 25 %.
        (
            [ContractRow(i, 40 + i, ME, OTHER, day(2026, 5, 1)) for i in range(4)],
            [ComplaintRow(1, ME, None, at(8, 1))],
            D("25"),
        ),
        # A contract closed before the quarter began is not service in the quarter; one signed long ago and still
        # open is.
        (
            [
                ContractRow(1, 41, ME, ME, day(2026, 1, 1), day(2026, 6, 30)),
                ContractRow(2, 42, OTHER, ME, day(2020, 1, 1)),
            ],
            [ComplaintRow(1, ME, None, at(8, 1))],
            D("100"),
        ),
        # Two contracts for the same client: one client served.
        (
            [ContractRow(1, 41, ME, ME, day(2026, 1, 1)), ContractRow(2, 41, ME, ME, day(2026, 8, 1))],
            [ComplaintRow(1, ME, None, at(8, 1)), ComplaintRow(2, ME, None, at(8, 2))],
            D("200"),
        ),
        # Complaints received outside the quarter or about others do not count.
        (
            [ContractRow(1, 41, ME, ME, day(2026, 1, 1))],
            [ComplaintRow(1, ME, None, at(6, 30)), ComplaintRow(2, OTHER, None, at(8, 1))],
            D("0"),
        ),
        # Nobody served: no value.
        ([], [ComplaintRow(1, ME, None, at(8, 1))], None),
    ],
)
def test_complaint_rate(contracts, complaints, expected):
    assert scoring.complaint_rate(facts(contracts=contracts, complaints=complaints), ME).value == expected


@pytest.mark.parametrize(
    "complaint, outcome",
    [
        (ComplaintRow(1, OTHER, ME, at(8, 1), at(8, 2)), "in_time"),
        (ComplaintRow(1, OTHER, ME, at(8, 1), at(8, 3)), "in_time"),  # exactly 48 hours is in time
        (ComplaintRow(1, OTHER, ME, at(8, 1), at(8, 3, 11)), "late"),  # 49 hours
        (ComplaintRow(1, OTHER, ME, at(8, 1), None), "late"),  # still open long past its deadline
        (ComplaintRow(1, OTHER, ME, at(10, 4), None), "pending"),  # open, deadline after as_of (10-05 10:00)
    ],
)
def test_complaint_outcome_is_judged_at_the_deadline_and_as_of(complaint, outcome):
    assert scoring.complaint_outcome(complaint, PERIOD) == outcome


def test_complaint_timeliness_counts_late_and_leaves_out_pending():
    # Given, as handler: one in time, one late, one open past its deadline, one open and not yet due
    # (received on 30 September at 23:00, as_of 1 October 10:00), and one handled by someone else
    complaints = [
        ComplaintRow(1, OTHER, ME, at(8, 1), at(8, 2)),
        ComplaintRow(2, OTHER, ME, at(8, 1), at(8, 10)),
        ComplaintRow(3, OTHER, ME, at(9, 1), None),
        ComplaintRow(4, OTHER, ME, at(9, 30, 23), None),
        ComplaintRow(5, OTHER, OTHER, at(9, 1), at(9, 2)),
    ]
    f = facts(complaints=complaints, as_of=datetime.datetime(2026, 10, 1, 10, tzinfo=TZ))
    # When timeliness is computed
    result = scoring.complaint_timeliness(f, ME)
    # Then one of three judged complaints was in time
    assert (result.numerator, result.denominator) == (D(1), D(3))
    assert scoring.round_half_up(result.value) == D("33.33")
    assert result.details["late"] == [2, 3] and result.details["pending"] == [4]


def test_no_complaints_to_handle_means_no_timeliness_value():
    assert scoring.complaint_timeliness(facts(), ME).value is None


@pytest.mark.parametrize(
    "scores, mean, percent",
    [
        ([(5, 5, 5)], "5", "100"),
        ([(1, 1, 1)], "1", "0"),
        ([(5, 4, 3), (3, 3, 3)], "3.5", "62.5"),  # means 4 and 3
        ([(5, 5, 4), (4, 4, 4), (3, 4, 5)], "4.222222", "80.56"),  # means 4.667, 4, 4 → 4.2222…
    ],
)
def test_satisfaction_is_the_mean_of_survey_means(scores, mean, percent):
    surveys = [SurveyRow(i, ME, day(2026, 8, 1), *s) for i, s in enumerate(scores)]
    result = scoring.satisfaction(facts(surveys=surveys), ME)
    assert scoring.round_half_up(result.value, D("0.000001")) == D(mean)
    assert result.details["percent"] == str(scoring.round_half_up(D(percent)))


def test_surveys_outside_the_quarter_or_about_others_do_not_count():
    surveys = [SurveyRow(1, ME, day(2026, 6, 30), 1, 1, 1), SurveyRow(2, OTHER, day(2026, 8, 1), 1, 1, 1)]
    assert scoring.satisfaction(facts(surveys=surveys), ME).value is None


@pytest.mark.parametrize(
    "groups, weights, expected",
    [
        # Plain average of every rater's score: (4+4+5 + 2) ÷ 4.
        ([("peer", 3, 13), ("superior", 1, 2)], None, D("3.75")),
        # Equal weights per type: the average of the type averages (13/3 + 2) ÷ 2.
        ([("peer", 3, 13), ("superior", 1, 2)], {"peer": 1, "superior": 1}, (D(13) / 3 + 2) / 2),
        # Superior counts double.
        ([("peer", 2, 8), ("superior", 1, 1)], {"peer": 1, "superior": 2}, D(2)),
        # A weighted type nobody rated is left out and the others renormalised.
        ([("peer", 2, 8)], {"peer": 1, "superior": 2}, D(4)),
        # Only unweighted types rated: no value.
        ([("client", 2, 8)], {"peer": 1}, None),
        # No ratings at all: no value.
        ([], None, None),
    ],
)
def test_rated_value_is_the_average_of_scores_optionally_weighted_by_rater_type(groups, weights, expected):
    rows = [RatingGroup(ME, "communication", kind, count, total) for kind, count, total in groups]
    rows.append(RatingGroup(OTHER, "communication", "peer", 5, 5))
    result = scoring.rated(facts(ratings=rows), ME, "communication", weights)
    assert result.value == expected
    assert "rater" not in str(result.details.get("by_rater_type", {}).values())
