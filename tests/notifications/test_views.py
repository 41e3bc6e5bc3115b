"""The private PDF downloads, the batch's progress, retrying a document, and the notification list."""

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from documents.models import FeedbackDocument
from notifications.models import Notice, Notification
from results.models import Scorecard
from tests.reviews.scorecard_builders import LAWYER_LINES, make_quarter, make_scorecard, published_at

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7 feedback of the lawyer"


def stored_document(quarter, *, scorecard=None, kind="feedback", version=1, content=PDF):
    name = default_storage.save("feedback/test.pdf", ContentFile(content))
    return FeedbackDocument.objects.create(
        quarter=quarter, scorecard=scorecard, kind=kind, version=version, file=name, status="done"
    )


@pytest.fixture
def quarter(firm):
    return make_quarter(2026, 2, published_at=published_at(2026, 7, 3))


@pytest.fixture
def lawyer_document(firm, quarter):
    card = make_scorecard(quarter, firm.lawyer, total=82.5, lines=LAWYER_LINES)
    return stored_document(quarter, scorecard=card)


# Who may read the lawyer's feedback: the lawyer, the superiors up the line, the execution and leadership groups.
ALLOWED = ("lawyer", "superior", "partner", "executor")
REFUSED = ("colleague", "assistant", "outsider", "business_clerk", "finance_clerk", "admin_clerk")


