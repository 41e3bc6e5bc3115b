"""Only a lawyer is a contract's originating or responsible lawyer (regulation 三.2), whether the contract is typed
into the form or imported from a file: both paths ask clients.selectors.contract_lawyer_refusals."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from clients.forms import ContractForm
from clients.models import Client, Contract
from tests.clients.test_import_kinds import CONTRACT_HEADER
from tests.clients.test_import_parsing import csv_bytes, messages_of, run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def client_row(firm):
    return Client.objects.create(code="C0001", name="华信科技有限公司", kind="organisation")


def form_data(firm, *, originating, responsible):
    return {
        "number": "HT-2026-101",
        "client": "C0001",
        "signed_on": "2026-07-16",
        "originating_lawyer": originating.profile.pk,
        "responsible_lawyer": responsible.profile.pk,
        "matter": "股权转让",
        "fee": "88000.00",
        "status": "active",
        "closed_on": "",
    }


@pytest.mark.parametrize("who", ["assistant", "admin_clerk", "business_clerk"])
def test_the_form_neither_offers_nor_accepts_a_non_lawyer(firm, client_row, who):
    person = getattr(firm, who)
    form = ContractForm()
    offered = {pk for pk, _label in form.fields["originating_lawyer"].choices if pk}
    assert person.profile.pk not in {int(str(pk)) for pk in offered}
    assert firm.lawyer.profile.pk in {int(str(pk)) for pk in offered}
    form = ContractForm(form_data(firm, originating=person, responsible=firm.lawyer))
    assert not form.is_valid() and "originating_lawyer" in form.errors


def test_the_form_keeps_a_non_lawyer_already_on_an_old_contract_but_refuses_naming_one_anew(firm, client_row):
    # Given a contract stored with an assistant as its responsible lawyer (entered before the rule held)
    contract = Contract.objects.create(
        number="HT-2026-101",
        client=client_row,
        signed_on=datetime.date(2026, 7, 16),
        originating_lawyer=firm.lawyer.profile,
        responsible_lawyer=firm.assistant.profile,
        matter="股权转让",
        fee=Decimal("88000.00"),
    )
    # When the clerk changes only the fee, the form saves
    data = form_data(firm, originating=firm.lawyer, responsible=firm.assistant) | {"fee": "90000.00"}
    assert ContractForm(data, instance=contract).is_valid()
    # But moving the originating role to the administrative clerk is refused with the rule's message
    data = form_data(firm, originating=firm.admin_clerk, responsible=firm.assistant)
    form = ContractForm(data, instance=contract)
    assert not form.is_valid()
    assert form.errors["originating_lawyer"]


def test_a_clerk_posting_an_assistant_as_lawyer_saves_nothing(firm, client_row, client_for):
    browser = client_for(firm.business_clerk)
    data = form_data(firm, originating=firm.lawyer, responsible=firm.assistant)
    response = browser.post(reverse("clients:contracts_add"), data)
    assert response.status_code == 200
    assert not Contract.objects.filter(number="HT-2026-101").exists()


def contract_file(originating, responsible, number="HT-2026-201"):
    return csv_bytes(
        [CONTRACT_HEADER, [number, "C0001", "2026-07-20", originating, responsible, "买卖合同纠纷", "120000.00"]]
    )


@pytest.mark.parametrize(
    ("originating", "responsible", "column"),
    [
        ("assistant", "lawyer", "originating_lawyer"),  # an assistant as the originating lawyer
        ("lawyer", "admclerk", "responsible_lawyer"),  # an administrative clerk as the responsible lawyer
        ("executor", "lawyer", "originating_lawyer"),  # the execution group's administrator
    ],
)
def test_the_import_refuses_a_non_lawyer_as_either_lawyer(firm, client_row, originating, responsible, column):
    report = run("contracts", contract_file(originating, responsible), by=firm.business_clerk)
    assert not report.committed
    assert any(f"|{column}|" in message and "Only a lawyer can be the" in message for message in messages_of(report)), (
        messages_of(report)
    )
    assert not Contract.objects.filter(number="HT-2026-201").exists()


def test_the_import_accepts_lawyers_and_an_unchanged_non_lawyer_on_an_old_contract(firm, client_row):
    report = run("contracts", contract_file("lawyer", "colleague"), by=firm.business_clerk)
    assert report.committed, messages_of(report)
    Contract.objects.filter(number="HT-2026-201").update(responsible_lawyer=firm.assistant.profile)
    # Re-importing the stored (old) responsible person with a new fee is accepted, as the form accepts it
    content = csv_bytes(
        [CONTRACT_HEADER, ["HT-2026-201", "C0001", "2026-07-20", "lawyer", "assistant", "买卖合同纠纷", "130000.00"]]
    )
    report = run("contracts", content, by=firm.business_clerk)
    assert report.committed, messages_of(report)
    assert Contract.objects.get(number="HT-2026-201").fee == Decimal("130000.00")


def test_the_refusal_reads_in_chinese_for_a_chinese_clerk(firm, client_row):
    with translation.override("zh-hans"):
        report = run("contracts", contract_file("assistant", "lawyer"), by=firm.business_clerk)
        text = " ".join(messages_of(report))
    assert "律师" in text and "Only a lawyer" not in text
