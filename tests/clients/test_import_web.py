"""The import pages: upload → preview → confirm, as a clerk sees them, and who may use them."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from clients.importing.services import UPLOAD_FOLDER
from clients.models import ChangeRecord, Client, Contract, RevenueEntry
from reviews.models import StaffProfile
from tests.clients.test_import_parsing import PNG_BYTES, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages():
    """Messages are asserted in English, the source language (the default language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Each test keeps its uploads in a folder of its own, so leftovers of one never count in another."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }


CLIENT_HEADER = ["code", "name", "kind", "referred_by", "email", "phone"]
REVENUE_HEADER = ["ref", "contract", "received_on", "amount", "credited_to"]


@pytest.fixture
def contract(firm):
    client = Client.objects.create(code="C001", name="华信科技有限公司", kind="organisation")
    return Contract.objects.create(
        number="HT-001",
        client=client,
        signed_on=datetime.date(2026, 1, 10),
        originating_lawyer=firm.lawyer.profile,
        responsible_lawyer=firm.colleague.profile,
        matter="买卖合同纠纷",
        fee=Decimal("100000.00"),
    )


def upload(web, kind, content, name="data.csv"):
    return web.post(
        reverse("clients:import_upload", kwargs={"kind": kind}),
        {"file": SimpleUploadedFile(name, content)},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def english(web):
    web.cookies["django_language"] = "en"
    return web


def stored_uploads():
    try:
        return default_storage.listdir(UPLOAD_FOLDER)[1]
    except FileNotFoundError:
        return []


def test_the_upload_page_lists_the_columns_templates_and_size_limit(firm, client_for, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
    web = english(client_for(firm.finance_clerk))

    page = web.get(reverse("clients:import_upload", kwargs={"kind": "revenue"})).content.decode()

    for text in (
        "received_on",
        "收款日期",
        "credited_to",
        "归属律师",
        "20 MB",
        reverse("clients:import_template", kwargs={"kind": "revenue", "fmt": "csv"}),
        reverse("clients:import_template", kwargs={"kind": "revenue", "fmt": "xlsx"}),
    ):
        assert text in page


def test_a_clerk_uploads_previews_and_confirms_a_revenue_file(firm, client_for, contract):
    web = english(client_for(firm.finance_clerk))
    content = csv_bytes(
        [
            REVENUE_HEADER,
            ["SK-1", "HT-001", "2026-02-03", "50000", "lawyer"],
            ["SK-2", "HT-001", "2026-02-04", "800", "colleague"],
        ]
    )

    # When the clerk uploads the file, the preview counts what would happen and nothing is saved yet.
    preview = upload(web, "revenue", content, name="2026Q1 收款.csv")
    page = preview.content.decode()
    assert preview.redirect_chain[-1][0] == reverse("clients:import_preview", kwargs={"kind": "revenue"})
    assert "would be created" in page and '<div class="fs-3 fw-bold">2</div>' in page
    assert "Confirm import" in page
    assert RevenueEntry.objects.count() == 0
    assert len(stored_uploads()) == 1

    # When they confirm, the rows are saved, the change log names the file, and the file is gone.
    token = preview.context["token"]
    done = web.post(reverse("clients:import_confirm", kwargs={"kind": "revenue"}), {"token": token}, follow=True)
    assert "Imported 2026Q1 收款.csv: 2 created, 0 updated, 0 unchanged." in done.content.decode()
    assert sorted(RevenueEntry.objects.values_list("ref", flat=True)) == ["SK-1", "SK-2"]
    assert set(ChangeRecord.objects.values_list("note", "by")) == {("2026Q1 收款.csv", firm.finance_clerk.pk)}
    assert stored_uploads() == []


def test_the_preview_lists_every_bad_row_and_offers_no_confirmation(firm, client_for, contract):
    web = english(client_for(firm.finance_clerk))
    content = csv_bytes(
        [
            REVENUE_HEADER,
            ["SK-1", "HT-001", "2026-02-03", "0", "lawyer"],
            ["SK-2", "HT-404", "2026-02-04", "800", "colleague"],
            ["SK-3", "HT-001", "2026-02-31", "800", "colleague"],
        ]
    )

    page = upload(web, "revenue", content).content.decode()

    assert "Nothing can be imported until every error is fixed." in page
    assert "Must be greater than zero." in page
    assert "There is no contract with number “HT-404”." in page
    assert "“2026-02-31” is not a date" in page
    assert "Confirm import" not in page
    assert RevenueEntry.objects.count() == 0


def test_confirming_a_file_with_errors_imports_nothing(firm, client_for, contract):
    web = english(client_for(firm.finance_clerk))
    preview = upload(
        web,
        "revenue",
        csv_bytes(
            [
                REVENUE_HEADER,
                ["SK-1", "HT-001", "2026-02-03", "5", "lawyer"],
                ["SK-2", "HT-001", "2026-02-03", "-5", "lawyer"],
            ]
        ),
    )

    done = web.post(
        reverse("clients:import_confirm", kwargs={"kind": "revenue"}), {"token": preview.context["token"]}, follow=True
    )

    assert "The file has errors; nothing was imported." in done.content.decode()
    assert RevenueEntry.objects.count() == 0


def test_confirming_revalidates_against_what_changed_since_the_preview(firm, client_for, contract):
    web = english(client_for(firm.finance_clerk))
    preview = upload(web, "revenue", csv_bytes([REVENUE_HEADER, ["SK-1", "HT-001", "2026-02-03", "5", "lawyer"]]))
    # Meanwhile the contract is renumbered in the browser.
    Contract.objects.filter(pk=contract.pk).update(number="HT-001-A")

    done = web.post(
        reverse("clients:import_confirm", kwargs={"kind": "revenue"}), {"token": preview.context["token"]}, follow=True
    )

    # The write is a job (in-process here): it failed, and its page says what is wrong now
    page = done.content.decode()
    assert done.redirect_chain[-1][0].startswith("/jobs/") and "nothing was imported" in page
    assert "There is no contract with number “HT-001”." in page
    assert RevenueEntry.objects.count() == 0


def test_a_stale_preview_cannot_confirm_a_newer_upload(firm, client_for, contract):
    web = english(client_for(firm.finance_clerk))
    first = upload(web, "revenue", csv_bytes([REVENUE_HEADER, ["SK-1", "HT-001", "2026-02-03", "5", "lawyer"]]))
    upload(web, "revenue", csv_bytes([REVENUE_HEADER, ["SK-9", "HT-001", "2026-02-03", "5", "lawyer"]]))

    done = web.post(
        reverse("clients:import_confirm", kwargs={"kind": "revenue"}), {"token": first.context["token"]}, follow=True
    )

    assert "A newer file was uploaded since this preview" in done.content.decode()
    assert RevenueEntry.objects.count() == 0
    assert len(stored_uploads()) == 1  # the first upload was discarded when the second arrived


def test_cancel_discards_the_stored_file(firm, client_for, contract):
    web = english(client_for(firm.finance_clerk))
    upload(web, "revenue", csv_bytes([REVENUE_HEADER, ["SK-1", "HT-001", "2026-02-03", "5", "lawyer"]]))

    done = web.post(reverse("clients:import_cancel", kwargs={"kind": "revenue"}), follow=True)

    assert "The import was cancelled; nothing was imported." in done.content.decode()
    assert stored_uploads() == []
    assert RevenueEntry.objects.count() == 0


def test_another_users_session_cannot_confirm_the_clerks_file(firm, client_for, contract, client):
    from django.test import Client as Browser

    clerk = Browser()
    clerk.force_login(firm.finance_clerk)
    preview = upload(clerk, "revenue", csv_bytes([REVENUE_HEADER, ["SK-1", "HT-001", "2026-02-03", "5", "lawyer"]]))
    other = Browser()
    other.force_login(firm.finance_clerk)

    response = other.post(
        reverse("clients:import_confirm", kwargs={"kind": "revenue"}), {"token": preview.context["token"]}
    )

    assert response.status_code == 302
    assert RevenueEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (PNG_BYTES, "revenue.csv", "This is a PNG file (image/png), not a CSV or Excel (.xlsx) file."),
        (b"", "revenue.csv", "The submitted file is empty."),
    ],
)
def test_a_wrong_file_is_refused_next_to_the_field_and_not_stored(firm, client_for, content, name, message):
    web = english(client_for(firm.finance_clerk))

    response = upload(web, "revenue", content, name=name)

    assert message in response.content.decode()
    assert response.context["form"].errors["file"]
    assert stored_uploads() == []


def test_a_file_over_the_limit_is_refused_next_to_the_field(firm, client_for, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024 * 1024
    web = english(client_for(firm.finance_clerk))

    response = upload(web, "revenue", b"ref,contract\n" + b"x" * (1024 * 1024 + 10))

    assert "files up to 1 MB are accepted" in response.content.decode()
    assert stored_uploads() == []


def test_an_xlsx_with_chinese_headers_goes_through_the_pages(firm, client_for):
    web = english(client_for(firm.business_clerk))
    content = xlsx_bytes(
        [["客户编号", "客户名称", "客户类型"], ["C100", "星辰文化传媒", "单位"], ["C101", "李明", "个人"]]
    )

    preview = upload(web, "clients", content, name="客户.xlsx")
    web.post(reverse("clients:import_confirm", kwargs={"kind": "clients"}), {"token": preview.context["token"]})

    assert dict(Client.objects.values_list("code", "kind")) == {"C100": "organisation", "C101": "individual"}


def test_the_preview_shows_what_an_update_changes(firm, client_for):
    Client.objects.create(code="C100", name="星辰文化", kind="organisation")
    web = english(client_for(firm.business_clerk))

    page = upload(web, "clients", csv_bytes([["code", "name", "kind"], ["C100", "星辰文化传媒", "organisation"]]))

    assert "星辰文化 → 星辰文化传媒" in page.content.decode()
    assert Client.objects.get().name == "星辰文化"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_templates_hold_the_header_row_only(firm, client_for, fmt):
    web = client_for(firm.finance_clerk)

    response = web.get(reverse("clients:import_template", kwargs={"kind": "revenue", "fmt": fmt}) + "?headers=en")

    assert "attachment" in response["Content-Disposition"]
    if fmt == "csv":
        assert response.content.decode("utf-8-sig").splitlines() == ["ref,contract,received_on,amount,credited_to"]
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
        rows = [row for row in sheet.iter_rows(values_only=True) if any(row)]
        # The header and the marked example row, which the import skips (tests/clients/test_import_template.py)
        assert rows[0] == ("ref", "contract", "received_on", "amount", "credited_to")
        assert rows[1][0] == "EXAMPLE ROW (ignored on import)" and len(rows) == 2


def test_the_chinese_template_uses_chinese_headers_and_imports_back(firm, client_for, contract):
    web = client_for(firm.finance_clerk)
    template = web.get(reverse("clients:import_template", kwargs={"kind": "revenue", "fmt": "csv"}) + "?headers=zh")
    assert template.content.decode("utf-8-sig").strip() == "收款编号,合同编号,收款日期,金额,归属律师"

    content = template.content + b"SK-7,HT-001,2026/03/01,1200,lawyer\r\n"
    preview = upload(web, "revenue", content)

    assert preview.context["report"].created == 1


def test_after_a_staff_import_the_executor_lands_on_the_people_page(
    firm, client_for, django_capture_on_commit_callbacks
):
    web = english(client_for(firm.executor))
    preview = upload(
        web,
        "staff",
        csv_bytes(
            [
                ["username", "full_name", "email", "position", "department", "superior"],
                ["wangfang", "王芳", "wangfang@firm.example", "律师", "lit", "senior"],
            ]
        ),
    )

    with django_capture_on_commit_callbacks(execute=True):
        done = web.post(
            reverse("clients:import_confirm", kwargs={"kind": "staff"}), {"token": preview.context["token"]}
        )

    assert done.status_code == 302 and done["Location"] == reverse("reviews:people")
    assert "Imported data.csv: 1 created, 0 updated, 0 unchanged." in web.get(done["Location"]).content.decode()
    assert [message.to for message in mail.outbox] == [["wangfang@firm.example"]]
    assert StaffProfile.objects.get(user__username="wangfang").superior == firm.superior.profile


# ------------------------------------------------------------------------------------------ access

ALLOWED = {
    "business_clerk": {"clients", "contracts"},
    "finance_clerk": {"revenue"},
    "admin_clerk": {"complaints", "surveys"},
    "executor": {"staff"},
    "partner": set(),
    "superior": set(),
    "lawyer": set(),
    "assistant": set(),
    "outsider": set(),
}
KINDS = ("staff", "clients", "contracts", "revenue", "complaints", "surveys")


@pytest.mark.parametrize("persona", sorted(ALLOWED))
def test_each_role_may_import_only_its_own_kinds(firm, client_for, persona):
    web = client_for(getattr(firm, persona))

    for kind in KINDS:
        upload_page = web.get(reverse("clients:import_upload", kwargs={"kind": kind}))
        template = web.get(reverse("clients:import_template", kwargs={"kind": kind, "fmt": "csv"}))
        posted = web.post(
            reverse("clients:import_upload", kwargs={"kind": kind}),
            {"file": SimpleUploadedFile("x.csv", b"code,name\nC1,x\n")},
        )
        expected = 200 if kind in ALLOWED[persona] else 403
        assert (kind, upload_page.status_code, template.status_code) == (kind, expected, expected)
        assert posted.status_code == (302 if kind in ALLOWED[persona] else 403)
    assert Client.objects.count() == 0


def test_the_business_clerk_can_import_clients_but_not_revenue(firm, client_for):
    web = english(client_for(firm.business_clerk))

    assert "Import: Clients" in web.get(reverse("clients:import_upload", kwargs={"kind": "clients"})).content.decode()
    assert web.get(reverse("clients:import_upload", kwargs={"kind": "revenue"})).status_code == 403


def test_the_import_index_shows_only_the_users_kinds_and_refuses_lawyers(firm, client_for):
    page = english(client_for(firm.admin_clerk)).get(reverse("clients:import_index")).content.decode()
    assert "Complaints" in page and "Satisfaction surveys" in page and "Revenue entries" not in page

    assert client_for(firm.lawyer).get(reverse("clients:import_index")).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    for url in (
        reverse("clients:import_index"),
        reverse("clients:import_upload", kwargs={"kind": "revenue"}),
        reverse("clients:import_preview", kwargs={"kind": "revenue"}),
        reverse("clients:import_template", kwargs={"kind": "revenue", "fmt": "csv"}),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_unknown_kind_is_not_found(firm, client_for):
    assert (
        client_for(firm.executor).get(reverse("clients:import_upload", kwargs={"kind": "salaries"})).status_code == 404
    )


def test_every_error_can_be_downloaded_as_csv_with_formulas_defused(firm, client_for, contract):
    web = english(client_for(firm.finance_clerk))
    upload(
        web,
        "revenue",
        csv_bytes(
            [
                ["ref", "contract", "received_on", "amount", "credited_to", "=HYPERLINK(1)"],
                ["SK-1", "HT-001", "2026-02-03", "5", "lawyer", ""],
            ]
        ),
    )

    response = web.get(reverse("clients:import_errors", kwargs={"kind": "revenue"}))

    content = b"".join(response.streaming_content)  # the file the check's job kept
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["Row", "Column", "Reason"]
    assert rows[1][:2] == ["1", "'=HYPERLINK(1)"]
    assert rows[1][2].startswith("Unknown column “=HYPERLINK(1)”.")
    assert RevenueEntry.objects.count() == 0
