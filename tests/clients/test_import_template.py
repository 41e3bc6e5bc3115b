"""The Excel templates: drop-down lists on the choice columns and one example row that can never be imported by
accident (left as it is, it is skipped; filled in but still marked, it is refused)."""

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from clients.importing.columns import EXAMPLE_MARKERS
from clients.importing.services import import_template_build
from clients.models import Client, Contract
from tests.clients.test_import_parsing import messages_of, run

pytestmark = pytest.mark.django_db


def workbook(kind, *, chinese):
    content, _type, _name = import_template_build(kind=kind, fmt="xlsx", chinese=chinese)
    return openpyxl.load_workbook(io.BytesIO(content))


def saved(book):
    content = io.BytesIO()
    book.save(content)
    return content.getvalue()


def test_the_choice_columns_have_drop_down_lists_in_the_templates_language():
    with translation.override("zh-hans"):
        sheet = workbook("contracts", chinese=True).active
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    # status is the eighth column (H): 有效 / 已完成 / 已终止
    assert lists == {"H2": '"有效,已完成,已终止"'}
    with translation.override("en"):
        sheet = workbook("complaints", chinese=False).active
    (validation,) = sheet.data_validations.dataValidation
    assert validation.formula1 == '"Phone,E-mail,Letter,In person,Web"'


@pytest.mark.parametrize("chinese", [True, False])
def test_the_untouched_template_imports_nothing_and_says_it_has_no_data_rows(firm, chinese):
    Client.objects.create(code="C0001", name="华信科技有限公司", kind="organisation")
    book = workbook("contracts", chinese=chinese)
    assert book.active.cell(row=2, column=1).value == EXAMPLE_MARKERS[0 if chinese else 1]

    report = run("contracts", saved(book), by=firm.business_clerk, name="t.xlsx")

    assert not report.committed and report.total_rows == 0
    assert not Contract.objects.exists()


def test_a_real_row_under_the_untouched_example_is_imported_alone(firm):
    Client.objects.create(code="C0001", name="华信科技有限公司", kind="organisation")
    book = workbook("contracts", chinese=True)
    book.active.append(["HT-9", "C0001", "2026-07-01", "lawyer", "colleague", "借款纠纷", "5000", "有效", None])

    report = run("contracts", saved(book), by=firm.business_clerk, name="t.xlsx")

    assert report.committed, messages_of(report)
    assert list(Contract.objects.values_list("number", flat=True)) == ["HT-9"]


def test_an_example_row_filled_in_but_still_marked_is_refused_not_dropped(firm):
    Client.objects.create(code="C0001", name="华信科技有限公司", kind="organisation")
    book = workbook("contracts", chinese=False)
    book.active.cell(row=2, column=6).value = "真实的案由"

    with translation.override("en"):
        report = run("contracts", saved(book), by=firm.business_clerk, name="t.xlsx")

    assert not report.committed and not Contract.objects.exists()
    assert any("example row" in message for message in messages_of(report)), messages_of(report)


def test_the_downloaded_template_carries_the_example_and_the_lists(firm, client_for):
    response = client_for(firm.admin_clerk).get(
        reverse("clients:import_template", kwargs={"kind": "surveys", "fmt": "xlsx"}) + "?headers=zh"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=1).value == EXAMPLE_MARKERS[0]
    assert sheet.data_validations.dataValidation
