"""The interview's notices (regulation 三.5): publication asks the superiors to schedule the interviews; a new or
moved interview sends the person an invitation, written in the transaction that saves it."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from interviews.invitations import interview_invitation_send
from interviews.models import Interview
from interviews.tasks import interview_requests
from reviews.lifecycle import quarter_published


@receiver(quarter_published, dispatch_uid="interviews.quarter_published")
def on_quarter_published(sender, quarter, **kwargs):
    """Publication asks each superior to schedule the interviews."""
    quarter_id = quarter.pk
    transaction.on_commit(lambda: interview_requests.delay(quarter_id))


@receiver(post_save, sender=Interview, dispatch_uid="interviews.interview_saved")
def on_interview_saved(sender, instance, created, update_fields=None, **kwargs):
    """A new or moved interview sends the person an invitation with a calendar entry (written with the save)."""
    if instance.recorded_at is not None:
        return
    if not created and update_fields is not None and not {"scheduled_at", "place"} & set(update_fields):
        return
    interview_invitation_send(interview_id=instance.pk)
