"""Interview invitations and requests, queued from publication and from the interview's own steps (regulation 三.5)."""

from celery import shared_task
from django.utils import timezone

from notifications.reminders import reminders_send
from notifications.tasks import REMINDER_OPTIONS

# The tasks keep the names they had when they lived in the notifications app: a queued message carries the
# name, so one queued before an upgrade still finds its task after it.


@shared_task(name="notifications.interview_invitation", **REMINDER_OPTIONS)
def interview_invitation(interview_id):
    """Kept for messages queued before invitations were written with the interview; writes nothing twice."""
    from interviews.invitations import interview_invitation_send

    return interview_invitation_send(interview_id=interview_id)


@shared_task(name="notifications.interview_requests", **REMINDER_OPTIONS)
def interview_requests(quarter_id):
    """At publication: ask each superior to schedule the interviews (the day's other interview rules too)."""
    return reminders_send(rule="interviews", today=timezone.localdate(), quarter_ids=[quarter_id])
