"""Who may read a scorecard (regulation 四) and an interview (三.5): the two groups, the person, those above them
in the reporting line, and whoever holds their interview; everything else is a 404."""

from django.http import Http404

from interviews.interviewers import may_interview
from interviews.models import Interview, InterviewerDesignation
from results.models import Scorecard
from reviews.access import is_above, is_superior_of
from reviews.roles import roles_of


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
    if published and (is_reader(card.staff) or is_above(card.staff, is_reader)):
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


def profile_of(user):
    return getattr(user, "profile", None) if user.is_authenticated else None


def get_interview_for_user(user, pk) -> Interview:
    """The interview if the user may read it: organisers, the person, the person's superiors and their current
    interviewer (interviews.interviewers); else 404."""
    interview = (
        Interview.objects.select_related(
            "quarter", "staff__user", "staff__department", "staff__superior", "superior", "recorded_by"
        )
        .filter(pk=pk)
        .first()
    )
    if interview is None or not user.is_authenticated:
        raise Http404
    roles = roles_of(user)
    if roles.is_organiser:
        return interview
    profile = profile_of(user)
    if profile is None:
        raise Http404
    if profile.pk in (interview.staff_id, interview.superior_id) or is_superior_of(profile, interview.staff):
        return interview
    # A designated interviewer reads the interview they now hold, even one scheduled by someone before them.
    if may_interview(user, quarter=interview.quarter, staff=interview.staff):
        return interview
    raise Http404
