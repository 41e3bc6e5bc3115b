"""The feedback interview after publication (regulation 三.5): schedule, record, acknowledge, and who is late.

Regulation 三.5: the direct superior holds a face-to-face interview within one week of the result — strengths,
weaknesses, an improvement plan agreed together, and the goals for the next period.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from results.models import Scorecard
from reviews.access import is_superior_of
from reviews.deadlines import interview_due_on
from reviews.interviewers import interviewees_q, may_interview
from reviews.models import ImprovementItem, Interview, Quarter, QuarterState, StaffProfile
from reviews.roles import roles_of

# Quarters whose results people can read; a closed quarter is read-only.
PUBLISHED_STATES = (QuarterState.PUBLISHED, QuarterState.CLOSED)


@dataclass(frozen=True)
class PlanItem:
    """One line of the improvement plan as the superior enters it."""

    description: str
    owner: StaffProfile
    due_on: datetime.date


def interview_is_overdue(*, quarter, interview, today) -> bool:
    """Not held (recorded) and the deadline has passed."""
    due = interview_due_on(quarter)
    if due is None or today <= due:
        return False
    return interview is None or not interview.is_recorded


def interview_status(interview):
    """A short label for lists: not scheduled, scheduled, recorded, acknowledged."""
    if interview is None:
        return _("Not scheduled")
    if interview.is_acknowledged:
        return _("Acknowledged")
    if interview.is_recorded:
        return _("Recorded")
    return _("Scheduled")


def _profile(user):
    return getattr(user, "profile", None) if user.is_authenticated else None


def get_interview_for_user(user, pk) -> Interview:
    """The interview if the user may read it: organisers, the person, the person's superiors and their current
    interviewer (reviews.interviewers); else 404."""
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
    profile = _profile(user)
    if profile is None:
        raise Http404
    if profile.pk in (interview.staff_id, interview.superior_id) or is_superior_of(profile, interview.staff):
        return interview
    # A designated interviewer reads the interview they now hold, even one scheduled by someone before them.
    if may_interview(user, quarter=interview.quarter, staff=interview.staff):
        return interview
    raise Http404


def _require_interviewer(*, quarter, staff, by):
    """The person's interviewer (reviews.interviewers: the direct superior, or the one designated) or refuse."""
    if not may_interview(by, quarter=quarter, staff=staff):
        raise PermissionDenied(
            _(
                "Only the person's interviewer holds the interview: the direct superior, or the interviewer "
                "the execution group designated."
            )
        )
    return _profile(by)


def interviews_open(quarter) -> bool:
    """Interviews are scheduled, recorded and acknowledged while the quarter is published, not before or after."""
    return quarter.state == QuarterState.PUBLISHED


def interviews_closed_reason(quarter) -> str:
    """Why the quarter's interviews cannot change: closed (issue 4 §1: read-only) or not yet published."""
    if quarter.state == QuarterState.CLOSED:
        return _("The quarter %(quarter)s is closed: its interviews are read-only. Nothing was changed.") % {
            "quarter": quarter.code
        }
    return _("The results of %(quarter)s are not published: there are no interviews yet.") % {"quarter": quarter.code}


def _lock_open_quarter(quarter_id) -> Quarter:
    """Lock the quarter's row and check its interviews may still change; call first inside the atomic block.

    Locking the quarter (before the interview or scorecard, the order quarter_close and quarter_publish use) makes
    an interview write and the closing of its quarter wait for each other: none lands in a closed quarter.
    """
    quarter = Quarter.objects.select_for_update().get(pk=quarter_id)
    if not interviews_open(quarter):
        raise ValidationError(interviews_closed_reason(quarter))
    return quarter


