"""Reads behind the notification list, the bell, the batch's progress and the document downloads."""

from django.db.models import Count, Q
from django.http import Http404
from django.urls import reverse

from reviews.access import get_scorecard_for_user
from reviews.roles import roles_of

from .models import FeedbackDocument, Notification


def notifications_for(*, user):
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def get_notification_for_user(user, pk) -> Notification:
    """The user's own notification, else 404 (someone else's does not exist for them)."""
    notification = Notification.objects.filter(pk=pk, user=user).first() if user.is_authenticated else None
    if notification is None:
        raise Http404
    return notification


def feedback_progress(*, quarter) -> dict:
    """done / total / failed of the quarter's current documents, and the failed ones to retry."""
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
    return {
        **counts,
        "finished": counts["total"] > 0 and counts["done"] + counts["failed"] == counts["total"],
        "failures": [
            {
                "id": document.pk,
                "name": (
                    document.scorecard.staff.full_name if document.scorecard_id else str(document.get_kind_display())
                ),
                "error": document.error[:300],
                "retry_url": reverse("notifications:feedback_retry", args=[document.pk]),
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
