"""score_quarter and export_results: what they print, store and write, and when score_quarter refuses."""

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from indicators.models import Scheme
from results.models import Scorecard
from reviews.models import Quarter, QuarterState, StaffProfile
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


def score(code="2026Q3", *extra, by="executor", reason="调查问卷下周补录"):
    """score_quarter as the execution group runs it; the test firm's surveys are incomplete, hence the reason."""
    acknowledged = ("--incomplete-data-reason", reason) if reason else ()
    return run("score_quarter", code, "--by", by, *acknowledged, *extra)


def set_state(quarter, state):
    """Put the quarter in a state directly (the quarter-life tests cover the steps that lead there)."""
    Quarter.objects.filter(pk=quarter.pk).update(state=state)
    quarter.refresh_from_db()


@pytest.fixture
def collecting_firm(scored_firm):  # noqa: F811
    """scored_firm with its quarter collecting data: the state in which the execution group scores it."""
    firm, quarter, scheme = scored_firm
    set_state(quarter, QuarterState.COLLECTING)
    return firm, quarter, scheme


def snapshot(quarter):
    """Everything a scoring run could change: the quarter's state, its results and its history."""
    quarter.refresh_from_db()
    cards = sorted(Scorecard.objects.filter(quarter=quarter).values_list("id", "status", "total", "computed_at"))
    return quarter.state, cards, list(quarter.events.values_list("id", flat=True))


def test_score_quarter_scores_a_collecting_quarter_and_records_who(collecting_firm):
    firm, quarter, _ = collecting_firm
    out, _ = score("2026Q3", "--comment", "Data complete")
    assert "Scored 9 people for 2026Q3 with scheme v1" in out
    assert "2026Q3 is now “Scored”; the step is recorded in its history under executor." in out
    assert "lawyer: 4" in out and "assistant: 1" in out and "administrative: 4" in out
    excellent = Scorecard.objects.filter(quarter=quarter, grade="优秀").count()
    assert excellent >= 1 and f"优秀 Excellent (≥ 90.00): {excellent}" in out
    assert sum(int(line.rsplit(":", 1)[1]) for line in out.splitlines() if "(≥" in line) == 9
    assert Scorecard.objects.filter(quarter=quarter, status="draft").count() == 9
    # The quarter moved on, and its history says who did it, as when the button on the quarter page is used
    quarter.refresh_from_db()
    assert quarter.state == QuarterState.SCORED
    (event,) = quarter.events.all()
    assert (event.from_state, event.to_state, event.action) == ("collecting", "scored", "score")
    assert event.by == firm.executor
    assert event.comment.splitlines()[:3] == [
        "Data complete",
        "Computed with incomplete data, acknowledged: 调查问卷下周补录",
        "– 8 assessed people have no satisfaction survey.",
    ]


def test_score_quarter_refuses_missing_data_without_a_reason_and_changes_nothing(collecting_firm):
    # Given a quarter whose completeness board lists missing surveys
    firm, quarter, _ = collecting_firm
    before = snapshot(quarter)
    # When the command runs without --incomplete-data-reason, then it is refused and nothing changed
    with pytest.raises(CommandError, match="The data of 2026Q3 are incomplete"):
        score(reason="")
    assert snapshot(quarter) == before


def test_score_quarter_recomputes_a_scored_quarter(collecting_firm):
    firm, quarter, _ = collecting_firm
    score()
    first_drafts = set(Scorecard.objects.filter(quarter=quarter).values_list("id", flat=True))
    out, _ = score()
    assert "Scored 9 people for 2026Q3" in out
    quarter.refresh_from_db()
    assert quarter.state == QuarterState.SCORED
    assert [(e.action, e.from_state, e.to_state, e.by) for e in quarter.events.all()] == [
        ("score", "collecting", "scored", firm.executor),
        ("recompute", "scored", "scored", firm.executor),
    ]
    # The drafts were replaced by new ones, still one current draft per person
    drafts = Scorecard.objects.filter(quarter=quarter, status="draft", is_current=True)
    assert drafts.count() == 9 and not first_drafts & set(drafts.values_list("id", flat=True))


@pytest.mark.parametrize(
    "state, label, hint",
    [
        ("scheme_draft", "Scheme draft", "must approve the scheme first"),
        ("scheme_approved", "Scheme approved", "must first start collecting data"),
        ("submitted", "Submitted to leadership", "returns them with a comment"),
        ("approved", "Approved", "Approved results are final"),
        ("published", "Published", "only when their appeal is upheld"),
        ("closed", "Closed", "only when their appeal is upheld"),
    ],
)
def test_score_quarter_refuses_when_the_state_does_not_allow_scoring(collecting_firm, state, label, hint):
    # Given results computed earlier, and the quarter since moved on (or not yet ready)
    firm, quarter, _ = collecting_firm
    score()
    set_state(quarter, state)
    before = snapshot(quarter)
    # When the command is run, it refuses with the state and what to do instead
    with pytest.raises(CommandError, match=f"2026Q3 is “{label}”") as refused:
        score()
    assert hint in str(refused.value) and "Nothing was changed." in str(refused.value)
    # And the results, the state and the history are as they were
    assert snapshot(quarter) == before


