"""The outbox sender (docs/operations.md "Notices"): claims the e-mails that are due one at a time, sends each and
marks it sent; a failure is recorded on the row with the next attempt (exponential backoff), and the sender keeps
going. It knows nothing of what a notice is about: everything it sends was rendered when the row was written.

Exactly once, as nearly as SMTP allows: a row is claimed for a lease (NOTICE_CLAIM_SECONDS, longer than a drain
may run) before it is sent, so two senders never send it at once, and a sender that dies leaves it to the next
one when the lease ends. The one window for a double e-mail is between the mail server accepting the message and
the UPDATE that marks the row sent (a few milliseconds); if the worker dies exactly there, the notice is sent
again with the same Message-ID, which mail clients use to drop the copy.
"""

import base64
import contextlib
import datetime
import logging
import smtplib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Min, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from notifications.models import Notice

logger = logging.getLogger(__name__)

ERROR_LENGTH = 2000


@dataclass
class DrainResult:
    sent: int = 0
    failed: int = 0
    # Stopped before the outbox was empty because the time budget ran out.
    stopped_early: bool = False
    # Stopped because the mail server could not be reached: try again in `retry_in` seconds.
    unreachable: bool = False
    retry_in: float = 0.0
    # Seconds until the next pending row is due (0: now), None when nothing is pending.
    next_due_in: float | None = None

    @property
    def claimed(self) -> int:
        return self.sent + self.failed

    def follow_up_in(self) -> float | None:
        """When the next drain should run, None when nothing is pending."""
        if self.unreachable:
            return self.retry_in
        if self.stopped_early:
            return 0.0
        return self.next_due_in


def backoff(attempts: int) -> float:
    """Seconds before attempt `attempts + 1`: base, 2×base, 4×base… capped at NOTICE_RETRY_BACKOFF_MAX."""
    base = settings.NOTICE_RETRY_BACKOFF
    return min(base * (2 ** max(attempts - 1, 0)), settings.NOTICE_RETRY_BACKOFF_MAX)


