"""Adding and editing department data by form: validation next to the field, and a change record for each save."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from clients import services
from clients.audit import change_record_create
from clients.models import ChangeRecord, Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey
from tests.clients.entry_factories import make_records

CLERK = {
    "clients": "business_clerk",
    "contracts": "business_clerk",
    "revenue": "finance_clerk",
    "complaints": "admin_clerk",
    "surveys": "admin_clerk",
}
MODELS = {
    "clients": Client,
    "contracts": Contract,
    "revenue": RevenueEntry,
    "complaints": Complaint,
    "surveys": SatisfactionSurvey,
}


def new_record_data(kind, firm, records):
    """A valid form for a new record of this kind."""
    lawyer = firm.lawyer.profile.pk
    return {
        "clients": {
            "code": "C-0002",
            "name": "北京华信贸易有限公司",
            "kind": "organisation",
            "email": "legal@huaxin.example",
            "phone": "010-12345678",
            "referred_by": records.client.code,
            "created_on": "2026-07-15",
        },
        "contracts": {
            "number": "HT-2026-002",
            "client": records.client.code,
            "signed_on": "2026-07-16",
            "originating_lawyer": lawyer,
            "responsible_lawyer": firm.superior.profile.pk,
            "matter": "股权转让",
            "fee": "88000.50",
            "status": "active",
            "closed_on": "",
        },
        "revenue": {
            "ref": "R-0002",
            "contract": "HT-2026-001",
            "received_on": "2026-07-25",
            "amount": "12345.60",
            "credited_to": lawyer,
        },
        "complaints": {
            "ref": "TS-0002",
            "client": records.client.code,
            "about": lawyer,
            "channel": "email",
            "received_at": "2026-08-10T09:30",
            "handler": firm.executor.profile.pk,
            "handled_at": "2026-08-11T15:00",
            "resolution": "已电话致歉并调整律师",
        },
        "surveys": {
            "ref": "MY-0002",
            "client": records.client.code,
            "staff": lawyer,
            "surveyed_on": "2026-08-20",
            "channel": "questionnaire",
            "service_quality": "5",
            "communication": "3",
            "outcome": "4",
            "comment": "沟通可以更及时",
        },
    }[kind]


def field_block(html, name):
    """The crispy wrapper of one field: its label, input and the errors shown next to it."""
    match = re.search(rf'<div id="div_id_{name}".*?(?=<div id="div_id_|<div class="d-flex)', html, re.S)
    assert match, f"no field {name} on the page"
    return match.group(0)


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"


@pytest.fixture
def records(firm):
    return make_records(firm)


@pytest.mark.parametrize("kind", list(CLERK))
def test_a_clerk_adds_a_record_and_the_log_says_who_and_what(firm, records, client_for, kind):
    # Given the clerk who provides this kind of data
    clerk = getattr(firm, CLERK[kind])
    browser = client_for(clerk)
    data = new_record_data(kind, firm, records)
    # When they fill in the add form
    response = browser.post(reverse(f"clients:{kind}_add"), data, follow=True)
    # Then the record exists, they are back on the list with a confirmation, and the creation is logged
    assert response.redirect_chain[-1][0] == reverse(f"clients:{kind}_list")
    key = next(iter(data.values()))
    created = MODELS[kind].objects.get(**{next(iter(data)): key})
    assert "Saved new" in response.content.decode() and key in response.content.decode()
    log = ChangeRecord.objects.get(object_id=str(created.pk), content_type__model=MODELS[kind]._meta.model_name)
    assert log.action == ChangeRecord.Action.CREATE and log.by == clerk
    assert log.changes[next(iter(data))] == [None, key]


def test_values_are_stored_with_their_types(firm, records, client_for):
    browser = client_for(firm.admin_clerk)
    browser.post(reverse("clients:complaints_add"), new_record_data("complaints", firm, records))
    complaint = Complaint.objects.get(ref="TS-0002")
    # The datetime-local input is read in the firm's time zone (Asia/Shanghai).
    assert complaint.received_at == datetime.datetime(2026, 8, 10, 1, 30, tzinfo=datetime.UTC)
    assert complaint.handled_in_time()
    client_for(firm.finance_clerk).post(reverse("clients:revenue_add"), new_record_data("revenue", firm, records))
    entry = RevenueEntry.objects.get(ref="R-0002")
    assert entry.amount == Decimal("12345.60") and entry.contract == records.contract


def test_an_edit_is_logged_field_by_field_and_shown_on_the_history_page(firm, records, client_for):
    # Given a revenue entry of 20,000.00 received on 20 July
    browser = client_for(firm.finance_clerk)
    data = {**new_record_data("revenue", firm, records), "ref": "R-0001", "received_on": "2026-07-21"}
    data["amount"] = "19000"
    # When the finance clerk corrects the amount and the date
    response = browser.post(reverse("clients:revenue_edit", args=[records.revenue.pk]), data)
    assert response.status_code == 302
    # Then the row holds the new values and one change record holds old and new
    records.revenue.refresh_from_db()
    assert records.revenue.amount == Decimal("19000.00")
    log = ChangeRecord.objects.get(action=ChangeRecord.Action.UPDATE)
    assert log.by == firm.finance_clerk
    assert log.changes == {
        "received_on": ["2026-07-20", "2026-07-21"],
        "amount": ["20000.00", "19000.00"],
    }
    # And the history page, read by the execution group, shows who changed what from what to what
    history = client_for(firm.executor).get(reverse("clients:revenue_history", args=[records.revenue.pk]))
    text = history.content.decode()
    assert "孙丽" in text and "Changed" in text
    assert re.search(
        r"Amount:</strong>\s*<span[^>]*>20,000.00</span> <i class=\"bi bi-arrow-right\"></i> 19,000.00", text
    )
    assert "2026-07-20" in text and "2026-07-21" in text


def test_saving_without_a_change_writes_no_log(firm, records, client_for):
    browser = client_for(firm.business_clerk)
    data = {
        "code": "C-0001",
        "name": records.client.name,
        "kind": "organisation",
        "email": "",
        "phone": "",
        "referred_by": "",
        "created_on": "2026-07-02",
    }
    assert browser.post(reverse("clients:clients_edit", args=[records.client.pk]), data).status_code == 302
    assert not ChangeRecord.objects.exists()


def test_save_and_add_another_returns_to_an_empty_form(firm, records, client_for):
    browser = client_for(firm.admin_clerk)
    data = {**new_record_data("surveys", firm, records), "_addanother": "1"}
    response = browser.post(reverse("clients:surveys_add"), data)
    assert response["Location"] == reverse("clients:surveys_add")
    assert SatisfactionSurvey.objects.filter(ref="MY-0002").exists()


@pytest.mark.parametrize(
    ("kind", "changes", "field", "message"),
    [
        # Regulation 三.3 data invariants, each answered next to the field that breaks it.
        ("revenue", {"amount": "0"}, "amount", "The amount must be more than zero."),
        ("revenue", {"amount": "-5"}, "amount", "The amount must be more than zero."),
        ("revenue", {"amount": "abc"}, "amount", "Enter a number."),
        ("revenue", {"contract": "HT-NONE"}, "contract", "There is no contract with this number."),
        ("revenue", {"ref": "R-0001"}, "ref", "already exists"),
        ("revenue", {"received_on": "2026-02-30"}, "received_on", "Enter a valid date."),
        (
            "complaints",
            {"handled_at": "2026-08-09T09:00"},
            "handled_at",
            "A complaint cannot be handled before it was received.",
        ),
        ("complaints", {"ref": "TS-0001"}, "ref", "already exists"),
        ("surveys", {"service_quality": "6"}, "service_quality", "less than or equal to 5"),
        ("surveys", {"communication": "0"}, "communication", "greater than or equal to 1"),
        ("surveys", {"outcome": ""}, "outcome", "This field is required."),
        ("surveys", {"ref": "MY-0001"}, "ref", "already exists"),
        ("contracts", {"closed_on": "2026-07-01"}, "closed_on", "A contract cannot close before it was signed."),
        ("contracts", {"fee": "-1"}, "fee", "greater than or equal to 0"),
        ("contracts", {"number": "HT-2026-001"}, "number", "already exists"),
        ("clients", {"code": "C-0001"}, "code", "already exists"),
        ("clients", {"email": "not-an-address"}, "email", "Enter a valid email address."),
    ],
)
def test_bad_input_is_answered_next_to_the_field_and_nothing_is_saved(
    firm, records, client_for, kind, changes, field, message
):
    browser = client_for(getattr(firm, CLERK[kind]))
    data = {**new_record_data(kind, firm, records), **changes}
    response = browser.post(reverse(f"clients:{kind}_add"), data)
    assert response.status_code == 200
    html = response.content.decode()
    block = field_block(html, field)
    assert "is-invalid" in block and message in block
    assert MODELS[kind].objects.count() == 1
    assert not ChangeRecord.objects.exists()


def test_a_client_cannot_be_referred_by_itself(firm, records, client_for):
    browser = client_for(firm.business_clerk)
    data = {**new_record_data("clients", firm, records), "code": "C-0001", "referred_by": records.client.code}
    response = browser.post(reverse("clients:clients_edit", args=[records.client.pk]), data)
    assert "is-invalid" in field_block(response.content.decode(), "referred_by")
    records.client.refresh_from_db()
    assert records.client.referred_by is None


def test_the_referrer_is_typed_by_code_and_the_edit_form_shows_the_current_one(firm, records, client_for):
    # Given a client referred by C-0009
    other = Client.objects.create(code="C-0009", name="推荐人", kind=Client.Kind.INDIVIDUAL, referred_by=records.client)
    browser = client_for(firm.business_clerk)
    # When its edit form is opened, the referrer shows as its code in a text field, not as a list of every client
    block = field_block(browser.get(reverse("clients:clients_edit", args=[other.pk])).content.decode(), "referred_by")
    assert 'type="text"' in block and 'value="C-0001"' in block and "<option" not in block
    # And a referrer typed with stray spaces is found by its code
    data = {**new_record_data("clients", firm, records), "referred_by": "  C-0001 "}
    assert browser.post(reverse("clients:clients_add"), data).status_code == 302
    assert Client.objects.get(code="C-0002").referred_by == records.client


@pytest.mark.parametrize(("kind", "field"), [("contracts", "client"), ("complaints", "client"), ("surveys", "client"),
                                             ("clients", "referred_by")])  # fmt: skip
def test_an_unknown_client_code_is_answered_next_to_the_field_and_nothing_is_saved(
    firm, records, client_for, kind, field
):
    browser = client_for(getattr(firm, CLERK[kind]))
    data = {**new_record_data(kind, firm, records), field: "C-9999"}
    response = browser.post(reverse(f"clients:{kind}_add"), data)
    block = field_block(response.content.decode(), field)
    assert "is-invalid" in block and "There is no client with this code." in block
    assert MODELS[kind].objects.count() == 1 and not ChangeRecord.objects.exists()


@pytest.mark.parametrize(("kind", "field", "shown"), [("contracts", "client", "C-0001"),
                                                      ("revenue", "contract", "HT-2026-001"),
                                                      ("complaints", "client", "C-0001"),
                                                      ("surveys", "client", "C-0001")])  # fmt: skip
def test_the_edit_form_shows_the_related_record_by_its_code(firm, records, client_for, kind, field, shown):
    browser = client_for(getattr(firm, CLERK[kind]))
    html = browser.get(reverse(f"clients:{kind}_edit", args=[records.of(kind).pk])).content.decode()
    block = field_block(html, field)
    assert f'value="{shown}"' in block and "<option" not in block


def test_the_add_forms_do_not_load_the_clients_or_contracts_tables(
    firm, records, client_for, django_assert_max_num_queries
):
    # Given many clients and contracts
    Client.objects.bulk_create(
        Client(code=f"CB-{i:04d}", name=f"客户{i}", kind=Client.Kind.INDIVIDUAL) for i in range(300)
    )
    browser = client_for(firm.business_clerk)
    # When the contract form is shown, it holds no client list, and it costs a few queries
    with django_assert_max_num_queries(12):
        html = browser.get(reverse("clients:contracts_add")).content.decode()
    assert "CB-0001" not in html and 'name="client"' in html


def test_inactive_people_are_not_offered_but_stay_on_records_that_name_them(firm, records, client_for):
    # Given the credited lawyer has left the firm
    firm.lawyer.profile.active = False
    firm.lawyer.profile.save()
    browser = client_for(firm.finance_clerk)
    # Then a new entry cannot name them
    add = field_block(browser.get(reverse("clients:revenue_add")).content.decode(), "credited_to")
    assert "陈静" not in add and "周强" in add
    # But their existing entry still shows them selected, and can be saved unchanged
    edit = field_block(
        browser.get(reverse("clients:revenue_edit", args=[records.revenue.pk])).content.decode(), "credited_to"
    )
    assert re.search(rf'value="{firm.lawyer.profile.pk}" selected', edit)


def test_the_contract_selects_offer_lawyers_only(firm, records, client_for):
    html = client_for(firm.business_clerk).get(reverse("clients:contracts_add")).content.decode()
    block = field_block(html, "originating_lawyer")
    assert "陈静 (lawyer)" in block and "杨光" not in block and "钱芳" not in block


def test_forms_use_html5_date_and_datetime_inputs(firm, records, client_for):
    html = client_for(firm.admin_clerk).get(reverse("clients:complaints_edit", args=[records.complaint.pk])).content
    block = field_block(html.decode(), "received_at")
    assert 'type="datetime-local"' in block and 'value="2026-08-01T10:00"' in block
    html = client_for(firm.admin_clerk).get(reverse("clients:surveys_add")).content.decode()
    assert 'type="date"' in field_block(html, "surveyed_on")


def test_the_history_shows_imports_with_their_note(firm, records, client_for):
    # Given the import changed an entry (the import writes its own change records)
    change_record_create(
        instance=records.revenue,
        action=ChangeRecord.Action.IMPORT_UPDATE,
        by=firm.finance_clerk,
        changes={"amount": ["20000.00", "21000.00"]},
        note="revenue-2026Q3.csv, row 17",
    )
    text = client_for(firm.finance_clerk).get(reverse("clients:revenue_history", args=[records.revenue.pk])).content
    text = text.decode()
    assert "Changed by import" in text and "revenue-2026Q3.csv, row 17" in text and "21,000.00" in text


def test_a_record_without_changes_says_so_on_its_history(firm, records, client_for):
    text = client_for(firm.executor).get(reverse("clients:clients_history", args=[records.client.pk])).content
    assert "No changes have been recorded for this record." in text.decode()


def test_the_update_service_logs_against_the_stored_row_not_the_instance_it_was_given(firm, records):
    # Given a form already wrote the new name onto the instance
    client = records.client
    client.name = "已改名"
    # When the service saves it
    services.client_update(instance=client, by=firm.business_clerk, name="新名称")
    # Then the log holds the name as it was stored, not the half-edited one
    log = ChangeRecord.objects.get()
    assert log.changes == {"name": ["上海远景科技有限公司", "新名称"]}


def test_the_services_refuse_unknown_fields_and_bad_values(firm, records):
    with pytest.raises(TypeError):
        services.revenue_entry_create(by=firm.finance_clerk, ref="R-9", colour="red")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.revenue_entry_update(instance=records.revenue, by=firm.finance_clerk, amount=Decimal("0"))
    assert error.value.messages
    records.revenue.refresh_from_db()
    assert records.revenue.amount == Decimal("20000.00")
    assert not ChangeRecord.objects.exists()