@pytest.mark.parametrize("persona", ALLOWED)
def test_the_feedback_pdf_is_served_to_the_owner_the_superiors_and_the_groups(
    firm, client_for, lawyer_document, persona
):
    response = client_for(getattr(firm, persona)).get(reverse("documents:feedback_pdf", args=[lawyer_document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("persona", REFUSED)
def test_the_feedback_pdf_does_not_exist_for_anyone_else(firm, client_for, lawyer_document, persona):
    client = client_for(getattr(firm, persona))
    assert client.get(reverse("documents:feedback_pdf", args=[lawyer_document.pk])).status_code == 404
    scorecard_url = reverse("documents:scorecard_feedback_pdf", args=[lawyer_document.scorecard_id])
    assert client.get(scorecard_url).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, lawyer_document):
    response = client.get(reverse("documents:feedback_pdf", args=[lawyer_document.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_missing_document_is_404_like_a_forbidden_one(firm, client_for):
    assert client_for(firm.executor).get(reverse("documents:feedback_pdf", args=[999999])).status_code == 404


def test_the_scorecard_link_serves_the_newest_finished_version(firm, client_for, quarter, lawyer_document):
    # Given an upheld appeal made version 2 of the scorecard with its own document; the old one is kept
    Scorecard.objects.filter(pk=lawyer_document.scorecard_id).update(is_current=False)
    card_v2 = Scorecard.objects.get(pk=lawyer_document.scorecard_id)
    card_v2.pk, card_v2.version, card_v2.is_current, card_v2.total = None, 2, True, 85
    card_v2.save()
    stored_document(quarter, scorecard=card_v2, version=2, content=b"%PDF-1.7 version two")

    # Then each scorecard's link serves its own document, and the first version is still there
    client = client_for(firm.lawyer)
    new = client.get(reverse("documents:scorecard_feedback_pdf", args=[card_v2.pk]))
    old = client.get(reverse("documents:feedback_pdf", args=[lawyer_document.pk]))
    assert b"".join(new.streaming_content) == b"%PDF-1.7 version two"
    assert b"".join(old.streaming_content) == PDF


def test_a_document_of_an_unpublished_scorecard_is_hidden_from_its_owner(firm, client_for):
    draft_quarter = make_quarter(2026, 3)
    card = make_scorecard(draft_quarter, firm.lawyer, total=70, status=Scorecard.Status.DRAFT)
    document = stored_document(draft_quarter, scorecard=card)
    assert client_for(firm.lawyer).get(reverse("documents:feedback_pdf", args=[document.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["lawyer", "superior", "business_clerk", "outsider"])
def test_the_report_pdf_is_only_for_the_groups(firm, client_for, quarter, persona):
    report = stored_document(quarter, kind="report")
    assert (
        client_for(getattr(firm, persona)).get(reverse("documents:feedback_pdf", args=[report.pk])).status_code == 404
    )
    assert client_for(firm.partner).get(reverse("documents:feedback_pdf", args=[report.pk])).status_code == 200


def test_the_progress_shows_done_total_failed_and_the_failed_names(firm, client_for, quarter, lawyer_document):
    colleague_card = make_scorecard(quarter, firm.colleague, total=70)
    FeedbackDocument.objects.create(
        quarter=quarter,
        scorecard=colleague_card,
        status="failed",
        attempts=4,
        error="RuntimeError: layout engine crashed",
    )
    data = client_for(firm.executor).get(reverse("documents:feedback_progress", args=[quarter.code])).json()
    assert (data["done"], data["total"], data["failed"], data["finished"]) == (1, 2, 1, True)
    assert data["failures"][0]["name"] == "刘洋"
    assert "layout engine crashed" in data["failures"][0]["error"]


@pytest.mark.parametrize("persona", ["lawyer", "superior", "business_clerk"])
def test_the_progress_is_refused_to_people_outside_the_groups(firm, client_for, quarter, persona):
    url = reverse("documents:feedback_progress", args=[quarter.code])
    assert client_for(getattr(firm, persona)).get(url).status_code == 403


def test_the_execution_group_retries_one_failed_document(firm, client_for, quarter, django_capture_on_commit_callbacks):
    card = make_scorecard(quarter, firm.colleague, total=70)
    failed = FeedbackDocument.objects.create(quarter=quarter, scorecard=card, status="failed", attempts=4, error="x")

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client_for(firm.executor).post(reverse("documents:feedback_retry", args=[failed.pk]))

    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error) == ("pending", 0, "")
    assert len(queued) == 1  # its render is queued after the commit


@pytest.mark.parametrize("persona", ["partner", "lawyer"])
def test_only_the_execution_group_may_retry(firm, client_for, quarter, persona):
    card = make_scorecard(quarter, firm.colleague, total=70)
    failed = FeedbackDocument.objects.create(quarter=quarter, scorecard=card, status="failed", attempts=4)
    response = client_for(getattr(firm, persona)).post(reverse("documents:feedback_retry", args=[failed.pk]))
    assert response.status_code == 403
    failed.refresh_from_db()
    assert failed.status == "failed"


def test_a_done_document_cannot_be_retried(firm, client_for, lawyer_document):
    response = client_for(firm.executor).post(
        reverse("documents:feedback_retry", args=[lawyer_document.pk]), follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    lawyer_document.refresh_from_db()
    assert lawyer_document.status == "done"
    assert "Only a failed document can be retried" in response.content.decode()


def test_the_list_shows_my_notifications_and_marks_one_read(firm, client_for):
    mine = Notification.objects.create(user=firm.lawyer, kind="interview_ask", title="面谈提醒", body="请安排面谈")
    Notification.objects.create(user=firm.colleague, kind="interview_ask", title="别人的提醒")
    client = client_for(firm.lawyer)

    page = client.get(reverse("notifications:list")).content.decode()
    assert "面谈提醒" in page and "别人的提醒" not in page

    client.post(reverse("notifications:read", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_nobody_marks_someone_elses_notification(firm, client_for):
    theirs = Notification.objects.create(user=firm.colleague, kind="x", title="t")
    assert client_for(firm.lawyer).post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_bell_shows_the_unread_count(firm):
    Notification.objects.create(user=firm.lawyer, kind="x", title="a")
    Notification.objects.create(user=firm.lawyer, kind="x", title="b")
    Notification.objects.create(user=firm.lawyer, kind="x", title="c", read_at="2026-07-01T00:00Z")
    request = RequestFactory().get("/")
    request.user = firm.lawyer
    html = Template('{% include "notifications/_bell.html" %}').render(
        Context({"request": request, "user": firm.lawyer})
    )
    assert 'data-unread="2"' in html


def test_the_progress_partial_points_the_script_at_the_quarters_progress(firm, quarter):
    from reviews.roles import roles_of

    html = Template('{% include "documents/_feedback_progress.html" %}').render(
        Context({"quarter": quarter, "roles": roles_of(firm.executor), "csrf_token": "t"})
    )
    assert f'data-url="{reverse("documents:feedback_progress", args=[quarter.code])}"' in html
    assert "js/feedback-progress.js" in html and 'data-part="retry-template"' in html


def undelivered_notice(firm, quarter, *, name="lawyer", status="failed", error="ConnectionRefusedError: [Errno 111]"):
    user = getattr(firm, name)
    return Notice.objects.create(
        key=f"result_out|{name}",
        kind="result_out",
        object_key=name,
        recipient=user,
        quarter=quarter,
        email_to=user.email,
        subject=f"Your result for {quarter.code} is out",
        status=status,
        attempts=12,
        last_error=error,
    )


def test_the_quarter_page_shows_what_is_stuck_and_the_execution_group_retries_it(
    firm, client_for, quarter, lawyer_document, django_capture_on_commit_callbacks
):
    # Given the colleague's document failed and the lawyer's result e-mail was given up while SMTP was down
    card = make_scorecard(quarter, firm.colleague, total=70)
    failed = FeedbackDocument.objects.create(quarter=quarter, scorecard=card, status="failed", attempts=4, error="x")
    notice = undelivered_notice(firm, quarter)
    client = client_for(firm.executor)

    # When the execution group opens the quarter page
    page = client.get(reverse("portal:quarter", args=[quarter.code]), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # Then it says what is stuck, with the e-mail's last error, and offers to retry it
    assert 'data-count="documents_to_retry">1<' in page and 'data-count="notices_undelivered">1<' in page
    assert "ConnectionRefusedError" in page and "Retry what is stuck" in page
    # And pressing it queues the document and the e-mail again and says how many
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("documents:quarter_retry", args=[quarter.code]), follow=True, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert "Queued again: 1 documents and 1 notices of 2026Q2." in response.content.decode()
    failed.refresh_from_db()
    notice.refresh_from_db()
    assert failed.status == "done"  # rendered again in-process
    # (the lawyer's given-up e-mail, and the colleague's now that her document exists)
    assert notice.status == "sent" and sorted(m.to[0] for m in mail.outbox) == [firm.colleague.email, firm.lawyer.email]


def test_the_partner_sees_what_is_stuck_but_has_no_retry_button(firm, client_for, quarter, lawyer_document):
    undelivered_notice(firm, quarter)
    page = (
        client_for(firm.partner)
        .get(reverse("portal:quarter", args=[quarter.code]), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert 'data-count="notices_undelivered">1<' in page
    assert "Retry what is stuck" not in page
    response = client_for(firm.partner).post(reverse("documents:quarter_retry", args=[quarter.code]))
    assert response.status_code == 403
    assert Notice.objects.get().status == "failed"


def test_the_outbox_lists_undelivered_e_mails_with_their_last_error_for_the_execution_group(
    firm, client_for, quarter, django_capture_on_commit_callbacks
):
    undelivered_notice(firm, quarter, error="SMTPAuthenticationError: (535, b'bad password')")
    undelivered_notice(firm, quarter, name="colleague", status="sent", error="")
    client = client_for(firm.executor)
    page = client.get(reverse("notifications:outbox"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "陈静" in page and "bad password" in page and "Not delivered" in page
    assert "刘洋" not in page  # delivered: not in the outbox
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notifications:outbox_retry"), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "1 notices will be sent again." in response.content.decode()
    assert set(Notice.objects.values_list("status", flat=True)) == {"sent"}
    assert "Every e-mail has been delivered" in (
        client.get(reverse("notifications:outbox"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


@pytest.mark.parametrize("persona", ["partner", "lawyer", "business_clerk"])
def test_the_outbox_is_for_the_execution_group_only(firm, client_for, quarter, persona):
    undelivered_notice(firm, quarter)
    client = client_for(getattr(firm, persona))
    assert client.get(reverse("notifications:outbox")).status_code == 403
    assert client.post(reverse("notifications:outbox_retry")).status_code == 403
    assert Notice.objects.get().status == "failed"
