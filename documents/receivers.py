"""Feedback documents follow the results (regulation 三.5: written feedback): publication starts the batch, a
correction's new versions get theirs. Rendering is queued after the commit; the sweep re-queues what is lost."""

from django.db import transaction
from django.dispatch import receiver

from documents.feedback import feedback_documents_create
from documents.tasks import feedback_batch_start, feedback_render
from results.corrections import versions_published
from reviews.lifecycle import quarter_published


@receiver(quarter_published, dispatch_uid="documents.quarter_published")
def on_quarter_published(sender, quarter, **kwargs):
    """Publication starts the feedback batch."""
    quarter_id = quarter.pk
    transaction.on_commit(lambda: feedback_batch_start.delay(quarter_id))


@receiver(versions_published, dispatch_uid="documents.versions_published")
def on_versions_published(sender, quarter, scorecard_ids, **kwargs):
    """Corrected versions get their feedback documents in the correcting transaction (each document is versioned:
    the first version's stays); their rendering is queued after the commit."""
    document_ids = feedback_documents_create(quarter=quarter, scorecard_ids=scorecard_ids)
    transaction.on_commit(lambda: [feedback_render.delay(pk) for pk in document_ids])
