"""The load benchmark: the whole system under concurrent use, on PostgreSQL only.

Builds the 2,000-staff synthetic firm, scores the quarter with the real service and leaves it approved; starts
gunicorn (2 sync workers, its default timeout, loopback only) and a real Celery worker (2 processes at a lower CPU
priority, as production runs it; Redis broker BENCH_LOAD_BROKER) on the same database; publishes the quarter
through the real quarter_publish at the start of the run, so the feedback PDFs render in the worker while people
read. Then CONCURRENCY users work for DURATION
seconds: first views of their own scorecard by distinct people (each signs in once and reads their scorecard once),
the partner's approval page with its report, the ranked tables, department lists, an import preview (upload →
preview, never confirmed) and the base template alone (the floor the page bounds are ratios of). Reports p95 per
page against the pages' bounds (docs/benchmarks.md), errors (bound 0), the database's row counts after the run
(nothing lost or duplicated, bound 0), the workers (none restarted, bound 0) and how far publication got.

On SQLite it returns nothing: a file database is not what the firm runs concurrent users on.
Environment: BENCH_LOAD_SECONDS (default 60), BENCH_LOAD_USERS (default 16), BENCH_LOAD_BROKER (default
redis://127.0.0.1:6379/13).
"""

import http.client
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from bench.result import Result

ROOT = Path(__file__).resolve().parent.parent
DURATION = float(os.environ.get("BENCH_LOAD_SECONDS", "60"))
CONCURRENCY = int(os.environ.get("BENCH_LOAD_USERS", "16"))
PASSWORD = "load-test-password-2026"
HOST = "127.0.0.1"
REQUEST_TIMEOUT = 60
BROKER = os.environ.get("BENCH_LOAD_BROKER", "redis://127.0.0.1:6379/13")
# The PDF worker's niceness: CPU weight 272 against gunicorn's 1024, about the 256 : 1024 of the worker's
# cpu_shares in docker-compose.yml (docs/operations.md, "Web before batch work").
WORKER_NICENESS = 6
# The bounds of the pages benchmark (docs/benchmarks.md), against which the p95 under load is reported.
FIRST_VIEW_RATIO, TABLE_RATIO, APPROVAL_SECONDS = 2.5, 4.0, 1.0


# ------------------------------------------------------------------------------------------- a tiny browser


class Browser:
    """One signed-in user: cookies kept by hand, a new connection per request (gunicorn's sync workers close them)."""

    def __init__(self, port, language):
        self.port = port
        self.cookies = {"django_language": language}

    def request(self, method, path, body=None, headers=None):
        status, location, content, _headers = self.request_with_headers(method, path, body, headers)
        return status, location, content

    def request_with_headers(self, method, path, body=None, headers=None):
        """(status, Location, body, {lower-case header name: value})."""
        connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        try:
            sent = {"Host": f"{HOST}:{self.port}", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
            sent.update(headers or {})
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            content = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
            received = {name.lower(): value for name, value in response.getheaders()}
            return response.status, response.getheader("Location", ""), content, received
        finally:
            connection.close()

    def csrf_from(self, content):
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        return match.group(1).decode() if match else self.cookies.get("csrftoken", "")

    def sign_in(self, login_path, username, password=PASSWORD):
        status, _, content = self.request("GET", login_path)
        token = self.csrf_from(content)
        body = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
        status, location, _ = self.request(
            "POST", login_path, body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"{username} could not sign in (HTTP {status})")

    def upload(self, path, file_name, data):
        """POST a file with the page's CSRF token, as the upload form does."""
        status, _, content = self.request("GET", path)
        if status != 200:
            return status, ""
        boundary = uuid.uuid4().hex
        token = self.csrf_from(content)
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n',
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
            "Content-Type: text/csv\r\n\r\n",
        ]
        body = "".join(parts).encode() + data + f"\r\n--{boundary}--\r\n".encode()
        multipart = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        status, location, _ = self.request("POST", path, body, multipart)
        return status, location


# --------------------------------------------------------------------------------------------- the firm


