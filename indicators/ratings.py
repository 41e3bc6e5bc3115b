"""Writes of the rating rounds: who rates whom on the qualitative indicators, and the scores they give."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import (
    RESULTS_SUBMITTED_STATES,
    Indicator,
    RaterType,
    RatingAssignment,
    RatingRound,
    Scheme,
)
from reviews.models import Department, DepartmentKind, Quarter, StaffProfile
from reviews.roles import roles_of

DEFAULT_RATING_SCALE = 5
COMMUNICATION = "communication"
COLLABORATION = "collaboration"
# Departments whose clerks work with everyone and so rate cross-department collaboration (regulation 三.3).
DATA_DEPARTMENT_KINDS = (DepartmentKind.BUSINESS, DepartmentKind.ADMINISTRATIVE, DepartmentKind.FINANCE)
# Once the leadership group has the results, the inputs are frozen: no new round.
QUARTER_STATES_CLOSED_TO_RATING = RESULTS_SUBMITTED_STATES
MAX_PEERS_PER_PERSON = 20


def rating_scale_for(quarter: Quarter) -> int:
    """The top of the rating scale (1…N): the approved scheme's parameter, 5 when there is none."""
    scheme = Scheme.objects.filter(quarter=quarter, status=Scheme.Status.APPROVED).only("parameters").first()
    try:
        scale = int((scheme.parameters if scheme else {}).get("rating_scale", DEFAULT_RATING_SCALE))
    except (TypeError, ValueError):
        return DEFAULT_RATING_SCALE
    return scale if scale >= 2 else DEFAULT_RATING_SCALE


def _require_execution(by):
    if not roles_of(by).is_execution:
        raise PermissionDenied


def _refuse_own_raters(ratee, by):
    # Principle 一.3 (fairness): an assessed execution member does not choose who rates them.
    if ratee.user_id == by.pk:
        raise ValidationError(
            {
                "ratee": _(
                    "Nobody adds or removes their own raters (regulation 1.3, fairness): another member of the "
                    "execution group does."
                )
            }
        )


def _require_open(rating_round, *, today):
    if not rating_round.is_open_on(today) or rating_round.quarter.state in QUARTER_STATES_CLOSED_TO_RATING:
        raise ValidationError(_("The rating round for %(quarter)s is closed.") % {"quarter": rating_round.quarter})


def _applicable_rated_codes(quarter):
    """{position: {rated indicator codes}} from the approved scheme, or None when there is none yet."""
    scheme = Scheme.objects.filter(quarter=quarter, status=Scheme.Status.APPROVED).first()
    if scheme is None:
        return None
    applicable = {}
    for position, code in scheme.items.filter(indicator__kind=Indicator.Kind.RATED).values_list(
        "position", "indicator__code"
    ):
        applicable.setdefault(position, set()).add(code)
    # A scheme without any rated indicator is taken as not saying anything about ratings.
    return applicable or None


def rating_assignments_plan(*, people, clerks_by_department, peers_per_person, applicable=None):
    """The generated (rater_id, ratee_id, rater_type, indicator_code) tuples; pure over plain rows.

    people: dicts with id, department_id, superior_id, position, active, assessed.
    clerks_by_department: {department_id: [staff ids of that data department's clerks]}.
    """
    # Regulation 三.4 (多角度评价): the superior and colleagues rate communication, other departments collaboration.
    by_id = {person["id"]: person for person in people}
    rateable = sorted((p for p in people if p["active"] and p["assessed"]), key=lambda p: p["id"])
    department_pool = {}
    for person in rateable:
        department_pool.setdefault(person["department_id"], []).append(person["id"])
    position_in_pool = {staff_id: index for pool in department_pool.values() for index, staff_id in enumerate(pool)}
    plan = []
    seen = set()

    def add(rater_id, ratee_id, rater_type, code):
        key = (rater_id, ratee_id, code)
        if rater_id == ratee_id or key in seen:
            return
        seen.add(key)
        plan.append((rater_id, ratee_id, rater_type, code))

    for person in rateable:
        codes = {COMMUNICATION, COLLABORATION}
        if applicable is not None:
            codes &= applicable.get(person["position"], set())
        superior = by_id.get(person["superior_id"])
        if COMMUNICATION in codes:
            if superior is not None and superior["active"]:
                add(superior["id"], person["id"], RaterType.SUPERIOR, COMMUNICATION)
            # Peers: walk the department's people in id order, starting just after this person, so that the
            # choice is deterministic and everyone is asked about the same number of colleagues.
            pool = department_pool[person["department_id"]]
            start = position_in_pool[person["id"]]
            chosen = 0
            for offset in range(1, len(pool)):
                if chosen >= peers_per_person:
                    break
                peer_id = pool[(start + offset) % len(pool)]
                if peer_id != person["superior_id"]:
                    add(peer_id, person["id"], RaterType.PEER, COMMUNICATION)
                    chosen += 1
        if COLLABORATION in codes:
            for department_id, clerk_ids in sorted(clerks_by_department.items()):
                if department_id == person["department_id"]:
                    continue
                for clerk_id in sorted(clerk_ids):
                    if by_id.get(clerk_id, {}).get("active"):
                        add(clerk_id, person["id"], RaterType.OTHER_DEPARTMENT, COLLABORATION)
    return plan


