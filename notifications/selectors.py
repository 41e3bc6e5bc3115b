"""Reads behind the notification list, the bell and the outbox page."""

from django.http import Http404

from notifications.models import Notice, Notification

UNDELIVERED = [Notice.Status.PENDING, Notice.Status.FAILED]


def notifications_for(*, user):
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def get_notification_for_user(user, pk) -> Notification:
    """The user's own notification, else 404 (someone else's does not exist for them)."""
    notification = Notification.objects.filter(pk=pk, user=user).first() if user.is_authenticated else None
    if notification is None:
        raise Http404
    return notification


def outbox_undelivered():
    """Every e-mail not accepted by the mail server yet, the oldest first (the execution group's outbox page)."""
    return (
        Notice.objects.filter(status__in=UNDELIVERED)
        .select_related("recipient__profile", "quarter")
        .order_by("created_at", "pk")
    )