@dataclass
class Persona:
    username: str
    language: str
    pages: list = field(default_factory=list)  # (label, path) to GET
    import_paths: tuple | None = None  # (upload path, preview path)
    # A stand-in for distinct people: each round signs the next reader in for their first view of their scorecard.
    first_views: bool = False


def _prepare_firm():
    """Build, score and publish the synthetic firm; return (quarter, personas' usernames by role, sizes note)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User

    from bench.synthetic import build_synthetic_firm
    from portal.quarter_services import quarter_score
    from results.models import Scorecard
    from reviews.models import EXECUTION_GROUP, LEADERSHIP_GROUP, Department, Quarter, QuarterState

    started = time.perf_counter()
    firm = build_synthetic_firm()
    built = time.perf_counter() - started

    organiser = firm.organiser  # user 1, an unassessed partner
    execution, _ = Group.objects.get_or_create(name=EXECUTION_GROUP)
    leadership, _ = Group.objects.get_or_create(name=LEADERSHIP_GROUP)
    organiser.groups.add(execution)
    partner = User.objects.get(pk=2)
    partner.groups.add(leadership)

    # The scheme was approved by the synthetic builder; data collection is open, so the real service scores it.
    Quarter.objects.filter(pk=firm.quarter.pk).update(state=QuarterState.COLLECTING)
    started = time.perf_counter()
    quarter_score(quarter=firm.quarter, by=organiser, incomplete_data_reason="benchmark")
    scored = time.perf_counter() - started
    # Approved, not yet published: the run publishes it through quarter_publish, so that its receivers queue the
    # feedback batch to the real worker while people read (the publication in progress).
    Quarter.objects.filter(pk=firm.quarter.pk).update(state=QuarterState.APPROVED, approved_by=partner)
    firm.quarter.refresh_from_db()
    _analyze()
    published = Scorecard.objects.filter(quarter=firm.quarter, is_current=True).count()

    clerks = {}
    for code in ("biz", "fin", "adm"):
        clerk = User.objects.create(username=f"clerk-{code}", password=make_password(PASSWORD))
        Department.objects.get(code=code).clerks.add(clerk)
        clerks[code] = clerk.username
    lawyers = list(
        Scorecard.objects.filter(quarter=firm.quarter, is_current=True, staff__user__username__startswith="staff")
        .order_by("pk")
        .values_list("pk", "staff__user__username")[: max(CONCURRENCY, 8)]
    )
    # Everyone with a scorecard may sign in: the first views are each by another person.
    readers = list(
        Scorecard.objects.filter(quarter=firm.quarter, is_current=True, staff__user__isnull=False)
        .order_by("?")
        .values_list("pk", "staff__user__username")
    )
    User.objects.update(password=make_password(PASSWORD))
    note = (
        f"{firm.staff} staff, {firm.clients} clients, {firm.contracts} contracts, {firm.revenue} revenue entries; "
        f"built in {built:.0f} s, scored by quarter_score in {scored:.1f} s, {published} scorecards to publish"
    )
    return firm.quarter, organiser.username, partner.username, clerks, lawyers, readers, note


def _personas(quarter, executor, partner, clerks, lawyers):
    """Who browses what. URLs are resolved here; a page whose URL name does not exist is skipped with a note."""
    from django.urls import NoReverseMatch, reverse

    skipped = []

    def url(name, *args):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            skipped.append(name)
            return None

    all_cards = [pk for pk, _name in lawyers]
    base = ("base page", url("bench_base_template"))
    results = url("portal:results", quarter.code)
    approval = url("portal:approval", quarter.code)
    organiser_pages = [
        ("ranked table (results)", results),
        ("ranked table (results)", f"{results}?sort=name&dir=desc&page=12"),
        ("scorecard", url("portal:scorecard", all_cards[0])),
        ("department list", url("clients:contracts_list")),
        ("department list", url("clients:revenue_list")),
        base,
    ]
    leadership_pages = [
        # As the partner opens it: the whole report and the first 100 rows in one request.
        ("approval page with its report", approval),
        ("approval page with its report", approval),
        ("ranked table (approval)", f"{approval}?sort=total&dir=asc&page=5"),
        base,
    ]
    clerk_pages = {
        "biz": [("department list", url("clients:clients_list")), ("department list", url("clients:contracts_list")),
                base],
        "fin": [("department list", url("clients:revenue_list")), base],
        "adm": [("department list", url("clients:complaints_list")), ("department list", url("clients:surveys_list")),
                base],
    }  # fmt: skip
    import_paths = (url("clients:import_upload", "clients"), url("clients:import_preview", "clients"))
    if None in import_paths:
        import_paths = None

    people = [
        Persona(executor, "zh-hans", organiser_pages),
        Persona(partner, "en", leadership_pages),
        Persona(clerks["biz"], "zh-hans", clerk_pages["biz"], import_paths),
        Persona(clerks["fin"], "en", clerk_pages["fin"]),
        Persona(clerks["adm"], "zh-hans", clerk_pages["adm"]),
    ]
    while len(people) < CONCURRENCY:
        people.append(Persona("", "en" if len(people) % 2 else "zh-hans", [base], first_views=True))
    people = people[:CONCURRENCY]
    for persona in people:
        persona.pages = [(label, path) for label, path in persona.pages if path]
    return people, url("login"), sorted(set(skipped))


IMPORT_CSV = "code,name,kind\n" + "".join(f"LOAD{i:04d},负载测试客户{i},organisation\n" for i in range(20))


# ------------------------------------------------------------------------------------------------ the run


def _free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _start_gunicorn(port, log_path, media_root, extra_env=None, timeout=None):
    """gunicorn with 2 sync workers on the loopback port; `timeout` None keeps gunicorn's default (30 s), as
    production runs it."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lawfirm_kpi.settings.bench",
        "PRIVATE_MEDIA_ROOT": str(media_root),
        **(extra_env or {}),
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "lawfirm_kpi.wsgi", "-w", "2", "-b", f"{HOST}:{port}"]
    if timeout is not None:
        command += ["--timeout", str(timeout)]
    log = open(log_path, "w")  # noqa: SIM115 - closed in _stop_gunicorn
    process = subprocess.Popen(  # noqa: S603 - fixed arguments, loopback only
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start: {Path(log_path).read_text()[-2000:]}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return process, log
        except OSError:
            time.sleep(0.3)
    _stop_gunicorn(process, log)
    raise RuntimeError("gunicorn did not start within 60 s")


def _stop_gunicorn(process, log):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    log.close()


@dataclass
class Tally:
    latencies: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    by_label: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, label, seconds, ok, detail=""):
        with self.lock:
            self.latencies.append(seconds)
            self.by_label.setdefault(label, []).append(seconds)
            if not ok:
                self.errors.append(f"{label}: {detail}")


