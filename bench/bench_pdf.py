"""The PDF benchmark: feedback PDFs (regulation 三.5).

- one two-page feedback PDF, the whole path (gather the scorecard's data, render the template, WeasyPrint)
  against the floor: WeasyPrint alone on the same finished HTML, in the same run — bound ≤ 1.3×;
- a firm of 200 people rendered by real `celery worker` processes (--concurrency 1, then 2) — speed-up ≥ 1.7×;
- the worker's memory across the 200 documents grows by less than 50 MB.

- on PostgreSQL, first, the publication end to end: the synthetic firm scored, published by quarter_publish with a
  real worker of 2 processes, until every document is rendered and every notice sent (docs/benchmarks.md).

The worker part needs Redis: CELERY_BROKER_URL, else redis://127.0.0.1:6379/5. BENCH_PDF_PEOPLE shrinks the firm,
BENCH_PUBLISH_STAFF the publication's (2,000 by default); BENCH_PDF_PUBLICATION_ONLY=1 runs the publication alone
(while developing: `python -m bench.runner bench_pdf postgresql` with DATABASE_URL set).
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from bench.result import Result

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = int(os.environ.get("BENCH_PDF_PEOPLE", "200"))
PUBLICATION_ONLY = os.environ.get("BENCH_PDF_PUBLICATION_ONLY", "") == "1"
REPEAT = int(os.environ.get("BENCH_PDF_REPEAT", "7"))
BROKER = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/5"
QUEUE = "bench_pdf"
STALL_SECONDS = 180
WARM_UP = 5  # documents rendered before the memory baseline (fonts and templates loaded)
D = Decimal
LINES = [  # code, value, target, weight, points
    ("new_clients", "3", "2", "15", "18"), ("new_client_revenue_share", "25", "20", "10", "12.5"),
    ("satisfaction", "4.36", "4.2", "15", "16.6"), ("repeat_engagement_rate", "30", "30", "10", "10"),
    ("referral_rate", "8", "10", "10", "9"), ("complaint_rate", "2", "0", "10", "6"),
    ("complaint_timeliness", None, "100", "5", "0"), ("communication", "3.5", None, "10", "7"),
    ("collaboration", "2", None, "15", "3.4"),
]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊洋艳勇军杰娟涛明超秀霞平"


def build_firm(people):
    """A published quarter with `people` lawyers, each with a nine-line scorecard and a long evaluation."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from indicators.defaults import scheme_create_default
    from indicators.models import Indicator
    from results.models import IndicatorScore, Scorecard
    from reviews.models import Department, DepartmentKind, Quarter, StaffProfile

    department = Department.objects.create(
        code="lit", name_zh="诉讼业务组", name_en="Litigation", kind=DepartmentKind.PRACTICE
    )
    head_user = User.objects.create(username="head")
    head = StaffProfile.objects.create(user=head_user, full_name="周强", position="lawyer", department=department)
    users = User.objects.bulk_create([User(username=f"p{i}", email=f"p{i}@firm.example") for i in range(people)])
    profiles = StaffProfile.objects.bulk_create(
        [
            StaffProfile(
                user=user,
                full_name=SURNAMES[i % 20] + GIVEN[(i // 20) % 20] + GIVEN[i % 17],
                position="lawyer",
                department=department,
                superior=head,
                language="en" if i % 5 == 0 else "zh-hans",
            )
            for i, user in enumerate(users)
        ]
    )
    quarter = Quarter.objects.create(year=2026, number=2, state="published", published_at=timezone.now())
    scheme = scheme_create_default(quarter=quarter, by=None)
    evaluation = "本季度客户开发表现突出，新客户数量超过目标；客户满意度稳定，投诉处理仍需加强。" * 3
    cards = Scorecard.objects.bulk_create(
        [
            Scorecard(
                quarter=quarter,
                staff=profile,
                # Written as drafts with their lines, then published: the database refuses lines on a published
                # result (docs/results.md, "Published results never change").
                status="draft",
                scheme=scheme,
                position="lawyer",
                department=department,
                total=D(60 + i % 40),
                grade="良好",
                grade_en="Good",
                rank=i + 1,
                ranked_count=people,
                evaluation=evaluation,
                computed_at=timezone.now(),
            )
            for i, profile in enumerate(profiles)
        ]
    )
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=[line[0] for line in LINES])}
    IndicatorScore.objects.bulk_create(
        [
            IndicatorScore(
                scorecard=card,
                indicator=indicators[code],
                value=None if value is None else D(value),
                target=None if target is None else D(target),
                weight=D(weight),
                effective_weight=D(weight),
                points=D(points),
                rule="bench",
                no_data_applied=value is None,
            )
            for card in cards
            for code, value, target, weight, points in LINES
        ]
    )
    Scorecard.objects.filter(pk__in=[card.pk for card in cards]).update(status="published")
    for card in cards:
        card.status = "published"
    return quarter, cards


