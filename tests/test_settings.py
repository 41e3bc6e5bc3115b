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
