"""The admin shows every model of the data and the organisation; the change log and scorecards stay read-only."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from clients.models import ChangeRecord, Client
from tests.clients.entry_factories import make_records

MODELS = [
    ("clients", "client"),
    ("clients", "contract"),
    ("clients", "revenueentry"),
    ("clients", "complaint"),
    ("clients", "satisfactionsurvey"),
    ("clients", "changerecord"),
    ("reviews", "department"),
    ("reviews", "staffprofile"),
    ("reviews", "quarter"),
    ("results", "scorecard"),
    ("results", "indicatorscore"),
]


@pytest.fixture
def admin_browser(firm, client):
    make_records(firm)
    client.force_login(User.objects.create_superuser("root", "root@firm.example", "root-pass-123456"))
    return client


@pytest.mark.parametrize(("app", "model"), MODELS)
def test_every_model_has_an_admin_list(admin_browser, app, model):
    assert admin_browser.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200


@pytest.mark.parametrize(
    ("app", "model"), [("clients", "changerecord"), ("results", "scorecard"), ("results", "indicatorscore")]
)
def test_the_change_log_and_results_cannot_be_added_in_the_admin(admin_browser, app, model):
    assert admin_browser.get(reverse(f"admin:{app}_{model}_add")).status_code == 403


def test_a_change_made_in_the_admin_is_logged(admin_browser):
    client = Client.objects.get(code="C-0001")
    data = {
        "code": "C-0001",
        "name": "新名字",
        "kind": "organisation",
        "email": "",
        "phone": "",
        "referred_by": "",
        "created_on": "2026-07-02",
    }
    response = admin_browser.post(reverse("admin:clients_client_change", args=[client.pk]), data)
    assert response.status_code == 302
    log = ChangeRecord.objects.get()
    assert (
        log.changes == {"name": ["上海远景科技有限公司", "新名字"]}
        and log.by.username == "root"
        and log.note == "admin"
    )
    log_page = admin_browser.get(reverse("admin:clients_changerecord_change", args=[log.pk])).content.decode()
    assert 'name="_save"' not in log_page
