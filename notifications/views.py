"""The notification list, the feedback batch's progress, retrying a document or whatever is stuck, the outbox,
and the private PDF downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications import selectors
from notifications.feedback import feedback_document_retry, quarter_retry_stuck
from notifications.models import FeedbackDocument, Notice
from notifications.outbox import notices_retry
from notifications.services import drain_after_commit, notification_mark_read, notifications_mark_all_read
from reviews.quarter_selectors import get_quarter_or_404
from reviews.roles import require

organisers_only = require(lambda roles: roles.is_organiser)
execution_only = require(lambda roles: roles.is_execution)


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_for(user=request.user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page_obj": page, "unread": selectors.unread_count(user=request.user)},
    )


@require_POST
@login_required
def notification_read(request, pk):
    """Mark one notification read, then follow its link (or go back to the list)."""
    notification = notification_mark_read(notification=selectors.get_notification_for_user(request.user, pk))
    target = notification.url if request.POST.get("follow") else ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")


@require_POST
@login_required
def notification_read_all(request):
    count = notifications_mark_all_read(user=request.user)
    messages.success(request, _("%(n)d notifications marked as read.") % {"n": count})
    return redirect("notifications:list")


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
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The document is being rendered again."))
    return redirect("reviews:quarter", code=document.quarter.code)


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
    return redirect("reviews:quarter", code=quarter.code)


@execution_only
def outbox(request):
    """The e-mails the mail server has not accepted yet, with their last error."""
    page = Paginator(selectors.outbox_undelivered(), 50).get_page(request.GET.get("page"))
    return render(request, "notifications/outbox.html", {"page_obj": page})


@require_POST
@execution_only
def outbox_retry(request):
    """Every undelivered e-mail is due again now, with a fresh count of attempts."""
    count = notices_retry(notices=Notice.objects.all())
    if count:
        drain_after_commit()
    messages.success(request, _("%(n)d notices will be sent again.") % {"n": count})
    return redirect("notifications:outbox")


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