def time_single(card):
    """Median seconds of the whole path and of WeasyPrint alone on the same HTML; the page count."""
    import io

    from pypdf import PdfReader

    from documents.feedback import feedback_html
    from documents.pdf import html_to_pdf

    pages = len(PdfReader(io.BytesIO(html_to_pdf(feedback_html(card)))).pages)  # warm-up: fonts, templates
    whole, floor = [], []
    for _ in range(REPEAT):
        start = time.perf_counter()
        html = feedback_html(card)
        html_to_pdf(html)
        whole.append(time.perf_counter() - start)
        start = time.perf_counter()
        html_to_pdf(html)
        floor.append(time.perf_counter() - start)
    return statistics.median(whole), statistics.median(floor), pages


def _tail(path, size=2000):
    return Path(path).read_text(errors="replace")[-size:]


def _status_mb(pid, field):
    """One memory line of a process's /proc status (VmRSS: now, VmHWM: its peak so far), in MB; None once it is
    gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _rss_mb(pid):
    return _status_mb(pid, "VmRSS")


def _children(pid):
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def start_worker(concurrency, media_root, log):
    env = {
        **os.environ,
        "CELERY_BROKER_URL": BROKER,
        "DJANGO_SETTINGS_MODULE": "lawfirm_kpi.settings.bench",
        "BENCH_PDF_MEDIA": str(media_root),
    }
    return subprocess.Popen(  # noqa: S603 — our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "bench.pdf_worker",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrency),
            "-Q",
            QUEUE,
            "-n",
            f"benchpdf{concurrency}-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
    )


def wait_ready(app, process, name_prefix, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("worker exited (see its log)")
        replies = app.control.ping(timeout=1.0)
        if any(name.startswith(name_prefix) for reply in replies for name in reply):
            return
    raise RuntimeError("worker did not start")


def run_batch(app, quarter, concurrency, media_root, *, watch_memory=False):
    """Seconds for `celery worker --concurrency N` to render every document of the quarter; memory samples."""
    from documents.feedback import feedback_batch_prepare
    from documents.models import FeedbackDocument
    from documents.tasks import feedback_render

    FeedbackDocument.objects.filter(quarter=quarter).delete()
    document_ids = [pk for pk in feedback_batch_prepare(quarter=quarter)]
    total = len(document_ids)
    log = (media_root / f"worker-{concurrency}.log").open("w")
    process = start_worker(concurrency, media_root, log)
    memory = {}
    try:
        wait_ready(app, process, f"benchpdf{concurrency}-{os.getpid()}@")
        start = time.perf_counter()
        for pk in document_ids:
            feedback_render.apply_async(args=[pk], queue=QUEUE)
        finished, progress_at = 0, time.monotonic()
        while finished < total:
            time.sleep(0.25)
            now_finished = FeedbackDocument.objects.filter(quarter=quarter, status__in=["done", "failed"]).count()
            if now_finished != finished:
                finished, progress_at = now_finished, time.monotonic()
            elif time.monotonic() - progress_at > STALL_SECONDS:
                stuck = list(
                    FeedbackDocument.objects.exclude(status__in=["done", "failed"]).values_list(
                        "pk", "status", "attempts", "error"
                    )
                )
                raise RuntimeError(
                    f"no progress for {STALL_SECONDS} s at {finished}/{total}: {stuck[:5]} " + _tail(log.name)
                )
            if watch_memory and finished >= WARM_UP:
                rss = sum(_rss_mb(pid) or 0 for pid in _children(process.pid))
                memory.setdefault("samples", []).append((finished, rss))
                memory["peak"] = max(memory.get("peak", 0), rss)
            if process.poll() is not None:
                raise RuntimeError("worker died: " + _tail(log.name))
        elapsed = time.perf_counter() - start
        failed = FeedbackDocument.objects.filter(quarter=quarter, status="failed").count()
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
    return elapsed, total, failed, memory


def _memory_growth(samples, total):
    """How much the worker's steady memory grew from the start of the batch to its end: the median of the samples
    taken while the first quarter of the documents was rendered against the median over the last quarter.
    Medians, because one sample can fall on a render's transient peak (fontTools subsetting the CJK font)."""
    quarter = max(1, (total - WARM_UP) // 4)
    early = [rss for done, rss in samples if done < WARM_UP + quarter]
    late = [rss for done, rss in samples if done >= total - quarter]
    if not early or not late:
        return 0.0, 0.0, 0.0
    early_mb, late_mb = statistics.median(early), statistics.median(late)
    return early_mb, late_mb, late_mb - early_mb


def run(label):
    from django.db import connection

    from lawfirm_kpi.celery import app

    app.conf.update(broker_url=BROKER, task_always_eager=False)
    results = []
    if connection.vendor == "postgresql":
        # First, into the empty database the synthetic firm needs (ids from 1); the firm below adds to it.
        results += run_publication()
    if PUBLICATION_ONLY:
        return results
    quarter, cards = build_firm(PEOPLE)
    whole, floor, pages = time_single(cards[1])
    results += [
        Result(
            name="pdf: one feedback PDF, whole path / WeasyPrint floor",
            value=whole / floor,
            unit="ratio",
            bound=1.3,
            floor=floor,
            notes=f"whole {whole:.3f}s, floor {floor:.3f}s, {pages} pages, median of {REPEAT}",
        ),
    ]
    connection.close()  # the workers are other processes; leave them the database
    app.control.purge()
    with tempfile.TemporaryDirectory(prefix="kpi-bench-pdf-") as media:
        one, total, failed_one, memory = run_batch(app, quarter, 1, Path(media), watch_memory=True)
        two, _total, failed_two, _memory = run_batch(app, quarter, 2, Path(media))
    early, late, growth = _memory_growth(memory.get("samples", []), total)
    results += [
        Result(
            name=f"pdf: firm of {total - 1} + report, 1 worker process",
            value=one,
            unit="s",
            bound=None,
            notes=f"{total / one:.2f} documents/s, failed {failed_one}",
        ),
        Result(
            name=f"pdf: firm of {total - 1} + report, 2 worker processes",
            value=two,
            unit="s",
            bound=None,
            notes=f"{total / two:.2f} documents/s, failed {failed_two}",
        ),
        Result(
            name="pdf: speed-up of 2 worker processes over 1",
            value=one / two,
            unit="×",
            bound=1.7,
            comparison=">=",
            notes=f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}",
        ),
        Result(
            name=f"pdf: worker memory growth across {total} documents",
            value=growth,
            unit="MB",
            bound=50,
            notes=f"1 worker process (parent and pool child, RSS sampled every 0.25 s): median {early:.0f} MB "
            f"over the first quarter of the batch after {WARM_UP} documents, {late:.0f} MB over the last "
            f"quarter; peak {memory.get('peak', 0):.0f} MB while rendering; the child is "
            "replaced after the task in which its peak passed worker_max_memory_per_child (lawfirm_kpi/celery.py)",
        ),
    ]
    return results


