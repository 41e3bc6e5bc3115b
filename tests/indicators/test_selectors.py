"""Selectors gather a quarter's inputs from the database; results_compute turns them into the right numbers."""

import datetime
import itertools
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients.models import Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey
from indicators import selectors
from indicators.computation import results_compute
from indicators.defaults import scheme_create_default
from indicators.models import Indicator, RatingAssignment, RatingRound, Scheme
from reviews.models import Position, Quarter, StaffProfile

_numbers = itertools.count(1)
AS_OF = timezone.make_aware(datetime.datetime(2026, 10, 5, 9, 0))


def quarter_with_scheme(by, *, approved=True, year=2026, number=3):
    quarter, _ = Quarter.objects.get_or_create(year=year, number=number)
    scheme = scheme_create_default(quarter=quarter, by=by)
    if approved:
        Scheme.objects.filter(pk=scheme.pk).update(status=Scheme.Status.APPROVED, approved_by=by)
        scheme.refresh_from_db()
    return quarter, scheme


def client(referred_by=None, name="客户"):
    n = next(_numbers)
    return Client.objects.create(code=f"C{n:05d}", name=f"{name}{n}", kind="organisation", referred_by=referred_by)


def contract(who, signed_on, *, client_=None, responsible=None, closed_on=None, fee="10000"):
    n = next(_numbers)
    return Contract.objects.create(
        number=f"HT{n:05d}",
        client=client_ or client(),
        signed_on=signed_on,
        originating_lawyer=who.profile,
        responsible_lawyer=(responsible or who).profile,
        matter=f"Matter {n}",
        fee=D(fee),
        closed_on=closed_on,
    )


def revenue(on_contract, who, amount, received_on=datetime.date(2026, 8, 15)):
    return RevenueEntry.objects.create(
        ref=f"R{next(_numbers):05d}",
        contract=on_contract,
        received_on=received_on,
        amount=D(amount),
        credited_to=who.profile,
    )


def complaint(about, received_at, *, handler=None, handled_at=None, client_=None):
    return Complaint.objects.create(
        ref=f"TS{next(_numbers):05d}",
        client=client_ or client(),
        about=about.profile,
        received_at=received_at,
        handler=handler.profile if handler else None,
        handled_at=handled_at,
    )


def survey(about, scores, surveyed_on=datetime.date(2026, 8, 10)):
    return SatisfactionSurvey.objects.create(
        ref=f"S{next(_numbers):05d}",
        client=client(),
        staff=about.profile,
        surveyed_on=surveyed_on,
        channel="phone",
        service_quality=scores[0],
        communication=scores[1],
        outcome=scores[2],
    )


def ratings(quarter, by, given):
    """given: [(rater user, ratee user, rater_type, indicator code, score)]"""
    rating_round, _ = RatingRound.objects.get_or_create(quarter=quarter, defaults={"opened_by": by})
    codes = {i.code: i for i in Indicator.objects.all()}
    RatingAssignment.objects.bulk_create(
        RatingAssignment(
            round=rating_round, rater=r.profile, ratee=e.profile, rater_type=t, indicator=codes[c], score=s
        )
        for r, e, t, c, s in given
    )
    return rating_round


def at(month, day, hour=10):
    return timezone.make_aware(datetime.datetime(2026, month, day, hour))