def _organisation_rows():
    people = list(StaffProfile.objects.values("id", "department_id", "superior_id", "position", "active", "assessed"))
    clerks_by_department = {}
    for department_id, staff_id in Department.clerks.through.objects.filter(
        department__kind__in=DATA_DEPARTMENT_KINDS, user__profile__isnull=False
    ).values_list("department_id", "user__profile__id"):
        clerks_by_department.setdefault(department_id, []).append(staff_id)
    return people, clerks_by_department


def rating_round_open(*, quarter, by, peers_per_person=3, closes_on=None, today=None) -> RatingRound:
    """Open the quarter's rating round and generate its assignments from the organisation."""
    _require_execution(by)
    today = today or timezone.localdate()
    if peers_per_person < 0 or peers_per_person > MAX_PEERS_PER_PERSON:
        raise ValidationError(
            {"peers_per_person": _("Choose between 0 and %(max)s peers.") % {"max": MAX_PEERS_PER_PERSON}}
        )
    if closes_on is not None and closes_on < today:
        raise ValidationError({"closes_on": _("The closing date cannot be in the past.")})
    if quarter.state in QUARTER_STATES_CLOSED_TO_RATING:
        raise ValidationError(
            {"quarter": _("The results of %(quarter)s are already with the leadership group.") % {"quarter": quarter}}
        )
    if RatingRound.objects.filter(quarter=quarter).exists():
        raise ValidationError({"quarter": _("%(quarter)s already has a rating round.") % {"quarter": quarter}})
    people, clerks_by_department = _organisation_rows()
    plan = rating_assignments_plan(
        people=people,
        clerks_by_department=clerks_by_department,
        peers_per_person=peers_per_person,
        applicable=_applicable_rated_codes(quarter),
    )
    indicators = dict(Indicator.objects.filter(code__in=[COMMUNICATION, COLLABORATION]).values_list("code", "id"))
    try:
        with transaction.atomic():
            # The one-to-one on quarter refuses a second round even when two organisers click at once.
            rating_round = RatingRound.objects.create(
                quarter=quarter, opened_by=by, peers_per_person=peers_per_person, closes_on=closes_on
            )
            RatingAssignment.objects.bulk_create(
                RatingAssignment(
                    round=rating_round,
                    rater_id=rater_id,
                    ratee_id=ratee_id,
                    rater_type=rater_type,
                    indicator_id=indicators[code],
                )
                for rater_id, ratee_id, rater_type, code in plan
            )
    except IntegrityError as error:
        raise ValidationError(
            {"quarter": _("%(quarter)s already has a rating round.") % {"quarter": quarter}}
        ) from error
    return rating_round


