"""Retrying what failed or got stuck: one document, or everything of a quarter (documents and notices), from the
quarter page. Above both the documents' services and their tasks, so neither imports the other."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.feedback import feedback_stuck_q
from documents.models import FeedbackDocument
from documents.tasks import feedback_render
from notifications.models import Notice
from notifications.outbox import notices_retry
from notifications.services import drain_after_commit


def feedback_document_retry(*, document, by) -> FeedbackDocument:
    """The execution group retries one failed document; the caller queues its render after the commit."""
    from reviews.roles import roles_of

    if not roles_of(by).is_execution:
        raise PermissionDenied(_("Only the execution group retries documents."))
    with transaction.atomic():
        locked = FeedbackDocument.objects.select_for_update().get(pk=document.pk)
        if locked.status != FeedbackDocument.Status.FAILED:
            raise ValidationError(
                _("Only a failed document can be retried; this one is “%(status)s”.")
                % {"status": locked.get_status_display()}
            )
        locked.status = FeedbackDocument.Status.PENDING
        locked.attempts = 0
        locked.error = ""
        locked.save(update_fields=["status", "attempts", "error"])
        document_pk = locked.pk
        transaction.on_commit(lambda: _queue_render(document_pk))
    return locked


@dataclass(frozen=True)
class StuckRetried:
    documents: int
    notices: int


def quarter_retry_stuck(*, quarter, by, now: datetime.datetime | None = None) -> StuckRetried:
    """The execution group's "Retry what is stuck" on the quarter page: every failed or stuck document of the
    quarter is rendered again, with a fresh count of attempts, and every undelivered notice about the quarter is
    made due now. Nothing else changes; a document that is done or still within its time is left alone."""
    from reviews.roles import roles_of

    if not roles_of(by).is_execution:
        raise PermissionDenied(_("Only the execution group retries what is stuck."))
    now = now or timezone.now()
    with transaction.atomic():
        documents = FeedbackDocument.objects.filter(quarter=quarter).filter(
            Q(status=FeedbackDocument.Status.FAILED) | feedback_stuck_q(now)
        )
        document_ids = list(documents.values_list("pk", flat=True))
        # A conditional UPDATE: a document that finished meanwhile is no longer matched and stays done.
        FeedbackDocument.objects.filter(pk__in=document_ids).exclude(status=FeedbackDocument.Status.DONE).update(
            status=FeedbackDocument.Status.PENDING, attempts=0, error=""
        )
        notices = notices_retry(notices=Notice.objects.filter(quarter=quarter))
        transaction.on_commit(lambda: [_queue_render(pk) for pk in document_ids])
        if notices:
            drain_after_commit()
    return StuckRetried(documents=len(document_ids), notices=notices)


def _queue_render(document_id):
    feedback_render.delay(document_id)
