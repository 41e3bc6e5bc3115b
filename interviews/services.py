"""The feedback interview after publication (regulation 三.5): schedule, record, acknowledge, follow the plan up.

Regulation 三.5: the direct superior holds a face-to-face interview within one week of the result — strengths,
weaknesses, an improvement plan agreed together, and the goals for the next period.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from goals.services import goal_drafts_problems, goals_agree
from interviews.access import profile_of
from interviews.interviewers import may_interview
from interviews.models import ImprovementItem, Interview
from results.models import Scorecard
from reviews.deadlines import local_date
from reviews.models import Quarter, QuarterState, StaffProfile


@dataclass(frozen=True)
class PlanItem:
    """One line of the improvement plan as the superior enters it."""

    description: str
    owner: StaffProfile
    due_on: datetime.date


def _require_interviewer(*, quarter, staff, by):
    """The person's interviewer (interviews.interviewers: the direct superior, or the one designated) or refuse."""
    if not may_interview(by, quarter=quarter, staff=staff):
        raise PermissionDenied(
            _(
                "Only the person's interviewer holds the interview: the direct superior, or the interviewer "
                "the execution group designated."
            )
        )
    return profile_of(by)


def interviews_open(quarter) -> bool:
    """Interviews are scheduled, recorded and acknowledged while the quarter is published, not before or after."""
    return quarter.state == QuarterState.PUBLISHED


def interviews_closed_reason(quarter) -> str:
    """Why the quarter's interviews cannot change: closed (read-only; docs/regulation.md, "The quarter's life") or not
    yet published."""
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


def interview_record(*, interview, by, held_at, strengths, weaknesses, goals, items, goal_drafts=()) -> Interview:
    """Write the interview down once: strengths, weaknesses, the improvement plan and next quarter's goals.

    The goals are the interview's text (its narrative) and, one by one, `goal_drafts` (goals.services): a numeric
    goal is measured on the next quarter's scorecard. The text may stay empty when goals are listed one by one.
    """
    _require_interviewer(quarter=interview.quarter, staff=interview.staff, by=by)
    now = timezone.now()
    errors = {}
    goal_drafts = list(goal_drafts)
    for field, value in (("strengths", strengths), ("weaknesses", weaknesses)):
        if not (value or "").strip():
            errors[field] = _("This field is required.")
    if not (goals or "").strip() and not goal_drafts:
        errors["goals"] = _("Write the goals for the next quarter, or list them one by one.")
    goal_problems = goal_drafts_problems(staff=interview.staff, quarter=interview.quarter, drafts=goal_drafts)
    if goal_problems:
        errors.setdefault("__all__", []).extend(goal_problems)
    if held_at is None or held_at > now:
        errors["held_at"] = _("The interview must have taken place already.")
    elif interview.quarter.published_at and local_date(held_at) < local_date(interview.quarter.published_at):
        # Regulation 三.5 counts the interview's week in calendar days from publication, in the firm's zone
        # (reviews.deadlines): any hour of the publication day itself is allowed.
        errors["held_at"] = _("The interview cannot be dated before %(date)s, the day the results were published.") % {
            "date": formats.date_format(local_date(interview.quarter.published_at), "DATE_FORMAT")
        }
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
        locked.goals = (goals or "").strip()
        locked.recorded_by = by
        locked.recorded_at = now
        locked.save(update_fields=["held_at", "strengths", "weaknesses", "goals", "recorded_by", "recorded_at"])
        ImprovementItem.objects.bulk_create(
            ImprovementItem(
                interview=locked, description=item.description.strip(), owner=item.owner, due_on=item.due_on
            )
            for item in items
        )
        if goal_drafts:
            goals_agree(interview=locked, drafts=goal_drafts, by=by, now=now)
    return locked


def interview_acknowledge(*, interview, by, comment) -> Interview:
    """The assessed person confirms having read the record, with a comment."""
    profile = profile_of(by)
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
    if not may_tick_item(item=item, interview=interview, profile=profile_of(by)):
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
