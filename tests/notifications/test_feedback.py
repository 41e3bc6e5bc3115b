"""Feedback documents and the notices that go with them: the result notice commits with the finished document, a
document a killed worker left "rendering" comes back within the render's time limit, a lost batch is run again,
and the execution group's "Retry what is stuck"."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from documents import feedback
from documents.feedback import (
    feedback_batch_prepare,
    feedback_document_render,
    feedback_quarters_missing_documents,
    feedback_stuck_documents,
)
from documents.models import FeedbackDocument
from documents.retry import quarter_retry_stuck
from notifications.models import Notice, Notification
from notifications.outbox import outbox_drain
from results.models import Scorecard
from tests.notifications.conftest import approved_quarter_with_drafts

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 7, 3, 2, 0, tzinfo=datetime.UTC)  # 10:00 in Shanghai, the publication day


@pytest.fixture
def quarter(firm):
    """2026Q2 published, its documents prepared (four people and the report), nothing rendered yet."""
    quarter = approved_quarter_with_drafts(firm)
    Scorecard.objects.filter(quarter=quarter).update(status=Scorecard.Status.PUBLISHED)
    quarter.published_at = NOW
    quarter.state = "published"
    quarter.save()
    with time_machine.travel(NOW, tick=False):
        feedback_batch_prepare(quarter=quarter)
    return quarter


@pytest.fixture
def fast_pdf(monkeypatch):
    """WeasyPrint is not what these tests are about: a one-line PDF instead."""
    monkeypatch.setattr(feedback.pdf, "html_to_pdf", lambda html: b"%PDF-1.7 feedback")
    monkeypatch.setattr(feedback, "document_html", lambda document: "<p>feedback</p>")


def lawyers_document(firm):
    return FeedbackDocument.objects.get(scorecard__staff=firm.lawyer.profile)


def test_the_result_notice_is_written_with_the_finished_document_so_a_worker_dying_after_the_commit_loses_nothing(
    firm, quarter, fast_pdf
):
    # Given the worker renders the lawyer's document and commits it as done, then dies before anything else runs
    # (here: nothing queued after the commit ever runs)
    document = feedback_document_render(document_id=lawyers_document(firm).pk)
    assert document.status == FeedbackDocument.Status.DONE
    # Then the lawyer's "your result is out" notice is already there: in her list, and in the outbox
    notice = Notice.objects.get(kind="result_out", recipient=firm.lawyer)
    assert notice.status == "pending" and f"/notifications/feedback/{document.pk}.pdf" in notice.body_text
    assert Notification.objects.filter(user=firm.lawyer, kind="result_out").count() == 1
    # And the next worker's drain e-mails it, once
    outbox_drain()
    outbox_drain()
    assert [m.to for m in mail.outbox] == [[firm.lawyer.email]]


def test_a_redelivered_render_of_a_finished_document_changes_nothing(firm, quarter, fast_pdf):
    # Given the lawyer's document is done and its notice sent
    first = feedback_document_render(document_id=lawyers_document(firm).pk)
    outbox_drain()
    # When the same render task is delivered again
    again = feedback_document_render(document_id=first.pk)
    outbox_drain()
    # Then the document, its file, its attempts and the notices are as they were
    assert (again.file.name, again.attempts, again.status) == (first.file.name, 1, "done")
    assert Notice.objects.filter(kind="result_out").count() == 1
    assert len(mail.outbox) == 1


def test_a_document_a_killed_worker_left_rendering_is_queued_again_once_the_render_time_limit_has_passed(
    firm, quarter, settings
):
    # Given the worker rendering the lawyer's document was killed at 10:00:00 (the document says "rendering")
    settings.FEEDBACK_RENDER_TIME_LIMIT = 150
    document = lawyers_document(firm)
    FeedbackDocument.objects.filter(pk=document.pk).update(status="running", attempts=1, started_at=NOW)
    # Then a sweep two minutes later leaves it alone: a render may still be running that long
    assert document.pk not in feedback_stuck_documents(now=NOW + datetime.timedelta(minutes=2))
    # But one after the render's time limit (no render outlives it) queues it again: minutes, not an hour
    assert document.pk in feedback_stuck_documents(now=NOW + datetime.timedelta(minutes=3, seconds=1))


def test_a_document_abandoned_after_its_last_attempt_is_failed_and_the_person_is_still_told(firm, quarter, settings):
    # Given the lawyer's document was "rendering" on its last allowed attempt when its worker died
    document = lawyers_document(firm)
    FeedbackDocument.objects.filter(pk=document.pk).update(
        status="running", attempts=settings.FEEDBACK_RENDER_MAX_RETRIES + 1, started_at=NOW
    )
    # When the sweep finds it
    queued = feedback_stuck_documents(now=NOW + datetime.timedelta(hours=1))
    # Then it is failed with the reason, not queued once more, and the lawyer hears that her result is out
    document.refresh_from_db()
    assert document.pk not in queued
    assert document.status == "failed" and document.error
    assert Notice.objects.filter(kind="result_out", recipient=firm.lawyer, object_key__startswith="result:").exists()


def test_a_publication_whose_batch_message_was_lost_is_found_by_the_sweep(firm):
    # Given 2026Q2 was published at 10:00 and its batch never ran (the broker lost the message)
    quarter = approved_quarter_with_drafts(firm)
    Scorecard.objects.filter(quarter=quarter).update(status=Scorecard.Status.PUBLISHED)
    quarter.published_at = NOW
    quarter.save()
    # Then a sweep a few minutes later waits (the batch may just be queued) and one later runs it again
    assert feedback_quarters_missing_documents(now=NOW + datetime.timedelta(minutes=5)) == []
    assert feedback_quarters_missing_documents(now=NOW + datetime.timedelta(minutes=11)) == [quarter.pk]
    # But a quarter published long ago (the demo's history) is left alone
    assert feedback_quarters_missing_documents(now=NOW + datetime.timedelta(days=3)) == []


def test_the_execution_group_retries_every_stuck_document_and_undelivered_notice_of_the_quarter(
    firm, quarter, django_capture_on_commit_callbacks
):
    # Given, an hour after publication: a failed document, one a dead worker left rendering, one done, and two
    # e-mails about the quarter the mail server has not accepted (one given up)
    documents = list(FeedbackDocument.objects.filter(quarter=quarter, kind="feedback").order_by("pk"))
    FeedbackDocument.objects.filter(pk=documents[0].pk).update(status="failed", attempts=4, error="boom")
    FeedbackDocument.objects.filter(pk=documents[1].pk).update(status="running", attempts=1, started_at=NOW)
    FeedbackDocument.objects.filter(pk=documents[2].pk).update(status="done", attempts=1)
    for name, status in (("lawyer", "failed"), ("colleague", "pending")):
        Notice.objects.create(
            key=f"result_out|{name}",
            kind="result_out",
            object_key=name,
            recipient=getattr(firm, name),
            quarter=quarter,
            email_to=getattr(firm, name).email,
            subject="Your result",
            status=status,
            attempts=7,
            last_error="ConnectionRefusedError",
            next_attempt_at=NOW + datetime.timedelta(minutes=5),
        )
    later = NOW + datetime.timedelta(hours=1)

    # When the execution group presses "Retry what is stuck"
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=False) as queued:
        retried = quarter_retry_stuck(quarter=quarter, by=firm.executor)

    # Then the two stuck documents (and the report and the last person's, waiting since publication) are queued
    # again with fresh attempts, the done one is untouched, and both notices are due now
    assert retried.notices == 2
    statuses = dict(FeedbackDocument.objects.values_list("pk", "status"))
    assert statuses[documents[0].pk] == statuses[documents[1].pk] == "pending"
    assert statuses[documents[2].pk] == "done"
    assert retried.documents == FeedbackDocument.objects.filter(quarter=quarter).exclude(status="done").count()
    assert set(Notice.objects.values_list("status", "attempts")) == {("pending", 0)}
    assert set(Notice.objects.values_list("next_attempt_at", flat=True)) == {later}
    assert len(queued) == 2  # the renders, and one drain of the outbox


@pytest.mark.parametrize("persona", ["partner", "lawyer"])
def test_only_the_execution_group_retries_what_is_stuck(firm, quarter, persona):
    FeedbackDocument.objects.filter(quarter=quarter).update(status="failed")
    with pytest.raises(PermissionDenied):
        quarter_retry_stuck(quarter=quarter, by=getattr(firm, persona))
    assert set(FeedbackDocument.objects.values_list("status", flat=True)) == {"failed"}


def test_nothing_is_retried_while_everything_is_on_time(firm, quarter):
    with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
        retried = quarter_retry_stuck(quarter=quarter, by=firm.executor)
    assert (retried.documents, retried.notices) == (0, 0)
    assert timezone.now()  # the clock is back