# --- Publication end to end ---------------------------------------------------------------------------------------

PUBLISH_STAFF = int(os.environ.get("BENCH_PUBLISH_STAFF", "2000"))
PUBLISH_PROJECTED = 20_000
PUBLISH_STALL_SECONDS = 300


def _hwm_mb(pid):
    return _status_mb(pid, "VmHWM")


def _publication_firm(staff):
    """The synthetic firm (bench/synthetic.py) at `staff` people, scored by the real service and approved, so that
    the next step is the publication; its department data scale with the staff as at 2,000."""
    from django.contrib.auth.models import Group, User
    from django.db.models import Value
    from django.db.models.functions import Concat

    from bench.synthetic import build_synthetic_firm
    from portal.quarter_services import quarter_score
    from reviews.models import EXECUTION_GROUP, LEADERSHIP_GROUP, Quarter, QuarterState

    scale = staff / 2000
    firm = build_synthetic_firm(
        staff=staff,
        clients=int(100_000 * scale),
        contracts=int(150_000 * scale),
        revenue=int(400_000 * scale),
        complaints=int(10_000 * scale),
        surveys=int(30_000 * scale),
        ratings=int(20_000 * scale),
    )
    # Everyone with an address, so the notices of the publication go out by e-mail as in a real firm.
    User.objects.update(email=Concat("username", Value("@firm.example")))
    firm.organiser.groups.add(Group.objects.get_or_create(name=EXECUTION_GROUP)[0])
    User.objects.get(pk=2).groups.add(Group.objects.get_or_create(name=LEADERSHIP_GROUP)[0])
    Quarter.objects.filter(pk=firm.quarter.pk).update(state=QuarterState.COLLECTING)
    quarter_score(quarter=firm.quarter, by=firm.organiser, incomplete_data_reason="benchmark")
    # Submission and approval are the leadership's steps with their own pages; the publication is what is timed.
    Quarter.objects.filter(pk=firm.quarter.pk).update(state=QuarterState.APPROVED)
    firm.quarter.refresh_from_db()
    return firm


