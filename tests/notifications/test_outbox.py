"""The outbox sender: retries with backoff through an SMTP outage, giving up and retrying on request, leases that
keep two senders apart, and the Message-ID that survives a second send."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications.models import Notice
from notifications.outbox import backoff, email_message, notice_claim, notices_retry, outbox_drain
from notifications.services import notice_write

pytestmark = pytest.mark.django_db


class SmtpDown:
    """An e-mail back-end whose server refuses connections (what smtplib raises when nothing listens)."""

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")

    def close(self):
        pass

    def send_messages(self, messages):
        self.open()


def test_an_smtp_outage_delays_the_e_mail_and_it_goes_out_once_when_the_server_is_back(firm, settings):
    # Given the mail server is down when the notice is written and drained
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.SmtpDown"
    with time_machine.travel(datetime.datetime(2026, 7, 8, 10, tzinfo=datetime.UTC), tick=False):
        notice_write(user=firm.lawyer, kind="k", object_key="o", title="t", body="b")
        result = outbox_drain()
    # Then nothing is lost: the notice waits, with the error, the attempt and the next try 30 s later
    notice = Notice.objects.get()
    assert (result.sent, result.failed, result.unreachable, result.retry_in) == (0, 1, True, 30)
    assert (notice.status, notice.attempts) == ("pending", 1)
    assert "Connection refused" in notice.last_error
    assert notice.next_attempt_at == datetime.datetime(2026, 7, 8, 10, 0, 30, tzinfo=datetime.UTC)
    # And a drain before then does not try again
    with time_machine.travel(datetime.datetime(2026, 7, 8, 10, 0, 20, tzinfo=datetime.UTC), tick=False):
        assert outbox_drain().claimed == 0
    # When the server is back and the next attempt is due
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(datetime.datetime(2026, 7, 8, 10, 0, 31, tzinfo=datetime.UTC), tick=False):
        assert outbox_drain().sent == 1
        assert outbox_drain().claimed == 0
    # Then it went out exactly once
    assert len(mail.outbox) == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.last_error) == ("sent", 2, "")


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 30), (2, 60), (3, 120), (4, 240), (5, 300), (40, 300)])
def test_the_wait_between_attempts_doubles_up_to_the_cap(attempts, seconds):
    assert backoff(attempts) == seconds


def test_an_e_mail_is_given_up_after_the_last_attempt_and_retried_when_asked(firm, settings):
    # Given the mail server keeps refusing and only three attempts are allowed
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.SmtpDown"
    settings.NOTICE_MAX_ATTEMPTS = 3
    notice_write(user=firm.lawyer, kind="k", object_key="o", title="t", body="b")
    for _attempt in range(3):
        Notice.objects.update(next_attempt_at=timezone.now())
        outbox_drain()
    # Then it is given up with its error, and no drain tries it again
    notice = Notice.objects.get()
    assert (notice.status, notice.attempts) == ("failed", 3)
    Notice.objects.update(next_attempt_at=timezone.now())
    assert outbox_drain().claimed == 0
    # When someone retries it with the server back, it is sent
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notices_retry(notices=Notice.objects.all()) == 1
    assert outbox_drain().sent == 1
    assert len(mail.outbox) == 1


def test_a_claimed_e_mail_is_not_taken_by_a_second_sender_until_its_lease_ends(firm):
    # Given one sender has claimed the e-mail (and then died before sending it)
    notice_write(user=firm.lawyer, kind="k", object_key="o", title="t", body="b")
    start = timezone.now()
    claimed = notice_claim(now=start)
    assert claimed is not None
    # Then a second sender finds nothing while the lease runs
    assert notice_claim(now=start + datetime.timedelta(seconds=10)) is None
    # And takes it once the lease has ended
    later = start + datetime.timedelta(seconds=181)
    again = notice_claim(now=later)
    assert again.pk == claimed.pk and again.attempts == 2


def test_a_notice_sent_twice_by_a_dying_sender_carries_the_same_message_id(firm):
    # Given a sender claimed and sent the e-mail, then died before marking it sent
    notice_write(user=firm.lawyer, kind="k", object_key="o", title="t", body="b")
    notice = notice_claim(now=timezone.now())
    email_message(notice).send()
    # When its lease ends and the next drain sends it again
    Notice.objects.update(claimed_until=timezone.now() - datetime.timedelta(seconds=1))
    outbox_drain()
    # Then both copies carry one Message-ID, so the reader's mail program shows one
    assert len(mail.outbox) == 2
    assert {m.extra_headers["Message-ID"] for m in mail.outbox} == {notice.message_id}