def interview_schedule(*, scorecard, by, scheduled_at, place) -> Interview:
    """Fix (or move) the interview's date, time and place; only before it is recorded."""
    profile = _require_interviewer(quarter=scorecard.quarter, staff=scorecard.staff, by=by)
    errors = {}
    if scheduled_at is None or scheduled_at <= timezone.now():
        errors["scheduled_at"] = _("Choose a date and time in the future.")
    place = (place or "").strip()
    if not place:
        errors["place"] = _("Say where the interview takes place.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock_open_quarter(scorecard.quarter_id)
        # Lock the scorecard row: two clicks on "schedule" must not create two interviews for the person.
        locked = Scorecard.objects.select_for_update().select_related("quarter").get(pk=scorecard.pk)
        if locked.status != Scorecard.Status.PUBLISHED or not locked.is_current:
            raise ValidationError(_("Only a published scorecard leads to an interview."))
        interview = Interview.objects.filter(quarter=locked.quarter, staff=locked.staff_id).first()
        if interview is None:
            return Interview.objects.create(
                quarter=locked.quarter,
                staff_id=locked.staff_id,
                superior=profile,
                scheduled_at=scheduled_at,
                place=place,
                scheduled_by=by,
            )
        if interview.is_recorded:
            raise ValidationError(_("This interview has already been recorded; it cannot be moved."))
        interview.scheduled_at = scheduled_at
        interview.place = place
        interview.superior = profile
        interview.scheduled_by = by
        interview.save(update_fields=["scheduled_at", "place", "superior", "scheduled_by"])
        return interview


def interview_record(*, interview, by, held_at, strengths, weaknesses, goals, items) -> Interview:
    """Write the interview down once: strengths, weaknesses, the improvement plan and next quarter's goals."""
    _require_interviewer(quarter=interview.quarter, staff=interview.staff, by=by)
    now = timezone.now()
    errors = {}
    for field, value in (("strengths", strengths), ("weaknesses", weaknesses), ("goals", goals)):
        if not (value or "").strip():
            errors[field] = _("This field is required.")
    if held_at is None or held_at > now:
        errors["held_at"] = _("The interview must have taken place already.")
    elif interview.quarter.published_at and held_at < interview.quarter.published_at:
        errors["held_at"] = _("The interview cannot have taken place before the results were published.")
    items = list(items)
    if not items:
        errors.setdefault("__all__", []).append(_("Add at least one improvement item."))
    allowed_owners = {interview.staff_id, interview.superior_id}
    for item in items:
        if not item.description.strip():
            errors.setdefault("__all__", []).append(_("Every improvement item needs a description."))
        if item.owner.pk not in allowed_owners:
            errors.setdefault("__all__", []).append(_("An item's owner is the person or the superior."))
        if item.due_on < timezone.localdate(now):
            errors.setdefault("__all__", []).append(_("An item's due date cannot be in the past."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock_open_quarter(interview.quarter_id)
        # Lock the interview: a double click or a second tab must not record it twice or mix two plans.
        locked = Interview.objects.select_for_update().select_related("quarter").get(pk=interview.pk)
        if locked.is_recorded:
            raise ValidationError(_("This interview has already been recorded."))
        locked.held_at = held_at
        locked.strengths = strengths.strip()
        locked.weaknesses = weaknesses.strip()
        locked.goals = goals.strip()
        locked.recorded_by = by
        locked.recorded_at = now
        locked.save(update_fields=["held_at", "strengths", "weaknesses", "goals", "recorded_by", "recorded_at"])
        ImprovementItem.objects.bulk_create(
            ImprovementItem(
                interview=locked, description=item.description.strip(), owner=item.owner, due_on=item.due_on
            )
            for item in items
        )
    return locked


def interview_acknowledge(*, interview, by, comment) -> Interview:
    """The assessed person confirms having read the record, with a comment."""
    profile = _profile(by)
    if profile is None or profile.pk != interview.staff_id:
        raise PermissionDenied(_("Only the assessed person acknowledges the interview."))
    with transaction.atomic():
        _lock_open_quarter(interview.quarter_id)
        # Lock the interview: the first acknowledgement stands, a second one is refused, not overwritten.
        locked = Interview.objects.select_for_update().get(pk=interview.pk)
        if not locked.is_recorded:
            raise ValidationError(_("The interview has not been recorded yet."))
        if locked.is_acknowledged:
            raise ValidationError(_("You have already acknowledged this interview."))
        locked.acknowledged_at = timezone.now()
        locked.acknowledgement_comment = (comment or "").strip()
        locked.save(update_fields=["acknowledged_at", "acknowledgement_comment"])
    return locked


# --- Following up the improvement plan ---------------------------------------------------------------------
#
# The rule: quarter N's improvement items are worked on during quarter N+1, after N's interviews and usually after
# N itself is closed (closing N freezes its interviews, not the follow-up of their plans). So an item may be marked
# done or not done as long as the NEXT quarter is not closed: N+1's scorecard shows the items (regulation 三.5), and
# once N+1 is closed its picture of the follow-up is final too. A quarter N+1 not created yet is not closed.


def _next_quarter_key(quarter) -> tuple[int, int]:
    return (quarter.year + 1, 1) if quarter.number == 4 else (quarter.year, quarter.number + 1)


def follow_up_is_open(quarter) -> bool:
    """The improvement items of this quarter's interviews can still be ticked (the next quarter is not closed)."""
    year, number = _next_quarter_key(quarter)
    return not Quarter.objects.filter(year=year, number=number, state=QuarterState.CLOSED).exists()


def may_tick_item(*, item, interview, profile) -> bool:
    """The item's owner and the superior who held the interview follow the plan up; the groups only read it."""
    return profile is not None and profile.pk in (item.owner_id, interview.superior_id)


def improvement_item_set_done(*, item, by, done: bool) -> ImprovementItem:
    """Mark one improvement item done or not done (the owner or the interview's superior), while the follow-up is open.

    Sets the state the button showed rather than flipping it, so a double click or a second tab changes nothing
    more. Raises PermissionDenied for anybody else and ValidationError once the next quarter is closed.
    """
    interview = Interview.objects.select_related("quarter").get(pk=item.interview_id)
    if not may_tick_item(item=item, interview=interview, profile=_profile(by)):
        raise PermissionDenied(_("Only the item's owner and the superior who held the interview mark it done."))
    year, number = _next_quarter_key(interview.quarter)
    with transaction.atomic():
        # Lock the next quarter's row, if it exists: its closing and this change wait for each other.
        following = Quarter.objects.select_for_update().filter(year=year, number=number).first()
        if following is not None and following.state == QuarterState.CLOSED:
            raise ValidationError(
                _(
                    "The follow-up of the %(quarter)s interviews ended when %(next)s was closed: the improvement "
                    "plan can no longer change. Nothing was changed."
                )
                % {"quarter": interview.quarter.code, "next": following.code}
            )
        locked = ImprovementItem.objects.select_for_update().get(pk=item.pk)
        if locked.done != bool(done):
            locked.done = bool(done)
            locked.save(update_fields=["done"])
    return locked


# --- Reads -----------------------------------------------------------------------------------------------


@dataclass
class InterviewRow:
    scorecard: Scorecard
    interview: Interview | None
    due_on: datetime.date | None
    overdue: bool

    @property
    def status(self):
        return interview_status(self.interview)

    @property
    def days_left(self):
        if self.due_on is None:
            return None
        return (self.due_on - timezone.localdate()).days


def _rows(scorecards, quarter_by_pk, *, today):
    scorecards = list(scorecards)
    interviews = {
        (i.quarter_id, i.staff_id): i
        for i in Interview.objects.filter(
            quarter__in=list(quarter_by_pk), staff__in=[s.staff_id for s in scorecards]
        ).select_related("superior")
    }
    rows = []
    for scorecard in scorecards:
        quarter = quarter_by_pk[scorecard.quarter_id]
        interview = interviews.get((scorecard.quarter_id, scorecard.staff_id))
        rows.append(
            InterviewRow(
                scorecard=scorecard,
                interview=interview,
                due_on=interview_due_on(quarter),
                overdue=interview_is_overdue(quarter=quarter, interview=interview, today=today),
            )
        )
    return rows


def published_quarters():
    return Quarter.objects.filter(state__in=PUBLISHED_STATES, published_at__isnull=False)


def team_page(*, user, quarter_pk=None, today=None):
    """The published scorecards of one quarter of the people this user interviews (direct reports, and anyone the
    execution group designated them for), with interview status and deadline."""
    profile = _profile(user)
    today = today or timezone.localdate()
    quarters = list(published_quarters())
    quarter = next((q for q in quarters if str(q.pk) == str(quarter_pk)), None) if quarter_pk else None
    if quarter_pk and quarter is None:
        raise Http404
    quarter = quarter or (quarters[0] if quarters else None)
    rows = []
    if profile is not None and quarter is not None:
        scorecards = (
            Scorecard.objects.filter(
                interviewees_q(quarter=quarter, profile=profile),
                quarter=quarter,
                status=Scorecard.Status.PUBLISHED,
                is_current=True,
            )
            .select_related("staff", "department")
            .order_by("staff__full_name")
        )
        rows = _rows(scorecards, {quarter.pk: quarter}, today=today)
    return {
        "quarter": quarter,
        "quarters": quarters,
        "rows": rows,
        "due_on": interview_due_on(quarter) if quarter else None,
        "quarter_open": quarter is not None and quarter.state == QuarterState.PUBLISHED,
    }


def quarter_interviews_page(*, quarter_pk=None, overdue_only=False, today=None):
    """The execution group's list of a quarter's interviews; with overdue_only, those not held in time."""
    today = today or timezone.localdate()
    quarters = list(published_quarters())
    if quarter_pk:
        quarter = next((q for q in quarters if str(q.pk) == str(quarter_pk)), None)
        if quarter is None:
            raise Http404
    else:
        quarter = quarters[0] if quarters else None
    rows = []
    if quarter is not None:
        scorecards = (
            Scorecard.objects.filter(quarter=quarter, status=Scorecard.Status.PUBLISHED, is_current=True)
            .select_related("staff__superior", "department")
            .order_by("department__code", "staff__full_name")
        )
        rows = _rows(scorecards, {quarter.pk: quarter}, today=today)
        if overdue_only:
            rows = [row for row in rows if row.overdue]
    return {
        "quarter": quarter,
        "quarters": quarters,
        "rows": rows,
        "overdue_only": overdue_only,
        "due_on": interview_due_on(quarter) if quarter else None,
        "overdue_count": sum(1 for row in rows if row.overdue),
    }


def overdue_interviews(*, today=None):
    """Every published quarter's people whose interview was not held in time (for dashboards and reminders)."""
    today = today or timezone.localdate()
    quarters = {q.pk: q for q in Quarter.objects.filter(state=QuarterState.PUBLISHED, published_at__isnull=False)}
    late = {pk: q for pk, q in quarters.items() if (due := interview_due_on(q)) is not None and today > due}
    if not late:
        return []
    scorecards = (
        Scorecard.objects.filter(quarter__in=list(late), status=Scorecard.Status.PUBLISHED, is_current=True)
        .select_related("staff__superior", "quarter")
        .order_by("quarter", "staff__full_name")
    )
    return [row for row in _rows(scorecards, late, today=today) if row.overdue]
