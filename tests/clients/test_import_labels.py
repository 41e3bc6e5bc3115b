"""Import errors and previews name columns and choices in the reader's language, with the code a file may use
beside them, and show amounts with thousands separators."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from clients.models import Client, Contract
from tests.clients.test_import_kinds import CONTRACT_HEADER
from tests.clients.test_import_parsing import csv_bytes, messages_of, run
from tests.clients.test_import_web import private_media  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(firm):
    client = Client.objects.create(code="C0001", name="华信科技有限公司", kind="organisation")
    return Contract.objects.create(
        number="HT-001",
        client=client,
        signed_on=datetime.date(2026, 7, 10),
        originating_lawyer=firm.lawyer.profile,
        responsible_lawyer=firm.colleague.profile,
        matter="买卖合同纠纷",
        fee=Decimal("80000.00"),
    )


def status_file(status):
    header = [*CONTRACT_HEADER, "status"]
    return csv_bytes([header, ["HT-002", "C0001", "2026-07-12", "lawyer", "colleague", "股权转让", "1000", status]])


def test_a_wrong_choice_lists_the_labels_with_their_codes_in_chinese(contract):
    with translation.override("zh-hans"):
        report = run("contracts", status_file("pending"), commit=False)
        (message,) = messages_of(report)
    assert "状态（status）须为：有效（active）、已完成（completed）、已终止（terminated）" in message, message
    assert "active, completed" not in message


def test_an_unknown_column_lists_the_columns_by_label_and_key_in_chinese(contract):
    with translation.override("zh-hans"):
        report = run("revenue", csv_bytes([["ref", "remark"], ["SK-1", "x"]]), commit=False)
        text = " ".join(messages_of(report))
    assert "本次导入的列为：编号（ref）、合同（contract）" in text, text
    assert "ref, contract" not in text


@pytest.mark.usefixtures("private_media")
def test_the_preview_names_the_changed_column_and_groups_the_amount(contract, firm, client_for):
    web = client_for(firm.business_clerk)
    web.cookies["django_language"] = "zh-hans"
    content = csv_bytes(
        [CONTRACT_HEADER, ["HT-001", "C0001", "2026-07-10", "lawyer", "colleague", "买卖合同纠纷", "90000"]]
    )
    page = web.post(
        reverse("clients:import_upload", kwargs={"kind": "contracts"}),
        {"file": SimpleUploadedFile("合同.csv", content)},
        follow=True,
    )
    text = page.content.decode()
    changes = text[text.find("import-changes") :][:1500]
    assert "律师费（fee）：80,000.00 → 90,000.00" in text, changes
    assert Contract.objects.get().fee == Decimal("80000.00")
