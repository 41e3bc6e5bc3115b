"""Hooks into the quarter's life and the interviews: the work is queued only after the transaction commits."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from reviews.lifecycle import quarter_published
from reviews.models import Interview


@receiver(quarter_published, dispatch_uid="notifications.quarter_published")
def on_quarter_published(sender, quarter, **kwargs):
    """Publication starts the feedback batch and asks the superiors to schedule the interviews."""
    from .tasks import feedback_batch_start, interview_requests

    quarter_id = quarter.pk
    transaction.on_commit(lambda: feedback_batch_start.delay(quarter_id))
    transaction.on_commit(lambda: interview_requests.delay(quarter_id))


@receiver(post_save, sender=Interview, dispatch_uid="notifications.interview_saved")
def on_interview_saved(sender, instance, created, update_fields=None, **kwargs):
    """A new or moved interview sends the person an invitation with a calendar entry."""
    if instance.recorded_at is not None:
        return
    if not created and update_fields is not None and not {"scheduled_at", "place"} & set(update_fields):
        return
    from .tasks import interview_invitation

    interview_id = instance.pk
    transaction.on_commit(lambda: interview_invitation.delay(interview_id))