class Readers:
    """The people who have not read their scorecard yet, handed out one at a time to the first-view threads."""

    def __init__(self, readers):
        self.readers = list(readers)
        self.lock = threading.Lock()

    def next(self):
        with self.lock:
            return self.readers.pop() if self.readers else None


def _first_views_loop(persona, port, login_path, stop_at, tally, readers, seed):
    """Sign the next person in, read the base page and their own scorecard once (in either order), and so on."""
    rng = random.Random(seed)
    base_label, base_path = persona.pages[0]
    while time.monotonic() < stop_at:
        reader = readers.next()
        if reader is None:
            return
        scorecard_path, username = reader
        browser = Browser(port, persona.language)
        started = time.perf_counter()
        try:
            browser.sign_in(login_path, username)
            tally.add("sign in", time.perf_counter() - started, True)
        except Exception as error:
            tally.add("sign in", time.perf_counter() - started, False, f"{username}: {error!r}")
            continue
        visits = [("first view of own scorecard", scorecard_path, b'id="scorecard-lines"'),
                  (base_label, base_path, b"<html")]  # fmt: skip
        rng.shuffle(visits)
        for label, path, expect in visits:
            started = time.perf_counter()
            try:
                status, _, content = browser.request("GET", path)
                ok = status == 200 and expect in content
                tally.add(label, time.perf_counter() - started, ok, f"HTTP {status} {path}")
            except Exception as error:
                tally.add(label, time.perf_counter() - started, False, f"{error!r} {path}")


