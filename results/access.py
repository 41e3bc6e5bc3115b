"""Who may see a correction: the execution and leadership groups (regulation 二.1, 二.2), nobody else (404)."""

from django.http import Http404

from results.models import Correction
from reviews.roles import roles_of


def get_correction_for_user(user, pk) -> Correction:
    """The correction if this user may read it, else Http404 (whether or not it exists).

    A correction shows several people's results before and after: only the two groups read it.
    """
    if not user.is_authenticated or not roles_of(user).is_organiser:
        raise Http404
    try:
        return Correction.objects.select_related("quarter", "subject__user", "prepared_by__profile").get(pk=pk)
    except (Correction.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
