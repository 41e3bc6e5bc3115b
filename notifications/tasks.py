"""Thin Celery tasks: ids in, look the rows up, call one service. Every task has a time limit; the idempotent
ones acknowledge late so a worker that dies mid-task leaves the message for another (the broker gives it back
after its visibility timeout, lawfirm_kpi/settings/base.py). docs/operations.md "Notices" says what recovers what.
"""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import OperationalError

from notifications import outbox

logger = logging.getLogger(__name__)

# Broker, database and SMTP hiccups: worth another try after a pause.
TRANSIENT = (OperationalError, ConnectionError, TimeoutError, OSError)
REMINDER_OPTIONS = {
    "acks_late": True,  # a reminder's notice key refuses duplicates, so running twice is harmless
    "autoretry_for": TRANSIENT,
    "retry_backoff": 30,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
    "soft_time_limit": 120,
    "time_limit": 180,
}
DRAIN_TIME_LIMIT = settings.NOTICE_DRAIN_TIME_LIMIT


def max_retries() -> int:
    return settings.FEEDBACK_RENDER_MAX_RETRIES


def backoff(retries: int) -> float:
    """Seconds before the next render attempt: base, 2×base, 4×base… capped (settings may shorten it)."""
    return min(settings.FEEDBACK_RETRY_BACKOFF * (2**retries), settings.FEEDBACK_RETRY_BACKOFF_MAX)


# --- The outbox --------------------------------------------------------------------------------------------


@shared_task(
    name="notifications.outbox_drain",
    acks_late=True,
    soft_time_limit=max(DRAIN_TIME_LIMIT - 30, DRAIN_TIME_LIMIT // 2),
    time_limit=DRAIN_TIME_LIMIT,
)
def outbox_drain(resume=False):
    """Send the due e-mails; while some are left (or wait for their next attempt) queue the next drain, so an
    SMTP outage is ridden out without beat.

    Only a drain that sent or tried something (or one started to resume, at worker start) queues a follow-up: the
    many drains queued after commits find nothing to claim and end, so one chain remains.
    """
    result = outbox.outbox_drain()
    follow_up = result.follow_up_in()
    # In-process (make run, tests) a countdown is not honoured: the next attempt waits for the next notice or run.
    if follow_up is not None and (result.claimed or resume) and not outbox_drain.app.conf.task_always_eager:
        outbox_drain.apply_async(countdown=min(follow_up, settings.NOTICE_RETRY_BACKOFF_MAX))
    return {"sent": result.sent, "failed": result.failed, "next_in": follow_up}


@worker_ready.connect(dispatch_uid="notifications.worker_ready")
def on_worker_ready(**kwargs):
    """A worker that starts (after a crash, a deploy) first sends what waits in the outbox."""
    try:
        outbox_drain.apply_async(kwargs={"resume": True})
    except Exception:  # noqa: BLE001 — beat and the next notice queue it too
        logger.exception("could not queue the start-up drain")


# --- Reminders and invitations ----------------------------------------------------------------------------
