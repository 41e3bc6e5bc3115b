"""notify() and reminder_send(): the language, the two parts of the e-mail, and the database's once-only guard."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError
from django.utils.translation import get_language

from notifications.ics import invitation_ics
from notifications.models import Notification, ReminderLog
from notifications.services import notify, reminder_send

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 7, 8)


def test_notify_lists_the_notification_and_e_mails_text_and_html(firm):
    notify(user=firm.lawyer, kind="test", title="面谈已安排", body="7月8日 15:30", url="/people/team/")

    assert Notification.objects.get(user=firm.lawyer).title == "面谈已安排"
    message = mail.outbox[0]
    assert message.to == [firm.lawyer.email]
    assert "面谈已安排" in message.subject
    assert "http://127.0.0.1:8000/people/team/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and 'href="http://127.0.0.1:8000/people/team/"' in html


@pytest.mark.parametrize(("persona", "language"), [("lawyer", "zh-hans"), ("colleague", "en")])
def test_a_reminder_is_written_in_the_recipients_language(firm, persona, language):
    reminder_send(
        kind="test", object_key="k", day=DAY, user=getattr(firm, persona), compose=lambda: (get_language(), "")
    )
    assert Notification.objects.get().title == language


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

    assert ReminderLog.objects.count() == 3
    assert len(mail.outbox) == 3
    assert Notification.objects.count() == 3


def test_the_database_itself_refuses_a_second_log_row(firm):
    ReminderLog.objects.create(kind="k", object_key="o", day=DAY, recipient=firm.lawyer)
    with pytest.raises(IntegrityError):
        ReminderLog.objects.create(kind="k", object_key="o", day=DAY, recipient=firm.lawyer)


def test_a_failing_e_mail_leaves_no_log_so_a_retry_sends_it(firm, monkeypatch):
    def smtp_down(*args, **kwargs):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", smtp_down)
    with pytest.raises(ConnectionError):
        reminder_send(kind="k", object_key="o", day=DAY, user=firm.lawyer, compose=lambda: ("t", "b"))
    assert not ReminderLog.objects.exists() and not Notification.objects.exists()


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
    from notifications.feedback import feedback_batch_prepare
    from notifications.models import FeedbackDocument
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


def test_a_document_that_fails_for_good_still_tells_the_person_the_result_is_out(
    firm, django_capture_on_commit_callbacks
):
    # Given a published quarter whose documents are prepared
    from notifications.feedback import feedback_batch_prepare, feedback_document_failure
    from notifications.models import FeedbackDocument
    from results.models import Scorecard
    from tests.notifications.conftest import approved_quarter_with_drafts

    quarter = approved_quarter_with_drafts(firm)
    Scorecard.objects.filter(quarter=quarter).update(status=Scorecard.Status.PUBLISHED)
    quarter.published_at = quarter.ends_on
    feedback_batch_prepare(quarter=quarter)
    document = FeedbackDocument.objects.get(scorecard__staff=firm.lawyer.profile)
    # When its render fails, first with retries left, then for good
    with django_capture_on_commit_callbacks(execute=True):
        feedback_document_failure(document_id=document.pk, error="boom", final=False)
    assert not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        feedback_document_failure(document_id=document.pk, error="boom", final=True)
    # Then the lawyer gets one e-mail with the scorecard's link and no document link
    (message,) = mail.outbox
    assert message.to == [firm.lawyer.email]
    assert f"/scorecards/{document.scorecard_id}/" in message.body
    assert "/notifications/feedback/" not in message.body
