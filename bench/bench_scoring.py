"""The scoring benchmark: one quarter whose own data is 200 revenue entries per person, at 2,000 staff (≤ 3 s),
5,000 and 20,000 (4 million entries, ≤ 30 s, PostgreSQL), each scored by a fresh process (peak RSS ≤ 500 MB) with
its phases (read, compute, store); time per person no worse than linear; read queries that do not grow with the
firm; and, at 2,000 staff, computing ≤ 2× a hand-written-SQL floor.

The floor is plain SQL computing the same raw values (new clients, revenue shares, existing / repeat / referral
counts, complaint rates, timeliness, satisfaction, rating sums) over the same tables, timed in the same run.
"""

import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.result import Result

REPEAT = 3


def _floor_queries(vendor):
    """The raw values as hand-written SQL: one statement for the client and revenue figures, then one per family
    of complaint, survey and rating figures, each returning per-person numbers (what a DBA would write by hand)."""
    if vendor == "postgresql":
        in_time = "c.handled_at - c.received_at <= %(deadline)s"
        overdue = "%(as_of)s - c.received_at > %(deadline)s"
    else:
        in_time = "(julianday(c.handled_at) - julianday(c.received_at)) * 24 <= %(hours)s"
        overdue = "(julianday(%(as_of)s) - julianday(c.received_at)) * 24 > %(hours)s"
    # Materialised once per statement: both databases otherwise may re-plan a CTE inside each join that uses it.
    materialized = "MATERIALIZED"
    if vendor == "sqlite":
        import sqlite3

        materialized = "MATERIALIZED" if sqlite3.sqlite_version_info >= (3, 35) else ""
    clients = f"""
        WITH newc AS {materialized} (
            SELECT q.client_id,
                   (SELECT f.originating_lawyer_id FROM clients_contract f WHERE f.client_id = q.client_id
                    ORDER BY f.signed_on, f.id LIMIT 1) AS person
            FROM clients_contract q
            WHERE q.signed_on >= %(qs)s AND q.signed_on <= %(qe)s
              AND NOT EXISTS (SELECT 1 FROM clients_contract e WHERE e.client_id = q.client_id AND e.signed_on < %(qs)s)
            GROUP BY q.client_id
        ),
        rq AS {materialized} (
            SELECT r.credited_to_id AS person, c.client_id, CAST(ROUND(r.amount * 100) AS BIGINT) AS cents
            FROM clients_revenueentry r JOIN clients_contract c ON c.id = r.contract_id
            WHERE r.received_on >= %(qs)s AND r.received_on <= %(qe)s
        ),
        again AS {materialized} (
            SELECT DISTINCT client_id FROM clients_contract WHERE signed_on >= %(qs)s AND signed_on <= %(qe)s
        ),
        referrers AS {materialized} (
            SELECT DISTINCT cl.referred_by_id AS client_id FROM newc JOIN clients_client cl ON cl.id = newc.client_id
            WHERE cl.referred_by_id IS NOT NULL
        ),
        links AS (
            SELECT originating_lawyer_id AS person, client_id, signed_on, closed_on FROM clients_contract
            WHERE signed_on <= %(qe)s AND (signed_on >= %(lb)s OR closed_on IS NULL OR closed_on >= %(qs)s)
            UNION ALL
            SELECT responsible_lawyer_id, client_id, signed_on, closed_on FROM clients_contract
            WHERE signed_on <= %(qe)s AND (signed_on >= %(lb)s OR closed_on IS NULL OR closed_on >= %(qs)s)
              AND responsible_lawyer_id <> originating_lawyer_id
        ),
        pc AS (
            SELECT person, client_id,
                   MAX(CASE WHEN signed_on >= %(lb)s AND signed_on < %(qs)s THEN 1 ELSE 0 END) AS existing,
                   MAX(CASE WHEN closed_on IS NULL OR closed_on >= %(qs)s THEN 1 ELSE 0 END) AS served
            FROM links GROUP BY person, client_id
        )"""
    return [
        # New clients per originating lawyer, revenue (all / from the person's new clients), and existing,
        # repeat, referring and served clients per person: one statement sharing the new-client set.
        f"""{clients}
            SELECT person, 1, COUNT(*), 0, 0, 0 FROM newc GROUP BY person
            UNION ALL
            SELECT rq.person, 2, SUM(rq.cents), SUM(CASE WHEN newc.person = rq.person THEN rq.cents ELSE 0 END), 0, 0
            FROM rq LEFT JOIN newc ON newc.client_id = rq.client_id GROUP BY rq.person
            UNION ALL
            SELECT pc.person, 3, SUM(pc.existing),
                   SUM(CASE WHEN pc.existing = 1 AND again.client_id IS NOT NULL THEN 1 ELSE 0 END),
                   SUM(CASE WHEN pc.existing = 1 AND referrers.client_id IS NOT NULL THEN 1 ELSE 0 END),
                   SUM(pc.served)
            FROM pc LEFT JOIN again ON again.client_id = pc.client_id
                    LEFT JOIN referrers ON referrers.client_id = pc.client_id
            GROUP BY pc.person""",
        """SELECT about_id, COUNT(*) FROM clients_complaint
           WHERE received_at >= %(ts)s AND received_at < %(te)s GROUP BY about_id""",
        f"""SELECT c.handler_id,
                   SUM(CASE WHEN c.handled_at IS NOT NULL AND {in_time} THEN 1 ELSE 0 END),
                   SUM(CASE WHEN (c.handled_at IS NOT NULL AND NOT ({in_time}))
                             OR (c.handled_at IS NULL AND {overdue}) THEN 1 ELSE 0 END)
            FROM clients_complaint c
            WHERE c.received_at >= %(ts)s AND c.received_at < %(te)s AND c.handler_id IS NOT NULL
            GROUP BY c.handler_id""",
        """SELECT staff_id, SUM((service_quality + communication + outcome) / 3.0), COUNT(*)
           FROM clients_satisfactionsurvey WHERE surveyed_on >= %(qs)s AND surveyed_on <= %(qe)s GROUP BY staff_id""",
        """SELECT a.ratee_id, a.indicator_id, a.rater_type, COUNT(*), SUM(a.score)
           FROM indicators_ratingassignment a WHERE a.round_id = %(round)s AND a.score IS NOT NULL
           GROUP BY a.ratee_id, a.indicator_id, a.rater_type""",
    ]


