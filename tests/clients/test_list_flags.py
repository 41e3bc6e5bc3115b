"""What the department-data lists tell a clerk at a glance: complaints past the 48-hour handling deadline
(regulation 三.2, complaint handling timeliness), amounts grouped by thousands, the newest clients first, and an
upload page that does not call a file with errors "waiting for confirmation"."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from clients import services
from clients.models import Client, Complaint
from tests.clients.entry_factories import at, make_records
from tests.clients.test_import_parsing import csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(firm):
    return make_records(firm)


def rows_of(html):
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return body.split("<tr>")[1:]


def complaint(records, firm, ref, received, handled=None):
    return Complaint.objects.create(
        ref=ref,
        client=records.client,
        about=firm.lawyer.profile,
        received_at=received,
        handler=firm.executor.profile if handled else None,
        handled_at=handled,
    )


@time_machine.travel(datetime.datetime(2026, 8, 20, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_open_complaints_past_48_hours_and_late_handled_ones_are_flagged(firm, records, client_for):
    Complaint.objects.all().delete()
    now = timezone.now()
    complaint(records, firm, "TS-OPEN-OLD", now - datetime.timedelta(hours=49))
    complaint(records, firm, "TS-OPEN-NEW", now - datetime.timedelta(hours=47))
    complaint(records, firm, "TS-LATE", now - datetime.timedelta(days=5), now - datetime.timedelta(days=5, hours=-50))
    complaint(records, firm, "TS-ONTIME", now - datetime.timedelta(days=5), now - datetime.timedelta(days=4))
    web = client_for(firm.admin_clerk)
    web.cookies["django_language"] = "en"

    html = web.get(reverse("clients:complaints_list")).content.decode()

    flags = {
        re.search(r"<td>(TS-[A-Z-]+)</td>", row).group(1): re.findall(r'data-flag="(\w+)"', row)
        for row in rows_of(html)
    }
    assert flags == {"TS-OPEN-OLD": ["overdue"], "TS-OPEN-NEW": [], "TS-LATE": ["late"], "TS-ONTIME": []}
    assert "Overdue: open over 48 h" in html and "Handled late (over 48 h)" in html


def test_the_model_agrees_with_the_list_on_the_deadline(firm, records):
    received = at(datetime.date(2026, 8, 1))
    open_one = Complaint(received_at=received)
    assert open_one.overdue(received + datetime.timedelta(hours=48, minutes=1))
    assert not open_one.overdue(received + datetime.timedelta(hours=48))
    assert Complaint(received_at=received, handled_at=received + datetime.timedelta(hours=49)).handled_late
    assert not Complaint(received_at=received, handled_at=received + datetime.timedelta(hours=48)).handled_late


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_amounts_are_grouped_by_thousands_on_lists_and_history(firm, records, client_for, language):
    services.revenue_entry_update(instance=records.revenue, by=firm.finance_clerk, amount=Decimal("1234567.50"))
    web = client_for(firm.finance_clerk)
    web.cookies["django_language"] = language

    listing = web.get(reverse("clients:revenue_list")).content.decode()
    history = web.get(reverse("clients:revenue_history", args=[records.revenue.pk])).content.decode()

    assert "1,234,567.50" in listing
    assert "20,000.00" in history and "1,234,567.50" in history
    contracts = client_for(firm.business_clerk).get(reverse("clients:contracts_list")).content.decode()
    assert "50,000.00" in contracts


def test_the_client_list_shows_the_newest_clients_first(firm, records, client_for):
    Client.objects.create(code="C0002", name="新客户", kind="individual", created_on=datetime.date(2026, 9, 1))
    Client.objects.create(code="C0003", name="老客户", kind="individual", created_on=datetime.date(2025, 1, 1))
    web = client_for(firm.business_clerk)

    html = web.get(reverse("clients:clients_list")).content.decode()

    codes = [re.search(r"<td>(C[-\d]+)</td>", row).group(1) for row in rows_of(html)]
    assert codes == ["C0002", "C-0001", "C0003"]


def test_the_upload_page_says_a_waiting_file_with_errors_cannot_be_confirmed(
    firm, records, client_for, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    web = client_for(firm.finance_clerk)
    web.cookies["django_language"] = "en"
    bad = csv_bytes(
        [["ref", "contract", "received_on", "amount", "credited_to"], ["R-9", "HT-NONE", "2026-07-01", "5", "lawyer"]]
    )
    web.post(
        reverse("clients:import_upload", kwargs={"kind": "revenue"}),
        {"file": SimpleUploadedFile("r.csv", bad)},
        follow=True,
    )

    page = web.get(reverse("clients:import_upload", kwargs={"kind": "revenue"})).content.decode()

    assert "has 1 error and cannot be confirmed" in page
    assert "waiting for your confirmation" not in page
    web.cookies["django_language"] = "zh-hans"
    page = web.get(reverse("clients:import_upload", kwargs={"kind": "revenue"})).content.decode()
    assert "正等待您确认" not in page and "无法确认" in page
