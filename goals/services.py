"""Writes of goals: agreeing them in the interview (regulation 三.5, the goals for the next period) and the
superior's verdict on a text goal in the next quarter's interview.

A numeric goal is tied to an indicator the person is assessed on; which scheme decides that, and why, is in
docs/goals.md ("Which indicators a goal may use").
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.models import Comparator, Goal, next_quarter_key
from indicators.models import Indicator, Scheme, SchemeItem
from lawfirm_kpi.text import sentences_join
from reviews.models import Position, Quarter, QuarterState

# More would no longer be a plan for one quarter.
MAX_GOALS = 10
DEFAULT_RATING_SCALE = 5
# The survey's fixed 1–5 scale (clients.models.SatisfactionSurvey), whatever the rating scale of the scheme.
SATISFACTION_SCALE = 5


@dataclass(frozen=True)
class GoalDraft:
    """One goal as the superior enters it: text alone, or an indicator with a target (comparison optional)."""

    description: str = ""
    indicator: Indicator | None = None
    comparator: str = ""
    target: Decimal | None = None


@dataclass(frozen=True)
class Applicable:
    """The indicators a person's goals may use, and the scheme they come from."""

    scheme: Scheme | None
    quarter_code: str
    position: str
    items: dict  # indicator id → SchemeItem

    @property
    def indicators(self) -> list[Indicator]:
        return [item.indicator for item in sorted(self.items.values(), key=lambda item: item.indicator.order)]

    @property
    def rating_scale(self) -> int:
        parameters = (self.scheme.parameters if self.scheme else None) or {}
        return int(parameters.get("rating_scale", DEFAULT_RATING_SCALE))


def applicable_indicators(*, staff, quarter) -> Applicable:
    """The indicators of the person's position in the scheme the goal will be measured by.

    The next quarter's approved scheme when there is one: that is the scorecard the goal is read from. Interviews
    are held in the first weeks of the next quarter, often before its scheme is approved (regulation 二.1); then the
    interview quarter's own approved scheme, which the next one is copied from (indicators.schemes), stands in.
    """
    year, number = next_quarter_key(quarter)
    scheme = (
        Scheme.objects.filter(quarter__year=year, quarter__number=number, status=Scheme.Status.APPROVED).first()
        or Scheme.objects.filter(quarter=quarter, status=Scheme.Status.APPROVED).first()
    )
    code = f"{year}Q{number}" if scheme is not None and scheme.quarter_id != quarter.pk else quarter.code
    items = {}
    if scheme is not None:
        items = {
            item.indicator_id: item
            for item in SchemeItem.objects.filter(scheme=scheme, position=staff.position).select_related("indicator")
        }
    return Applicable(scheme=scheme, quarter_code=code, position=staff.position, items=items)


def default_comparator(indicator) -> str:
    """≥ for an indicator where higher is better, ≤ where lower is (the complaint rate)."""
    return Comparator.AT_MOST if indicator.direction == Indicator.Direction.LOWER else Comparator.AT_LEAST


def _bounds(indicator, applicable) -> tuple[Decimal, Decimal | None, bool]:
    """(lowest, highest or None, whole numbers only) a value of the indicator can take, in its unit."""
    if indicator.unit == "clients":
        return Decimal(0), None, True
    if indicator.unit == "%":
        return Decimal(0), Decimal(100), False
    if indicator.unit == "score":
        top = SATISFACTION_SCALE if indicator.kind == Indicator.Kind.COMPUTED else applicable.rating_scale
        return Decimal(1), Decimal(top), False
    return Decimal(0), None, False


def _number(value) -> str:
    from indicators.numbers import plain_number

    return plain_number(value)


def _draft_problems(draft, applicable) -> list[str]:
    indicator = draft.indicator
    if indicator is None:
        if draft.target is not None or draft.comparator:
            return [_("Choose the indicator the target is measured on, or leave the target empty for a text goal.")]
        if not draft.description.strip():
            return [_("Write the goal, or choose an indicator and a target.")]
        return []
    if indicator.pk not in applicable.items:
        names = _(", ").join(str(i.name) for i in applicable.indicators) or _("none")
        return [
            sentences_join(
                [
                    _(
                        "%(indicator)s is not on the %(quarter)s scheme for the position %(position)s, so this "
                        "person's scorecard will not measure it."
                    )
                    % {
                        "indicator": indicator.name,
                        "quarter": applicable.quarter_code,
                        "position": Position(applicable.position).label,
                    },
                    _("A goal can use: %(names)s.") % {"names": names},
                ]
            )
        ]
    if draft.target is None:
        return [_("Give the target number for %(indicator)s.") % {"indicator": indicator.name}]
    if draft.comparator and draft.comparator not in Comparator.values:
        return [_("The comparison is “at least” (≥) or “at most” (≤).")]
    try:
        target = Decimal(draft.target)
    except (InvalidOperation, TypeError, ValueError):
        return [_("The target must be a number.")]
    lowest, highest, whole = _bounds(indicator, applicable)
    if not target.is_finite() or target < lowest or (highest is not None and target > highest):
        if highest is None:
            return [
                _("The target for %(indicator)s is at least %(low)s.")
                % {"indicator": indicator.name, "low": _number(lowest)}
            ]
        return [
            _("The target for %(indicator)s lies between %(low)s and %(high)s.")
            % {"indicator": indicator.name, "low": _number(lowest), "high": _number(highest)}
        ]
    if whole and target != target.to_integral_value():
        return [_("The target for %(indicator)s is a whole number.") % {"indicator": indicator.name}]
    if target.as_tuple().exponent < -2:
        return [_("Give the target with at most two decimals.")]
    comparator = draft.comparator or default_comparator(indicator)
    if (comparator == Comparator.AT_LEAST and target == lowest) or (
        comparator == Comparator.AT_MOST and highest is not None and target == highest
    ):
        return [
            _("A target of %(target)s for %(indicator)s is met whatever happens: set one that asks for something.")
            % {"target": _number(target), "indicator": indicator.name}
        ]
    return []


