"""python manage.py import_data: the web import's checks, for automation."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from clients.models import ChangeRecord, Client, Contract, RevenueEntry
from tests.clients.test_import_parsing import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages():
    """Messages are asserted in English, the source language (the default language is Chinese)."""
    with translation.override("en"):
        yield


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


def write(tmp_path, content, name="revenue.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_the_command_imports_and_prints_the_counts(firm, contract, tmp_path, capsys):
    path = write(tmp_path, csv_bytes([REVENUE_HEADER, ["SK-1", "HT-001", "2026-02-03", "50000", "lawyer"]]))

    call_command("import_data", "revenue", str(path), "--user", "finclerk")

    assert "Imported revenue.csv: 1 created, 0 updated, 0 unchanged." in capsys.readouterr().out
    assert RevenueEntry.objects.get().amount == Decimal("50000.00")
    assert ChangeRecord.objects.get().by == firm.finance_clerk


def test_running_it_twice_changes_nothing_the_second_time(firm, contract, tmp_path, capsys):
    path = write(
        tmp_path,
        xlsx_bytes([REVENUE_HEADER, ["SK-1", "HT-001", datetime.datetime(2026, 2, 3), 50000.5, "lawyer"]]),
        name="revenue.xlsx",
    )
    call_command("import_data", "revenue", str(path))
    capsys.readouterr()

    call_command("import_data", "revenue", str(path))

    assert "0 created, 0 updated, 1 unchanged" in capsys.readouterr().out
    assert ChangeRecord.objects.count() == 1


def test_the_dry_run_writes_nothing(firm, contract, tmp_path, capsys):
    path = write(tmp_path, csv_bytes([REVENUE_HEADER, ["SK-1", "HT-001", "2026-02-03", "50000", "lawyer"]]))

    call_command("import_data", "revenue", str(path), "--dry-run")

    assert "Dry run, nothing written. 1 rows: 1 to create, 0 to update, 0 unchanged." in capsys.readouterr().out
    assert RevenueEntry.objects.count() == 0


def test_errors_go_to_stderr_with_row_and_column_and_the_exit_status_is_not_zero(firm, contract, tmp_path, capsys):
    path = write(
        tmp_path,
        csv_bytes(
            [
                REVENUE_HEADER,
                ["SK-1", "HT-001", "2026-02-03", "50000", "lawyer"],
                ["SK-2", "HT-001", "2026-13-01", "0", "ghost"],
            ]
        ),
    )

    with pytest.raises(CommandError, match="3 errors in 1 rows; nothing imported") as raised:
        call_command("import_data", "revenue", str(path))

    assert raised.value.returncode == 1
    errors = capsys.readouterr().err.splitlines()
    assert errors == [
        "revenue.csv: row 3, received_on: “2026-13-01” is not a date; write it as YYYY-MM-DD or YYYY/MM/DD.",
        "revenue.csv: row 3, amount: Must be greater than zero.",
        "revenue.csv: row 3, credited_to: There is no staff member with username “ghost”.",
    ]
    assert RevenueEntry.objects.count() == 0


def test_a_file_of_the_wrong_type_is_refused(firm, tmp_path, capsys):
    path = write(tmp_path, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", name="revenue.csv")

    with pytest.raises(CommandError):
        call_command("import_data", "revenue", str(path))

    assert "revenue.csv: file: This is a PDF file (application/pdf)" in capsys.readouterr().err


def test_an_unknown_user_or_missing_file_is_refused(firm, tmp_path):
    path = write(tmp_path, csv_bytes([REVENUE_HEADER]))
    with pytest.raises(CommandError, match="no user"):
        call_command("import_data", "revenue", str(path), "--user", "ghost")
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_data", "revenue", str(tmp_path / "missing.csv"))


def test_the_command_exits_non_zero_from_the_shell(tmp_path):
    import os
    import subprocess
    import sys

    # A child process cannot see the test database, but the header is checked before any lookup.
    bad = write(tmp_path, csv_bytes([["ref", "nonsense"], ["SK-1", "x"]]), name="bad.csv")

    completed = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "import_data", "revenue", str(bad), "--dry-run"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "lawfirm_kpi.settings.test"},
    )

    assert completed.returncode == 1
    assert "bad.csv: row 1, nonsense: " in completed.stderr  # the reason follows, in the firm's language
    assert "nothing imported" in completed.stderr