def _user_loop(persona, port, login_path, stop_at, tally, seed, readers=None):
    if persona.first_views:
        _first_views_loop(persona, port, login_path, stop_at, tally, readers, seed)
        return
    rng = random.Random(seed)
    browser = Browser(port, persona.language)
    try:
        browser.sign_in(login_path, persona.username)
    except Exception as error:  # a failed sign-in is an error of the run, counted once
        tally.add("sign in", 0.0, False, str(error))
        return
    while time.monotonic() < stop_at:
        if persona.import_paths and rng.random() < 0.25:
            upload_path, preview_path = persona.import_paths
            started = time.perf_counter()
            try:
                status, location = browser.upload(upload_path, "load-clients.csv", IMPORT_CSV.encode())
                ok, detail = status == 302 and location.endswith(preview_path), f"upload answered HTTP {status}"
                if ok:
                    # The preview of 20 valid new clients names the file and offers to confirm (never pressed).
                    status, _, content = browser.request("GET", preview_path)
                    ok = status == 200 and b"load-clients.csv" in content and b'id="confirm-import"' in content
                    detail = f"preview answered HTTP {status} without the file's confirmable preview"
                tally.add("import preview", time.perf_counter() - started, ok, detail)
            except Exception as error:
                tally.add("import preview", time.perf_counter() - started, False, repr(error))
            continue
        label, path = rng.choice(persona.pages)
        started = time.perf_counter()
        try:
            status, _, _ = browser.request("GET", path)
            tally.add(label, time.perf_counter() - started, status == 200, f"HTTP {status} {path}")
        except Exception as error:
            tally.add(label, time.perf_counter() - started, False, f"{error!r} {path}")


def _row_counts():
    from django.contrib.auth.models import User

    from clients.models import ChangeRecord, Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey
    from indicators.models import RatingAssignment
    from results.models import IndicatorScore, Scorecard
    from reviews.models import QuarterEvent, StaffProfile

    models = [User, StaffProfile, Client, Contract, RevenueEntry, Complaint, SatisfactionSurvey, RatingAssignment,
              Scorecard, IndicatorScore, QuarterEvent, ChangeRecord]  # fmt: skip
    return {model._meta.label: model.objects.count() for model in models}


def _percentile(values, fraction):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _start_worker(media_root, log_path):
    """A real `celery worker` (2 processes) on the load's broker, with the same private files as gunicorn."""
    env = {
        **os.environ,
        "CELERY_BROKER_URL": BROKER,
        "DJANGO_SETTINGS_MODULE": "lawfirm_kpi.settings.bench",
        "BENCH_PDF_MEDIA": str(media_root),
        "PRIVATE_MEDIA_ROOT": str(media_root),
    }
    log = open(log_path, "w")  # noqa: SIM115 - closed in _stop_worker
    # As production runs it (docs/operations.md, "Web before batch work"): the PDF worker at a lower CPU priority
    # than gunicorn, so a person waiting for a page goes first and the batch takes the CPU time left over.
    command = ["nice", "-n", str(WORKER_NICENESS),
               sys.executable, "-m", "bench.pdf_worker", "worker", "--pool", "prefork", "--concurrency", "2",
               "-n", f"benchload-{os.getpid()}@%h", "--without-gossip", "--without-mingle",
               "--loglevel", "WARNING"]  # fmt: skip
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True
    )
    _lower_session_priority(process.pid)
    return process, log


def _lower_session_priority(pid):
    """Give the worker's session (its own, start_new_session) the same niceness as a group.

    With the kernel's autogroup scheduling on, the CPU is first shared equally between sessions and a process's
    own nice value only counts within its session: the worker would still get half the machine. The session's
    niceness weighs it against gunicorn's session, as a container's cpu_shares does in docker-compose.yml."""
    autogroup = Path(f"/proc/{pid}/autogroup")
    if autogroup.exists():
        autogroup.write_text(str(WORKER_NICENESS))


