"""Fixtures for the notifications tests: a published quarter, a real Celery worker against Redis (a thread, or
for the fault tests a process that can be killed), and the figures the fault tests report."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection

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


# --- The fault tests (test_faults.py) ------------------------------------------------------------------------

# What the worker process is told (lawfirm_kpi/settings/base.py reads each): seconds instead of minutes.
FAULT_SETTINGS = {
    "FEEDBACK_RENDER_TIME_LIMIT": "30",
    "FEEDBACK_RENDER_MAX_RETRIES": "2",
    "FEEDBACK_RETRY_BACKOFF": "0.5",
    "FEEDBACK_RETRY_BACKOFF_MAX": "2",
    "FEEDBACK_STUCK_PENDING_AFTER": "90",
    "FEEDBACK_SWEEP_INTERVAL": "10",
    "NOTICE_RETRY_BACKOFF": "0.5",
    "NOTICE_RETRY_BACKOFF_MAX": "2",
    "NOTICE_DRAIN_TIME_LIMIT": "30",
    "NOTICE_DRAIN_BUDGET": "5",
    "NOTICE_CLAIM_SECONDS": "15",
    "EMAIL_TIMEOUT": "5",
    "CELERY_VISIBILITY_TIMEOUT": "20",
    "CELERY_UNACKED_RESTORE_INTERVAL": "2",
    "CELERY_UNACKED_RESTORE_THROTTLE": "1",
}


def worker_database_url() -> str:
    """The test database (pytest-django's test_… on PostgreSQL, the worker tests' file on SQLite) as a URL."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _reset_connections(app):
    """Forget the broker and result connections made with the previous URL (the app and kombu cache both)."""
    from kombu import pools

    pools.reset()
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    app._backend_cache = None
    if getattr(app, "_local", None) is not None and hasattr(app._local, "backend"):
        del app._local.backend


class FaultRig:
    """The broker, the SMTP sink and the worker process of one fault test; the test process publishes to the
    same broker (tasks are not eager) and reads the same database.

    The broker is a redis-server of the test's own: the test can restart it, and tests running side by side
    (pytest -n) never take each other's messages.
    """

    def __init__(self, settings, tmp_path: Path):
        from tests.notifications.faults import SmtpSink

        self.settings = settings
        self.tmp_path = tmp_path
        self.sink = SmtpSink()
        self.worker = None
        self.redis = None
        self.broker = None

    def connect(self):
        from lawfirm_kpi.celery import app
        from tests.notifications.faults import RedisServer

        self.redis = RedisServer().start()
        self.broker = self.redis.url

        keys = ("broker_url", "broker_read_url", "broker_write_url", "result_backend", "task_always_eager")
        self._saved = {key: app.conf[key] for key in keys}
        app.conf.update(
            broker_url=self.broker,
            broker_read_url=self.broker,
            broker_write_url=self.broker,
            result_backend=self.broker,
            task_always_eager=False,
        )
        _reset_connections(app)

    def start_worker(self):
        from tests.notifications.faults import WorkerProcess

        env = {
            **os.environ,
            **FAULT_SETTINGS,
            "DJANGO_SETTINGS_MODULE": "lawfirm_kpi.settings.local",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "DATABASE_URL": worker_database_url(),
            "CELERY_BROKER_URL": self.broker,
            "CELERY_RESULT_BACKEND": self.broker,
            "PRIVATE_MEDIA_ROOT": str(self.settings.PRIVATE_MEDIA_ROOT),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.sink.port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_USE_SSL": "false",
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        if self.worker is None:
            self.worker = WorkerProcess(env=env, log_dir=self.tmp_path)
        return self.worker.start()

    def close(self):
        from lawfirm_kpi.celery import app

        if self.worker is not None:
            self.worker.stop()
        self.sink.stop()
        if hasattr(self, "_saved"):
            app.conf.update(self._saved)
            _reset_connections(app)
        if self.redis is not None:
            self.redis.close()


@pytest.fixture
def fault_rig(settings, tmp_path):
    rig = FaultRig(settings, tmp_path)
    try:
        yield rig
    finally:
        rig.close()