def run_floor(firm, as_of):
    """Run the hand-written SQL, fetching every row; returns the number of rows read."""
    from django.db import connection

    from indicators import selectors

    period = selectors.quarter_period(firm.quarter, selectors.scheme_parameters(firm.scheme), as_of)
    ops = connection.ops
    params = {
        "qs": ops.adapt_datefield_value(period.starts_on),
        "qe": ops.adapt_datefield_value(period.ends_on),
        "lb": ops.adapt_datefield_value(period.lookback_starts_on),
        "ts": ops.adapt_datetimefield_value(period.starts_at),
        "te": ops.adapt_datetimefield_value(period.ends_before),
        "as_of": ops.adapt_datetimefield_value(as_of),
        "deadline": period.complaint_deadline,
        "hours": period.complaint_deadline.total_seconds() / 3600,
        "round": firm.quarter.rating_round.pk,
    }
    rows = 0
    with connection.cursor() as cursor:
        for sql in _floor_queries(connection.vendor):
            used = {key: value for key, value in params.items() if f"%({key})s" in sql}
            cursor.execute(sql, used)
            rows += len(cursor.fetchall())
    return rows


def _best(function, repeat=REPEAT):
    timings = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return min(timings)


def firm_of(staff):
    """The synthetic firm scaled to `staff` people: per person as the 2,000-staff firm has it, and 200 revenue
    entries each received in the scored quarter itself (its own data: 400,000 at 2,000 staff, 4 million at
    20,000), a tenth as many over the quarters before."""
    return {"staff": staff, "clients": 50 * staff, "contracts": 75 * staff, "revenue": 220 * staff,
            "revenue_in_quarter": 200 * staff, "complaints": 5 * staff, "surveys": 15 * staff,
            "ratings": 10 * staff}  # fmt: skip


def sizes(label):
    """2,000, 5,000 and 20,000 staff on PostgreSQL (a firm that size runs on it: docs/operations.md); the embedded
    SQLite database, for trying the product, up to 2,000. BENCH_SCORING_SIZES overrides (e.g. "2000")."""
    given = os.environ.get("BENCH_SCORING_SIZES")
    if given:
        return [int(size) for size in given.split(",")]
    return [2000, 5000, 20000] if label == "postgresql" else [2000]