def _stop_worker(process, log):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    log.close()


def _publish(quarter_id, partner_username):
    """Publish through the real service; its receivers queue the feedback batch to the worker after the commit."""
    from django.contrib.auth.models import User

    from lawfirm_kpi.celery import app
    from portal.quarter_services import quarter_publish
    from reviews.models import Quarter

    app.conf.update(broker_url=BROKER, task_always_eager=False)
    app.control.purge()
    executor = User.objects.get(pk=1)
    started = time.perf_counter()
    quarter_publish(quarter=Quarter.objects.get(pk=quarter_id), by=executor, comment="load benchmark")
    return time.perf_counter() - started


def _feedback_progress(quarter_id):
    from django.db.models import Count

    from documents.models import FeedbackDocument

    counts = dict(
        FeedbackDocument.objects.filter(quarter_id=quarter_id).values_list("status").annotate(n=Count("pk")).order_by()
    )
    return counts


def run(label):
    if label != "postgresql":
        return []
    from django.db import connection
    from django.test import override_settings
    from django.urls import reverse

    quarter, executor, partner, clerks, lawyers, readers, sizes = _prepare_firm()
    with override_settings(ROOT_URLCONF="bench.bench_pages"):
        people, login_path, skipped = _personas(quarter, executor, partner, clerks, lawyers)
        readers = Readers((reverse("portal:scorecard", args=[pk]), username) for pk, username in readers)

    media_root = Path(tempfile.mkdtemp(prefix="kpi-load-media-"))
    log_path = media_root.parent / f"{media_root.name}-gunicorn.log"
    worker_log_path = media_root.parent / f"{media_root.name}-worker.log"
    port = _free_port()
    worker, worker_log = _start_worker(media_root, worker_log_path)
    process, log = _start_gunicorn(
        port, log_path, media_root, extra_env={"BENCH_ROOT_URLCONF": "bench.bench_pages"}, timeout=None
    )
    tally = Tally()
    try:
        # Warm up: every page once, so the first requests do not time the workers' imports.
        # Their single-request times, with no one else waiting, go in the notes.
        warm = Browser(port, "zh-hans")
        warm.sign_in(login_path, executor)
        alone = []
        for _label, path in people[0].pages:
            began = time.perf_counter()
            status, _, _ = warm.request("GET", path)
            alone.append(f"{path} {time.perf_counter() - began:.1f} s (HTTP {status})")
        # The publication in progress: published at the start of the run, its PDFs rendered while people read.
        publish_seconds = _publish(quarter.pk, partner)
        before = _row_counts()
        connection.close()  # gunicorn's workers and this process should not share a connection
        stop_at = time.monotonic() + DURATION
        started = time.perf_counter()
        threads = [
            threading.Thread(
                target=_user_loop, args=(persona, port, login_path, stop_at, tally, index, readers), daemon=True
            )
            for index, persona in enumerate(people)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=DURATION + 2 * REQUEST_TIMEOUT)
        elapsed = time.perf_counter() - started
        alive = process.poll() is None
        feedback = _feedback_progress(quarter.pk)
        worker_alive = worker.poll() is None
    finally:
        _stop_gunicorn(process, log)
        _stop_worker(worker, worker_log)
    gunicorn_log = log_path.read_text(errors="replace")
    booted = gunicorn_log.count("Booting worker")
    shutil.rmtree(media_root, ignore_errors=True)
    log_path.unlink(missing_ok=True)
    worker_log_path.unlink(missing_ok=True)

    after = _row_counts()
    changed = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
    requests = len(tally.latencies)
    latencies_ms = [seconds * 1000 for seconds in tally.latencies]
    mix = ", ".join(f"{name} {len(values)}" for name, values in sorted(tally.by_label.items()))
    per_page = "; ".join(
        f"{name} p50 {statistics.median(values) * 1000:.0f} ms" for name, values in sorted(tally.by_label.items())
    )
    skipped_note = f"; skipped (no such URL name): {', '.join(skipped)}" if skipped else ""
    run_note = (
        f"{len(people)} signed-in users for {elapsed:.0f} s against gunicorn (2 sync workers) on PostgreSQL; "
        f"requests: {mix}{skipped_note}"
    )
    return [
        Result("load: throughput", requests / elapsed if elapsed else 0.0, "req/s", None, notes=f"{run_note}; {sizes}"),
        Result("load: latency p50", _percentile(latencies_ms, 0.50), "ms", None,
               notes=f"{per_page}; one request alone before the run: {', '.join(alone)}"),
        Result("load: latency p95", _percentile(latencies_ms, 0.95), "ms", None,
               notes="an import preview counts as one request: upload page, upload, preview"),
        Result("load: errors", len(tally.errors), "requests", 0,
               notes="; ".join(tally.errors[:5]) or "every answer was the expected page"),
        Result("load: rows changed unexpectedly", len(changed), "tables", 0,
               notes=", ".join(f"{k} {b}→{a}" for k, (b, a) in changed.items())
               or f"{len(before)} main tables counted before and after: equal (no lost or duplicated rows)"),
        Result("load: workers restarted or gone", (booted - 2) + (0 if alive else 1) + (0 if worker_alive else 1),
               "workers", 0, notes=f"{booted} worker boots for 2 gunicorn workers; gunicorn "
               f"{'running' if alive else 'stopped'}, the Celery worker {'running' if worker_alive else 'gone'} at "
               "the end"),
        Result("load: feedback documents failed during the publication", feedback.get("failed", 0), "documents", 0,
               notes=f"quarter_publish returned in {publish_seconds:.1f} s at the start of the run; after "
               f"{elapsed:.0f} s of load the feedback documents were: "
               + (", ".join(f"{status} {n}" for status, n in sorted(feedback.items())) or "none created")
               + f" (2 worker processes at niceness {WORKER_NICENESS} sharing the 2 CPUs with gunicorn)"),
        *_page_rows(tally.by_label),
    ]  # fmt: skip


