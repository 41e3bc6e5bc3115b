"""Browser journeys: Playwright for Python driving Debian's Chromium against a live server.

They run only with RUN_BROWSER_TESTS=1 (.ci/run sets it) and are skipped otherwise; with RUN_BROWSER_TESTS=1 a
missing Chromium fails them. The browser is never downloaded."""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test (fixtures and checks)
# would otherwise be refused as "async unsafe".
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

RUN = os.environ.get("RUN_BROWSER_TESTS") == "1"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 — the demo firm's published password (README)
# Publishing renders every feedback PDF in the request when Celery runs in-process: allow it time.
SLOW_MS = 240_000


def pytest_collection_modifyitems(config, items):
    if RUN:
        return
    skip = pytest.mark.skip(reason="browser journeys run with RUN_BROWSER_TESTS=1 (set by .ci/run)")
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser(django_db_setup):
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"RUN_BROWSER_TESTS=1 but {CHROMIUM} is missing: install Debian's chromium (.ci/install-system-packages)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def demo_firm(transactional_db, browser):
    """The demo firm of README as it is in the collection window of the quarter that ended last (demo/quarters.py):
    that quarter waits to be scored, which is where the journeys start. The reference date is the fifth day of the
    current quarter, or today if that is earlier; the services' clocks read the real date.

    The flush after each journey empties every table; Django then sends post_migrate and
    indicators.reference_data recreates the groups and the indicator catalogue for whichever test comes next."""
    from indicators.models import Indicator
    from reviews.models import Quarter

    assert Indicator.objects.exists(), "the indicator catalogue (reference data) is missing"
    today = timezone.localdate()
    year, number = Quarter.containing(today)
    in_window = min(today, Quarter.bounds(year, number)[0] + datetime.timedelta(days=4))
    call_command("seed_demo", today=in_window.isoformat(), stdout=open(os.devnull, "w"))  # noqa: SIM115


class Session:
    """One person's browser window on the live server."""

    def __init__(self, browser, base_url, username, request_name):
        self.context = browser.new_context(
            base_url=base_url, viewport={"width": 1400, "height": 1000}, accept_downloads=True
        )
        self.context.set_default_timeout(20_000)
        self.context.set_default_navigation_timeout(SLOW_MS)
        self.page = self.context.new_page()
        # Every "Are you sure?" is answered yes, as the person would.
        self.page.on("dialog", lambda dialog: dialog.accept())
        self.username = username
        self.prefix = re.sub(r"[^a-z0-9]+", "-", request_name.lower()).strip("-")

    def login(self, password=DEMO_PASSWORD):
        page = self.page
        page.goto("/accounts/login/")
        page.fill("input[name=username]", self.username)
        page.fill("input[name=password]", password)
        page.locator("form button[type=submit], form input[type=submit]").last.click()
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url, f"{self.username} could not log in"
        return self

    def switch_language(self, code):
        """The language button in the navbar, as a person would press it."""
        self.page.locator(f"#language-switch button[value='{code}']").click()
        self.page.wait_for_load_state()
        assert self.page.locator("html").get_attribute("lang") == code

    def shot(self, name):
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{self.prefix}-{self.username}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def text(self):
        return self.page.inner_text("body")

    def close(self):
        self.context.close()


@pytest.fixture
def session_as(browser, live_server, request):
    sessions = []

    def open_session(username, *, english=True):
        session = Session(
            browser,
            live_server.url,
            username,
            request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_journeys_"),
        ).login()
        sessions.append(session)
        if english and session.page.locator("html").get_attribute("lang") != "en":
            # Assertions read the English texts (the Chinese catalogue is the lead's, generated at the end).
            session.switch_language("en")
        return session

    yield open_session
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for session in sessions:
        if failed:
            try:
                session.shot("FAILED")
            except Exception as error:  # noqa: BLE001 — a busy page must not hide the test's own failure
                print(f"no failure screenshot for {session.username}: {error}")
        session.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
