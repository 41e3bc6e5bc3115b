"""Who may see which scorecard: one helper that every scorecard page goes through."""

from django.http import Http404

from results.models import Scorecard
from reviews.models import InterviewerDesignation
from reviews.roles import roles_of


def is_superior_of(profile, staff) -> bool:
    """The profile is the staff member's direct superior or above them in the reporting line."""
    return _is_above(staff, lambda boss: boss.pk == profile.pk)


def _is_above(staff, is_reader) -> bool:
    seen = set()
    boss = staff.superior
    while boss is not None and boss.pk not in seen:
        if is_reader(boss):
            return True
        seen.add(boss.pk)
        boss = boss.superior
    return False


def get_scorecard_for_user(user, pk) -> Scorecard:
    """The scorecard if this user may see it, else Http404 (whether or not it exists).

    Regulation 四 (confidentiality of individual results): the execution and leadership groups see every
    scorecard; the person, their superiors up the reporting line and an interviewer designated for them that
    quarter see it once it is published; nobody else.
    """
    try:
        card = Scorecard.objects.select_related("staff__superior", "quarter", "department").get(pk=pk)
    except (Scorecard.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not user.is_authenticated:
        raise Http404
    if roles_of(user).is_organiser:
        return card
    # By user id: the staff and their superiors are read with the card, so the reader's own profile is not needed.
    is_reader = lambda person: person.user_id == user.pk  # noqa: E731
    published = card.status == Scorecard.Status.PUBLISHED
    if published and (is_reader(card.staff) or _is_above(card.staff, is_reader)):
        return card
    # Regulation 三.5: the interviewer the execution group designated reads the result they discuss.
    if (
        published
        and InterviewerDesignation.objects.filter(
            quarter_id=card.quarter_id, staff_id=card.staff_id, interviewer__user_id=user.pk, interviewer__active=True
        ).exists()
    ):
        return card
    raise Http404
