"""The data lock: once 2026Q3's results are submitted, its department records are read-only on every path in.

The finance clerk (and the other clerks) try the entry form, the file import and the admin; a closed quarter is
locked the same way, an open one still accepts, and a correction is the one sanctioned way through.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from clients import locks, services
from clients.importing.services import import_run
from clients.models import ChangeRecord, Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey
from reviews.models import Quarter, QuarterState
from tests.clients.entry_factories import make_records
from tests.clients.test_import_parsing import csv_bytes

LOCKED = (
    "The records of 2026Q3 are locked since its results were submitted; a change now goes through a correction: "
    "the execution group raises one on the quarter&#x27;s Corrections page, or the person appeals."
)
LOCKED_TEXT = LOCKED.replace("&#x27;", "'")
REVENUE_HEADER = ["ref", "contract", "received_on", "amount", "credited_to"]


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"


@pytest.fixture
def records(firm):
    """One record of each kind dated in 2026Q3 (July–August 2026)."""
    return make_records(firm)


@pytest.fixture
def q3_submitted(db):
    return Quarter.objects.create(year=2026, number=3, state=QuarterState.SUBMITTED)


def revenue_form(records, **changes):
    data = {
        "ref": "R-0002",
        "contract": records.contract.number,
        "received_on": "2026-09-15",
        "amount": "12345.60",
        "credited_to": records.revenue.credited_to_id,
    }
    return {**data, **changes}


# --- The entry form ----------------------------------------------------------------------------------------


def test_after_submission_the_finance_clerks_q3_revenue_entry_is_refused_on_the_form(
    firm, records, q3_submitted, client_for
):
    # Given 2026Q3's results submitted to the leadership group
    before = ChangeRecord.objects.count()
    # When the finance clerk enters money received on 15 September 2026
    response = client_for(firm.finance_clerk).post(reverse("clients:revenue_add"), revenue_form(records))
    # Then the form comes back with the rule, naming the quarter and how a correction is made
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    # And nothing was stored or logged
    assert not RevenueEntry.objects.filter(ref="R-0002").exists()
    assert ChangeRecord.objects.count() == before


def test_a_closed_quarter_refuses_its_records_too(firm, records, client_for):
    Quarter.objects.create(year=2026, number=2, state=QuarterState.CLOSED)
    response = client_for(firm.finance_clerk).post(
        reverse("clients:revenue_add"), revenue_form(records, received_on="2026-05-04")
    )
    assert "The records of 2026Q2 are locked since its results were submitted" in response.content.decode()
    assert not RevenueEntry.objects.filter(ref="R-0002").exists()


@pytest.mark.parametrize("state", [QuarterState.COLLECTING, QuarterState.SCORED])
def test_an_open_quarter_still_accepts(firm, records, q3_submitted, client_for, state):
    # Given 2026Q3 locked, and 2026Q4 still being collected or scored
    Quarter.objects.create(year=2026, number=4, state=state)
    response = client_for(firm.finance_clerk).post(
        reverse("clients:revenue_add"), revenue_form(records, received_on="2026-10-08")
    )
    assert response.status_code == 302
    assert RevenueEntry.objects.get(ref="R-0002").received_on == datetime.date(2026, 10, 8)


def test_a_quarter_returned_by_the_leadership_group_opens_again(firm, records, q3_submitted, client_for):
    Quarter.objects.filter(pk=q3_submitted.pk).update(state=QuarterState.SCORED)
    response = client_for(firm.finance_clerk).post(reverse("clients:revenue_add"), revenue_form(records))
    assert response.status_code == 302 and RevenueEntry.objects.filter(ref="R-0002").exists()


def test_an_edit_that_moves_a_record_out_of_the_locked_quarter_is_refused(firm, records, q3_submitted, client_for):
    # Given the revenue entry of 20 July (2026Q3): the clerk tries to re-date it into October
    data = revenue_form(records, ref="R-0001", received_on="2026-10-02", amount="20000.00")
    response = client_for(firm.finance_clerk).post(reverse("clients:revenue_edit", args=[records.revenue.pk]), data)
    assert LOCKED in response.content.decode()
    records.revenue.refresh_from_db()
    assert records.revenue.received_on == datetime.date(2026, 7, 20)
    assert not ChangeRecord.objects.filter(action=ChangeRecord.Action.UPDATE).exists()


def test_an_edit_that_moves_a_record_into_the_locked_quarter_is_refused(firm, records, q3_submitted):
    october = RevenueEntry.objects.create(
        ref="R-0010",
        contract=records.contract,
        received_on=datetime.date(2026, 10, 2),
        amount=Decimal("10.00"),
        credited_to=firm.lawyer.profile,
    )
    with pytest.raises(locks.RecordLocked) as refusal:
        services.revenue_entry_update(instance=october, by=firm.finance_clerk, received_on=datetime.date(2026, 9, 30))
    assert refusal.value.messages == [LOCKED_TEXT]
    october.refresh_from_db()
    assert october.received_on == datetime.date(2026, 10, 2)


def test_the_edit_page_says_the_record_is_locked_before_the_clerk_types(firm, records, q3_submitted, client_for):
    page = client_for(firm.admin_clerk).get(reverse("clients:surveys_edit", args=[records.survey.pk]))
    assert 'id="record-locked"' in page.content.decode() and LOCKED in page.content.decode()
    open_page = client_for(firm.finance_clerk).get(reverse("clients:revenue_add"))
    assert 'id="record-locked"' not in open_page.content.decode()


# --- Which date counts ---------------------------------------------------------------------------------------


def test_a_complaint_counts_by_the_day_it_was_received_in_shanghai(firm, records, q3_submitted):
    # 30 September 23:30 in Shanghai is 2026Q3; 1 October 00:30 in Shanghai is still 30 September in UTC
    zone = timezone.get_current_timezone()
    fields = {"client": records.client, "about": firm.lawyer.profile, "channel": "phone"}
    with pytest.raises(locks.RecordLocked):
        services.complaint_create(
            by=firm.admin_clerk, ref="TS-9", received_at=datetime.datetime(2026, 9, 30, 23, 30, tzinfo=zone), **fields
        )
    created = services.complaint_create(
        by=firm.admin_clerk, ref="TS-10", received_at=datetime.datetime(2026, 10, 1, 0, 30, tzinfo=zone), **fields
    )
    assert created.received_at.astimezone(datetime.UTC).date() == datetime.date(2026, 9, 30)
    assert not Complaint.objects.filter(ref="TS-9").exists()


def test_a_q3_complaint_cannot_be_marked_handled_after_submission(firm, records, q3_submitted):
    # Its handling counts in the quarter it was received in (complaint timeliness, regulation 三.2)
    with pytest.raises(locks.RecordLocked):
        services.complaint_update(
            instance=records.complaint,
            by=firm.admin_clerk,
            handled_at=timezone.make_aware(datetime.datetime(2026, 10, 9, 9)),
        )
    records.complaint.refresh_from_db()
    assert records.complaint.handled_at is None


def test_an_old_contract_can_still_be_closed_but_not_changed(firm, records, q3_submitted):
    # Given the contract signed on 3 July 2026 (2026Q3, locked)
    contract = records.contract
    # When the business clerk records its completion in October
    closed = services.contract_update(
        instance=contract, by=firm.business_clerk, status="completed", closed_on=datetime.date(2026, 10, 12)
    )
    assert (closed.status, closed.closed_on) == ("completed", datetime.date(2026, 10, 12))
    # But its fee, its lawyers or its signing date are part of 2026Q3's results
    with pytest.raises(locks.RecordLocked):
        services.contract_update(instance=contract, by=firm.business_clerk, fee=Decimal("1.00"))
    # And a closing dated inside the locked quarter is refused
    with pytest.raises(locks.RecordLocked):
        services.contract_update(instance=contract, by=firm.business_clerk, closed_on=datetime.date(2026, 9, 1))
    contract.refresh_from_db()
    assert contract.fee == Decimal("50000.00") and contract.closed_on == datetime.date(2026, 10, 12)


def test_a_clients_referrer_is_locked_through_its_first_contract(firm, records, q3_submitted):
    # Given C-0001, whose first contract was signed in 2026Q3, and another client
    referrer = Client.objects.create(code="C-0100", name="推荐客户", kind="organisation")
    # Then its contact details stay editable (no result uses them)
    services.client_update(instance=records.client, by=firm.business_clerk, phone="021-5555")
    # But naming a referrer would change 2026Q3's referral rate
    with pytest.raises(locks.RecordLocked) as refusal:
        services.client_update(instance=records.client, by=firm.business_clerk, referred_by=referrer)
    assert refusal.value.problems[0][0] == "referred_by"
    # And a client without contracts is not dated at all
    services.client_update(instance=referrer, by=firm.business_clerk, referred_by=records.client)


# --- The correction: the one way through ---------------------------------------------------------------------


def test_a_correction_may_change_a_locked_record_and_the_log_names_it(firm, records, q3_submitted):
    # When the corrections service changes the survey on behalf of correction K-7
    services.survey_update(instance=records.survey, by=firm.executor, service_quality=3, correction="K-7")
    # Then the change is made and its change record names the correction
    records.survey.refresh_from_db()
    assert records.survey.service_quality == 3
    assert ChangeRecord.objects.get(action=ChangeRecord.Action.UPDATE).note == "correction: K-7"
    # And a record added or removed by a correction is logged the same way
    added = services.revenue_entry_create(
        by=firm.executor,
        correction="K-7",
        ref="R-0009",
        contract=records.contract,
        received_on=datetime.date(2026, 9, 1),
        amount=Decimal("5.00"),
        credited_to=firm.lawyer.profile,
    )
    services.revenue_entry_delete(instance=added, by=firm.executor, correction="K-7")
    assert list(
        ChangeRecord.objects.filter(object_id=str(added.pk), content_type__model="revenueentry")
        .order_by("id")
        .values_list("action", "note")
    ) == [("create", "correction: K-7"), ("delete", "correction: K-7")]


def test_a_deletion_without_a_correction_is_refused(firm, records, q3_submitted):
    with pytest.raises(locks.RecordLocked):
        services.survey_delete(instance=records.survey, by=firm.admin_clerk)
    assert SatisfactionSurvey.objects.filter(pk=records.survey.pk).exists()


# --- The file import ---------------------------------------------------------------------------------------


def run_import(firm, rows, *, commit=True):
    content = csv_bytes([REVENUE_HEADER, *rows])
    return import_run(
        kind="revenue", stream=io.BytesIO(content), file_name="收款.csv", by=firm.finance_clerk, commit=commit
    )


def test_an_import_with_a_q3_row_is_refused_whole_naming_the_row(firm, records, q3_submitted):
    # Given a file with one October row and two rows dated in 2026Q3 (a new one and a change of R-0001)
    report = run_import(
        firm,
        [
            ["R-0100", records.contract.number, "2026-10-03", "100", "lawyer"],
            ["R-0101", records.contract.number, "2026-09-28", "100", "lawyer"],
            ["R-0001", records.contract.number, "2026-07-20", "1", "lawyer"],
        ],
    )
    # Then nothing was written, not even the good row
    assert not report.committed
    assert not RevenueEntry.objects.filter(ref__in=["R-0100", "R-0101"]).exists()
    assert RevenueEntry.objects.get(ref="R-0001").amount == Decimal("20000.00")
    assert not ChangeRecord.objects.exists()
    # And each offending row is named, with its column and the rule
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (3, "received_on", LOCKED_TEXT),
        (4, "received_on", LOCKED_TEXT),
    ]


def test_an_import_of_an_open_quarter_goes_through(firm, records, q3_submitted):
    report = run_import(firm, [["R-0100", records.contract.number, "2026-10-03", "100", "lawyer"]])
    assert report.committed and RevenueEntry.objects.filter(ref="R-0100").exists()


def test_an_unchanged_q3_row_in_a_file_is_no_change(firm, records, q3_submitted):
    report = run_import(firm, [["R-0001", records.contract.number, "2026-07-20", "20000", "lawyer"]])
    assert report.committed and report.unchanged == 1


def test_a_quarter_submitted_between_preview_and_confirm_stops_the_import(firm, records, monkeypatch):
    # Given a preview made while 2026Q3 was still being scored
    quarter = Quarter.objects.create(year=2026, number=3, state=QuarterState.SCORED)
    row = ["R-0101", records.contract.number, "2026-09-28", "100", "lawyer"]
    assert run_import(firm, [row], commit=False).ok
    # When the quarter is submitted just before the confirmation writes (after its checks)
    from clients.importing import validators

    plan = validators.KindImport.plan

    def plan_then_submit(job):
        plan(job)
        Quarter.objects.filter(pk=quarter.pk).update(state=QuarterState.SUBMITTED)

    monkeypatch.setattr(validators.KindImport, "plan", plan_then_submit)
    report = run_import(firm, [row])
    # Then nothing was imported and the quarter is named
    assert not report.committed
    assert not RevenueEntry.objects.filter(ref="R-0101").exists()
    assert "The records of 2026Q3 are locked" in report.errors[0].message
    assert "Nothing was imported." in report.errors[0].message


def test_the_import_pages_show_the_refusal(firm, records, q3_submitted, client_for, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = csv_bytes([REVENUE_HEADER, ["R-0101", records.contract.number, "2026-09-28", "100", "lawyer"]])
    page = client_for(firm.finance_clerk).post(
        reverse("clients:import_upload", kwargs={"kind": "revenue"}),
        {"file": SimpleUploadedFile("收款.csv", content)},
        follow=True,
    )
    text = page.content.decode()
    assert LOCKED in text and "Confirm import" not in text


# --- The admin ---------------------------------------------------------------------------------------------


@pytest.fixture
def admin_browser(firm, client):
    client.force_login(User.objects.create_superuser("root", "root@firm.example", "root-pass-123456"))
    return client


def test_the_admin_refuses_a_q3_revenue_entry(firm, records, q3_submitted, admin_browser):
    data = {
        "ref": "R-0002",
        "contract": records.contract.pk,
        "received_on": "2026-09-15",
        "amount": "12345.60",
        "credited_to": firm.lawyer.profile.pk,
    }
    response = admin_browser.post(reverse("admin:clients_revenueentry_add"), data)
    assert response.status_code == 200 and LOCKED in response.content.decode()
    assert not RevenueEntry.objects.filter(ref="R-0002").exists()
    assert not ChangeRecord.objects.exists()
    # An open quarter's entry is saved (and logged) as before
    response = admin_browser.post(reverse("admin:clients_revenueentry_add"), {**data, "received_on": "2026-10-15"})
    assert response.status_code == 302 and RevenueEntry.objects.filter(ref="R-0002").exists()


def test_the_admin_refuses_to_change_or_delete_a_q3_record(firm, records, q3_submitted, admin_browser):
    survey = records.survey
    change = reverse("admin:clients_satisfactionsurvey_change", args=[survey.pk])
    data = {
        "ref": survey.ref,
        "client": survey.client_id,
        "staff": survey.staff_id,
        "surveyed_on": "2026-08-05",
        "channel": "phone",
        "service_quality": "1",
        "communication": "4",
        "outcome": "4",
        "comment": "",
    }
    assert LOCKED in admin_browser.post(change, data).content.decode()
    # The delete page and the list's delete action refuse with the same rule
    deleted = admin_browser.post(
        reverse("admin:clients_satisfactionsurvey_delete", args=[survey.pk]), {"post": "yes"}, follow=True
    )
    assert LOCKED in deleted.content.decode()
    action = admin_browser.post(
        reverse("admin:clients_satisfactionsurvey_changelist"),
        {"action": "delete_selected", "_selected_action": [survey.pk], "post": "yes"},
        follow=True,
    )
    assert LOCKED in action.content.decode()
    survey.refresh_from_db()
    assert survey.service_quality == 5


def test_an_admin_deletion_of_an_open_record_is_logged(firm, records, admin_browser):
    survey = records.survey
    admin_browser.post(reverse("admin:clients_satisfactionsurvey_delete", args=[survey.pk]), {"post": "yes"})
    assert not SatisfactionSurvey.objects.filter(pk=survey.pk).exists()
    log = ChangeRecord.objects.get(action=ChangeRecord.Action.DELETE)
    assert (log.object_repr, log.note, log.by.username) == ("MY-0001", "admin", "root")


# --- The rule itself, over plain values ------------------------------------------------------------------------

D = datetime.date


@pytest.mark.parametrize(
    ("model", "before", "after", "expected"),
    [
        # created / deleted: the record's own date
        (RevenueEntry, None, {"received_on": D(2026, 9, 1)}, [("received_on", D(2026, 9, 1))]),
        (SatisfactionSurvey, {"surveyed_on": D(2026, 9, 1)}, None, [("surveyed_on", D(2026, 9, 1))]),
        # moved: both dates count
        (
            RevenueEntry,
            {"received_on": D(2026, 9, 1), "amount": 1},
            {"received_on": D(2026, 10, 1), "amount": 1},
            [("received_on", D(2026, 9, 1)), ("received_on", D(2026, 10, 1))],
        ),
        # unchanged: nothing is touched
        (RevenueEntry, {"received_on": D(2026, 9, 1)}, {"received_on": D(2026, 9, 1)}, []),
        # a contract's closing is dated by closed_on, the rest by signed_on
        (
            Contract,
            {"signed_on": D(2026, 7, 3), "closed_on": None, "status": "active"},
            {"signed_on": D(2026, 7, 3), "closed_on": D(2026, 10, 2), "status": "completed"},
            [("closed_on", D(2026, 10, 2))],
        ),
        (
            Contract,
            {"signed_on": D(2026, 7, 3), "closed_on": None, "fee": 1},
            {"signed_on": D(2026, 7, 3), "closed_on": None, "fee": 2},
            [("signed_on", D(2026, 7, 3)), ("signed_on", D(2026, 7, 3))],
        ),
    ],
)
def test_which_dates_a_write_touches(model, before, after, expected):
    assert locks.touched_days(model, before=before, after=after) == expected


def test_a_clients_referrer_is_dated_by_its_first_contract_only():
    before, after = {"referred_by_id": None, "phone": ""}, {"referred_by_id": 7, "phone": ""}
    assert locks.touched_days(Client, before=before, after=after, first_signed_on=D(2026, 7, 3)) == [
        ("referred_by", D(2026, 7, 3))
    ]
    assert locks.touched_days(Client, before=before, after=after) == []
    phone = {"referred_by_id": None, "phone": "1"}
    assert locks.touched_days(Client, before=before, after=phone, first_signed_on=D(2026, 7, 3)) == []
