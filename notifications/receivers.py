"""Hooks into the organisation, the quarter's life and the interviews. Notices are written inside the sender's
transaction (they commit with the change that causes them); longer work is queued after the commit."""

import hashlib

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from notifications.services import notice_write
from results.corrections import versions_published
from reviews.lifecycle import quarter_published
from reviews.models import Interview
from reviews.signals import staff_invitation_due


@receiver(quarter_published, dispatch_uid="notifications.quarter_published")
def on_quarter_published(sender, quarter, **kwargs):
    """Publication starts the feedback batch and asks the superiors to schedule the interviews."""
    from notifications.tasks import feedback_batch_start, interview_requests

    quarter_id = quarter.pk
    transaction.on_commit(lambda: feedback_batch_start.delay(quarter_id))
    transaction.on_commit(lambda: interview_requests.delay(quarter_id))


@receiver(versions_published, dispatch_uid="notifications.versions_published")
def on_versions_published(sender, quarter, scorecard_ids, **kwargs):
    """Corrected versions get their feedback documents in the correcting transaction (each document is versioned:
    the first version's stays); their rendering is queued after the commit, and the sweep re-queues it if lost."""
    from notifications.feedback import feedback_documents_create
    from notifications.tasks import feedback_render

    document_ids = feedback_documents_create(quarter=quarter, scorecard_ids=scorecard_ids)
    transaction.on_commit(lambda: [feedback_render.delay(pk) for pk in document_ids])


@receiver(post_save, sender=Interview, dispatch_uid="notifications.interview_saved")
def on_interview_saved(sender, instance, created, update_fields=None, **kwargs):
    """A new or moved interview sends the person an invitation with a calendar entry (written with the save)."""
    if instance.recorded_at is not None:
        return
    if not created and update_fields is not None and not {"scheduled_at", "place"} & set(update_fields):
        return
    from notifications.invitations import interview_invitation_send

    interview_invitation_send(interview_id=instance.pk)


@receiver(staff_invitation_due, dispatch_uid="notifications.staff_invitation")
def on_staff_invitation_due(sender, profile, link, **kwargs):
    """The e-mail with the link where the person sets their password. The link is worth the account: the
    notice is secret (its text is wiped once sent), and keyed by the link, so a double click sends one."""
    user = profile.user
    digest = hashlib.sha256(link.encode("utf-8")).hexdigest()[:16]
    notice = notice_write(
        user=user,
        kind="staff_invitation",
        object_key=f"user:{user.pk}:{digest}",
        in_app=False,
        email_template="invitation",
        context={"profile": profile, "username": user.get_username(), "link": link},
        secret=True,
    )
    return notice is not None
