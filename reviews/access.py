"""Who may see which scorecard: one helper that every scorecard page goes through."""

from django.http import Http404

from .models import Scorecard
from .roles import roles_of


def is_superior_of(profile, staff) -> bool:
    """The profile is the staff member's direct superior or above them in the reporting line."""
    seen = set()
    boss = staff.superior
    while boss is not None and boss.pk not in seen:
        if boss.pk == profile.pk:
            return True
        seen.add(boss.pk)
        boss = boss.superior
    return False


def get_scorecard_for_user(user, pk) -> Scorecard:
    """The scorecard if this user may see it, else Http404 (whether or not it exists).

    Regulation 四 (confidentiality of individual results): the execution and leadership groups see every
    scorecard; the person and their superiors up the reporting line see it once it is published; nobody else.
    """
    try:
        card = Scorecard.objects.select_related("staff__user", "staff__superior", "quarter", "department").get(pk=pk)
    except (Scorecard.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not user.is_authenticated:
        raise Http404
    roles = roles_of(user)
    if roles.is_organiser:
        return card
    profile = roles.profile
    published = card.status == Scorecard.Status.PUBLISHED
    if published and profile is not None and (card.staff_id == profile.pk or is_superior_of(profile, card.staff)):
        return card
    raise Http404