def test_score_quarter_refuses_an_approved_quarter_in_chinese_too(collecting_firm):
    _, quarter, _ = collecting_firm
    set_state(quarter, QuarterState.APPROVED)
    with translation.override("zh-hans"), pytest.raises(CommandError, match="未作任何更改"):
        score()
    assert not Scorecard.objects.exists()


@pytest.mark.parametrize(
    "args, message",
    [
        ((), "--by USERNAME, a member of the execution group"),
        (("--by", "nobody"), "There is no active user “nobody”"),
        (("--by", "lawyer"), "lawyer is not a member of the execution group"),
        (("--by", "partner"), "partner is not a member of the execution group"),
    ],
)
def test_score_quarter_needs_an_execution_group_member(collecting_firm, args, message):
    _, quarter, _ = collecting_firm
    before = snapshot(quarter)
    with pytest.raises(CommandError, match=message):
        run("score_quarter", "2026Q3", *args)
    assert snapshot(quarter) == before and not Scorecard.objects.exists()


def test_score_quarter_refuses_a_deactivated_member(collecting_firm):
    firm, quarter, _ = collecting_firm
    User.objects.filter(pk=firm.executor.pk).update(is_active=False)
    with pytest.raises(CommandError, match="There is no active user “executor”"):
        score()
    assert not Scorecard.objects.exists()


def test_score_quarter_previews_a_draft_scheme_without_storing_or_moving_the_quarter(firm):
    quarter, _ = quarter_with_scheme(firm.executor, approved=False)
    before = snapshot(quarter)
    out, _ = run("score_quarter", "2026Q3", "--scheme-draft")
    assert "Preview of 2026Q3 with the draft scheme v1: 9 people. Nothing was stored." in out
    assert "lawyer: 4" in out and "Grades:" in out
    assert snapshot(quarter) == before and not Scorecard.objects.exists()


def test_score_quarter_preview_needs_a_draft_scheme(firm):
    quarter_with_scheme(firm.executor, approved=True)
    with pytest.raises(CommandError, match="2026Q3 has no draft scheme"):
        run("score_quarter", "2026Q3", "--scheme-draft")


@pytest.mark.parametrize(
    "code, message",
    [("2026Q5", "is not a quarter"), ("2030Q1", "There is no quarter 2030Q1")],
)
def test_score_quarter_refuses_unknown_quarters(firm, code, message):
    with pytest.raises(CommandError, match=message):
        score(code)


def test_score_quarter_never_replaces_a_published_result_even_in_a_scored_quarter(collecting_firm):
    # A safety net below the quarter's life: results_store_drafts itself refuses once any result is published.
    firm, quarter, _ = collecting_firm
    score()
    Scorecard.objects.filter(staff=firm.lawyer.profile).update(status="published")
    before = snapshot(quarter)
    with pytest.raises(CommandError, match="published"):
        score()
    assert snapshot(quarter) == before


def test_export_results_as_csv_has_one_row_per_person(collecting_firm, tmp_path):
    # Given scored results, and a person whose name starts like a formula
    firm, quarter, _ = collecting_firm
    StaffProfile.objects.filter(user=firm.colleague).update(full_name="=HYPERLINK(1)")
    score()
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


def test_export_results_as_csv_to_standard_output_in_chinese(collecting_firm):
    score()
    out, _ = run("export_results", "2026Q3")
    rows = list(csv.reader(io.StringIO(out)))
    assert len(rows) == 10 and rows[0][0] == "username"
    assert any(row[2] == "律师" or row[2] == "Lawyer" for row in rows[1:])
    assert any("优秀" in row for row in rows[1:])


def test_export_results_as_xlsx(collecting_firm, tmp_path):
    firm, _, _ = collecting_firm
    StaffProfile.objects.filter(user=firm.assistant).update(full_name="+cmd|calc")
    score()
    target = tmp_path / "results.xlsx"
    run("export_results", "2026Q3", "--format", "xlsx", "--output", str(target), "--language", "en")
    sheet = load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("username", "full_name", "position", "department")
    assert len(rows) == 10 and sheet.title == "2026Q3"
    lawyer = next(r for r in rows if r[0] == "lawyer")
    assert lawyer[-3:] == (94.73, "Excellent", 1)
    # Formula-like text is kept as typed, stored as text with the cell style's quote prefix (no literal apostrophe)
    assistant_row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "assistant")
    assert assistant_row[1].value == "+cmd|calc"
    assert assistant_row[1].data_type == "s" and assistant_row[1].quotePrefix
    # Numbers are numbers and the computation day a date
    lawyer_row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "lawyer")
    assert lawyer_row[-3].data_type == "n" and lawyer_row[-1].data_type == "n"
    assert rows[0][4] == "computed_on" and lawyer_row[4].is_date and not lawyer_row[1].quotePrefix


def test_export_results_refuses_a_quarter_without_results(firm):
    quarter_with_scheme(firm.executor)
    with pytest.raises(CommandError, match="2026Q3 has no results yet"):
        run("export_results", "2026Q3")
    assert Scheme.objects.count() == 1