def rating_assignment_add(*, rating_round, by, rater, ratee, rater_type, indicator, today=None) -> RatingAssignment:
    """Add one assignment the generation did not make (the execution group edits the list)."""
    _require_execution(by)
    _require_open(rating_round, today=today or timezone.localdate())
    _refuse_own_raters(ratee, by)
    if rater.pk == ratee.pk:
        raise ValidationError({"rater": _("Nobody rates themselves.")})
    if indicator.kind != Indicator.Kind.RATED:
        raise ValidationError({"indicator": _("Only the rated indicators are given by people.")})
    if not rater.active:
        raise ValidationError({"rater": _("This person is no longer active.")})
    if RatingAssignment.objects.filter(round=rating_round, rater=rater, ratee=ratee, indicator=indicator).exists():
        raise ValidationError(
            {"rater": _("%(rater)s already rates %(ratee)s on this indicator.") % {"rater": rater, "ratee": ratee}}
        )
    try:
        with transaction.atomic():
            return RatingAssignment.objects.create(
                round=rating_round, rater=rater, ratee=ratee, rater_type=rater_type, indicator=indicator
            )
    except IntegrityError as error:
        raise ValidationError(
            {"rater": _("%(rater)s already rates %(ratee)s on this indicator.") % {"rater": rater, "ratee": ratee}}
        ) from error


def rating_assignment_remove(*, assignment, by, today=None) -> None:
    """Remove an assignment nobody has answered yet; an answered rating stays on record."""
    _require_execution(by)
    with transaction.atomic():
        # Locked so that a rater answering at the same moment cannot lose their score to the removal.
        locked = RatingAssignment.objects.select_for_update().select_related("round").get(pk=assignment.pk)
        _require_open(locked.round, today=today or timezone.localdate())
        _refuse_own_raters(locked.ratee, by)
        if locked.score is not None:
            raise ValidationError(_("This rating has been answered and cannot be removed."))
        locked.delete()


def rating_give(*, assignment, by, score, comment="", today=None, now=None) -> RatingAssignment:
    """The rater's score (1…scale) with an optional comment; they may change it until the round closes."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    with transaction.atomic():
        # The round row is locked so that a score cannot land after rating_round_close has committed.
        rating_round = RatingRound.objects.select_for_update().get(pk=assignment.round_id)
        locked = RatingAssignment.objects.select_for_update().select_related("rater").get(pk=assignment.pk)
        if locked.rater.user_id != by.pk:
            raise PermissionDenied
        _require_open(rating_round, today=today)
        scale = rating_scale_for(rating_round.quarter)
        try:
            score = int(score)
        except (TypeError, ValueError):
            score = None
        if score is None or not 1 <= score <= scale:
            raise ValidationError({"score": _("Give a score from 1 to %(max)s.") % {"max": scale}})
        locked.score = score
        locked.comment = (comment or "").strip()
        locked.rated_at = now
        locked.save(update_fields=["score", "comment", "rated_at"])
    return locked


def rating_round_close(*, rating_round, by, now=None) -> RatingRound:
    """Close the round: no more answers; unanswered assignments simply do not count."""
    _require_execution(by)
    with transaction.atomic():
        locked = RatingRound.objects.select_for_update().get(pk=rating_round.pk)
        if locked.closed_at is not None:
            raise ValidationError(
                _("The rating round for %(quarter)s is already closed.") % {"quarter": locked.quarter}
            )
        locked.closed_at = now or timezone.now()
        locked.closed_by = by
        locked.save(update_fields=["closed_at", "closed_by"])
    return locked


def rating_round_close_on_submission(*, quarter, by, now=None) -> RatingRound | None:
    """Close the quarter's rating round, if still open, as its results go to the leadership group: from then on
    the inputs are frozen (QUARTER_STATES_CLOSED_TO_RATING), so a later score would change nothing. Runs inside
    the submission's transaction; returns the round it closed, or None."""
    _require_execution(by)
    with transaction.atomic():
        # Locked like rating_give locks it: a score being saved now lands before the close or is refused after it.
        rating_round = RatingRound.objects.select_for_update().filter(quarter=quarter, closed_at__isnull=True).first()
        if rating_round is None:
            return None
        rating_round.closed_at = now or timezone.now()
        rating_round.closed_by = by
        rating_round.save(update_fields=["closed_at", "closed_by"])
    return rating_round