def _due(now) -> Q:
    return Q(status=Notice.Status.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def notice_claim(*, now: datetime.datetime) -> Notice | None:
    """Take the next due e-mail for NOTICE_CLAIM_SECONDS and count the attempt; None when nothing is due.

    PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent senders each take a different row without waiting.
    SQLite has no row locks but lets one writer at a time: the conditional UPDATE is the claim, and whoever's
    UPDATE changed the row owns it.
    """
    lease = now + datetime.timedelta(seconds=settings.NOTICE_CLAIM_SECONDS)
    claim = {"claimed_until": lease, "attempts": F("attempts") + 1}
    candidates = Notice.objects.filter(_due(now)).order_by("next_attempt_at", "pk")
    if db_connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            pk = candidates.select_for_update(skip_locked=True).values_list("pk", flat=True).first()
            if pk is None:
                return None
            Notice.objects.filter(pk=pk).update(**claim)
    else:
        # Each UPDATE on its own (no read-then-write transaction, which SQLite may refuse to upgrade).
        for pk in candidates.values_list("pk", flat=True)[:20]:
            if Notice.objects.filter(_due(now), pk=pk).update(**claim):
                break
        else:
            return None
    return Notice.objects.get(pk=pk)


def email_message(notice: Notice, *, connection=None) -> EmailMultiAlternatives:
    """The e-mail exactly as it was rendered when the notice was written, with its stable Message-ID."""
    message = EmailMultiAlternatives(
        subject=notice.subject,
        body=notice.body_text,
        to=[notice.email_to],
        headers={"Message-ID": notice.message_id} if notice.message_id else None,
        connection=connection,
    )
    if notice.body_html:
        message.attach_alternative(notice.body_html, "text/html")
    for item in notice.attachments or ():
        content = base64.b64decode(item["content"]) if item.get("base64") else item["content"]
        message.attach(item["filename"], content, item["mimetype"])
    return message


def notice_mark_sent(*, notice: Notice, now: datetime.datetime) -> None:
    """One UPDATE right after the server accepted the message: this is the window documented above."""
    changes = {"status": Notice.Status.SENT, "sent_at": now, "claimed_until": None, "last_error": ""}
    if notice.secret:
        changes.update(body_text="", body_html="", attachments=[])
    Notice.objects.filter(pk=notice.pk).update(**changes)


def _permanent(error: Exception) -> bool:
    """Every recipient refused with a 5xx answer: the address itself is wrong, another try will not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    return False


def _unreachable(error: Exception) -> bool:
    """The mail server could not be reached, dropped the connection or refused us (not this one message): every
    other e-mail would fail the same way, so the drain stops and comes back when the first of them is due."""
    message_specific = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)
    return isinstance(error, OSError) and not isinstance(error, message_specific)


def notice_record_failure(*, notice: Notice, error: Exception, now: datetime.datetime) -> None:
    """The error, and the next attempt after the backoff; after NOTICE_MAX_ATTEMPTS (or a permanent refusal) the
    notice is given up, shown on the quarter page and the outbox page, and "Retry what is stuck" sends it again."""
    message = f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
    give_up = _permanent(error) or notice.attempts >= settings.NOTICE_MAX_ATTEMPTS
    Notice.objects.filter(pk=notice.pk).update(
        status=Notice.Status.FAILED if give_up else Notice.Status.PENDING,
        last_error=message,
        next_attempt_at=now + datetime.timedelta(seconds=backoff(notice.attempts)),
        claimed_until=None,
    )
    logger.warning("notice %s (attempt %s) not sent: %s", notice.pk, notice.attempts, message)


def next_due_in(*, now: datetime.datetime) -> float | None:
    """Seconds until the next pending e-mail may be sent (a claimed one when its lease ends), None if none."""
    earliest = Notice.objects.filter(status=Notice.Status.PENDING).aggregate(
        at=Min(Greatest("next_attempt_at", Coalesce("claimed_until", "next_attempt_at")))
    )["at"]
    if earliest is None:
        return None
    return max((earliest - now).total_seconds(), 0.0)


def outbox_drain(*, budget_seconds: float | None = None, limit: int | None = None) -> DrainResult:
    """Send what is due until the outbox is empty, the time budget is spent, or the mail server is unreachable."""
    budget = settings.NOTICE_DRAIN_BUDGET if budget_seconds is None else budget_seconds
    started = time.monotonic()
    result = DrainResult()
    connection = get_connection(fail_silently=False)
    try:
        while True:
            if time.monotonic() - started > budget or (limit is not None and result.claimed >= limit):
                result.stopped_early = True
                break
            notice = notice_claim(now=timezone.now())
            if notice is None:
                break
            try:
                connection.send_messages([email_message(notice, connection=connection)])
            except Exception as error:  # noqa: BLE001 — whatever went wrong is recorded on the row, the drain goes on
                notice_record_failure(notice=notice, error=error, now=timezone.now())
                result.failed += 1
                _close_quietly(connection)
                if _unreachable(error):
                    result.unreachable, result.retry_in = True, backoff(notice.attempts)
                    break
                continue
            notice_mark_sent(notice=notice, now=timezone.now())
            result.sent += 1
    finally:
        _close_quietly(connection)
    result.next_due_in = next_due_in(now=timezone.now())
    return result


def _close_quietly(connection):
    with contextlib.suppress(Exception):  # a connection that is already broken needs no closing
        connection.close()


def notices_retry(*, notices) -> int:
    """Make the given undelivered notices due now, with a fresh count of attempts (a claimed row keeps its
    lease: the sender holding it finishes first). Returns how many."""
    return notices.filter(status__in=[Notice.Status.PENDING, Notice.Status.FAILED]).update(
        status=Notice.Status.PENDING, next_attempt_at=timezone.now(), attempts=0
    )
