"""The pages benchmark: first views as people meet them, served by gunicorn on PostgreSQL (docs/benchmarks.md).

The synthetic firm (bench/synthetic.py) is built, scored by the real quarter_score and published; gunicorn (2 sync
workers, its default 30 s timeout, settings.bench: DEBUG off, a dummy cache so that nothing can be kept between
requests) serves it on a free loopback port. Every time is the whole request measured by the client (connect,
send, wait, read the body); every query count is read from the X-Query-Count header that a bench-only middleware
sets inside the served request (bench/query_header.py).

- 2,000 staff: SCORECARD_PEOPLE distinct people sign in through the login form, then each views their own
  scorecard once (their first view after publication), interleaved with a view of the base template alone for
  the same person (the floor: bench_base_template below). Bounds: ≤ 15 queries each; p95 ≤ 2.5× the base p95.
- The ranked tables, 100 rows: the results table and the approval table at several pages and every sort (no
  cache, so each view is cold), interleaved with the base page of the same reader. ≤ 20 queries; p95 ≤ 4× base.
- The approval page as the partner opens it, the whole report in the same request: ≤ 40 queries, p95 ≤ 1 s.
- 20,000 staff (a second firm, built in a fresh database): the same first views; p95 ≤ 1.3× the 2,000 p95.

This module is also the URLconf gunicorn serves (BENCH_ROOT_URLCONF): the project's URLs plus the base view.
On SQLite it returns nothing. Environment: BENCH_PAGES_PEOPLE (default 200), BENCH_PAGES_TABLE_ROUNDS (default 5),
BENCH_PAGES_LARGE_STAFF (default 20000; 0 skips the large firm).
"""

import os
import random
import shutil
import tempfile
import time
from pathlib import Path

from django.shortcuts import render
from django.urls import path

from bench.result import Result
from lawfirm_kpi.urls import urlpatterns as project_urlpatterns

SCORECARD_PEOPLE = int(os.environ.get("BENCH_PAGES_PEOPLE", "200"))
TABLE_ROUNDS = int(os.environ.get("BENCH_PAGES_TABLE_ROUNDS", "5"))
LARGE_STAFF = int(os.environ.get("BENCH_PAGES_LARGE_STAFF", "20000"))
PASSWORD = "pages-bench-password-2026"
# The pages read scorecards, not department data: a fifth of the volumes keeps the build short.
FIRM = {"clients": 20_000, "contracts": 30_000, "revenue": 80_000, "complaints": 2_000, "surveys": 6_000,
        "ratings": 20_000}  # fmt: skip
SCORECARD_QUERIES, TABLE_QUERIES, APPROVAL_QUERIES = 15, 20, 40
SCORECARD_RATIO, TABLE_RATIO, LARGE_RATIO, APPROVAL_SECONDS = 2.5, 4.0, 1.3, 1.0
# Pages and sorts of the two ranked tables, as people page through them (100 rows each).
TABLE_VIEWS = ["?page=2", "?sort=name&dir=desc&page=20", "?sort=total&dir=asc&page=7", "?sort=department&page=12",
               "?sort=rank&dir=desc&page=15"]  # fmt: skip


def base_template_only(request):
    """The floor: the site's base template with nothing in it, for the same signed-in person."""
    return render(request, "base.html", {})


urlpatterns = [path("bench/base-template/", base_template_only, name="bench_base_template"), *project_urlpatterns]


