"""Run every benchmark on SQLite and on PostgreSQL, print one table and write bench-results.json.

Each benchmark module bench/bench_<name>.py has `run(database_label) -> list[Result]` and runs in its own
process per database, because Django binds its settings (and so its database) once per process.
Usage: python -m bench [--only import,scoring] [--sqlite-only]
"""

import argparse
import json
import os
import pkgutil
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/lawfirm_kpi_bench"


def benchmark_modules():
    return sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_"))


def postgres_url():
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_POSTGRES
    return url if url.startswith("postgres") else DEFAULT_POSTGRES


def run_one(module, label, database_url):
    """Run one benchmark in its own process: (its rows, None) or (whatever rows it printed, why it failed)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lawfirm_kpi.settings.bench", "DATABASE_URL": database_url}
    env.pop("CELERY_BROKER_URL", None) if module != "bench_pdf" else None
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module names
        [sys.executable, "-m", "bench.runner", module, label],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return outcome(completed)


def outcome(completed):
    """The rows a benchmark process printed and, unless it exited with status 0, why it failed.

    A process that printed its figures and then crashed or was killed (in its cleanup, say: a worker or a
    server it started may still be running) did not finish its run, so it fails even with its rows kept."""
    rows, printed = [], False
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH-RESULTS "):
            rows, printed = json.loads(line.removeprefix("BENCH-RESULTS ")), True
    # An empty list is a result: a PostgreSQL-only benchmark has nothing to say about SQLite.
    if completed.returncode == 0 and printed:
        return rows, None
    if completed.returncode < 0:
        ending = f"killed by signal {signal.Signals(-completed.returncode).name}"
    elif completed.returncode > 0:
        ending = f"exited with status {completed.returncode}"
    else:
        ending = "exited without printing its results"
    return rows, f"{ending}\n{(completed.stderr or completed.stdout)[-3000:]}"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated benchmark names (import, scoring, …)")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    wanted = {f"bench_{name.strip()}" for name in args.only.split(",") if name.strip()}
    modules = [m for m in benchmark_modules() if not wanted or m in wanted]

    results, failures = [], []
    with tempfile.TemporaryDirectory(prefix="kpi-bench-") as tmp:
        labels = ["sqlite"] if args.sqlite_only else ["sqlite", "postgresql"]
        for module in modules:
            # Every benchmark starts from an empty database: a SQLite file of its own (the runner re-creates
            # the PostgreSQL database itself).
            databases = [("sqlite", f"sqlite:///{tmp}/{module}.sqlite3"), ("postgresql", postgres_url())]
            for label, url in [(label, url) for label, url in databases if label in labels]:
                print(f"… {module} on {label}", flush=True)
                rows, error = run_one(module, label, url)
                results.extend(rows)
                if error:
                    failures.append((module, label, error))

    if wanted:
        # A partial run replaces only its own rows: the file keeps one table of every benchmark.
        ran = {module.removeprefix("bench_") for module in modules}
        results = kept_results(ran, labels) + results
    print_table(results)
    (ROOT / "bench-results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"\nWritten to {ROOT / 'bench-results.json'}")
    for module, label, error in failures:
        print(f"\n{module} on {label} FAILED:\n{error}", file=sys.stderr)
    if failures or any(r["within_bound"] is False for r in results):
        sys.exit(1)


def kept_results(benchmarks, databases):
    """Rows of bench-results.json that a run of these benchmarks on these databases does not replace."""
    path = ROOT / "bench-results.json"
    try:
        rows = json.loads(path.read_text())
    except (OSError, ValueError):
        return []

    def benchmark_of(row):
        # Rows written before the "benchmark" field existed start with its name ("import …", "scoring: …").
        return row.get("benchmark") or re.split(r"[:\s]", row["name"], maxsplit=1)[0]

    return [row for row in rows if not (benchmark_of(row) in benchmarks and row.get("database") in databases)]


def print_table(results):
    # The name column is as wide as the longest name, so every row lines up however long its name.
    width = max([len("benchmark"), *(len(r["name"]) for r in results)])
    header = f"{'benchmark':<{width}} {'database':<10} {'value':>12} {'unit':<8} {'bound':>10} {'floor':>10}  ok"
    print("\n" + header + "\n" + "-" * len(header))
    for r in results:
        bound = "" if r["bound"] is None else f"{r['comparison']}{r['bound']:g}"
        floor = "" if r["floor"] is None else f"{r['floor']:.4g}"
        ok = {True: "yes", False: "NO", None: "—"}[r["within_bound"]]
        print(
            f"{r['name']:<{width}} {r['database']:<10} {r['value']:>12.4g} {r['unit']:<8} {bound:>10} {floor:>10}  {ok}"
        )


if __name__ == "__main__":
    main()
