"""No one acts on themselves (clients.subjects): a record that feeds a person's own score is entered by someone else.

The administrative clerk is also assessed and handles complaints: they are the case each test tries.
"""

import io

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from clients.importing.services import import_run
from clients.models import ChangeRecord, Complaint, RevenueEntry, SatisfactionSurvey
from tests.clients.entry_factories import make_records
from tests.clients.test_entry_forms import new_record_data

OWN_SCORE = "This record counts towards your own score"


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"


@pytest.fixture
def records(firm):
    return make_records(firm)


def test_the_admin_clerk_enters_a_complaint_they_handle_and_is_refused(firm, records, client_for):
    data = new_record_data("complaints", firm, records) | {"handler": firm.admin_clerk.profile.pk}
    logs = ChangeRecord.objects.count()
    response = client_for(firm.admin_clerk).post(reverse("clients:complaints_add"), data)
    assert response.status_code == 200
    assert OWN_SCORE in response.content.decode() and "(handler is you)" in response.content.decode()
    assert not Complaint.objects.filter(ref="TS-0002").exists() and ChangeRecord.objects.count() == logs


def test_the_admin_clerk_cannot_change_the_handling_time_of_their_own_complaint(firm, records, client_for):
    # Given a complaint handled by the admin clerk, entered by someone else
    Complaint.objects.filter(pk=records.complaint.pk).update(handler=firm.admin_clerk.profile)
    data = new_record_data("complaints", firm, records) | {
        "ref": "TS-0001",
        "handler": firm.admin_clerk.profile.pk,
        "handled_at": "2026-08-11T09:00",
    }
    response = client_for(firm.admin_clerk).post(reverse("clients:complaints_edit", args=[records.complaint.pk]), data)
    assert OWN_SCORE in response.content.decode()
    complaint = Complaint.objects.get(pk=records.complaint.pk)
    assert complaint.handled_at is None and complaint.handler == firm.admin_clerk.profile
    # Nor can they hand it to someone else to escape the rule
    data["handler"] = firm.executor.profile.pk
    response = client_for(firm.admin_clerk).post(reverse("clients:complaints_edit", args=[records.complaint.pk]), data)
    assert OWN_SCORE in response.content.decode()
    assert Complaint.objects.get(pk=records.complaint.pk).handler == firm.admin_clerk.profile


def test_the_admin_clerk_cannot_enter_a_complaint_or_survey_about_themselves(firm, records, client_for):
    browser = client_for(firm.admin_clerk)
    complaint = new_record_data("complaints", firm, records) | {"about": firm.admin_clerk.profile.pk}
    survey = new_record_data("surveys", firm, records) | {"staff": firm.admin_clerk.profile.pk}
    assert OWN_SCORE in browser.post(reverse("clients:complaints_add"), complaint).content.decode()
    assert OWN_SCORE in browser.post(reverse("clients:surveys_add"), survey).content.decode()
    assert not Complaint.objects.filter(ref="TS-0002").exists()
    assert not SatisfactionSurvey.objects.filter(ref="MY-0002").exists()


def test_the_finance_clerk_cannot_credit_revenue_to_themselves(firm, records, client_for):
    data = new_record_data("revenue", firm, records) | {"credited_to": firm.finance_clerk.profile.pk}
    response = client_for(firm.finance_clerk).post(reverse("clients:revenue_add"), data)
    assert OWN_SCORE in response.content.decode()
    assert not RevenueEntry.objects.filter(ref="R-0002").exists()


def test_a_clerk_still_enters_records_about_others(firm, records, client_for):
    data = new_record_data("complaints", firm, records)
    response = client_for(firm.admin_clerk).post(reverse("clients:complaints_add"), data)
    assert response.status_code == 302 and Complaint.objects.filter(ref="TS-0002").exists()


def test_the_admin_clerk_imports_complaints_they_handle_and_the_rows_are_refused(firm, records):
    header = "ref,client,about,received_at,handler,handled_at,resolution,channel"
    rows = [
        header,
        "TS-0101,C-0001,lawyer,2026-08-01 09:00,admclerk,2026-08-01 12:00,已处理,phone",
        "TS-0102,C-0001,admclerk,2026-08-01 09:00,executor,2026-08-01 12:00,已处理,phone",
        "TS-0103,C-0001,lawyer,2026-08-01 09:00,executor,2026-08-01 12:00,已处理,phone",
    ]
    stream = io.BytesIO(("\n".join(rows) + "\n").encode())
    report = import_run(kind="complaints", stream=stream, file_name="c.csv", by=firm.admin_clerk, commit=True)
    assert not report.committed
    assert [(error.row, error.column) for error in report.errors] == [(2, "handler"), (3, "about")]
    assert all(OWN_SCORE in error.message for error in report.errors)
    assert not Complaint.objects.filter(ref__startswith="TS-01").exists()


def test_the_data_admin_refuses_a_record_about_the_person_using_it(firm, records, client):
    # Given the admin clerk is also a technical administrator
    User.objects.filter(pk=firm.admin_clerk.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=firm.admin_clerk.pk))
    url = reverse("admin:clients_complaint_change", args=[records.complaint.pk])
    response = client.post(
        url,
        {
            "ref": "TS-0001",
            "client": records.client.pk,
            "about": firm.lawyer.profile.pk,
            "received_at_0": "2026-08-01",
            "received_at_1": "10:00:00",
            "handler": firm.admin_clerk.profile.pk,
            "handled_at_0": "2026-08-01",
            "handled_at_1": "11:00:00",
            "resolution": "",
            "channel": "phone",
        },
    )
    assert response.status_code == 200 and OWN_SCORE in response.content.decode()
    assert Complaint.objects.get(pk=records.complaint.pk).handler == firm.executor.profile