def score_in_fresh_process():
    """One scoring (results_store_drafts) of the firm in the database, by a process that did nothing else."""
    from django.db import connection

    connection.close()
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.scoring_process"], capture_output=True, text=True, check=False,
        cwd=Path(__file__).resolve().parent.parent, env=os.environ.copy(),
    )  # fmt: skip
    for line in completed.stdout.splitlines():
        if line.startswith("SCORING "):
            return json.loads(line.removeprefix("SCORING "))
    raise RuntimeError(f"the scoring process failed: {(completed.stderr or completed.stdout)[-2000:]}")


def run(label):
    from django.utils import timezone

    from bench.synthetic import build_synthetic_firm, clear_synthetic_firm
    from indicators.computation import results_compute

    as_of = timezone.make_aware(timezone.datetime(2026, 10, 5, 9, 0))

    # The read queries of a 200-staff firm are the reference: they must not grow with the firm.
    build_synthetic_firm(**firm_of(200))
    small = score_in_fresh_process()
    clear_synthetic_firm()

    measured, results = {}, []
    for staff in sizes(label):
        started = time.perf_counter()
        firm = build_synthetic_firm(**firm_of(staff))
        build_seconds = time.perf_counter() - started
        figures = measured[staff] = score_in_fresh_process()
        phases = figures["phases"]
        entries = firm_of(staff)["revenue_in_quarter"]
        bound = {2000: 3.0, 20000: 30.0}.get(staff)
        results.append(Result(
            f"scoring: score + store, {staff:,} staff, {entries:,} entries", figures["seconds"], "s", bound,
            notes=f"one scoring (results_store_drafts, as the scoring job runs it) by a fresh process, right after "
            f"the firm was built (in {build_seconds:.0f} s): read {phases['read']:.2f} s, compute "
            f"{phases['compute']:.2f} s, store {phases['store']:.2f} s; {figures['scorecards']} scorecards, "
            f"{figures['queries']} queries; peak RSS {figures['peak_rss_mb']:.0f} MB",
        ))  # fmt: skip
        for phase in ("read", "compute", "store"):
            results.append(Result(f"scoring: {phase}, {staff:,} staff", phases[phase], "s", None,
                                  notes=PHASES[phase]))  # fmt: skip
        results.append(Result(
            f"scoring: peak RSS of the fresh process, {staff:,} staff", figures["peak_rss_mb"], "MB", 500.0,
            notes="ru_maxrss of the process that scored: Python, Django and the scoring, nothing else",
        ))  # fmt: skip
        if staff == 2000:
            results.extend(_against_floor(firm, as_of, results_compute))
        if staff != sizes(label)[-1]:
            clear_synthetic_firm()

    largest = max(measured)
    if 2000 in measured and largest != 2000:
        growth = (measured[largest]["seconds"] / largest) / (measured[2000]["seconds"] / 2000)
        results.append(Result(
            f"scoring: seconds per person at {largest:,} ÷ at 2,000", growth, "×", 1.0,
            notes="no worse than linear: at most 1; "
            + ", ".join(f"{staff:,}: {figures['seconds']:.2f} s" for staff, figures in sorted(measured.items())),
        ))  # fmt: skip
    largest_reads = measured[largest]["read_queries"]
    results.append(Result(
        f"scoring: read queries, {largest:,} staff minus 200 staff", abs(largest_reads - small["read_queries"]),
        "queries", 0, notes=f"{largest_reads} vs {small['read_queries']} (a computation alone, as the what-if runs it)",
    ))  # fmt: skip
    return results


PHASES = {
    "read": "the quarter's rows, people, rules and bands, and fetching the revenue entries (streamed while "
    "scoring: only the time spent fetching)",
    "compute": "the definitions, points, totals, grades and ranks (scoring.score_quarter without the fetching)",
    "store": "replacing the drafts: the basis (its revenue chunks encoded as the entries pass, then written), the "
    "scorecards and their lines, the commit",
}


def _against_floor(firm, as_of, results_compute):
    """Computing (reads + rules, no writes) against hand-written SQL computing the same raw values."""
    run_floor(firm, as_of)  # warm the caches the same way for both
    floor = _best(lambda: run_floor(firm, as_of))
    compute = _best(lambda: results_compute(quarter=firm.quarter, scheme=firm.scheme, as_of=as_of))
    return [
        Result("scoring: compute one quarter (reads + rules, no writes), 2,000 staff", compute, "s", None,
               floor=floor, notes=f"best of {REPEAT}, in the benchmark's process"),
        Result("scoring: compute ÷ hand-written SQL floor", compute / floor, "×", 2.0, floor=floor,
               notes="same raw values over the same tables, timed in the same run"),
    ]  # fmt: skip
