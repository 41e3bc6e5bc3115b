"""Reads behind the feedback documents: the batch's progress and who may download which document."""

from django.db.models import Count, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from documents.feedback import feedback_stuck_q
from documents.models import FeedbackDocument
from interviews.access import get_scorecard_for_user
from notifications.models import Notice
from notifications.selectors import UNDELIVERED
from reviews.roles import roles_of


def feedback_progress(*, quarter) -> dict:
    """done / total / failed of the quarter's current documents, the failed ones to retry, and what "Retry what
    is stuck" would retry."""
    documents = FeedbackDocument.objects.filter(quarter=quarter)
    counts = documents.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=FeedbackDocument.Status.DONE)),
        failed=Count("pk", filter=Q(status=FeedbackDocument.Status.FAILED)),
        running=Count("pk", filter=Q(status=FeedbackDocument.Status.RUNNING)),
    )
    failed = (
        documents.filter(status=FeedbackDocument.Status.FAILED)
        .select_related("scorecard__staff")
        .order_by("kind", "scorecard__staff__full_name")
    )
    delivery = quarter_delivery(quarter=quarter)
    return {
        **counts,
        "documents_to_retry": delivery["documents_to_retry"],
        "notices_undelivered": delivery["notices_undelivered"],
        "finished": counts["total"] > 0 and counts["done"] + counts["failed"] == counts["total"],
        "failures": [
            {
                "id": document.pk,
                "name": (
                    document.scorecard.staff.full_name if document.scorecard_id else str(document.get_kind_display())
                ),
                "error": document.error[:300],
                "retry_url": reverse("documents:feedback_retry", args=[document.pk]),
            }
            for document in failed
        ],
    }


def get_document_for_user(user, pk) -> FeedbackDocument:
    """A finished document if the user may read it, else 404.

    Feedback follows its scorecard (reviews.access: the owner, the owner's superiors, execution and leadership
    groups); the report is for the execution and leadership groups only.
    """
    document = FeedbackDocument.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if document is None or not user.is_authenticated:
        raise Http404
    if document.kind == FeedbackDocument.Kind.REPORT:
        if not roles_of(user).is_organiser:
            raise Http404
    else:
        get_scorecard_for_user(user, document.scorecard_id)
    if document.status != FeedbackDocument.Status.DONE or not document.file:
        raise Http404
    return document


def latest_feedback_for_user(user, scorecard_pk) -> FeedbackDocument:
    """The newest finished feedback document of a scorecard the user may see, else 404."""
    scorecard = get_scorecard_for_user(user, scorecard_pk)
    document = (
        FeedbackDocument.objects.filter(
            scorecard=scorecard, kind=FeedbackDocument.Kind.FEEDBACK, status=FeedbackDocument.Status.DONE
        )
        .exclude(file="")
        .order_by("-version", "-pk")
        .first()
    )
    if document is None:
        raise Http404
    return document


def quarter_delivery(*, quarter, now=None) -> dict:
    """What "Retry what is stuck" would retry on the quarter page: failed or stuck documents, undelivered notices
    (waiting for another attempt, or given up), and the notices given up with their last error."""
    now = now or timezone.now()
    documents = FeedbackDocument.objects.filter(quarter=quarter).filter(
        Q(status=FeedbackDocument.Status.FAILED) | feedback_stuck_q(now)
    )
    notices = Notice.objects.filter(quarter=quarter, status__in=UNDELIVERED)
    counts = notices.aggregate(
        undelivered=Count("pk"),
        given_up=Count("pk", filter=Q(status=Notice.Status.FAILED)),
        retrying=Count("pk", filter=Q(status=Notice.Status.PENDING, attempts__gt=0)),
    )
    return {
        "documents_to_retry": documents.count(),
        "notices_undelivered": counts["undelivered"],
        "notices_given_up": counts["given_up"],
        "notices_retrying": counts["retrying"],
        "problems": list(
            notices.filter(attempts__gt=0).select_related("recipient__profile").order_by("-attempts", "pk")[:10]
        ),
    }
