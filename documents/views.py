"""The feedback batch's progress, retrying a document or whatever is stuck, and the private PDF downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from documents import interview_records, selectors
from documents.models import FeedbackDocument
from documents.retry import feedback_document_retry, quarter_retry_stuck
from interviews.access import get_interview_for_user
from lawfirm_kpi.text import sentences_join
from reviews.roles import require
from reviews.selectors import get_quarter_or_404

organisers_only = require(lambda roles: roles.is_organiser)
execution_only = require(lambda roles: roles.is_execution)


@organisers_only
def feedback_progress(request, code):
    """done / total / failed of the quarter's documents, polled by static/js/feedback-progress.js."""
    quarter = get_quarter_or_404(code)
    return JsonResponse(selectors.feedback_progress(quarter=quarter))


@require_POST
@execution_only
def feedback_retry(request, pk):
    document = get_object_or_404(FeedbackDocument.objects.select_related("quarter"), pk=pk)
    try:
        feedback_document_retry(document=document, by=request.user)
    except ValidationError as error:
        messages.error(request, sentences_join(error.messages))
    else:
        messages.success(request, _("The document is being rendered again."))
    return redirect("portal:quarter", code=document.quarter.code)


@require_POST
@execution_only
def quarter_retry(request, code):
    """Retry what is stuck: every failed or stuck document and every undelivered notice of the quarter."""
    quarter = get_quarter_or_404(code)
    retried = quarter_retry_stuck(quarter=quarter, by=request.user)
    if retried.documents or retried.notices:
        messages.success(
            request,
            _("Queued again: %(documents)d documents and %(notices)d notices of %(quarter)s.")
            % {"documents": retried.documents, "notices": retried.notices, "quarter": quarter.code},
        )
    else:
        messages.info(request, _("Nothing of %(quarter)s is stuck.") % {"quarter": quarter.code})
    return redirect("portal:quarter", code=quarter.code)


def _pdf_response(document):
    if document.scorecard_id:
        name = f"feedback-{document.quarter.code}-{document.scorecard.staff.user.username}-v{document.version}.pdf"
    else:
        name = f"report-{document.quarter.code}-v{document.version}.pdf"
    response = FileResponse(document.file.open("rb"), content_type="application/pdf", filename=name)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def feedback_pdf(request, pk):
    """One document; 404 for anyone who may not see its scorecard (or, for the report, is no organiser)."""
    return _pdf_response(selectors.get_document_for_user(request.user, pk))


@login_required
def scorecard_feedback_pdf(request, pk):
    """The newest finished feedback document of a scorecard."""
    return _pdf_response(selectors.latest_feedback_for_user(request.user, pk))


@login_required
def interview_record_pdf(request, pk):
    """The interview's printable record, to sign (regulation 三.5); readable by exactly those who read the interview
    page (interviews.access.get_interview_for_user: 404 for anyone else)."""
    interview = get_interview_for_user(request.user, pk)
    if not interview.is_recorded:
        messages.info(request, _("The interview is not recorded yet: its record can be printed once it is."))
        return redirect("interviews:interview", pk=interview.pk)
    name = interview_records.interview_record_filename(interview)
    content = interview_records.interview_record_pdf(interview, reader=request.user)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
