"""Writes of the notifications app: notify a user (in the app and by e-mail), send a reminder at most once."""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notification, ReminderLog


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: str | bytes
    mimetype: str


def language_of(user) -> str:
    """The user's preferred language (StaffProfile.language), else the site's default."""
    profile = getattr(user, "profile", None) if user is not None else None
    return getattr(profile, "language", None) or settings.LANGUAGE_CODE


def absolute_url(url: str) -> str:
    """A link that works from an e-mail: SITE_URL in front of a path."""
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + url


def _send_email(*, user, template, context, attachments=()):
    with translation.override(language_of(user)):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        message = EmailMultiAlternatives(
            subject=subject, body=render_to_string(f"emails/{template}_body.txt", context), to=[user.email]
        )
        message.attach_alternative(render_to_string(f"emails/{template}_body.html", context), "text/html")
    for attachment in attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    message.send()


def notify(
    *,
    user,
    kind: str,
    title: str,
    body: str,
    url: str = "",
    email: bool = True,
    email_template: str = "notification",
    context: dict | None = None,
    attachments=(),
) -> Notification:
    """Record a notification for the user's list and, unless email=False, e-mail it in the user's language.

    title and body are already in the user's language (callers compose them under translation.override).
    """
    notification = Notification.objects.create(user=user, kind=kind, title=str(title)[:200], body=str(body), url=url)
    if email and user.email:
        profile = getattr(user, "profile", None)
        _send_email(
            user=user,
            template=email_template,
            context={
                "title": notification.title,
                "body": notification.body,
                "link": absolute_url(url),
                "name": profile.full_name if profile else user.get_username(),
                "firm_name": settings.FIRM_NAME,
                **(context or {}),
            },
            attachments=attachments,
        )
    return notification


def reminder_send(
    *,
    kind: str,
    object_key: str,
    day,
    user,
    compose: Callable[[], tuple[str, str]],
    url: str = "",
    email_template: str = "notification",
    context: Callable[[], dict] | None = None,
    attachments: Callable[[], list] | None = None,
) -> bool:
    """Send one reminder unless it already went out for this kind, object, recipient and day. True when sent.

    Issue 5 §3: insert the ReminderLog row first and send only if the insert succeeded; the database's unique
    constraint, not memory, stops a second beat run or a retried task. The row and the notification commit
    together with the e-mail: if sending fails, both roll back and a retry may try again.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                ReminderLog.objects.create(kind=kind, object_key=object_key[:120], day=day, recipient=user)
        except IntegrityError:
            return False
        with translation.override(language_of(user)):
            title, body = compose()
            extra = context() if context else None
        notify(
            user=user,
            kind=kind,
            title=title,
            body=body,
            url=url,
            email_template=email_template,
            context=extra,
            attachments=attachments() if attachments else (),
        )
    return True


def notification_mark_read(*, notification) -> Notification:
    """Mark one notification read (the first reading counts)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
