"""The scoring benchmark: one quarter of a 2,000-staff firm in ≤ 3 s, ≤ 2× the hand-written-SQL floor, ≤ 500 MB,
with a query count that does not grow with the number of staff.

The floor is plain SQL computing the same raw values (new clients, revenue shares, existing / repeat / referral
counts, complaint rates, timeliness, satisfaction, rating sums) over the same tables, timed in the same run.
"""

import gc
import time
import tracemalloc

from bench.result import Result

REPEAT = 3
SMALL = {"staff": 200, "clients": 10_000, "contracts": 15_000, "revenue": 40_000, "complaints": 1_000,
         "surveys": 3_000, "ratings": 2_000}  # fmt: skip


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


def run(label):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench.synthetic import build_synthetic_firm, clear_synthetic_firm
    from indicators.computation import results_compute
    from results.drafts import results_store_drafts

    as_of = timezone.make_aware(timezone.datetime(2026, 10, 5, 9, 0))

    # The same scoring over 200 staff first: its query count is the reference.
    small = build_synthetic_firm(**SMALL)
    with CaptureQueriesContext(connection) as queries:
        results_compute(quarter=small.quarter, scheme=small.scheme, as_of=as_of)
    small_reads = len(queries)
    with CaptureQueriesContext(connection) as queries:
        results_store_drafts(quarter=small.quarter, scheme=small.scheme, by=small.organiser, as_of=as_of)
    small_queries = len(queries)
    clear_synthetic_firm()

    started = time.perf_counter()
    firm = build_synthetic_firm()
    build_seconds = time.perf_counter() - started

    run_floor(firm, as_of)  # warm the caches the same way for everyone
    floor = _best(lambda: run_floor(firm, as_of))
    compute = _best(lambda: results_compute(quarter=firm.quarter, scheme=firm.scheme, as_of=as_of))
    store = _best(
        lambda: results_store_drafts(quarter=firm.quarter, scheme=firm.scheme, by=firm.organiser, as_of=as_of)
    )
    with CaptureQueriesContext(connection) as queries:
        results_compute(quarter=firm.quarter, scheme=firm.scheme, as_of=as_of)
    big_reads = len(queries)
    with CaptureQueriesContext(connection) as queries:
        stored = results_store_drafts(quarter=firm.quarter, scheme=firm.scheme, by=firm.organiser, as_of=as_of)
    big_queries = len(queries)

    gc.collect()
    tracemalloc.start()
    results_store_drafts(quarter=firm.quarter, scheme=firm.scheme, by=firm.organiser, as_of=as_of)
    peak_mb = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
    tracemalloc.stop()

    sizes = (
        f"{firm.staff} staff, {firm.clients} clients, {firm.contracts} contracts, {firm.revenue} revenue entries, "
        f"{firm.complaints} complaints, {firm.surveys} surveys, {firm.ratings} ratings; {stored} scorecards"
    )
    return [
        Result("scoring: score + store one quarter (2,000 staff)", store, "s", 3.0, floor=floor,
               notes=f"best of {REPEAT}; {sizes}; synthetic firm built in {build_seconds:.1f} s"),
        Result("scoring: compute one quarter (reads + rules, no writes)", compute, "s", None, floor=floor,
               notes=f"best of {REPEAT}"),
        Result("scoring: compute ÷ hand-written SQL floor", compute / floor, "×", 2.0, floor=floor,
               notes="same raw values over the same tables, timed in the same run"),
        # The 2× bound (docs/benchmarks.md) compares the scoring with a floor that computes the same raw values
        # (the row above). This row adds what the floor never does, writing 2,000 scorecards and 18,000 lines
        # (COPY on PostgreSQL, whose deferred foreign-key checks alone take about 0.13 s at COMMIT): reported,
        # without a bound.
        Result("scoring: score + store ÷ hand-written SQL floor", store / floor, "×", None, floor=floor,
               notes="includes writing the scorecards and their lines, which the floor does not do"),
        Result("scoring: queries to gather and score (2,000 staff)", big_reads, "queries", None,
               notes=f"{small_reads} for 200 staff"),
        Result("scoring: read queries, 2,000 staff minus 200 staff", abs(big_reads - small_reads), "queries", 0,
               notes=f"{big_reads} vs {small_reads}"),
        Result("scoring: queries to score + store (2,000 staff)", big_queries, "queries", None,
               notes=f"{small_queries} for 200 staff; the lines are written by one executemany on SQLite and "
               "one INSERT per 2,000 rows on PostgreSQL"),
        Result("scoring: peak traced memory while scoring + storing", peak_mb, "MB", 500.0,
               notes="tracemalloc peak during one results_store_drafts"),
    ]  # fmt: skip
