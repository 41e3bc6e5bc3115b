"""notice_write(), reminder_send() and the outbox sender: the language, the two parts of the e-mail, the
database's once-only guard, the same transaction, retries with backoff, leases and the Message-ID."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils.translation import get_language

from interviews.ics import invitation_ics
from notifications.models import Notice, Notification
from notifications.outbox import outbox_drain
from notifications.services import notice_write, reminder_send

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 7, 8)


def test_a_notice_lists_the_notification_and_e_mails_text_and_html_once_drained(firm):
    # When a notice is written (inside the change's transaction)
    notice_write(
        user=firm.lawyer, kind="test", object_key="o:1", title="面谈已安排", body="7月8日 15:30", url="/people/team/"
    )
    # Then it is in the lawyer's list at once, and the e-mail waits in the outbox until the sender drains it
    assert Notification.objects.get(user=firm.lawyer).title == "面谈已安排"
    assert not mail.outbox
    assert outbox_drain().sent == 1
    message = mail.outbox[0]
    assert message.to == [firm.lawyer.email]
    assert "面谈已安排" in message.subject
    assert "http://127.0.0.1:8000/people/team/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and 'href="http://127.0.0.1:8000/people/team/"' in html
    notice = Notice.objects.get()
    assert message.extra_headers["Message-ID"] == notice.message_id
    assert (notice.status, notice.attempts) == ("sent", 1)


@pytest.mark.parametrize(("persona", "language"), [("lawyer", "zh-hans"), ("colleague", "en")])
def test_a_reminder_is_written_in_the_recipients_language(firm, persona, language):
    reminder_send(
        kind="test", object_key="k", day=DAY, user=getattr(firm, persona), compose=lambda: (get_language(), "")
    )
    assert Notification.objects.get().title == language
    assert language in Notice.objects.get().subject  # the e-mail was rendered in it too, when it was written


def test_a_reminder_goes_out_once_per_kind_object_recipient_and_day(firm):
    send = {
        "kind": "interview_due_soon",
        "object_key": "quarter:1",
        "user": firm.superior,
        "compose": lambda: ("t", "b"),
    }

    assert reminder_send(day=DAY, **send) is True
    assert reminder_send(day=DAY, **send) is False  # beat fired twice
    assert reminder_send(day=DAY + datetime.timedelta(days=1), **send) is True  # another day
    assert reminder_send(day=DAY, **{**send, "user": firm.partner}) is True  # another recipient
    outbox_drain()
    outbox_drain()  # a second drain (beat, a redelivered task) finds nothing to send

    assert Notice.objects.count() == 3
    assert len(mail.outbox) == 3
    assert Notification.objects.count() == 3


def test_the_database_itself_refuses_a_second_notice_with_the_same_key(firm):
    Notice.objects.create(key="k|o|2026-07-08|1", kind="k", object_key="o", recipient=firm.lawyer)
    with pytest.raises(IntegrityError):
        Notice.objects.create(key="k|o|2026-07-08|1", kind="k", object_key="o", recipient=firm.partner)


def test_a_change_that_rolls_back_leaves_no_notice(firm):
    # Given a step that writes its notice and then fails
    with pytest.raises(RuntimeError), transaction.atomic():
        notice_write(user=firm.lawyer, kind="k", object_key="o", title="t", body="b")
        raise RuntimeError("the step failed after writing its notice")
    # Then neither the notification nor the e-mail exists
    assert not Notice.objects.exists() and not Notification.objects.exists()
    outbox_drain()
    assert not mail.outbox


def test_a_secret_notice_keeps_no_text_once_sent(firm):
    # Given an invitation whose link sets the person's password
    notice_write(user=firm.lawyer, kind="k", object_key="o", title="t", body="secret link", secret=True)
    outbox_drain()
    # Then the e-mail went out and the outbox no longer holds its text
    assert "secret link" in mail.outbox[0].body
    notice = Notice.objects.get()
    assert notice.status == "sent" and notice.body_text == "" and notice.body_html == ""


def test_notices_without_e_mail_are_in_the_app_only(firm):
    firm.lawyer.email = ""
    firm.lawyer.save()
    notice_write(user=firm.lawyer, kind="k", object_key="o", title="t", body="b")
    assert Notice.objects.get().status == "in_app"
    assert outbox_drain().claimed == 0


def test_the_ics_is_crlf_utc_and_folds_long_chinese_lines_within_75_octets():
    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    text = invitation_ics(
        uid="interview-7@kpi.example",
        sequence=0,
        starts_at=datetime.datetime(2026, 7, 8, 15, 30, tzinfo=shanghai),
        ends_at=datetime.datetime(2026, 7, 8, 16, 30, tzinfo=shanghai),
        stamp=datetime.datetime(2026, 7, 6, 9, tzinfo=datetime.UTC),
        summary="反馈面谈 2026Q2：陈静",
        description="与周强的反馈面谈；请准时参加，" * 5,
        location="3号会议室, 二楼",
        organizer=("周强", "senior@firm.example"),
        attendees=[("陈静", "lawyer@firm.example")],
    )
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "\n" not in text.replace("\r\n", "")
    assert "METHOD:REQUEST" in lines and "UID:interview-7@kpi.example" in lines
    assert "DTSTART:20260708T073000Z" in lines and "DTEND:20260708T083000Z" in lines
    assert "LOCATION:3号会议室\\, 二楼" in lines
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    assert any(line.startswith(" ") for line in lines)  # the long description was folded


def test_the_batch_queues_the_report_before_the_feedback_documents(firm):
    # Given a published quarter with four people's results
    from documents.feedback import feedback_batch_prepare
    from documents.models import FeedbackDocument
    from results.models import Scorecard
    from tests.notifications.conftest import approved_quarter_with_drafts

    quarter = approved_quarter_with_drafts(firm)
    Scorecard.objects.filter(quarter=quarter).update(status=Scorecard.Status.PUBLISHED)
    # When the batch is prepared
    ids = feedback_batch_prepare(quarter=quarter)
    # Then the report (the longest document) is queued first, then one document per person in creation order
    kinds = dict(FeedbackDocument.objects.filter(pk__in=ids).values_list("pk", "kind"))
    assert [kinds[pk] for pk in ids] == ["report"] + ["feedback"] * 4
    assert ids[1:] == sorted(ids[1:])


def test_a_document_that_fails_for_good_still_tells_the_person_the_result_is_out(firm):
    # Given a published quarter whose documents are prepared
    from documents.feedback import feedback_batch_prepare, feedback_document_failure
    from documents.models import FeedbackDocument
    from results.models import Scorecard
    from tests.notifications.conftest import approved_quarter_with_drafts

    quarter = approved_quarter_with_drafts(firm)
    Scorecard.objects.filter(quarter=quarter).update(status=Scorecard.Status.PUBLISHED)
    quarter.published_at = quarter.ends_on
    feedback_batch_prepare(quarter=quarter)
    document = FeedbackDocument.objects.get(scorecard__staff=firm.lawyer.profile)
    # When its render fails, first with retries left, then for good
    feedback_document_failure(document_id=document.pk, error="boom", final=False)
    outbox_drain()
    assert not mail.outbox
    feedback_document_failure(document_id=document.pk, error="boom", final=True)
    outbox_drain()
    # Then the lawyer gets one notice, in the app and by e-mail, with the scorecard's link and no document link
    (message,) = mail.outbox
    assert message.to == [firm.lawyer.email]
    assert f"/scorecards/{document.scorecard_id}/" in message.body
    assert "/notifications/feedback/" not in message.body
    assert Notification.objects.filter(user=firm.lawyer, kind="result_out").count() == 1