def goal_drafts_problems(*, staff, quarter, drafts) -> list[str]:
    """What is wrong with these goals for this person, one message per problem (empty when they can be saved)."""
    drafts = list(drafts)
    problems = []
    if len(drafts) > MAX_GOALS:
        problems.append(_("At most %(count)s goals can be agreed in one interview.") % {"count": MAX_GOALS})
    if not any(draft.indicator is not None for draft in drafts):
        return problems + [
            _("Goal %(n)s: %(problem)s") % {"n": n, "problem": problem}
            for n, draft in enumerate(drafts, start=1)
            for problem in _draft_problems(draft, Applicable(None, quarter.code, staff.position, {}))
        ]
    applicable = applicable_indicators(staff=staff, quarter=quarter)
    seen = set()
    for n, draft in enumerate(drafts, start=1):
        for problem in _draft_problems(draft, applicable):
            problems.append(_("Goal %(n)s: %(problem)s") % {"n": n, "problem": problem})
        if draft.indicator is not None:
            if draft.indicator.pk in seen:
                problems.append(
                    _("Goal %(n)s: %(indicator)s already has a goal; one target per indicator.")
                    % {"n": n, "indicator": draft.indicator.name}
                )
            seen.add(draft.indicator.pk)
    return problems


def goals_agree(*, interview, drafts, by, now: datetime.datetime | None = None) -> list[Goal]:
    """Save the goals agreed in the interview; called by the interview's record service inside its transaction.

    The caller has checked that `by` holds the interview (interviews.interviewers). Nothing is saved when any goal
    is wrong: the whole record is refused with the reasons.
    """
    drafts = list(drafts)
    staff = interview.staff
    if getattr(by, "pk", None) == staff.user_id:
        raise PermissionDenied(_("Nobody agrees goals with themselves."))
    problems = goal_drafts_problems(staff=staff, quarter=interview.quarter, drafts=drafts)
    if problems:
        raise ValidationError({"__all__": problems})
    now = now or timezone.now()
    return Goal.objects.bulk_create(
        Goal(
            interview=interview,
            quarter=interview.quarter,
            staff=staff,
            department_id=staff.department_id,
            description=draft.description.strip(),
            indicator=draft.indicator,
            comparator=(draft.comparator or default_comparator(draft.indicator)) if draft.indicator else "",
            target=Decimal(draft.target) if draft.indicator else None,
            created_by=by,
            created_at=now,
        )
        for draft in drafts
    )


def may_assess(*, goal, interview, profile) -> bool:
    """Regulation 三.5: the superior who holds the next quarter's interview judges a text goal; never the person."""
    return (
        profile is not None
        and not goal.is_numeric
        and profile.pk != goal.staff_id
        and interview is not None
        and interview.staff_id == goal.staff_id
        and profile.pk == interview.superior_id
    )


def goal_assess(*, goal, interview, met: bool, by) -> Goal:
    """The superior marks a text goal met or not met in the next quarter's interview, while that quarter is published.

    Sets the state the button showed rather than flipping it, so a double click changes nothing more.
    """
    profile = getattr(by, "profile", None) if by.is_authenticated else None
    unchanged = _("Nothing was changed.")
    if goal.is_numeric:
        raise ValidationError(
            sentences_join(
                [_("A goal tied to an indicator is measured by the published result, not marked by hand."), unchanged]
            )
        )
    if profile is not None and profile.pk == goal.staff_id:
        raise PermissionDenied(_("Nobody marks their own goals."))
    if (
        interview is None
        or interview.staff_id != goal.staff_id
        or (interview.quarter.year, interview.quarter.number) != next_quarter_key(goal.quarter)
    ):
        raise ValidationError(
            sentences_join([_("A goal is marked in the interview of the quarter it was set for."), unchanged])
        )
    if not may_assess(goal=goal, interview=interview, profile=profile):
        raise PermissionDenied(
            _("Only the superior who holds the %(quarter)s interview marks the goal.")
            % {"quarter": interview.quarter.code}
        )
    with transaction.atomic():
        # Lock the quarter the goal is for: its closing and this verdict wait for each other (a closed quarter's
        # picture of its goals is final, like its interviews).
        following = Quarter.objects.select_for_update().get(pk=interview.quarter_id)
        if following.state != QuarterState.PUBLISHED:
            if following.state == QuarterState.CLOSED:
                reason = _("%(quarter)s is closed: its goals can no longer be marked.")
            else:
                reason = _("The goals for %(quarter)s are marked once its results are published.")
            raise ValidationError(sentences_join([reason % {"quarter": following.code}, unchanged]))
        locked = Goal.objects.select_for_update().get(pk=goal.pk)
        if locked.met != bool(met):
            locked.met = bool(met)
            locked.assessed_by = by
            locked.assessed_at = timezone.now()
            locked.save(update_fields=["met", "assessed_by", "assessed_at"])
    return locked
