"""score_quarter and export_results: what they print, store and write."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from indicators.models import Scheme
from reviews.models import Scorecard, StaffProfile
from tests.indicators.test_selectors import quarter_with_scheme, scored_firm  # noqa: F401


@pytest.fixture(autouse=True)
def in_english():
    """The commands' messages are read in English here, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_score_quarter_stores_drafts_and_prints_the_grade_distribution(scored_firm):  # noqa: F811
    firm, quarter, scheme = scored_firm
    out, _ = run("score_quarter", "2026Q3")
    assert "Scored 9 people for 2026Q3 with scheme v1" in out
    assert "lawyer: 4" in out and "assistant: 1" in out and "administrative: 4" in out
    excellent = Scorecard.objects.filter(quarter=quarter, grade="优秀").count()
    assert excellent >= 1 and f"优秀 Excellent (≥ 90.00): {excellent}" in out
    assert Scorecard.objects.filter(quarter=quarter, status="draft").count() == 9
    assert sum(int(line.rsplit(":", 1)[1]) for line in out.splitlines() if "(≥" in line) == 9


def test_score_quarter_needs_an_approved_scheme(firm):
    quarter_with_scheme(firm.executor, approved=False)
    with pytest.raises(CommandError, match="2026Q3 has no approved scheme"):
        run("score_quarter", "2026Q3")
    assert not Scorecard.objects.exists()
    # With --scheme-draft the draft may be tried
    out, _ = run("score_quarter", "2026Q3", "--scheme-draft")
    assert "Scored 9 people" in out and "(Draft)" in out


@pytest.mark.parametrize(
    "code, message",
    [("2026Q5", "is not a quarter"), ("2030Q1", "There is no quarter 2030Q1")],
)
def test_score_quarter_refuses_unknown_quarters(firm, code, message):
    with pytest.raises(CommandError, match=message):
        run("score_quarter", code)


def test_score_quarter_refuses_to_touch_published_results(scored_firm):  # noqa: F811
    firm, quarter, _ = scored_firm
    run("score_quarter", "2026Q3")
    Scorecard.objects.filter(staff=firm.lawyer.profile).update(status="published")
    with pytest.raises(CommandError, match="published"):
        run("score_quarter", "2026Q3")
    assert Scorecard.objects.get(staff=firm.lawyer.profile).status == "published"


def test_export_results_as_csv_has_one_row_per_person(scored_firm, tmp_path):  # noqa: F811
    # Given scored results, and a person whose name starts like a formula
    firm, quarter, _ = scored_firm
    StaffProfile.objects.filter(user=firm.colleague).update(full_name="=HYPERLINK(1)")
    run("score_quarter", "2026Q3")
    target = tmp_path / "results.csv"
    # When the results are exported in English
    _, err = run("export_results", "2026Q3", "--format", "csv", "--output", str(target), "--language", "en")
    rows = list(csv.DictReader(target.open(encoding="utf-8-sig")))
    # Then there is one row per scored person with the documented columns
    assert "Wrote 9 rows" in err
    assert len(rows) == 9
    header = list(rows[0])
    assert header[:4] == ["username", "full_name", "position", "department"]
    assert header[-3:] == ["total", "grade", "rank"]
    assert "new_clients_value" in header and "communication_points" in header
    lawyer = next(r for r in rows if r["username"] == "lawyer")
    assert lawyer["full_name"] == "陈静" and lawyer["position"] == "Lawyer"
    assert lawyer["department"] == "Litigation Group"
    assert lawyer["new_clients_value"] == "2.0000" and lawyer["new_clients_points"] == "15.79"
    assert lawyer["total"] == "94.73" and lawyer["grade"] == "Excellent" and lawyer["rank"] == "1"
    assert lawyer["complaint_timeliness_value"] == ""  # no data
    assert next(r for r in rows if r["username"] == "colleague")["full_name"] == "'=HYPERLINK(1)"
    assistant = next(r for r in rows if r["username"] == "assistant")
    assert assistant["new_clients_value"] == "" and assistant["new_clients_points"] == ""


def test_export_results_as_csv_to_standard_output_in_chinese(scored_firm):  # noqa: F811
    run("score_quarter", "2026Q3")
    out, _ = run("export_results", "2026Q3")
    rows = list(csv.reader(io.StringIO(out)))
    assert len(rows) == 10 and rows[0][0] == "username"
    assert any(row[2] == "律师" or row[2] == "Lawyer" for row in rows[1:])
    assert any("优秀" in row for row in rows[1:])


def test_export_results_as_xlsx(scored_firm, tmp_path):  # noqa: F811
    firm, _, _ = scored_firm
    StaffProfile.objects.filter(user=firm.assistant).update(full_name="+cmd|calc")
    run("score_quarter", "2026Q3")
    target = tmp_path / "results.xlsx"
    run("export_results", "2026Q3", "--format", "xlsx", "--output", str(target), "--language", "en")
    sheet = load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("username", "full_name", "position", "department")
    assert len(rows) == 10 and sheet.title == "2026Q3"
    lawyer = next(r for r in rows if r[0] == "lawyer")
    assert lawyer[-3:] == (94.73, "Excellent", 1)
    assert next(r for r in rows if r[0] == "assistant")[1] == "'+cmd|calc"


def test_export_results_refuses_a_quarter_without_results(firm):
    quarter_with_scheme(firm.executor)
    with pytest.raises(CommandError, match="2026Q3 has no results yet"):
        run("export_results", "2026Q3")
    assert Scheme.objects.count() == 1