@pytest.fixture
def scored_firm(firm):
    """The firm with one quarter of data about the lawyer, worked out by hand in the assertions."""
    quarter, scheme = quarter_with_scheme(firm.executor)
    lawyer, colleague, superior = firm.lawyer, firm.colleague, firm.superior
    # Existing clients of the lawyer: A (originating), B (responsible), C (before the look-back window).
    a, b, c = client(), client(), client()
    contract(lawyer, datetime.date(2025, 5, 1), client_=a, closed_on=datetime.date(2025, 12, 1))
    contract(colleague, datetime.date(2024, 9, 1), client_=b, responsible=lawyer)
    contract(lawyer, datetime.date(2023, 1, 1), client_=c, closed_on=datetime.date(2023, 6, 1))
    # In the quarter: A signs again; B refers a new client N1; the lawyer brings in N1 and N2.
    contract(colleague, datetime.date(2026, 7, 20), client_=a)
    n1 = client(referred_by=b)
    first = contract(lawyer, datetime.date(2026, 8, 3), client_=n1)
    n2_contract = contract(lawyer, datetime.date(2026, 9, 30))
    # Revenue credited to the lawyer: 3,000 from new clients of 10,000.
    revenue(first, lawyer, "1000")
    revenue(n2_contract, lawyer, "2000")
    old = Contract.objects.get(client=b)
    revenue(old, lawyer, "7000")
    revenue(old, lawyer, "5000", received_on=datetime.date(2026, 6, 30))  # before the quarter
    revenue(first, colleague, "4000")  # credited to someone else
    # Complaints: two about the lawyer (served: B, N1, N2 and A's re-signing is the colleague's), one late.
    complaint(lawyer, at(8, 1), handler=superior, handled_at=at(8, 2))
    complaint(lawyer, at(9, 1), handler=superior, handled_at=at(9, 5))
    complaint(lawyer, at(6, 30), handler=superior, handled_at=at(7, 1))  # received before the quarter
    # Surveys of the lawyer: means 4 and 5.
    survey(lawyer, (4, 4, 4))
    survey(lawyer, (5, 5, 5))
    survey(lawyer, (1, 1, 1), surveyed_on=datetime.date(2026, 10, 1))  # after the quarter
    # Ratings of the lawyer.
    ratings(
        quarter,
        firm.executor,
        [
            (superior, lawyer, "superior", "communication", 5),
            (colleague, lawyer, "peer", "communication", 4),
            (firm.assistant, lawyer, "peer", "communication", 3),
            (firm.business_clerk, lawyer, "other_department", "collaboration", 4),
        ],
    )
    return firm, quarter, scheme


def result_of(results, user):
    return next(r for r in results if r.staff_id == user.profile.pk)


def test_results_compute_finds_the_lawyers_numbers(scored_firm):
    firm, quarter, scheme = scored_firm
    # When the quarter is computed
    lawyer = result_of(results_compute(quarter=quarter, scheme=scheme, as_of=AS_OF), firm.lawyer)
    values = {line.code: line.value for line in lawyer.lines}
    # Then every definition picked exactly the records described in the fixture
    assert values["new_clients"] == D(2)
    assert values["new_client_revenue_share"] == D(30)
    assert values["repeat_engagement_rate"] == D(50)  # A of {A, B}
    assert values["referral_rate"] == D(50)  # B of {A, B}
    assert values["complaint_rate"] == D(2) * 100 / D(3)  # 2 complaints, 3 clients served (B, N1, N2)
    assert values["complaint_timeliness"] is None  # the lawyer handled none
    assert values["satisfaction"] == D("4.5")
    assert values["communication"] == D(4)
    assert values["collaboration"] == D(4)
    superior = result_of(results_compute(quarter=quarter, scheme=scheme, as_of=AS_OF), firm.superior)
    assert superior.line("complaint_timeliness").value == D(50)


