"""The written feedback (regulation 三.5) with a real Celery worker against Redis: publishing renders one
feedback PDF per person."""

import io
import time

import pytest
from django.core import mail
from pypdf import PdfReader

from documents import feedback
from documents.models import FeedbackDocument
from documents.tasks import feedback_batch_start
from notifications.models import Notice
from portal.quarter_services import quarter_publish
from tests.notifications.conftest import PEOPLE, approved_quarter_with_drafts, indicator_names

# The flush between transactional tests drops reference data; indicators.reference_data puts it back.
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 300  # the machine is shared: a PDF can take seconds


def wait_until_finished(quarter, *, expected):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        documents = FeedbackDocument.objects.filter(quarter=quarter)
        finished = documents.filter(status__in=[FeedbackDocument.Status.DONE, FeedbackDocument.Status.FAILED])
        unsent = Notice.objects.filter(status=Notice.Status.PENDING).exists()
        if documents.count() == expected and finished.count() == expected and not unsent:
            return
        time.sleep(0.5)
    raise AssertionError(
        f"documents not finished or notices not sent: {list(FeedbackDocument.objects.values('status', 'attempts'))}"
        f" {list(Notice.objects.values('kind', 'status', 'last_error'))}"
    )


def pdf_text_and_fonts(document):
    with document.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get_object().get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    return text, fonts, len(reader.pages)


def test_publishing_yields_one_pdf_per_person_with_their_chinese_name_every_indicator_and_a_cjk_font(firm, worker_app):
    # Given an approved quarter with four people's results
    quarter = approved_quarter_with_drafts(firm)

    # When the execution group publishes it (the batch is queued after the commit, the worker renders)
    quarter_publish(quarter=quarter, by=firm.executor)
    wait_until_finished(quarter, expected=len(PEOPLE) + 1)  # + the report to the leadership group

    # Then every person has one finished document in their language, holding their name and every indicator
    for name in PEOPLE:
        user = getattr(firm, name)
        document = FeedbackDocument.objects.get(scorecard__staff=user.profile)
        assert document.status == FeedbackDocument.Status.DONE
        assert document.language == user.profile.language
        text, fonts, pages = pdf_text_and_fonts(document)
        assert user.profile.full_name in text
        flat = "".join(text.split())  # a long English name wraps inside its table cell
        for indicator in indicator_names(user):
            assert "".join(indicator.split()) in flat, (name, indicator)
        assert any("Noto-Sans-SC" in font for font in fonts), fonts
        assert pages == 2
    report = FeedbackDocument.objects.get(quarter=quarter, kind=FeedbackDocument.Kind.REPORT)
    assert report.status == FeedbackDocument.Status.DONE
    # And each person was told, with the link to their document
    told = {m.to[0]: m for m in mail.outbox if "/notifications/feedback/" in m.body}
    assert set(told) == {getattr(firm, name).email for name in PEOPLE}
    lawyer_document = FeedbackDocument.objects.get(scorecard__staff=firm.lawyer.profile)
    assert f"/notifications/feedback/{lawyer_document.pk}.pdf" in told[firm.lawyer.email].body


def test_running_the_batch_twice_gives_one_document_per_person(firm, worker_app):
    # Given a published quarter whose documents are rendered
    quarter = approved_quarter_with_drafts(firm)
    quarter_publish(quarter=quarter, by=firm.executor)
    wait_until_finished(quarter, expected=len(PEOPLE) + 1)
    files = set(FeedbackDocument.objects.values_list("file", flat=True))
    sent = len(mail.outbox)

    # When the batch is started twice more (beat, a double click, a redelivered message)
    feedback_batch_start.delay(quarter.pk).get(timeout=WAIT_SECONDS)
    feedback_batch_start.delay(quarter.pk).get(timeout=WAIT_SECONDS)

    # Then there is still one document per person, the same files, and nobody got a second e-mail
    assert FeedbackDocument.objects.filter(quarter=quarter, kind="feedback").count() == len(PEOPLE)
    assert set(FeedbackDocument.objects.values_list("file", flat=True)) == files
    assert len(mail.outbox) == sent


def test_a_render_that_keeps_failing_is_retried_then_marked_failed_without_stopping_the_others(
    firm, worker_app, monkeypatch
):
    # Given the lawyer's document cannot be rendered (say the template breaks on their data)
    real_html = feedback.document_html

    def broken_for_the_lawyer(document):
        if document.scorecard_id and document.scorecard.staff_id == firm.lawyer.profile.pk:
            raise RuntimeError("layout engine crashed")
        return real_html(document)

    monkeypatch.setattr(feedback, "document_html", broken_for_the_lawyer)
    quarter = approved_quarter_with_drafts(firm)

    # When the quarter is published
    quarter_publish(quarter=quarter, by=firm.executor)
    wait_until_finished(quarter, expected=len(PEOPLE) + 1)

    # Then the lawyer's document was tried 1 + 2 retries times and is failed with the reason
    broken = FeedbackDocument.objects.get(scorecard__staff=firm.lawyer.profile)
    assert broken.status == FeedbackDocument.Status.FAILED
    assert broken.attempts == 3
    assert "layout engine crashed" in broken.error
    assert not broken.file
    # And everybody else's is done
    others = FeedbackDocument.objects.exclude(pk=broken.pk)
    assert set(others.values_list("status", flat=True)) == {FeedbackDocument.Status.DONE}
    assert firm.lawyer.email not in {m.to[0] for m in mail.outbox if "/notifications/feedback/" in m.body}
    # But the lawyer is still told the result is out, with the scorecard's link
    scorecard_link = f"/scorecards/{broken.scorecard_id}/"
    assert any(m.to == [firm.lawyer.email] and scorecard_link in m.body for m in mail.outbox)
