"""Optional JSON logs (LOG_FORMAT=json) and error reports by e-mail (ADMINS), both set in the environment."""

import json
import logging
import sys

from lawfirm_kpi.logs import JsonFormatter
from tests.test_settings import manage

TEST_SETTINGS = {"DJANGO_SETTINGS_MODULE": "lawfirm_kpi.settings.test"}
LOG_AN_ERROR = (
    "import logging; from django.core import mail; "
    "logging.getLogger('django.request').error('Internal Server Error: %s', '/results/陈静', "
    "extra={'status_code': 500}); "
    "print('OUTBOX', json.dumps([m.to for m in getattr(mail, 'outbox', [])]))"
)


def outbox(result):
    line = next(line for line in result.stdout.splitlines() if line.startswith("OUTBOX "))
    return json.loads(line.removeprefix("OUTBOX "))


def test_the_formatter_writes_one_json_object_with_fields_extras_and_the_traceback():
    try:
        raise ValueError("坏数据")
    except ValueError:
        record = logging.getLogger("documents").makeRecord(
            "documents", logging.ERROR, __file__, 1, "PDF for %s failed", ("陈静",), sys.exc_info(),
            extra={"scorecard_id": 7},
        )  # fmt: skip
    line = JsonFormatter().format(record)
    assert "\n" not in line and "陈静" in line  # one line, Chinese readable
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "documents"
    assert entry["message"] == "PDF for 陈静 failed" and entry["scorecard_id"] == 7
    assert "ValueError: 坏数据" in entry["exception"]
    assert entry["time"].endswith("+00:00")


def test_log_format_json_makes_every_line_json():
    result = manage("shell", "-c", "import json; " + LOG_AN_ERROR, env={**TEST_SETTINGS, "LOG_FORMAT": "json"})
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert any(e["logger"] == "django.request" and e["status_code"] == 500 for e in lines), result.stderr
    assert not [line for line in result.stderr.splitlines() if "Internal Server Error" in line and line[0] != "{"]


def test_plain_logs_by_default_and_a_wrong_format_is_refused():
    result = manage("shell", "-c", "import json; " + LOG_AN_ERROR, env=TEST_SETTINGS)
    assert result.returncode == 0 and "ERROR django.request Internal Server Error" in result.stderr
    refused = manage("check", env={**TEST_SETTINGS, "LOG_FORMAT": "xml"})
    assert refused.returncode != 0 and "LOG_FORMAT must be plain or json" in refused.stderr


def test_errors_are_e_mailed_once_to_the_admins_when_an_address_is_set():
    admins = {"ADMINS": "Ops Desk <ops@firm.example>, it@firm.example"}
    result = manage("shell", "-c", "import json; " + LOG_AN_ERROR, env={**TEST_SETTINGS, **admins})
    assert result.returncode == 0, result.stderr
    assert outbox(result) == [["ops@firm.example", "it@firm.example"]]


def test_no_error_e_mail_without_admins():
    result = manage("shell", "-c", "import json; " + LOG_AN_ERROR, env={**TEST_SETTINGS, "ADMINS": ""})
    assert result.returncode == 0, result.stderr
    assert outbox(result) == []