def _start_publication_worker(media_root, log):
    """`celery worker --concurrency 2` (prefork, its processes replaced as lawfirm_kpi/celery.py says) on the
    default queue, where quarter_publish's receivers send the batch, the renders and the outbox drains."""
    env = {
        **os.environ,
        "CELERY_BROKER_URL": BROKER,
        "DJANGO_SETTINGS_MODULE": "lawfirm_kpi.settings.bench",
        "BENCH_PDF_MEDIA": str(media_root),
    }
    name = f"benchpublish-{os.getpid()}@%h"
    process = subprocess.Popen(  # noqa: S603 — our own interpreter and arguments
        [sys.executable, "-m", "bench.pdf_worker", "worker", "--pool", "prefork", "--concurrency", "2",
         "-Q", "celery", "-n", name, "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log, text=True,
    )  # fmt: skip
    return process, name.split("@")[0] + "@"


def run_publication():
    """Publish the synthetic firm through portal.quarter_services.quarter_publish with a real worker of two
    processes, and time it until every feedback document and the report are rendered and every notice is sent."""
    from django.db import connection
    from django.db.models import Count

    from documents.feedback import document_html
    from documents.models import FeedbackDocument
    from documents.pdf import html_to_pdf
    from lawfirm_kpi.celery import app
    from notifications.models import Notice
    from portal.quarter_services import quarter_publish

    built = time.perf_counter()
    firm = _publication_firm(PUBLISH_STAFF)
    built = time.perf_counter() - built
    quarter = firm.quarter
    connection.close()
    app.control.purge()
    with tempfile.TemporaryDirectory(prefix="kpi-bench-publish-") as media:
        log = (Path(media) / "worker.log").open("w")
        process, prefix = _start_publication_worker(media, log)
        children_hwm = {}
        try:
            wait_ready(app, process, prefix)
            started = time.perf_counter()
            quarter_publish(quarter=quarter, by=firm.organiser)
            request = time.perf_counter() - started
            expected = None
            progress = (-1, time.monotonic())
            while True:
                time.sleep(0.25)
                for child in _children(process.pid):
                    peak = _hwm_mb(child)
                    if peak is not None:
                        children_hwm[child] = max(children_hwm.get(child, 0), peak)
                documents = FeedbackDocument.objects.filter(quarter=quarter)
                if expected is None and documents.exists():
                    expected = documents.count()  # the batch creates them all at once
                finished = documents.filter(status__in=["done", "failed"]).count()
                unsent = Notice.objects.filter(quarter=quarter, status="pending").count()
                if expected and finished == expected and unsent == 0:
                    break
                if (finished, unsent) != progress[0]:
                    progress = ((finished, unsent), time.monotonic())
                elif time.monotonic() - progress[1] > PUBLISH_STALL_SECONDS:
                    raise RuntimeError(f"no progress for {PUBLISH_STALL_SECONDS} s: {progress[0]} " + _tail(log.name))
                if process.poll() is not None:
                    raise RuntimeError("worker died: " + _tail(log.name))
            wall = time.perf_counter() - started
            load = os.getloadavg()[0]
        finally:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()
        failed = FeedbackDocument.objects.filter(quarter=quarter, status="failed").count()
        reports = FeedbackDocument.objects.filter(quarter=quarter, kind="report", status="done").count()
        notices = dict(Notice.objects.filter(quarter=quarter).values_list("status").annotate(n=Count("pk")).order_by())
        people = FeedbackDocument.objects.filter(quarter=quarter, kind="feedback").count()
        # The floor: WeasyPrint alone on one person's finished feedback HTML, in this run, after the batch.
        sample = FeedbackDocument.objects.filter(quarter=quarter, kind="feedback").order_by("pk")[people // 2]
        html = document_html(sample)
        html_to_pdf(html)  # fonts loaded once, as in a worker that has rendered before
        renders = []
        for _ in range(REPEAT):
            began = time.perf_counter()
            html_to_pdf(html)
            renders.append(time.perf_counter() - began)
    one = statistics.median(renders)
    floor = people * one / 2
    peak_child = max(children_hwm.values(), default=0.0)
    return [
        Result(
            name=f"pdf: publish {people:,} people, failed documents",
            value=failed,
            unit="documents",
            bound=0,
            notes=f"{people:,} feedback documents + {reports} report rendered; notices by status {notices} (e-mail "
            "through the outbox to the locmem backend of the bench settings in the worker, which accepts like an "
            "SMTP server that is up)",
        ),
        Result(
            name=f"pdf: publish {people:,} people end to end, 2 worker processes",
            value=round(wall, 1),
            unit="s",
            bound=round(1.25 * floor, 1),
            floor=round(floor, 1),
            notes=f"from quarter_publish (its own request part {request:.2f} s) until every document is rendered and "
            f"every notice sent; floor = {people:,} × {one:.3f} s (WeasyPrint alone on one feedback HTML, median of "
            f"{REPEAT} in this run) ÷ 2 processes; bound 1.25 × floor; synthetic firm built and scored in "
            f"{built:.0f} s; load average {load:.1f} on {os.cpu_count()} CPUs",
        ),
        Result(
            name="pdf: publish, peak RSS per worker child",
            value=round(peak_child, 1),
            unit="MB",
            bound=400,
            notes=f"the largest VmHWM of the {len(children_hwm)} pool children seen (sampled every 0.25 s; each "
            "child is replaced after the task in which its peak passed worker_max_memory_per_child, "
            "lawfirm_kpi/celery.py)",
        ),
        Result(
            name=f"pdf: publish, projection to {PUBLISH_PROJECTED:,} people",
            value=round(wall * PUBLISH_PROJECTED / people, 0),
            unit="s",
            bound=None,
            notes=f"linear in the documents (each is one task): {wall:.0f} s × {PUBLISH_PROJECTED:,} ÷ {people:,} "
            "on 2 worker processes; more processes divide it",
        ),
    ]
