"""Who holds each assessed person's interview (regulation 三.5), and the execution group's designations.

The rule, in one place: the interviewer of a person for a quarter is the interviewer the execution group designated
for that person and quarter (if still active), otherwise the direct superior (if active), otherwise nobody. Nobody
means the quarter cannot close (every published result needs a recorded interview), so the completeness board
and publication list such people, and the designation page fixes it. The interviewer has the superior's rights
for that interview: reads the person's published result, schedules and records the interview.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from interviews.models import Interview, InterviewerDesignation
from reviews.lifecycle import Setting
from reviews.models import Quarter, QuarterState, StaffProfile
from reviews.roles import roles_of
from reviews.services import quarter_setting_record

MAX_REASON = 2000


def _designations(quarter, staff_ids=None):
    rows = InterviewerDesignation.objects.filter(quarter=quarter, interviewer__active=True)
    if staff_ids is not None:
        rows = rows.filter(staff_id__in=list(staff_ids))
    return rows


def interviewers_of(quarter, people) -> dict:
    """{person id: their interviewer (StaffProfile) or None} for StaffProfiles read with select_related("superior")."""
    people = list(people)
    designated = {
        row.staff_id: row.interviewer
        for row in _designations(quarter, [p.pk for p in people]).select_related("interviewer__user")
    }
    result = {}
    for person in people:
        superior = person.superior
        result[person.pk] = designated.get(person.pk) or (
            superior if superior is not None and superior.active else None
        )
    return result


def interviewer_of(*, quarter, staff) -> StaffProfile | None:
    """The one person who holds this person's interview of the quarter, or None."""
    return interviewers_of(quarter, [staff])[staff.pk]


def may_interview(user, *, quarter, staff) -> bool:
    """The user is the person's interviewer for the quarter (the superior's rights for this interview)."""
    profile = getattr(user, "profile", None) if user.is_authenticated else None
    if profile is None:
        return False
    interviewer = interviewer_of(quarter=quarter, staff=staff)
    return interviewer is not None and interviewer.pk == profile.pk


def interviewees_q(*, quarter, profile, prefix="staff__") -> Q:
    """A filter, on a model whose `prefix` leads to a StaffProfile, of the people this profile interviews."""
    designation = InterviewerDesignation.objects.filter(
        quarter=quarter, staff=OuterRef(f"{prefix}pk" if prefix else "pk"), interviewer__active=True
    )
    return Q(Exists(designation.filter(interviewer=profile))) | (
        Q(**{f"{prefix}superior": profile}) & ~Q(Exists(designation))
    )


def people_without_interviewer(quarter, people) -> list[StaffProfile]:
    """The people of a StaffProfile queryset with nobody to interview them, by name: one query, whatever the firm.

    The same rule as interviewers_of: no designation with an active interviewer, and no active direct superior."""
    designated = InterviewerDesignation.objects.filter(quarter=quarter, staff=OuterRef("pk"), interviewer__active=True)
    nobody = ~Q(Exists(designated)) & (Q(superior__isnull=True) | Q(superior__active=False))
    return list(people.filter(nobody).order_by("full_name"))


def designation_page(*, quarter, people):
    """Rows for the designation page: each assessed person, their superior, designation and effective interviewer."""
    people = list(people)
    designations = {
        row.staff_id: row
        for row in InterviewerDesignation.objects.filter(
            quarter=quarter, staff__in=[p.pk for p in people]
        ).select_related("interviewer__user", "designated_by__profile")
    }
    found = interviewers_of(quarter, people)
    rows = [
        {"person": person, "designation": designations.get(person.pk), "interviewer": found[person.pk]}
        for person in people
    ]
    # The people nobody interviews first, then the designations, then everyone else; by name within each.
    rows.sort(key=lambda row: (row["interviewer"] is not None, row["designation"] is None, row["person"].full_name))
    return rows


# --- The designation ----------------------------------------------------------------------------------------


def interviewer_designate(*, quarter, staff, interviewer, by, reason) -> InterviewerDesignation:
    """The execution group designates who interviews one person for the quarter (replacing any earlier choice).

    Refused: for anyone outside the execution group (PermissionDenied); for one's own interview (nobody chooses
    their own interviewer); an interviewer who is the person, has left, or is missing a reason; once the person's
    interview is recorded, or the quarter is closed. The quarter's history records each designation.
    """
    if not roles_of(by).is_execution:
        raise PermissionDenied(_("Only the execution group designates interviewers."))
    own = getattr(by, "profile", None)
    reason = (reason or "").strip()
    errors = {}
    if own is not None and own.pk == staff.pk:
        errors["person"] = _("You cannot choose your own interviewer; another member of the execution group does.")
    elif interviewer is None:
        errors["interviewer"] = _("Choose the interviewer.")
    elif interviewer.pk == staff.pk:
        errors["interviewer"] = _("A person cannot interview themselves.")
    elif not interviewer.active:
        errors["interviewer"] = _("%(name)s is no longer active.") % {"name": interviewer.full_name}
    if not reason:
        errors["reason"] = _("Say why this person holds the interview.")
    elif len(reason) > MAX_REASON:
        errors["reason"] = _("At most %(n)d characters, please.") % {"n": MAX_REASON}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the quarter (as publication and closing do): a designation never lands in a closed quarter, and
        # publication's check sees it or not, never half of it.
        locked = Quarter.objects.select_for_update().get(pk=quarter.pk)
        if locked.state == QuarterState.CLOSED:
            raise ValidationError(
                _("The quarter %(quarter)s is closed: its interviews are read-only. Nothing was changed.")
                % {"quarter": locked.code}
            )
        if Interview.objects.filter(quarter=locked, staff=staff, recorded_at__isnull=False).exists():
            raise ValidationError(
                _("The interview of %(name)s is already recorded; its interviewer can no longer change.")
                % {"name": staff.full_name}
            )
        designation, _created = InterviewerDesignation.objects.update_or_create(
            quarter=locked,
            staff=staff,
            defaults={
                "interviewer": interviewer,
                "reason": reason,
                "designated_by": by,
                "designated_at": timezone.now(),
            },
        )
        # The history is written in the firm's language, like the record it belongs to.
        with translation.override(settings.LANGUAGE_CODE):
            comment = _("%(person)s is interviewed by %(interviewer)s: %(reason)s") % {
                "person": staff.full_name,
                "interviewer": interviewer.full_name,
                "reason": reason,
            }
        quarter_setting_record(
            quarter=locked, action=Setting.INTERVIEWER, by=by, at=designation.designated_at, comment=comment
        )
    return designation
