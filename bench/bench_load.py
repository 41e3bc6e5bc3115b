"""The load benchmark: the whole system under concurrent use, on PostgreSQL only.

Builds the 2,000-staff synthetic firm, scores the quarter with the real service and publishes it, starts gunicorn
(2 sync workers, loopback only) on the same database, signs users in through the real login form and lets
CONCURRENCY of them browse for DURATION seconds: scorecards, the ranked tables, department lists and an import
preview (upload → preview, never confirmed). Reports throughput, p50/p95 latency and errors (bound 0), and after
the run the database's row counts (nothing lost or duplicated, bound 0) and the workers (none restarted, bound 0).

On SQLite it returns nothing: a file database is not what the firm runs concurrent users on.
Environment: BENCH_LOAD_SECONDS (default 60), BENCH_LOAD_USERS (default 16).
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


def _prepare_firm():
    """Build, score and publish the synthetic firm; return (quarter, personas' usernames by role, sizes note)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User
    from django.utils import timezone

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
    # Publishing by state, not by quarter_publish: its receivers would write and e-mail 2,000 feedback PDFs, which
    # the PDF benchmark measures on its own; the pages read the same rows either way.
    published = Scorecard.objects.filter(quarter=firm.quarter, is_current=True).update(
        status=Scorecard.Status.PUBLISHED
    )
    Quarter.objects.filter(pk=firm.quarter.pk).update(state=QuarterState.PUBLISHED, published_at=timezone.now())
    firm.quarter.refresh_from_db()

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
    usernames = [organiser.username, partner.username] + [name for _pk, name in lawyers]
    User.objects.filter(username__in=usernames).update(password=make_password(PASSWORD))
    note = (
        f"{firm.staff} staff, {firm.clients} clients, {firm.contracts} contracts, {firm.revenue} revenue entries; "
        f"built in {built:.0f} s, scored by quarter_score in {scored:.1f} s, {published} scorecards published"
    )
    return firm.quarter, organiser.username, partner.username, clerks, lawyers, note


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
    organiser_pages = [
        ("ranked table (results)", url("portal:results", quarter.code)),
        ("scorecard", url("portal:scorecard", all_cards[0])),
        ("department list", url("clients:contracts_list")),
        ("department list", url("clients:revenue_list")),
    ]
    leadership_pages = [
        ("ranked table (approval)", url("portal:approval", quarter.code)),
        ("ranked table (results)", url("portal:results", quarter.code)),
        ("scorecard", url("portal:scorecard", all_cards[-1])),
    ]
    clerk_pages = {
        "biz": [("department list", url("clients:clients_list")), ("department list", url("clients:contracts_list"))],
        "fin": [("department list", url("clients:revenue_list"))],
        "adm": [("department list", url("clients:complaints_list")), ("department list", url("clients:surveys_list"))],
    }
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
    for index, (pk, username) in enumerate(lawyers):
        people.append(
            Persona(
                username,
                "en" if index % 2 else "zh-hans",
                [("scorecard", url("portal:scorecard", pk)), ("my scorecards", url("portal:my_scorecards"))],
            )
        )
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


def _user_loop(persona, port, login_path, stop_at, tally, seed):
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


def run(label):
    if label != "postgresql":
        return []
    from django.db import connection

    quarter, executor, partner, clerks, lawyers, sizes = _prepare_firm()
    people, login_path, skipped = _personas(quarter, executor, partner, clerks, lawyers)
    before = _row_counts()
    connection.close()  # gunicorn's workers and this process should not share a connection

    media_root = Path(tempfile.mkdtemp(prefix="kpi-load-media-"))
    log_path = media_root.parent / f"{media_root.name}-gunicorn.log"
    port = _free_port()
    process, log = _start_gunicorn(port, log_path, media_root)
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
        stop_at = time.monotonic() + DURATION
        started = time.perf_counter()
        threads = [
            threading.Thread(target=_user_loop, args=(persona, port, login_path, stop_at, tally, index), daemon=True)
            for index, persona in enumerate(people)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=DURATION + 2 * REQUEST_TIMEOUT)
        elapsed = time.perf_counter() - started
        alive = process.poll() is None
    finally:
        _stop_gunicorn(process, log)
    gunicorn_log = log_path.read_text(errors="replace")
    booted = gunicorn_log.count("Booting worker")
    shutil.rmtree(media_root, ignore_errors=True)
    log_path.unlink(missing_ok=True)

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
        Result("load: workers restarted or gone", (booted - 2) + (0 if alive else 1), "workers", 0,
               notes=f"{booted} worker boots for 2 workers; gunicorn {'running' if alive else 'stopped'} at the end"),
    ]  # fmt: skip
