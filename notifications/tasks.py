"""Thin Celery tasks: ids in, look the rows up, call one service. Every task has a time limit; the idempotent
ones acknowledge late so a worker that dies mid-task leaves the message for another."""

import datetime
import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from .feedback import (
    feedback_batch_prepare,
    feedback_document_failure,
    feedback_document_render,
    feedback_stuck_documents,
    quarter_for_batch,
)
from .invitations import interview_invitation_send
from .models import FeedbackDocument
from .reminders import reminders_send

logger = logging.getLogger(__name__)

# Broker, database and SMTP hiccups: worth another try after a pause.
TRANSIENT = (OperationalError, ConnectionError, TimeoutError, OSError)
REMINDER_OPTIONS = {
    "acks_late": True,  # reminder_send refuses duplicates, so running twice is harmless
    "autoretry_for": TRANSIENT,
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
    "soft_time_limit": 120,
    "time_limit": 180,
}


def _max_retries() -> int:
    return getattr(settings, "FEEDBACK_RENDER_MAX_RETRIES", 3)


def _backoff(retries: int) -> float:
    """Seconds before the next render attempt: base, 2×base, 4×base… capped (settings may shorten it)."""
    base = getattr(settings, "FEEDBACK_RETRY_BACKOFF", 20)
    return min(base * (2**retries), getattr(settings, "FEEDBACK_RETRY_BACKOFF_MAX", 600))


@shared_task(name="notifications.feedback_render", bind=True, acks_late=True, soft_time_limit=120, time_limit=150)
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
    return "done"


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
    """One document per published person of the quarter, then one render task each (issue 5 §2)."""
    document_ids = feedback_batch_prepare(quarter=quarter_for_batch(quarter_id))
    for document_id in document_ids:
        feedback_render.delay(document_id)
    return len(document_ids)


@shared_task(name="notifications.feedback_sweep", acks_late=True, soft_time_limit=60, time_limit=90)
def feedback_sweep():
    """Queue again the documents whose render task was lost (never started a quarter of an hour later)."""
    document_ids = feedback_stuck_documents(older_than=datetime.timedelta(minutes=15))
    for document_id in document_ids:
        feedback_render.delay(document_id)
    return len(document_ids)


@shared_task(name="notifications.interview_invitation", **REMINDER_OPTIONS)
def interview_invitation(interview_id):
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
