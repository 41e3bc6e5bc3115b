"""Fixtures for the notifications tests: a published quarter, and a real Celery worker against Redis."""

import os

import pytest
from django.contrib.auth.models import User

from indicators.models import Indicator
from reviews.models import QuarterState
from tests.reviews.scorecard_builders import LAWYER_LINES, make_quarter, make_scorecard

# The worker tests need a broker. Locally they skip without one; in CI (CI=true) they must run, so a missing
# Redis fails them instead of hiding them.
WORKER_BROKER = os.environ.get("CELERY_BROKER_URL") or ("redis://127.0.0.1:6379/5" if os.environ.get("CI") else "")


def pytest_collection_modifyitems(config, items):
    if WORKER_BROKER:
        return
    skip = pytest.mark.skip(reason="worker tests need CELERY_BROKER_URL (or CI=true): redis://127.0.0.1:6379/5")
    for item in items:
        if "worker" in item.keywords:
            item.add_marker(skip)


PEOPLE = ("lawyer", "colleague", "assistant", "outsider")


def approved_quarter_with_drafts(firm, *, year=2026, number=2):
    """An approved quarter whose four people have draft results, ready for the execution group to publish."""
    quarter = make_quarter(year, number, state=QuarterState.APPROVED)
    for rank, name in enumerate(PEOPLE, start=1):
        make_scorecard(
            quarter,
            getattr(firm, name),
            total=90 - rank * 5,
            rank=rank,
            ranked_count=len(PEOPLE),
            status="draft",
            lines=LAWYER_LINES,
            evaluation=f"{getattr(firm, name).profile.full_name}：沟通及时，客户评价良好。",
        )
    return quarter


def indicator_names(user):
    """The names of the lawyer's nine indicators in the person's language."""
    codes = [code for code, *_rest in LAWYER_LINES]
    field = "name_en" if user.profile.language == "en" else "name_zh"
    return list(Indicator.objects.filter(code__in=codes).values_list(field, flat=True))


@pytest.fixture
def worker_app(settings):
    """A real worker thread (celery.contrib.testing) consuming from Redis; tasks are no longer eager."""
    import celery.contrib.testing.tasks  # noqa: F401 — registers celery.ping, which start_worker checks
    from celery.contrib.testing.worker import start_worker

    from lawfirm_kpi.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=WORKER_BROKER, result_backend=WORKER_BROKER, task_always_eager=False)
    settings.FEEDBACK_RENDER_MAX_RETRIES = 2
    settings.FEEDBACK_RETRY_BACKOFF = 0.2
    settings.FEEDBACK_RETRY_BACKOFF_MAX = 1
    app.control.purge()  # messages a previous, interrupted run left in the test queue
    try:
        with start_worker(
            app, pool="solo", concurrency=1, perform_ping_check=True, shutdown_timeout=60.0, loglevel="WARNING"
        ) as worker:
            yield worker
    finally:
        app.conf.update(saved)


def staff_users():
    return User.objects.filter(profile__assessed=True)
