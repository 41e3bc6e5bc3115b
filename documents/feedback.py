"""Written feedback documents (regulation 三.5: each person receives written feedback of their result) and the
execution group's report (二.2) as PDFs: prepared once per scorecard version, rendered by one task each.
"""

import base64
import datetime
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from documents import charts, pdf
from documents.models import FeedbackDocument
from documents.scorecards import scorecard_page
from notifications.services import notice_write
from results.models import Scorecard
from reviews.deadlines import appeal_window_ends_on, interview_due_on, local_date
from reviews.models import Quarter

ERROR_LENGTH = 2000


# --- The documents' content ------------------------------------------------------------------------------


def feedback_context(scorecard, *, today: datetime.date | None = None) -> dict:
    """What the feedback PDF shows; call it under translation.override(the person's language).

    The numbers are the scorecard page's own (documents.scorecards), so the paper and the screen agree.
    """
    today = today or timezone.localdate()
    page = scorecard_page(scorecard=scorecard, user=scorecard.staff.user, today=today)
    quarter = scorecard.quarter
    return {
        **page,
        # As images: WeasyPrint then sizes them like any picture (inline SVG with height:auto leaves a tall gap).
        "category_chart_uri": _svg_data_uri(page["category_chart"]),
        "trend_chart_uri": _svg_data_uri(page["trend_chart"]),
        "firm_name": settings.FIRM_NAME,
        "LANGUAGE_CODE": translation.get_language(),
        "position_label": scorecard.get_position_display(),
        "department_name": scorecard.department.name,
        "interview_due_on": interview_due_on(quarter),
        "appeal_until": appeal_window_ends_on(quarter),
        "appeal_decision_days": quarter.appeal_decision_days,
        "scorecard_link": settings.SITE_URL.rstrip("/") + reverse("portal:scorecard", args=[scorecard.pk]),
        "superior": scorecard.staff.superior,
        "issued_on": today,
    }


def _svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(charts.for_pdf(svg).encode("utf-8")).decode("ascii")


def feedback_html(scorecard, *, language: str | None = None) -> str:
    """The finished HTML of a person's feedback, in their language (the PDF's input)."""
    with translation.override(language or scorecard.staff.language):
        return pdf.render_html("pdf/feedback.html", feedback_context(scorecard))


def report_html(quarter, *, language: str | None = None) -> str:
    """The finished HTML of the execution group's report to the leadership group."""
    from documents.report import quarter_report

    with translation.override(language or settings.LANGUAGE_CODE):
        return pdf.render_html(
            "pdf/report.html",
            {
                "quarter": quarter,
                "report": quarter_report(quarter=quarter),
                "firm_name": settings.FIRM_NAME,
                "LANGUAGE_CODE": translation.get_language(),
            },
        )


def document_html(document) -> str:
    if document.kind == FeedbackDocument.Kind.REPORT:
        return report_html(document.quarter, language=document.language)
    scorecard = Scorecard.objects.select_related("staff__user", "staff__superior", "quarter", "department").get(
        pk=document.scorecard_id
    )
    return feedback_html(scorecard, language=document.language)


# --- The batch -------------------------------------------------------------------------------------------