def _prepare_firm(staff):
    """Build the firm, score the quarter with the real service, publish it; return who reads what."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from bench.synthetic import build_synthetic_firm
    from portal.quarter_services import quarter_score
    from results.models import Scorecard
    from reviews.models import EXECUTION_GROUP, LEADERSHIP_GROUP, Quarter, QuarterState

    started = time.perf_counter()
    firm = build_synthetic_firm(staff=staff, **FIRM)
    built = time.perf_counter() - started
    executor = firm.organiser  # user 1, an unassessed partner
    executor.groups.add(Group.objects.get_or_create(name=EXECUTION_GROUP)[0])
    partner = User.objects.get(pk=2)
    partner.groups.add(Group.objects.get_or_create(name=LEADERSHIP_GROUP)[0])
    Quarter.objects.filter(pk=firm.quarter.pk).update(state=QuarterState.COLLECTING)
    started = time.perf_counter()
    quarter_score(quarter=firm.quarter, by=executor, incomplete_data_reason="benchmark")
    scored = time.perf_counter() - started
    # Published by state: quarter_publish would also queue a feedback PDF per person, which the pdf benchmark
    # measures; the scorecard page reads the same rows either way (the PDF's link shows once published).
    published = Scorecard.objects.filter(quarter=firm.quarter, is_current=True).update(
        status=Scorecard.Status.PUBLISHED
    )
    Quarter.objects.filter(pk=firm.quarter.pk).update(state=QuarterState.PUBLISHED, published_at=timezone.now())
    firm.quarter.refresh_from_db()
    _analyze()
    # Distinct people spread over the whole ranking, each the owner of the scorecard they read.
    cards = list(
        Scorecard.objects.filter(quarter=firm.quarter, is_current=True, staff__user__isnull=False)
        .order_by("pk")
        .values_list("pk", "staff__user__username")
    )
    step = max(1, len(cards) // SCORECARD_PEOPLE)
    readers = cards[::step][:SCORECARD_PEOPLE]
    usernames = [executor.username, partner.username] + [name for _pk, name in readers]
    User.objects.filter(username__in=usernames).update(password=make_password(PASSWORD))
    note = (
        f"{firm.staff} staff ({published} scorecards published), {firm.revenue} revenue entries; built in "
        f"{built:.0f} s, scored by quarter_score in {scored:.1f} s"
    )
    return firm.quarter, executor.username, partner.username, readers, note


def _serve():
    """gunicorn with 2 sync workers and its default timeout, on a free loopback port, over the same database."""
    from bench.bench_load import _free_port, _start_gunicorn

    media_root = Path(tempfile.mkdtemp(prefix="kpi-pages-media-"))
    log_path = media_root.parent / f"{media_root.name}-gunicorn.log"
    port = _free_port()
    extra = {
        "BENCH_ROOT_URLCONF": "bench.bench_pages",
        "BENCH_QUERY_COUNT_HEADER": "1",
        # No cache at all: a page that leaned on one would show its full cost on every request.
        "CACHE_URL": "dummycache://",
    }
    process, log = _start_gunicorn(port, log_path, media_root, extra_env=extra, timeout=None)
    return port, process, log, media_root, log_path


def _get(browser, url, expect=b""):
    """(seconds, queries) of one GET measured by the client; anything but the expected page stops the run."""
    started = time.perf_counter()
    status, _location, content, headers = browser.request_with_headers("GET", url)
    seconds = time.perf_counter() - started
    if status != 200 or expect not in content:
        raise RuntimeError(f"{url} answered HTTP {status} without {expect!r}")
    return seconds, int(headers.get("x-query-count", "-1"))


def _p95(values):
    from bench.bench_load import _percentile

    return _percentile(values, 0.95)


def _first_views(port, login_path, base, readers, scorecard_url):
    """Each reader signs in, then views the base page and their own scorecard once, in alternating order."""
    from bench.bench_load import Browser

    rng = random.Random(20261207)
    times = {"base": [], "scorecard": []}
    queries = {"base": [], "scorecard": []}
    for index, (pk, username) in enumerate(readers):
        browser = Browser(port, "zh-hans" if index % 2 else "en")
        browser.sign_in(login_path, username, password=PASSWORD)
        order = [("base", base, b"<html"), ("scorecard", scorecard_url(pk), b'id="scorecard-lines"')]
        rng.shuffle(order)
        for label, url, expect in order:
            seconds, count = _get(browser, url, expect)
            times[label].append(seconds * 1000)
            queries[label].append(count)
    return times, queries


def _tables(port, login_path, base, username, urls, expect):
    """The reader views each URL TABLE_ROUNDS times, each view followed by the base page."""
    from bench.bench_load import Browser

    browser = Browser(port, "zh-hans")
    browser.sign_in(login_path, username, password=PASSWORD)
    times = {"base": [], "page": []}
    queries = []
    for _round in range(TABLE_ROUNDS):
        for url in urls:
            seconds, count = _get(browser, url, expect)
            times["page"].append(seconds * 1000)
            queries.append(count)
            seconds, _count = _get(browser, base, b"<html")
            times["base"].append(seconds * 1000)
    return times, queries


def _measure(label, staff, *, tables):
    from django.db import connection
    from django.test import override_settings
    from django.urls import reverse

    from bench.bench_load import _stop_gunicorn

    quarter, executor, partner, readers, note = _prepare_firm(staff)
    connection.close()  # gunicorn's workers and this process should not share a connection
    with override_settings(ROOT_URLCONF="bench.bench_pages"):
        base = reverse("bench_base_template")
        login_path = reverse("login")

        def scorecard_url(pk):
            return reverse("portal:scorecard", args=[pk])

        results = reverse("portal:results", args=[quarter.code])
        approval = reverse("portal:approval", args=[quarter.code])
    port, process, log, media_root, log_path = _serve()
    try:
        first = _first_views(port, login_path, base, readers, scorecard_url)
        measured = {"first": first, "note": note}
        if tables:
            measured["results"] = _tables(
                port, login_path, base, executor, [results] + [results + view for view in TABLE_VIEWS], b'id="results"'
            )
            measured["approval_table"] = _tables(
                port, login_path, base, partner, [approval + view for view in TABLE_VIEWS], b'id="ranked-table"'
            )
            # Four views a round: a p95 of twenty views rather than five.
            measured["approval"] = _tables(port, login_path, base, partner, [approval] * 4, b'id="full-report-body"')
            measured["urls"] = {"results": results, "approval": approval}
    finally:
        _stop_gunicorn(process, log)
        shutil.rmtree(media_root, ignore_errors=True)
        log_path.unlink(missing_ok=True)
    return measured


def run(label):
    if label != "postgresql":
        return []
    load = os.getloadavg()[0]
    small = _measure(label, 2000, tables=True)
    results = _rows(small, load)
    if LARGE_STAFF:
        from django.core.management import call_command

        from bench.runner import _recreate_postgres_database

        _recreate_postgres_database()
        call_command("migrate", verbosity=0, interactive=False)
        large = _measure(label, LARGE_STAFF, tables=False)
        results += _large_rows(small, large, load)
    return results


def _rows(small, load):
    times, queries = small["first"]
    people = len(times["scorecard"])
    base_p95, card_p95 = _p95(times["base"]), _p95(times["scorecard"])
    where = f"gunicorn (2 sync workers, default timeout) on PostgreSQL, load average {load:.1f} at the start"
    rows = [
        Result("pages: first view of one's own scorecard, queries (most of any)", max(queries["scorecard"]),
               "queries", SCORECARD_QUERIES,
               notes=f"{people} distinct people, each signed in through the login form, each view their own "
               f"scorecard once; fewest {min(queries['scorecard'])}; {small['note']}"),
        Result("pages: first view of one's own scorecard p95 / base p95", round(card_p95 / base_p95, 2), "×",
               SCORECARD_RATIO, floor=round(base_p95, 1),
               notes=f"scorecard p95 {card_p95:.0f} ms, base template p95 {base_p95:.0f} ms for the same people in "
               f"the same run (interleaved; whole request measured by the client); {where}"),
    ]  # fmt: skip
    for key, name in (("results", "results table"), ("approval_table", "approval table")):
        table_times, table_queries = small[key]
        page_p95, floor_p95 = _p95(table_times["page"]), _p95(table_times["base"])
        rows += [
            Result(f"pages: {name}, 100 rows, cold, queries (most of any)", max(table_queries), "queries",
                   TABLE_QUERIES, notes=f"{len(table_queries)} views: {', '.join(TABLE_VIEWS)}"
                   + (" and the first page" if key == "results" else " (the table alone, without the report)")),
            Result(f"pages: {name}, 100 rows, cold, p95 / base p95", round(page_p95 / floor_p95, 2), "×",
                   TABLE_RATIO, floor=round(floor_p95, 1),
                   notes=f"p95 {page_p95:.0f} ms against the base page's {floor_p95:.0f} ms for the same reader, "
                   f"interleaved; no cache (dummy backend), so every view is a first view; {where}"),
        ]  # fmt: skip
    approval_times, approval_queries = small["approval"]
    approval_p95 = _p95(approval_times["page"])
    rows += [
        Result("pages: approval page with its report, queries", max(approval_queries), "queries", APPROVAL_QUERIES,
               notes=f"{small['urls']['approval']} as the partner opens it: the whole report and the first 100 rows "
               "in one request"),
        Result("pages: approval page with its report, p95", round(approval_p95 / 1000, 3), "s", APPROVAL_SECONDS,
               notes=f"{len(approval_times['page'])} views at 2,000 staff, whole request measured by the client; "
               f"base page p95 {_p95(approval_times['base']):.0f} ms; {where}"),
    ]  # fmt: skip
    return rows


def _large_rows(small, large, load):
    small_p95 = _p95(small["first"][0]["scorecard"])
    times, queries = large["first"]
    large_p95, base_p95 = _p95(times["scorecard"]), _p95(times["base"])
    return [
        Result(f"pages: first view of one's own scorecard at {LARGE_STAFF:,} staff, queries (most of any)",
               max(queries["scorecard"]), "queries", SCORECARD_QUERIES,
               notes=f"{len(times['scorecard'])} distinct people; {large['note']}"),
        Result(f"pages: first view p95 at {LARGE_STAFF:,} staff / at 2,000", round(large_p95 / small_p95, 2), "×",
               LARGE_RATIO, floor=round(small_p95, 1),
               notes=f"p95 {large_p95:.0f} ms against {small_p95:.0f} ms at 2,000 staff (the same server settings); "
               f"base page p95 {base_p95:.0f} ms in this run; load average {load:.1f} at the start"),
    ]  # fmt: skip


def _analyze():
    """Planner statistics for the tables just bulk-loaded and scored, as PostgreSQL's autovacuum gathers them
    within a minute of such writes on a live server: without them the planner guesses a handful of rows."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
