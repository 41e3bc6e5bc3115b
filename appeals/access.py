"""Who may see an appeal: the appellant, the execution group and the leadership group. For anyone else the appeal
and its attachments do not exist (404)."""

from django.http import Http404

from appeals.models import Appeal, AppealAttachment
from reviews.roles import roles_of


def may_see(user, appeal) -> bool:
    if not user.is_authenticated:
        return False
    return user.pk == appeal.appellant_id or roles_of(user).is_organiser


def get_appeal_for_user(user, pk) -> Appeal:
    """The appeal if this user may see it, else Http404 (whether or not it exists)."""
    try:
        appeal = Appeal.objects.select_related(
            "quarter", "staff__user", "scorecard", "handler__profile", "decided_by__profile", "appellant"
        ).get(pk=pk)
    except (Appeal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not may_see(user, appeal):
        raise Http404
    return appeal


def get_attachment_for_user(user, appeal_pk, pk) -> AppealAttachment:
    """An attachment of an appeal the user may see; 404 otherwise, and for an attachment of another appeal."""
    appeal = get_appeal_for_user(user, appeal_pk)
    try:
        return AppealAttachment.objects.get(pk=pk, appeal=appeal)
    except (AppealAttachment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