def test_the_lawyers_points_total_and_grade_follow_the_default_scheme(scored_firm):
    firm, quarter, scheme = scored_firm
    lawyer = result_of(results_compute(quarter=quarter, scheme=scheme, as_of=AS_OF), firm.lawyer)
    points = {line.code: line.points for line in lawyer.lines}
    # new clients on target 2: 15; share 30 vs 20 = +5 relative steps, capped at 10 + 3;
    # satisfaction 4.5 vs 4.2 = +3 steps, capped at 15 + 3; repeat 50 vs 30 = +6.67 steps, capped 12;
    # referral 50 vs 10 = +20 steps, capped 12; complaint rate 66.67 % vs 0: far below zero → 0;
    # timeliness: no data, excluded (weight 5 spread over the other 95).
    factor = D(100) / D(95)
    assert lawyer.line("complaint_timeliness").no_data_applied
    assert lawyer.line("complaint_timeliness").effective_weight == D(0)
    expected = {
        "new_clients": D(15),
        "new_client_revenue_share": D(13),
        "satisfaction": D(18),
        "repeat_engagement_rate": D(12),
        "referral_rate": D(12),
        "complaint_rate": D(0),
        "communication": D(10) * D(4) / 5,
        "collaboration": D(15) * D(4) / 5,
    }
    for code, raw in expected.items():
        assert points[code] == (raw * factor).quantize(D("0.01")), code
    assert lawyer.total == sum(points.values())
    assert lawyer.grade.label_en == "Excellent"


def test_only_active_assessed_staff_are_scored(firm):
    # Given the partner (not assessed) and an inactive lawyer
    quarter, scheme = quarter_with_scheme(firm.executor)
    StaffProfile.objects.filter(user=firm.outsider).update(active=False)
    # When the quarter is computed
    scored = {r.staff_id for r in results_compute(quarter=quarter, scheme=scheme, as_of=AS_OF)}
    # Then neither is among the results, and everyone else is
    everyone = set(StaffProfile.objects.values_list("pk", flat=True))
    assert scored == everyone - {firm.partner.profile.pk, firm.outsider.profile.pk}


def test_each_position_is_scored_with_its_own_items(firm):
    quarter, scheme = quarter_with_scheme(firm.executor)
    results = results_compute(quarter=quarter, scheme=scheme, as_of=AS_OF)
    assistant = result_of(results, firm.assistant)
    assert [line.code for line in assistant.lines] == [
        "satisfaction",
        "complaint_timeliness",
        "communication",
        "collaboration",
    ]
    assert assistant.ranked_count == 1
    lawyers = [r for r in results if r.position == Position.LAWYER]
    assert {r.ranked_count for r in lawyers} == {4}  # senior, lawyer, colleague, outsider (not the partner)


def test_the_look_back_window_follows_the_scheme_parameter(firm):
    # Given a client whose only earlier contract is five quarters back, and a look-back of four quarters
    quarter, scheme = quarter_with_scheme(firm.executor)
    scheme.parameters = {**scheme.parameters, "lookback_quarters": 4}
    scheme.save()
    old = client()
    contract(firm.lawyer, datetime.date(2025, 4, 1), client_=old)
    contract(firm.lawyer, datetime.date(2026, 8, 1), client_=old)
    # Then the client is not an existing client: the lawyer has no repeat-engagement rate
    lawyer = result_of(results_compute(quarter=quarter, scheme=scheme, as_of=AS_OF), firm.lawyer)
    assert lawyer.line("repeat_engagement_rate").value is None
    # And with the default eight quarters it is
    scheme.parameters = {**scheme.parameters, "lookback_quarters": 8}
    scheme.save()
    lawyer = result_of(results_compute(quarter=quarter, scheme=scheme, as_of=AS_OF), firm.lawyer)
    assert lawyer.line("repeat_engagement_rate").value == D(100)


