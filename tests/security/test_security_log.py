"""Security-relevant events go to the "security" logger: who, what, from where — never a password."""

import logging

import pytest
from django.test import override_settings
from django.urls import reverse

from lawfirm_kpi.security import log_event
from reviews.lifecycle import Action, quarter_transition
from reviews.models import Quarter, QuarterState

pytestmark = pytest.mark.django_db


def security_lines(caplog):
    return [record.getMessage() for record in caplog.records if record.name == "security"]


@override_settings(AXES_ENABLED=True)
def test_a_failed_sign_in_is_logged_with_username_and_address_but_not_the_password(firm, client, caplog):
    caplog.set_level(logging.INFO, logger="security")
    # When someone types a wrong password for the lawyer
    client.post(reverse("login"), {"username": "lawyer", "password": "Secret-Guess-123"}, REMOTE_ADDR="10.1.2.3")
    # Then one warning names the username and the address
    lines = security_lines(caplog)
    assert any(
        line.startswith("login.failed") and "username=lawyer" in line and "ip=10.1.2.3" in line for line in lines
    ), lines
    # And the password appears nowhere in the log
    assert all("Secret-Guess-123" not in record.getMessage() for record in caplog.records)
    assert all("Secret-Guess-123" not in str(record.__dict__) for record in caplog.records)


@override_settings(AXES_ENABLED=True)
def test_a_lockout_is_logged(firm, client, caplog):
    caplog.set_level(logging.INFO, logger="security")
    for _ in range(5):
        client.post(reverse("login"), {"username": "lawyer", "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
    lines = security_lines(caplog)
    assert any(
        line.startswith("login.locked_out") and "username=lawyer" in line and "ip=10.1.2.3" in line for line in lines
    ), lines


@override_settings(AXES_ENABLED=True)
def test_a_successful_sign_in_is_logged(firm, client, caplog):
    caplog.set_level(logging.INFO, logger="security")
    client.post(reverse("login"), {"username": "lawyer", "password": "pw-for-tests-1"}, REMOTE_ADDR="10.1.2.3")
    assert any(
        line.startswith(f"login.succeeded user=lawyer#{firm.lawyer.pk}") and "ip=10.1.2.3" in line
        for line in security_lines(caplog)
    )


def test_a_refused_page_is_logged_with_user_path_and_status(firm, client_for, caplog):
    caplog.set_level(logging.INFO, logger="security")
    # When a lawyer opens the people page, which is for the execution group
    response = client_for(firm.lawyer).get(reverse("reviews:people"))
    assert response.status_code == 403
    # Then the refusal is logged as a warning with who, where and the status
    records = [r for r in caplog.records if r.name == "security" and r.getMessage().startswith("access.refused")]
    assert len(records) == 1
    line = records[0].getMessage()
    assert records[0].levelno == logging.WARNING
    assert f"user=lawyer#{firm.lawyer.pk}" in line
    assert "path=/people/" in line and "status=403" in line and "method=GET" in line


def test_a_hidden_scorecard_is_logged_as_not_found(firm, client_for, caplog):
    caplog.set_level(logging.INFO, logger="security")
    response = client_for(firm.lawyer).get(reverse("portal:scorecard", args=[424242]))
    assert response.status_code == 404
    assert any(
        line.startswith(f"access.not_found user=lawyer#{firm.lawyer.pk}") and "status=404" in line
        for line in security_lines(caplog)
    )


def test_an_anonymous_404_is_not_logged(client, caplog):
    caplog.set_level(logging.INFO, logger="security")
    client.get("/no-such-page/")
    assert security_lines(caplog) == []


def test_every_step_of_a_quarter_is_logged_with_who_took_it(firm, caplog):
    caplog.set_level(logging.INFO, logger="security")
    quarter = Quarter.objects.create(year=2026, number=3)
    assert quarter.state == QuarterState.SCHEME_DRAFT
    # When the leadership group approves the scheme (the same path as approvals and publications)
    quarter_transition(quarter=quarter, action=Action.APPROVE_SCHEME, by=firm.partner, comment="ok")
    # Then the step is in the security log with who took it and the states
    line = next(line for line in security_lines(caplog) if line.startswith("quarter.approve_scheme"))
    assert f"user=partner#{firm.partner.pk}" in line
    assert "quarter=2026Q3" in line and "from_state=scheme_draft" in line and "to_state=scheme_approved" in line


def test_log_event_keeps_one_event_on_one_line(caplog):
    caplog.set_level(logging.INFO, logger="security")
    # Given a detail a user typed with line breaks (an attempt to forge a second log line)
    log_event("appeal.decided", user=None, appeal=7, comment="fine\nlogin.succeeded user=admin")
    (record,) = [r for r in caplog.records if r.name == "security"]
    assert "\n" not in record.getMessage()
    assert record.security["event"] == "appeal.decided"
    assert record.security["appeal"] == "7"


def test_every_step_of_an_appeal_is_logged_with_who_took_it(firm, caplog):
    from types import SimpleNamespace

    from django.db.models.signals import post_save

    from appeals.models import AppealEvent

    caplog.set_level(logging.INFO, logger="security")
    # When an appeal step is saved (the appeals app writes one AppealEvent per step, decisions included)
    event = SimpleNamespace(
        action="uphold", by=firm.executor, appeal_id=12, from_status="in_review", to_status="upheld"
    )
    post_save.send(sender=AppealEvent, instance=event, created=True)
    # Then the decision is in the security log with who took it, and no free text
    line = next(line for line in security_lines(caplog) if line.startswith("appeal.uphold"))
    assert f"user=executor#{firm.executor.pk}" in line
    assert "appeal=12" in line and "to_status=upheld" in line