def _page_rows(by_label):
    """p95 of each page under load, against the pages benchmark's bounds where it has one."""
    p95 = {label: _percentile([seconds * 1000 for seconds in values], 0.95) for label, values in by_label.items()}
    base = p95.get("base page")
    rows = []
    for label, bound, what in (
        ("first view of own scorecard", FIRST_VIEW_RATIO, "× the base page's p95"),
        ("ranked table (results)", TABLE_RATIO, "× the base page's p95"),
        ("ranked table (approval)", TABLE_RATIO, "× the base page's p95"),
    ):
        if label in p95 and base:
            rows.append(
                Result(f"load: {label} p95 / base page p95", round(p95[label] / base, 2), "×", bound,
                       floor=round(base, 1), notes=f"p95 {p95[label]:.0f} ms over {len(by_label[label])} requests; "
                       f"base page p95 {base:.0f} ms over {len(by_label['base page'])} in the same run; bound {bound}"
                       f"{what}, as in the pages benchmark (which measures without the load)")
            )  # fmt: skip
    if "approval page with its report" in p95:
        rows.append(
            Result("load: approval page with its report p95", round(p95["approval page with its report"] / 1000, 3),
                   "s", APPROVAL_SECONDS, notes=f"{len(by_label['approval page with its report'])} requests by the "
                   "partner, the whole report and the first 100 rows in each")
        )  # fmt: skip
    for label in sorted(set(p95) - {"first view of own scorecard", "ranked table (results)",
                                    "ranked table (approval)", "approval page with its report"}):  # fmt: skip
        rows.append(Result(f"load: {label} p95", round(p95[label], 1), "ms", None,
                           notes=f"{len(by_label[label])} requests"))  # fmt: skip
    return rows


def _analyze():
    """Planner statistics for the tables just bulk-loaded and scored, as PostgreSQL's autovacuum gathers them
    within a minute of such writes on a live server: without them the planner guesses a handful of rows."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
