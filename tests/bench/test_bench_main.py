"""`python -m bench` counts a benchmark as failed unless its process printed its figures and exited with status 0."""

import json
import subprocess

import pytest

import bench.__main__ as bench_main

ROW = {
    "name": "import 100k revenue rows, CSV: commit",
    "value": 12.0,
    "unit": "s",
    "bound": 20,
    "comparison": "<=",
    "floor": None,
    "within_bound": True,
    "database": "postgresql",
    "benchmark": "import",
    "notes": "",
}


def finished(returncode, *, rows=(ROW,), stderr=""):
    """rows=None: the process never printed its results line."""
    stdout = "… building\n" + ("" if rows is None else "BENCH-RESULTS " + json.dumps(list(rows)) + "\n")
    return subprocess.CompletedProcess(args=[], returncode=returncode, stdout=stdout, stderr=stderr)


def test_a_benchmark_that_printed_its_rows_and_exited_0_succeeded():
    assert bench_main.outcome(finished(0)) == ([ROW], None)


def test_a_benchmark_killed_after_printing_its_rows_failed_but_its_rows_are_kept():
    rows, error = bench_main.outcome(finished(-9))
    assert rows == [ROW]
    assert error.startswith("killed by signal SIGKILL")


def test_a_benchmark_that_crashed_in_its_cleanup_failed_with_its_traceback():
    rows, error = bench_main.outcome(finished(1, stderr="Traceback …\nRuntimeError: worker did not stop"))
    assert rows == [ROW]
    assert error.startswith("exited with status 1") and "worker did not stop" in error


def test_a_benchmark_that_never_printed_its_results_failed_even_with_status_0():
    assert bench_main.outcome(finished(0, rows=None)) == ([], "exited without printing its results\n… building\n")


def test_a_postgresql_only_benchmark_printing_no_rows_on_sqlite_succeeded():
    assert bench_main.outcome(finished(0, rows=())) == ([], None)


def test_the_run_lists_the_failure_writes_the_rows_and_exits_1(monkeypatch, tmp_path, capsys):
    # Given a benchmark whose process printed its rows within their bounds and was then killed
    monkeypatch.setattr(bench_main, "ROOT", tmp_path)
    monkeypatch.setattr(bench_main.subprocess, "run", lambda *args, **kwargs: finished(-9))
    monkeypatch.setattr("sys.argv", ["bench", "--only", "import", "--sqlite-only"])
    # When the whole run ends
    with pytest.raises(SystemExit) as exit_:
        bench_main.main()
    # Then it exits 1, says which benchmark failed and how, and keeps the rows in the table
    assert exit_.value.code == 1
    assert "bench_import on sqlite FAILED:\nkilled by signal SIGKILL" in capsys.readouterr().err
    assert json.loads((tmp_path / "bench-results.json").read_text()) == [ROW]


def test_the_name_column_is_as_wide_as_the_longest_name(capsys):
    long_name = "pages: first view of one's own scorecard at 20,000 staff, p95 at 20,000 / at 2,000"
    bench_main.print_table([ROW, {**ROW, "name": long_name, "bound": None, "within_bound": None}])
    lines = capsys.readouterr().out.strip().splitlines()
    header, rows = lines[0], lines[2:]
    assert len(long_name) > 58
    assert {line.index(" sqlite") if "sqlite" in line else line.index(" postgresql") for line in rows} == {
        header.index(" database")
    }
