"""The pages benchmark: what the pages people live in cost with the 2,000-staff synthetic firm, scored and published.

Queries per scorecard page (bound 15) and per ranked-table page (bound 20), and the median time of each over
REQUESTS requests by django.test.Client, against the median of a minimal view that renders only the site's base
template for the same signed-in person in the same run: ≤ 2× for the scorecard, ≤ 4× for a 100-row table page.

The firm has the full 2,000 staff but a fifth of the department data (20,000 clients …): the pages measured here
read scorecards, not department data, and the full volumes only lengthen the build (the load benchmark uses them).
This module is also the URLconf of the run (override_settings(ROOT_URLCONF="bench.bench_pages")): the project's
URLs plus the minimal view. Environment: BENCH_PAGES_REQUESTS (default 200).
"""

import os
import statistics
import time

from django.shortcuts import render
from django.urls import path

from bench.result import Result
from lawfirm_kpi.urls import urlpatterns as project_urlpatterns

REQUESTS = int(os.environ.get("BENCH_PAGES_REQUESTS", "200"))
WARM_UP = 5
FIRM = {"staff": 2000, "clients": 20_000, "contracts": 30_000, "revenue": 80_000, "complaints": 2_000,
        "surveys": 6_000, "ratings": 20_000}  # fmt: skip
SCORECARD_QUERIES, TABLE_QUERIES = 15, 20
SCORECARD_RATIO, TABLE_RATIO = 2.0, 4.0


def base_template_only(request):
    """The floor: the site's base template with nothing in it, for the same signed-in user."""
    return render(request, "base.html", {})


urlpatterns = [path("bench/base-template/", base_template_only, name="bench_base_template"), *project_urlpatterns]


def _prepare_firm():
    """Build the firm, score the quarter with the real service, publish by state; return who reads what."""
    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from bench.synthetic import build_synthetic_firm
    from portal.quarter_services import quarter_score
    from results.models import Scorecard
    from reviews.models import EXECUTION_GROUP, LEADERSHIP_GROUP, Quarter, QuarterState

    started = time.perf_counter()
    firm = build_synthetic_firm(**FIRM)
    built = time.perf_counter() - started
    executor = firm.organiser  # user 1, an unassessed partner
    executor.groups.add(Group.objects.get_or_create(name=EXECUTION_GROUP)[0])
    partner = User.objects.get(pk=2)
    partner.groups.add(Group.objects.get_or_create(name=LEADERSHIP_GROUP)[0])
    Quarter.objects.filter(pk=firm.quarter.pk).update(state=QuarterState.COLLECTING)
    quarter_score(quarter=firm.quarter, by=executor, incomplete_data_reason="benchmark")
    # Published by state, as the load benchmark does: quarter_publish would also render 2,000 feedback PDFs.
    published = Scorecard.objects.filter(quarter=firm.quarter, is_current=True).update(
        status=Scorecard.Status.PUBLISHED
    )
    Quarter.objects.filter(pk=firm.quarter.pk).update(state=QuarterState.PUBLISHED, published_at=timezone.now())
    firm.quarter.refresh_from_db()
    # The owner of a lawyer's scorecard somewhere in the middle of the ranking.
    card = (
        Scorecard.objects.filter(quarter=firm.quarter, is_current=True, position="lawyer")
        .select_related("staff__user")
        .order_by("rank")[published // 4]
    )
    note = (
        f"{firm.staff} staff ({published} scorecards published), {firm.clients} clients, {firm.contracts} "
        f"contracts, {firm.revenue} revenue entries; built in {built:.0f} s"
    )
    return firm.quarter, executor, partner, card, note


def _browser(user):
    from django.test import Client

    browser = Client()
    browser.cookies["django_language"] = "zh-hans"
    browser.force_login(user)
    return browser


def _queries(browser, url, expect):
    """Queries of one request (after a first one warmed the caches); the page must show what it should."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = browser.get(url)
    content = response.content.decode()
    if response.status_code != 200 or expect not in content:
        raise RuntimeError(f"{url} answered HTTP {response.status_code} without {expect!r}")
    return len(captured)


def _interleaved_medians(browser, urls):
    """Median ms of each URL, measured in alternating rounds so that the machine's other load hits them alike."""
    medians = {}
    rounds = 4
    share = max(1, REQUESTS // rounds)
    samples = {url: [] for url in urls}
    for url in urls:
        for _ in range(WARM_UP):
            browser.get(url)
    for _ in range(rounds):
        for url in urls:
            for _ in range(share):
                started = time.perf_counter()
                response = browser.get(url)
                samples[url].append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"{url} answered HTTP {response.status_code}")
    for url, times in samples.items():
        medians[url] = statistics.median(times) * 1000
    return medians


def run(label):
    from django.test import override_settings
    from django.urls import reverse

    quarter, executor, partner, card, firm_note = _prepare_firm()
    with override_settings(ROOT_URLCONF="bench.bench_pages"):
        base = reverse("bench_base_template")
        scorecard = reverse("portal:scorecard", args=[card.pk])
        results = reverse("portal:results", args=[quarter.code])
        results_last = f"{results}?sort=name&dir=desc&page=20"
        approval = reverse("portal:approval", args=[quarter.code])

        owner = _browser(card.staff.user)
        organiser = _browser(executor)
        leader = _browser(partner)
        owner.get(scorecard)
        organiser.get(results)
        leader.get(approval)
        scorecard_queries = _queries(owner, scorecard, card.staff.full_name)
        results_queries = _queries(organiser, results, 'id="results"')
        results_rows = organiser.get(results).content.decode().count("<tr>") - 1
        approval_queries = _queries(leader, approval, 'id="ranked-table"')

        owner_ms = _interleaved_medians(owner, [base, scorecard])
        organiser_ms = _interleaved_medians(organiser, [base, results, results_last])
        leader_ms = _interleaved_medians(leader, [base, approval])

    def ratio(name, page_ms, floor_ms, bound, what):
        return Result(
            name,
            round(page_ms / floor_ms, 2),
            "×",
            bound,
            floor=round(floor_ms, 2),
            notes=f"{what}: median {page_ms:.1f} ms over {REQUESTS} requests; base template alone for the same "
            f"user {floor_ms:.1f} ms (the floor, ms)",
        )

    return [
        Result("pages: queries per scorecard page", scorecard_queries, "queries", SCORECARD_QUERIES,
               notes=f"{scorecard} read by its owner (rank {card.rank} / {card.ranked_count}); {firm_note}"),
        Result("pages: queries per ranked-table page (results)", results_queries, "queries", TABLE_QUERIES,
               notes=f"{results} read by an execution-group member, {results_rows} rows of people with points per "
               "indicator"),
        Result("pages: queries per ranked-table page (approval)", approval_queries, "queries", TABLE_QUERIES,
               notes=f"{approval} read by a leadership-group member: report figures, 100 rows, decision form"),
        ratio("pages: scorecard median / base template", owner_ms[scorecard], owner_ms[base], SCORECARD_RATIO,
              "the scorecard"),
        ratio("pages: ranked table (results, 100 rows) / base", organiser_ms[results], organiser_ms[base],
              TABLE_RATIO, f"{results}, first page by rank"),
        ratio("pages: ranked table (results, page 20) / base", organiser_ms[results_last], organiser_ms[base],
              TABLE_RATIO, f"{results_last}, the last page sorted by name"),
        ratio("pages: ranked table (approval, 100 rows) / base", leader_ms[approval], leader_ms[base], TABLE_RATIO,
              f"{approval}, first page by total"),
    ]  # fmt: skip
