"""Production settings refuse to start half-configured and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "lawfirm_kpi.settings.production",
    "SECRET_KEY": "a-long-random-secret-key-for-the-deploy-check-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "kpi.firm.example",
    "DATABASE_URL": "postgres://kpi:secret@db.firm.example:5432/kpi",
}


# Set by the browser journeys for Playwright's event loop; a deployment must not inherit it (async.E001).
TEST_ONLY_VARIABLES = {"DJANGO_ALLOW_ASYNC_UNSAFE"}


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k not in TEST_ONLY_VARIABLES}
    return subprocess.run(  # noqa: S603 - manage.py with fixed arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_check_deploy_reports_nothing_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_a_required_variable(missing):
    env = {**PRODUCTION, missing: ""}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert f"{missing} must be set in production" in result.stderr


@pytest.mark.parametrize("module", ["lawfirm_kpi.settings.local", "lawfirm_kpi.settings.production"])
def test_a_developer_who_sets_an_smtp_server_gets_it_in_every_environment(module):
    # Given the SMTP server is configured in the environment (locally, not only in production)
    smtp = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.firm.example",
        "EMAIL_PORT": "2525",
        "EMAIL_HOST_USER": "kpi",
        "EMAIL_HOST_PASSWORD": "pw",
        "EMAIL_USE_TLS": "true",
        "EMAIL_TIMEOUT": "7",
    }
    # When Django loads the settings
    script = (
        "from django.core.mail import get_connection; c = get_connection(); "
        "print(c.host, c.port, c.username, c.use_tls, c.use_ssl, c.timeout)"
    )
    result = manage("shell", "-c", script, env={**PRODUCTION, **smtp, "DJANGO_SETTINGS_MODULE": module})
    # Then the mail connection uses that server, never localhost:25
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["smtp.firm.example", "2525", "kpi", "True", "False", "7"]


def test_the_broker_gives_back_a_lost_workers_message_soon_after_the_longest_task_could_run():
    from django.conf import settings

    # Regulation 三.5 feedback must not wait an hour for a killed worker: kombu's default visibility is 3600 s
    longest = max(
        settings.CELERY_TASK_TIME_LIMIT, settings.FEEDBACK_RENDER_TIME_LIMIT, settings.NOTICE_DRAIN_TIME_LIMIT
    )
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert 2 * longest < timeout <= 2 * longest + 120
    assert timeout > settings.NOTICE_RETRY_BACKOFF_MAX and timeout > settings.FEEDBACK_RETRY_BACKOFF_MAX


def test_production_keeps_database_connections_and_checks_them_before_reuse():
    script = (
        "from django.db import connections; d = connections['default'].settings_dict; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    result = manage("shell", "-c", script, env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["60", "True"]
    result = manage("shell", "-c", script, env={**PRODUCTION, "CONN_MAX_AGE": "0"})
    assert result.stdout.strip().splitlines()[-1].split() == ["0", "True"]


def test_a_transaction_pooler_can_switch_off_server_side_cursors():
    script = (
        "from django.db import connections; print(connections['default'].settings_dict['DISABLE_SERVER_SIDE_CURSORS'])"
    )
    assert manage("shell", "-c", script, env=PRODUCTION).stdout.strip().splitlines()[-1] == "False"
    pooled = {**PRODUCTION, "CONN_MAX_AGE": "0", "DATABASE_DISABLE_SERVER_SIDE_CURSORS": "true"}
    assert manage("shell", "-c", script, env=pooled).stdout.strip().splitlines()[-1] == "True"


def test_django_is_the_security_release():
    import django

    assert django.VERSION[:3] >= (5, 2, 20)
