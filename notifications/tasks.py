"""Thin Celery tasks: ids in, look the rows up, call one service. Every task has a time limit; the idempotent
ones acknowledge late so a worker that dies mid-task leaves the message for another (the broker gives it back
after its visibility timeout, lawfirm_kpi/settings/base.py). docs/operations.md "Notices" says what recovers what.
"""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from notifications import outbox
from notifications.feedback import (
    feedback_batch_prepare,
    feedback_document_failure,
    feedback_document_render,
    feedback_quarters_missing_documents,
    feedback_stuck_documents,
    feedback_unfinished_exists,
    quarter_for_batch,
)
from notifications.models import FeedbackDocument
from notifications.reminders import reminders_send

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
RENDER_TIME_LIMIT = settings.FEEDBACK_RENDER_TIME_LIMIT
DRAIN_TIME_LIMIT = settings.NOTICE_DRAIN_TIME_LIMIT


def _max_retries() -> int:
    return settings.FEEDBACK_RENDER_MAX_RETRIES


def _backoff(retries: int) -> float:
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


# --- Feedback documents -----------------------------------------------------------------------------------


def feedback_sweep_now() -> int:
    """Queue again the documents a lost worker or message left behind, and the batch of a quarter whose batch
    never ran; returns how many documents were queued."""
    document_ids = feedback_stuck_documents(now=timezone.now())
    for document_id in document_ids:
        feedback_render.delay(document_id)
    for quarter_id in feedback_quarters_missing_documents(now=timezone.now()):
        feedback_batch_start.delay(quarter_id)
    return len(document_ids)


@shared_task(
    name="notifications.feedback_render",
    bind=True,
    acks_late=True,
    soft_time_limit=max(RENDER_TIME_LIMIT - 30, RENDER_TIME_LIMIT // 2),
    time_limit=RENDER_TIME_LIMIT,
)
def feedback_render(self, document_id):
    """Render one feedback (or report) document; retried with backoff, then marked failed."""
    try:
        feedback_document_render(document_id=document_id)
    except FeedbackDocument.DoesNotExist:
        return "gone"
    except (Exception, SoftTimeLimitExceeded) as error:  # noqa: BLE001 — any failure is recorded on the document
        final = self.request.retries >= _max_retries()
        message = f"{type(error).__name__}: {error}"
        try:
            feedback_document_failure(document_id=document_id, error=message, final=final)
        except TRANSIENT:
            # The database is busy too: try again later rather than leave the document "rendering" for ever.
            if final:
                raise
            logger.warning("could not record the failure of feedback document %s", document_id)
        if final:
            logger.warning(
                "feedback document %s failed after %s attempts: %s", document_id, self.request.retries + 1, message
            )
            return "failed"
        raise self.retry(exc=error, countdown=_backoff(self.request.retries), max_retries=_max_retries()) from error
    _sweep_quietly()
    return "done"


def _sweep_quietly():
    """After each render: a document another worker left behind is noticed while the batch still runs."""
    try:
        feedback_sweep_now()
    except Exception:  # noqa: BLE001 — the sweep is a help, never a reason to fail a finished render
        logger.exception("feedback sweep after a render failed")


@shared_task(
    name="notifications.feedback_batch_start",
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=10,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def feedback_batch_start(quarter_id):
    """One document per published person of the quarter, then one render task each (regulation 三.5)."""
    document_ids = feedback_batch_prepare(quarter=quarter_for_batch(quarter_id))
    for document_id in document_ids:
        feedback_render.delay(document_id)
    return len(document_ids)


@shared_task(name="notifications.feedback_sweep", acks_late=True, soft_time_limit=60, time_limit=90)
def feedback_sweep(resume=False):
    """Queue again what a lost worker or message left behind. Started with resume (at worker start) it comes back
    every FEEDBACK_SWEEP_INTERVAL while documents are waiting or rendering, so a worker killed mid-batch is
    recovered within minutes without beat."""
    queued = feedback_sweep_now()
    if resume and feedback_unfinished_exists() and not feedback_sweep.app.conf.task_always_eager:
        feedback_sweep.apply_async(kwargs={"resume": True}, countdown=settings.FEEDBACK_SWEEP_INTERVAL)
    return queued


@worker_ready.connect(dispatch_uid="notifications.worker_ready")
def on_worker_ready(**kwargs):
    """A worker that starts (after a crash, a deploy) first sends what waits in the outbox and looks for
    documents the previous one left behind."""
    try:
        outbox_drain.apply_async(kwargs={"resume": True})
        feedback_sweep.apply_async(kwargs={"resume": True})
    except Exception:  # noqa: BLE001 — beat and the next notice queue them too
        logger.exception("could not queue the start-up drain and sweep")


# --- Reminders and invitations ----------------------------------------------------------------------------


@shared_task(name="notifications.interview_invitation", **REMINDER_OPTIONS)
def interview_invitation(interview_id):
    """Kept for messages queued before invitations were written with the interview; writes nothing twice."""
    from notifications.invitations import interview_invitation_send

    return interview_invitation_send(interview_id=interview_id)


@shared_task(name="notifications.interview_requests", **REMINDER_OPTIONS)
def interview_requests(quarter_id):
    """At publication: ask each superior to schedule the interviews (the day's other interview rules too)."""
    return reminders_send(rule="interviews", today=timezone.localdate(), quarter_ids=[quarter_id])


@shared_task(name="notifications.reminders_interviews", **REMINDER_OPTIONS)
def reminders_interviews():
    return reminders_send(rule="interviews", today=timezone.localdate())


@shared_task(name="notifications.reminders_data_collection", **REMINDER_OPTIONS)
def reminders_data_collection():
    return reminders_send(rule="data_collection", today=timezone.localdate())


@shared_task(name="notifications.reminders_results", **REMINDER_OPTIONS)
def reminders_results():
    return reminders_send(rule="results", today=timezone.localdate())


@shared_task(name="notifications.reminders_ratings", **REMINDER_OPTIONS)
def reminders_ratings():
    return reminders_send(rule="ratings", today=timezone.localdate())


@shared_task(name="notifications.reminders_appeals", **REMINDER_OPTIONS)
def reminders_appeals():
    return reminders_send(rule="appeals", today=timezone.localdate())
