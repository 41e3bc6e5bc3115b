"""Who may read a person's goals (regulation 四, confidentiality: as their scorecards): the person, those above them
in the reporting line, and the two groups; everyone else gets a 404."""

from django.http import Http404

from reviews.access import is_above
from reviews.models import StaffProfile
from reviews.roles import roles_of


def get_person_for_goals(user, pk) -> StaffProfile:
    """The person whose goal history this user may read, else Http404 (whether or not the person exists)."""
    if not user.is_authenticated:
        raise Http404
    try:
        person = StaffProfile.objects.select_related("superior__superior", "department").get(pk=pk)
    except (StaffProfile.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if roles_of(user).is_organiser or person.user_id == user.pk:
        return person
    if is_above(person, lambda boss: boss.user_id == user.pk):
        return person
    raise Http404