def test_quarter_period_spans_the_quarter_and_the_look_back_window(db):
    quarter = Quarter.objects.create(year=2026, number=1)
    period = selectors.quarter_period(quarter, {"lookback_quarters": 8, "complaint_deadline_hours": 24}, AS_OF)
    assert (period.starts_on, period.ends_on) == (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    assert period.lookback_starts_on == datetime.date(2024, 1, 1)
    assert period.complaint_deadline == datetime.timedelta(hours=24)
    assert timezone.localtime(period.starts_at).hour == 0 and period.ends_before.date() == datetime.date(2026, 4, 1)


def _staff_with_data(firm, quarter, count):
    """count lawyers, each with a client, contracts, revenue, a complaint, a survey and ratings."""
    users = User.objects.bulk_create(User(username=f"bulk{count}_{i}") for i in range(count))
    profiles = StaffProfile.objects.bulk_create(
        StaffProfile(user=u, full_name=f"律师{i}", position=Position.LAWYER, department=firm.litigation)
        for i, u in enumerate(users)
    )
    for user, profile in zip(users, profiles, strict=True):
        user.profile = profile
    rater = firm.superior
    given = []
    for user in users:
        old = contract(user, datetime.date(2025, 3, 1))
        new = contract(user, datetime.date(2026, 8, 1), client_=client(referred_by=old.client))
        revenue(new, user, "500")
        complaint(user, at(8, 2), handler=user, handled_at=at(8, 3))
        survey(user, (4, 5, 4))
        given.append((rater, user, "superior", "communication", 4))
    ratings(quarter, firm.executor, given)


@pytest.mark.parametrize("staff", [10, 200])
def test_computing_a_quarter_takes_the_same_number_of_queries_for_10_or_200_staff(firm, staff):
    # Given a firm with `staff` extra lawyers, each with data of every kind
    quarter, scheme = quarter_with_scheme(firm.executor)
    _staff_with_data(firm, quarter, staff)
    # When the quarter is computed
    with CaptureQueriesContext(connection) as queries:
        results = results_compute(quarter=quarter, scheme=scheme, as_of=AS_OF)
    # Then everyone is scored with a fixed number of queries (nine: rules, bands, people, and the rows of
    # contracts, clients, revenue, complaints, surveys and grouped ratings), besides the streams' transaction and
    # planner setting (indicators.selectors._Stream)
    assert len(results) == staff + 9
    reads = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "SET LOCAL"))]
    assert len(reads) == 9, [sql[:80] for sql in reads]
    assert len(queries) <= 9 + 2 * 3, [q["sql"][:80] for q in queries]


@pytest.mark.parametrize(
    "signed_on, closed_on",
    [
        (datetime.date(2024, 6, 30), None),  # before the window, still open: active in the quarter
        (datetime.date(2024, 6, 30), datetime.date(2026, 6, 30)),  # before the window, closed the day before
        (datetime.date(2024, 6, 30), datetime.date(2026, 7, 1)),  # closed on the quarter's first day
        (datetime.date(2024, 7, 1), datetime.date(2024, 8, 1)),  # first day of the window
        (datetime.date(2026, 9, 30), None),  # last day of the quarter
        (datetime.date(2026, 10, 1), None),  # after the quarter
    ],
)
def test_a_contract_falls_in_the_period_in_python_as_in_sql(firm, signed_on, closed_on):
    # The corrections check a changed contract in Python (row_in_period); the selectors in SQL: the same answer
    quarter, scheme = quarter_with_scheme(firm.executor)
    period = selectors.quarter_period(quarter, selectors.scheme_parameters(scheme), AS_OF)
    made = contract(firm.lawyer, signed_on, closed_on=closed_on)
    in_sql = selectors.period_records(period)["contract"].filter(pk=made.pk).exists()
    row = selectors.ROW_TYPES["contract"](made.pk, made.client_id, 0, 0, signed_on, closed_on)
    assert selectors.row_in_period("contract", row, period) == in_sql


@pytest.mark.parametrize("moment", [(6, 30, 23), (7, 1, 0), (9, 30, 23), (10, 1, 0)])
def test_a_complaint_falls_in_the_period_in_python_as_in_sql(firm, moment):
    quarter, scheme = quarter_with_scheme(firm.executor)
    period = selectors.quarter_period(quarter, selectors.scheme_parameters(scheme), AS_OF)
    made = complaint(firm.lawyer, at(*moment))
    in_sql = selectors.period_records(period)["complaint"].filter(pk=made.pk).exists()
    row = selectors.ROW_TYPES["complaint"](made.pk, made.about_id, None, made.received_at)
    assert selectors.row_in_period("complaint", row, period) == in_sql
