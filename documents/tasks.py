"""Feedback documents rendered by the workers: one task a document, a batch at publication, a sweep for what a
dead worker left behind (docs/operations.md, "Notices")."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready
from django.conf import settings
from django.utils import timezone

from documents.feedback import (
    feedback_batch_prepare,
    feedback_document_failure,
    feedback_document_render,
    feedback_quarters_missing_documents,
    feedback_stuck_documents,
    feedback_unfinished_exists,
    quarter_for_batch,
)
from documents.models import FeedbackDocument
from notifications.tasks import TRANSIENT, backoff, max_retries

logger = logging.getLogger(__name__)

RENDER_TIME_LIMIT = settings.FEEDBACK_RENDER_TIME_LIMIT

# The tasks keep the names they had when they lived in the notifications app: a queued message carries the
# name, so one queued before an upgrade still finds its task after it.


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
        final = self.request.retries >= max_retries()
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
        raise self.retry(exc=error, countdown=backoff(self.request.retries), max_retries=max_retries()) from error
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


@worker_ready.connect(dispatch_uid="documents.worker_ready")
def on_worker_ready(**kwargs):
    """A worker that starts (after a crash, a deploy) looks for documents the previous one left behind."""
    try:
        feedback_sweep.apply_async(kwargs={"resume": True})
    except Exception:  # noqa: BLE001 — beat and the next batch queue it too
        logger.exception("could not queue the start-up sweep")
