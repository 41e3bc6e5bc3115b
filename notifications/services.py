"""Writes of the notifications app: write a notice (the in-app notification and the e-mail in the outbox) at most
once, in the caller's transaction; mark notifications read. The outbox sender is notifications.outbox."""

import base64
import datetime
import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from notifications.models import Notice, Notification

logger = logging.getLogger(__name__)

KEY_LENGTH = 255


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


def notice_key(*, kind: str, object_key: str, recipient_id, day: datetime.date | None = None) -> str:
    """The once-only key: kind | object | day | recipient. A longer one keeps its start and a hash of the whole."""
    key = "|".join([kind, object_key, day.isoformat() if day else "", str(recipient_id or "")])
    if len(key) > KEY_LENGTH:
        key = key[: KEY_LENGTH - 65] + "#" + hashlib.sha256(key.encode("utf-8")).hexdigest()
    return key


def message_id_for(*, key: str, written_at: datetime.datetime) -> str:
    """A Message-ID derived from the notice's key (and when it was written, so a database restored or re-seeded
    never reuses one): a second delivery of the same notice carries the same id, which mail clients and
    servers use to drop duplicates."""
    digest = salted_hmac("notifications.notice", f"{key}@{written_at.isoformat()}").hexdigest()[:32]
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "lawfirm-kpi.invalid"
    return f"<{digest}@{domain}>"


def _attachment_rows(attachments: Iterable[Attachment]) -> list[dict]:
    rows = []
    for attachment in attachments:
        if isinstance(attachment.content, bytes):
            content, encoded = base64.b64encode(attachment.content).decode("ascii"), True
        else:
            content, encoded = attachment.content, False
        rows.append(
            {"filename": attachment.filename, "mimetype": attachment.mimetype, "content": content, "base64": encoded}
        )
    return rows


def _value(value):
    return value() if callable(value) else value


def notice_write(
    *,
    user,
    kind: str,
    object_key: str,
    compose: Callable[[], tuple[str, str]] | None = None,
    title: str = "",
    body: str = "",
    url: str = "",
    day: datetime.date | None = None,
    in_app: bool = True,
    email: bool = True,
    email_template: str = "notification",
    context: dict | Callable[[], dict] | None = None,
    attachments: Iterable[Attachment] | Callable[[], Iterable[Attachment]] | None = None,
    quarter=None,
    secret: bool = False,
    email_to: str = "",
    language: str | None = None,
) -> Notice | None:
    """Write one notice to `user`, unless one with the same kind, object, recipient (and day) exists: the Notice
    row (the once-only guard and the e-mail outbox) and, if in_app, the notification in their list.

    Call it inside the transaction of the change that causes the notice: both commit or roll back together
    (docs/operations.md "Notices"). compose() -> (title, body), context() and attachments() run in the
    recipient's language, and the e-mail (subject, text, HTML, attachments) is rendered now, so the sender needs
    no knowledge of what it is about. The outbox is drained after the commit. Returns the notice, or None when
    the key existed already (nothing is written).

    Someone without an account (a client) is written to with user=None, email_to and language.
    """
    key = notice_key(kind=kind, object_key=object_key, recipient_id=getattr(user, "pk", None), day=day)
    if Notice.objects.filter(key=key).exists():
        return None  # the common case of a second run: no rendering for nothing
    now = timezone.now()
    with translation.override(language or language_of(user)):
        if compose is not None:
            title, body = compose()
        title, body = str(title)[:200], str(body)
        # NOTICE_EMAIL=False writes in-app notices only (the demo's history is not news).
        address = (email_to or getattr(user, "email", "")) if email and settings.NOTICE_EMAIL else ""
        rendered = {}
        if address:
            profile = getattr(user, "profile", None)
            extra = _value(context) or {}
            mail_context = {
                "title": title,
                "body": body,
                "link": absolute_url(url),
                "name": profile.full_name if profile else (user.get_username() if user is not None else ""),
                "firm_name": settings.FIRM_NAME,
                **extra,
            }
            rendered = {
                "email_to": address,
                "subject": " ".join(render_to_string(f"emails/{email_template}_subject.txt", mail_context).split())[
                    :255
                ],
                "body_text": render_to_string(f"emails/{email_template}_body.txt", mail_context),
                "body_html": render_to_string(f"emails/{email_template}_body.html", mail_context),
                "attachments": _attachment_rows(_value(attachments) or ()),
                "message_id": message_id_for(key=key, written_at=now),
            }
    try:
        # A savepoint: a key written meanwhile by a concurrent transaction rolls back this notice only.
        with transaction.atomic():
            notification = (
                Notification.objects.create(user=user, kind=kind, title=title, body=body, url=url)
                if in_app and user is not None
                else None
            )
            notice = Notice.objects.create(
                key=key,
                kind=kind,
                object_key=object_key[:160],
                day=day,
                recipient=user,
                quarter=quarter,
                notification=notification,
                secret=secret,
                status=Notice.Status.PENDING if rendered else Notice.Status.IN_APP,
                created_at=now,
                next_attempt_at=now,
                **rendered,
            )
    except IntegrityError:
        return None
    if rendered:
        drain_after_commit()
    return notice


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
    quarter=None,
) -> bool:
    """A reminder: a notice once per kind, object, recipient and day (docs/operations.md, "Notices").
    True when it was written."""
    return (
        notice_write(
            user=user,
            kind=kind,
            object_key=object_key,
            day=day,
            compose=compose,
            url=url,
            email_template=email_template,
            context=context,
            attachments=attachments,
            quarter=quarter,
        )
        is not None
    )


def _queue_drain():
    from notifications.tasks import outbox_drain

    outbox_drain.delay()


def drain_after_commit():
    """Queue one outbox drain after the surrounding transaction commits (once, however many notices it wrote).

    Robust: if the broker cannot be reached the rows are safe in the outbox, and the next drain (worker start,
    beat, the next notice) sends them.
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # A drain registered in this transaction at this level or an enclosing one will run at the same commit.
        # (One registered inside a savepoint since released is not counted: Django's tests capture callbacks by
        # such blocks, and it costs one more drain at most.)
        current = set(connection.savepoint_ids)
        if any(func is _queue_drain and sids <= current for sids, func, *_robust in connection.run_on_commit):
            return
    transaction.on_commit(_queue_drain, robust=True)


def notification_mark_read(*, notification) -> Notification:
    """Mark one notification read (the first reading counts)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