def feedback_documents_create(*, quarter, scorecard_ids) -> list[int]:
    """One waiting document per given published scorecard version (a correction's new versions); their ids."""
    cards = Scorecard.objects.filter(pk__in=list(scorecard_ids), status=Scorecard.Status.PUBLISHED).select_related(
        "staff"
    )
    FeedbackDocument.objects.bulk_create(
        [
            FeedbackDocument(
                quarter=quarter,
                scorecard=card,
                kind=FeedbackDocument.Kind.FEEDBACK,
                version=card.version,
                language=card.staff.language,
            )
            for card in cards
        ],
        ignore_conflicts=True,
    )
    return list(
        FeedbackDocument.objects.filter(scorecard_id__in=list(scorecard_ids), status=FeedbackDocument.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def feedback_batch_prepare(*, quarter) -> list[int]:
    """One document per current published scorecard (and the report), created once; the ids still to render.

    Safe to run any number of times: existing documents are found by (scorecard, version), never duplicated.
    """
    cards = list(
        Scorecard.objects.filter(quarter=quarter, is_current=True, status=Scorecard.Status.PUBLISHED).select_related(
            "staff"
        )
    )
    FeedbackDocument.objects.bulk_create(
        [
            FeedbackDocument(
                quarter=quarter,
                scorecard=card,
                kind=FeedbackDocument.Kind.FEEDBACK,
                version=card.version,
                language=card.staff.language,
            )
            for card in cards
        ],
        ignore_conflicts=True,  # the unique (scorecard, version) keeps the first batch's rows
    )
    if not FeedbackDocument.objects.filter(quarter=quarter, kind=FeedbackDocument.Kind.REPORT).exists():
        FeedbackDocument.objects.bulk_create(
            [FeedbackDocument(quarter=quarter, kind=FeedbackDocument.Kind.REPORT, language=settings.LANGUAGE_CODE)],
            ignore_conflicts=True,
        )
    # The report first: it is the longest document to render, and queued last it would leave the other workers
    # idle at the end of the batch while one renders it alone.
    report_first = Case(When(kind=FeedbackDocument.Kind.REPORT, then=Value(0)), default=Value(1))
    return list(
        FeedbackDocument.objects.filter(quarter=quarter, status=FeedbackDocument.Status.PENDING)
        .order_by(report_first, "pk")
        .values_list("pk", flat=True)
    )


def _render_deadline() -> datetime.timedelta:
    """No render runs longer than its hard time limit: a document "rendering" for longer lost its worker."""
    return datetime.timedelta(seconds=settings.FEEDBACK_RENDER_TIME_LIMIT + 30)


def feedback_stuck_q(now) -> Q:
    """Waiting long after it was queued (FEEDBACK_STUCK_PENDING_AFTER, longer than a queue of renders and a retry's
    backoff: its message was lost), or rendering past the render's time limit (the worker was killed, or could
    not even record the failure)."""
    patience = now - datetime.timedelta(seconds=settings.FEEDBACK_STUCK_PENDING_AFTER)
    waiting = Q(status=FeedbackDocument.Status.PENDING, created_at__lt=patience) & (
        Q(started_at__isnull=True) | Q(started_at__lt=patience)
    )
    abandoned = Q(status=FeedbackDocument.Status.RUNNING, started_at__lt=now - _render_deadline())
    return waiting | abandoned


def feedback_stuck_documents(*, now: datetime.datetime | None = None) -> list[int]:
    """Documents to queue again (see feedback_stuck_q). One abandoned after its last attempt is marked failed
    instead, which tells the person their result is out without the link."""
    now = now or timezone.now()
    requeue = []
    stuck = FeedbackDocument.objects.filter(feedback_stuck_q(now)).values_list("pk", "status", "attempts")
    for pk, status, attempts in stuck:
        if status == FeedbackDocument.Status.RUNNING and attempts > settings.FEEDBACK_RENDER_MAX_RETRIES:
            feedback_document_failure(
                document_id=pk, error=_("The worker stopped while rendering this document."), final=True
            )
        else:
            requeue.append(pk)
    return requeue


def feedback_unfinished_exists() -> bool:
    """Some document is still waiting or rendering (the sweep keeps watching until none is)."""
    return FeedbackDocument.objects.filter(
        status__in=[FeedbackDocument.Status.PENDING, FeedbackDocument.Status.RUNNING]
    ).exists()


def feedback_quarters_missing_documents(*, now: datetime.datetime | None = None) -> list[int]:
    """Quarters published lately with published results that have no document: the batch's own message was
    lost (a broker restarted before delivering it). Running the batch again is harmless."""
    now = now or timezone.now()
    since = now - datetime.timedelta(seconds=settings.FEEDBACK_MISSING_WINDOW)
    return list(
        Scorecard.objects.filter(
            quarter__published_at__gte=since,
            quarter__published_at__lt=now - datetime.timedelta(seconds=settings.FEEDBACK_STUCK_PENDING_AFTER),
            is_current=True,
            status=Scorecard.Status.PUBLISHED,
            feedback_documents__isnull=True,
        )
        .order_by()
        .values_list("quarter_id", flat=True)
        .distinct()
    )


def feedback_document_render(*, document_id: int) -> FeedbackDocument:
    """Render one document to the private storage under a generated name; a done document is left alone.

    The task may be delivered twice (late acknowledgement, a lost worker): the status check under the row lock
    makes the second delivery a no-op.
    """
    with transaction.atomic():
        document = FeedbackDocument.objects.select_for_update().get(pk=document_id)
        if document.status == FeedbackDocument.Status.DONE:
            return document
        document.status = FeedbackDocument.Status.RUNNING
        document.attempts += 1
        document.started_at = timezone.now()
        document.save(update_fields=["status", "attempts", "started_at"])
    # WeasyPrint takes a second or more: outside the transaction, so the row is not locked meanwhile.
    content = pdf.html_to_pdf(document_html(document))
    name = default_storage.save(f"feedback/{document.quarter_id}/{uuid.uuid4().hex}.pdf", ContentFile(content))
    with transaction.atomic():
        document = FeedbackDocument.objects.select_for_update().get(pk=document_id)
        if document.status == FeedbackDocument.Status.DONE:
            # Another delivery of the same task won the race: keep its file, drop ours.
            default_storage.delete(name)
            return document
        document.file.name = name
        document.status = FeedbackDocument.Status.DONE
        document.error = ""
        document.finished_at = timezone.now()
        document.save(update_fields=["file", "status", "error", "finished_at"])
        if document.kind == FeedbackDocument.Kind.FEEDBACK:
            # The notice commits with the DONE status: a worker that dies right after cannot lose it.
            feedback_result_out_write(document_id=document.pk)
    return document


def feedback_document_failure(*, document_id: int, error: str, final: bool) -> FeedbackDocument | None:
    """Record a failed attempt: back to waiting while retries remain, failed after the last one."""
    with transaction.atomic():
        try:
            # get(), not first(): the default ordering joins the nullable scorecard, which FOR UPDATE refuses.
            document = FeedbackDocument.objects.select_for_update().get(pk=document_id)
        except FeedbackDocument.DoesNotExist:
            return None
        if document.status == FeedbackDocument.Status.DONE:
            return document
        document.status = FeedbackDocument.Status.FAILED if final else FeedbackDocument.Status.PENDING
        document.error = (error or "")[:ERROR_LENGTH]
        document.save(update_fields=["status", "error"])
        if final and document.kind == FeedbackDocument.Kind.FEEDBACK:
            # The result is out whatever became of the document: the person hears of it now, without the link
            # (a successful retry sends the link later, under the document's own key).
            feedback_result_out_write(document_id=document.pk)
    return document


def feedback_result_out_write(*, document_id: int) -> bool:
    """Tell the person, in the app and by e-mail in their language, that their result and written feedback are
    out, with the link. Called in the transaction that finishes (or gives up) the document.

    Once per document: the notice's key (day = publication day) stops a repeat. A document that failed for good
    still tells the person their result is out, without the link, once per scorecard.
    """
    document = FeedbackDocument.objects.select_related("scorecard__staff__user", "quarter").get(pk=document_id)
    scorecard = document.scorecard
    user = scorecard.staff.user
    quarter = document.quarter
    ready = document.status == FeedbackDocument.Status.DONE
    pdf_url = reverse("documents:feedback_pdf", args=[document.pk]) if ready else None
    scorecard_url = reverse("portal:scorecard", args=[scorecard.pk])

    def compose():
        title = _("Your result for %(quarter)s is out") % {"quarter": quarter.code}
        figures = {"quarter": quarter.code, "total": scorecard.total, "grade": scorecard.grade_label}
        if ready:
            body = (
                _(
                    "Your result and written feedback for %(quarter)s are published: total %(total)s, grade %(grade)s. "
                    "Read the feedback document and your scorecard in the system."
                )
                % figures
            )
        else:
            body = (
                _(
                    "Your result for %(quarter)s is published: total %(total)s, grade %(grade)s. Read your "
                    "scorecard in the system; the written feedback document follows when it is ready."
                )
                % figures
            )
        return title, body

    def context():
        return {
            "quarter": quarter,
            "scorecard": scorecard,
            "pdf_link": settings.SITE_URL.rstrip("/") + pdf_url if pdf_url else None,
            "scorecard_link": settings.SITE_URL.rstrip("/") + scorecard_url,
            "appeal_until": appeal_window_ends_on(quarter),
            "interview_due_on": interview_due_on(quarter),
        }

    notice = notice_write(
        user=user,
        kind="result_out",
        object_key=f"feedback:{document.pk}" if ready else f"result:{scorecard.pk}",
        day=local_date(quarter.published_at) or timezone.localdate(),
        compose=compose,
        url=pdf_url or scorecard_url,
        email_template="result_out",
        context=context,
        quarter=quarter,
    )
    return notice is not None


def quarter_for_batch(quarter_id) -> Quarter:
    return Quarter.objects.get(pk=quarter_id)
