"""Writes of the quarterly scheme: start it from the last approved one, edit the draft, submit it, approve it or
return it with comments, version.

Regulation 二.1–二.2: the execution group drafts the scheme, the leadership group approves it. An approved
scheme is frozen; a change is a new version (a draft copy) that replaces it only once it is approved too.
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.audit import change_record_create
from clients.models import ChangeRecord
from indicators import calibration
from indicators.models import GradeBand, Indicator, RaterType, Scheme, SchemeEvent, SchemeItem
from reviews.lifecycle import Action, quarter_transition
from reviews.models import Position, Quarter, QuarterState
from reviews.roles import roles_of

HUNDRED = Decimal("100")
ITEM_FIELDS = ("weight", "target", "step", "step_mode", "points_per_step", "bonus_cap", "no_data_policy")

# The definition parameters a scheme carries, with their allowed ranges (inclusive).
PARAMETER_LIMITS = {
    "lookback_quarters": (1, 40),
    "complaint_deadline_hours": (1, 720),
    "rating_scale": (2, 10),
}

# Rater calibration of the rated indicators (indicators/calibration.py, regulation 三.4): the one parameter that is a
# choice, not a number. A scheme without it (older versions) calibrates nothing.
CALIBRATION_PARAMETER = "rating_calibration"
CALIBRATION_CHOICES = [
    (calibration.NONE, gettext_lazy("None: every score counts as given")),
    (calibration.CENTRE, gettext_lazy("Centre each rater on the round's average")),
]


def calibration_label(rule) -> str:
    """The calibration rule as the scheme pages name it."""
    return str(dict(CALIBRATION_CHOICES).get(rule or calibration.NONE, rule))


# A new version of the scheme cannot change results that the leadership group already approved.
QUARTER_STATES_CLOSED_TO_NEW_VERSIONS = (QuarterState.APPROVED, QuarterState.PUBLISHED, QuarterState.CLOSED)


class SchemeStateError(Exception):
    """The scheme (or its quarter) is not in a state that allows this; nothing was changed."""


# --- Pure checks over plain values (no database): forms, services and property tests share them. ---


def weight_problems(weights_by_position: Mapping[str, Iterable[Decimal]]) -> dict[str, str]:
    """{position: message} for every position whose weights do not add up to exactly 100 points."""
    problems = {}
    labels = dict(Position.choices)
    for position in Position.values:
        weights = list(weights_by_position.get(position, ()))
        total = sum(weights, Decimal("0"))
        if not weights:
            problems[position] = _("%(position)s: no indicator applies; the weights must add up to 100 points.") % {
                "position": labels[position]
            }
        elif total != HUNDRED:
            problems[position] = _(
                "%(position)s: the weights add up to %(total)s points; they must add up to exactly 100."
            ) % {"position": labels[position], "total": format(total.normalize(), "f")}
    return problems


def item_problems(*, kind, target, step_mode, rater_weights) -> dict[str, str]:
    """{field: message} for one indicator's rule (regulation 三.4)."""
    problems = {}
    if kind == Indicator.Kind.COMPUTED and target == 0 and step_mode == SchemeItem.StepMode.RELATIVE:
        # A percentage of a zero target is zero: the step would never move the points.
        problems["step_mode"] = _("A zero target needs an absolute step: a percentage of zero is zero.")
    if rater_weights:
        if kind != Indicator.Kind.RATED:
            problems["rater_weights"] = _("Rater weights apply only to rated indicators.")
        elif set(rater_weights) - set(RaterType.values):
            problems["rater_weights"] = _("Unknown rater type: %(types)s.") % {
                "types": ", ".join(sorted(set(rater_weights) - set(RaterType.values)))
            }
        else:
            values = [Decimal(str(value)) for value in rater_weights.values()]
            if any(value < 0 for value in values):
                problems["rater_weights"] = _("Rater weights cannot be negative.")
            elif not any(value > 0 for value in values):
                problems["rater_weights"] = _("At least one rater type needs a weight above zero, or leave all empty.")
    return problems


def grade_band_problems(floors: list[Decimal]) -> dict[int, str]:
    """{row: message} for grade-band floors entered from the lowest band up."""
    problems = {}
    if not floors:
        return {0: _("At least one grade band is needed.")}
    if floors[0] != 0:
        # Every total, however low, must have a grade.
        problems[0] = _("The lowest band must start at 0 so that every total gets a grade.")
    for row in range(1, len(floors)):
        if floors[row] == floors[row - 1]:
            problems[row] = _("Two bands cannot start at the same total.")
        elif floors[row] < floors[row - 1]:
            problems[row] = _("Enter the bands from the lowest up: each floor must be above the one before.")
    return problems


def parameter_problems(parameters: Mapping) -> dict[str, str]:
    """{parameter: message} for missing or out-of-range definition parameters."""
    problems = {}
    for name, (low, high) in PARAMETER_LIMITS.items():
        value = parameters.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            problems[name] = _("Must be a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
    if parameters.get(CALIBRATION_PARAMETER, calibration.NONE) not in calibration.RULES:
        problems[CALIBRATION_PARAMETER] = _("Choose one of the calibration rules.")
    return problems


# --- Reads used by the services ---


def scheme_problems(*, scheme) -> list[str]:
    """Everything that keeps this scheme from being approved, as messages (empty when it is valid)."""
    items = list(scheme.items.select_related("indicator"))
    weights = {}
    for item in items:
        weights.setdefault(item.position, []).append(item.weight)
    messages = list(weight_problems(weights).values())
    positions = dict(Position.choices)
    for item in items:
        for message in item_problems(
            kind=item.indicator.kind, target=item.target, step_mode=item.step_mode, rater_weights=item.rater_weights
        ).values():
            messages.append(f"{positions.get(item.position, item.position)} · {item.indicator.name}: {message}")
    for message in grade_band_problems(sorted(band.min_total for band in scheme.grade_bands.all())).values():
        messages.append(_("Grade bands: %(message)s") % {"message": message})
    for name, message in parameter_problems(scheme.parameters or {}).items():
        messages.append(f"{name}: {message}")
    return messages


def scheme_validate(*, scheme) -> None:
    """Raise ValidationError listing every problem unless the scheme can be approved."""
    problems = scheme_problems(scheme=scheme)
    if problems:
        raise ValidationError(problems)


def _require_execution(by):
    if not roles_of(by).is_execution:
        raise PermissionDenied(_("Only the execution group edits schemes."))


def _locked_draft(scheme):
    """The scheme's row, locked, if it is still a draft; SchemeStateError otherwise."""
    # The lock serialises an edit against a concurrent approval: nobody edits what is being approved.
    locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if not locked.is_editable:
        raise SchemeStateError(
            _(
                "Version %(version)s of the %(quarter)s scheme is %(status)s and can no longer be edited; "
                "make a new version to change it."
            )
            % {"version": locked.version, "quarter": locked.quarter, "status": locked.get_status_display().lower()}
        )
    return locked


def _item_snapshot(item):
    values = {field: str(getattr(item, field)) for field in ITEM_FIELDS}
    values["rater_weights"] = {key: str(value) for key, value in sorted((item.rater_weights or {}).items())}
    return values


def _log(*, scheme, by, changes, note):
    if changes:
        change_record_create(instance=scheme, action=ChangeRecord.Action.UPDATE, by=by, changes=changes, note=note)


def _edited(scheme, by, *, changed):
    """Remember who last changed the draft: they may not approve it (scheme_approve)."""
    if changed and scheme.last_edited_by_id != by.pk:
        scheme.last_edited_by = by
        scheme.save(update_fields=["last_edited_by"])


def _refuse_own_scheme(scheme, by, *, returning=False):
    # Regulation 二.1/二.2 (one group drafts, the other approves) and principle 一.3: four eyes on every scheme;
    # nobody decides on their own work, neither to approve it nor to send it back.
    if by.pk in (scheme.created_by_id, scheme.last_edited_by_id, scheme.submitted_by_id):
        if returning:
            raise SchemeStateError(
                _(
                    "You drafted, last edited or submitted version %(version)s of the %(quarter)s scheme, so you "
                    "cannot return it: another member of the leadership group decides on it (regulation 2.1, four "
                    "eyes). Nothing was changed."
                )
                % {"version": scheme.version, "quarter": scheme.quarter}
            )
        raise SchemeStateError(
            _(
                "You drafted or last edited version %(version)s of the %(quarter)s scheme, so you cannot approve "
                "it: another member of the leadership group does (regulation 2.1, four eyes). Nothing was changed."
            )
            % {"version": scheme.version, "quarter": scheme.quarter}
        )


def _event(*, scheme, action, by, at, comment=""):
    SchemeEvent.objects.create(scheme=scheme, action=action, by=by, at=at, comment=comment)


# --- Writes ---


def _copy(*, source, quarter, version, by, note=""):
    """A draft copy of source for the quarter: parameters, items and grade bands."""
    scheme = Scheme.objects.create(
        quarter=quarter,
        version=version,
        status=Scheme.Status.DRAFT,
        parameters=dict(source.parameters or {}),
        created_by=by,
        based_on=source,
        note=note,
    )
    SchemeItem.objects.bulk_create(
        SchemeItem(
            scheme=scheme,
            position=item.position,
            indicator_id=item.indicator_id,
            rater_weights=dict(item.rater_weights or {}),
            **{field: getattr(item, field) for field in ITEM_FIELDS},
        )
        for item in source.items.all()
    )
    GradeBand.objects.bulk_create(
        GradeBand(scheme=scheme, min_total=band.min_total, label_zh=band.label_zh, label_en=band.label_en)
        for band in source.grade_bands.all()
    )
    return scheme


def last_approved_scheme_before(*, quarter):
    """The approved scheme of the latest quarter before this one that has one, or None."""
    earlier = Q(quarter__year__lt=quarter.year) | Q(quarter__year=quarter.year, quarter__number__lt=quarter.number)
    return (
        Scheme.objects.filter(earlier, status=Scheme.Status.APPROVED)
        .order_by("-quarter__year", "-quarter__number")
        .first()
    )


def scheme_start_for_quarter(*, quarter, by) -> Scheme:
    """The quarter's first scheme: a draft copy of the last approved scheme, or the default scheme if none."""
    from indicators.defaults import scheme_create_default

    _require_execution(by)
    with transaction.atomic():
        # Locking the quarter makes a double click start one scheme, not two.
        quarter = Quarter.objects.select_for_update().get(pk=quarter.pk)
        if quarter.schemes.exists():
            raise SchemeStateError(_("The %(quarter)s scheme has already been started.") % {"quarter": quarter})
        source = last_approved_scheme_before(quarter=quarter)
        if source is None:
            scheme = scheme_create_default(quarter=quarter, by=by)
            scheme.note = _("Started from the default scheme.")
            scheme.save(update_fields=["note"])
        else:
            scheme = _copy(
                source=source,
                quarter=quarter,
                version=1,
                by=by,
                note=_("Copied from the approved %(quarter)s scheme, version %(version)s.")
                % {"quarter": source.quarter, "version": source.version},
            )
    return scheme


def scheme_items_update(*, scheme, position, items, by) -> Scheme:
    """Replace one position's indicators with `items` (dicts: indicator, weight, target, step, step_mode,
    points_per_step, bonus_cap, no_data_policy, rater_weights); the weights must add up to 100."""
    _require_execution(by)
    if position not in Position.values:
        raise ValidationError(_("Unknown position."))
    problems = [
        f"{entry['indicator'].name}: {message}"
        for entry in items
        for message in item_problems(
            kind=entry["indicator"].kind,
            target=entry["target"],
            step_mode=entry["step_mode"],
            rater_weights=entry.get("rater_weights") or {},
        ).values()
    ]
    if len({entry["indicator"].pk for entry in items}) != len(items):
        problems.append(_("An indicator appears twice."))
    weight_problem = weight_problems({position: [entry["weight"] for entry in items]}).get(position)
    if weight_problem:
        problems.append(weight_problem)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        scheme = _locked_draft(scheme)
        before = {
            item.indicator.code: _item_snapshot(item)
            for item in scheme.items.filter(position=position).select_related("indicator")
        }
        scheme.items.filter(position=position).delete()
        created = SchemeItem.objects.bulk_create(
            SchemeItem(
                scheme=scheme,
                position=position,
                indicator=entry["indicator"],
                rater_weights={key: str(value) for key, value in (entry.get("rater_weights") or {}).items()},
                **{field: entry[field] for field in ITEM_FIELDS},
            )
            for entry in items
        )
        after = {item.indicator.code: _item_snapshot(item) for item in created}
        changes = {
            f"{position}/{code}": [before.get(code), after.get(code)]
            for code in sorted(set(before) | set(after))
            if before.get(code) != after.get(code)
        }
        _log(scheme=scheme, by=by, changes=changes, note=f"items: {position}")
        _edited(scheme, by, changed=bool(changes))
    return scheme


def scheme_grade_bands_update(*, scheme, bands, by) -> Scheme:
    """Replace the grade bands with `bands` (dicts: min_total, label_zh, label_en), lowest first."""
    _require_execution(by)
    problems = list(grade_band_problems([band["min_total"] for band in bands]).values())
    if any(not band["label_zh"].strip() or not band["label_en"].strip() for band in bands):
        problems.append(_("Every grade band needs a Chinese and an English label."))
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        scheme = _locked_draft(scheme)
        before = [[str(b.min_total), b.label_zh, b.label_en] for b in scheme.grade_bands.order_by("min_total")]
        scheme.grade_bands.all().delete()
        GradeBand.objects.bulk_create(
            GradeBand(
                scheme=scheme,
                min_total=band["min_total"],
                label_zh=band["label_zh"].strip(),
                label_en=band["label_en"].strip(),
            )
            for band in bands
        )
        after = [[str(b["min_total"]), b["label_zh"].strip(), b["label_en"].strip()] for b in bands]
        if before != after:
            _log(scheme=scheme, by=by, changes={"grade_bands": [before, after]}, note="grade bands")
        _edited(scheme, by, changed=before != after)
    return scheme


def scheme_parameters_update(*, scheme, parameters, note, by) -> Scheme:
    """Set the definition parameters (look-back quarters, complaint deadline, rating scale, rater calibration) and
    the note."""
    _require_execution(by)
    problems = parameter_problems(parameters)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        scheme = _locked_draft(scheme)
        names = [*PARAMETER_LIMITS, CALIBRATION_PARAMETER]
        new_parameters = {
            **(scheme.parameters or {}),
            **{name: parameters[name] for name in names if name in parameters},
        }
        changes = {
            name: [scheme.parameters.get(name), value]
            for name, value in new_parameters.items()
            if (scheme.parameters or {}).get(name) != value
        }
        if scheme.note != note:
            changes["note"] = [scheme.note, note]
        scheme.parameters = new_parameters
        scheme.note = note
        scheme.save(update_fields=["parameters", "note"])
        _log(scheme=scheme, by=by, changes=changes, note="parameters")
        _edited(scheme, by, changed=bool(changes))
    return scheme


def scheme_submit(*, scheme, by, comment="") -> Scheme:
    """The execution group hands a valid draft to the leadership group (regulation 二.2); it is frozen until the
    leadership group approves it or returns it with comments."""
    _require_execution(by)
    with transaction.atomic():
        quarter = Quarter.objects.select_for_update().get(pk=scheme.quarter_id)
        locked = _locked_draft(scheme)
        if quarter.state in QUARTER_STATES_CLOSED_TO_NEW_VERSIONS:
            raise SchemeStateError(
                _("The %(quarter)s results are already %(state)s; its scheme can no longer change.")
                % {"quarter": quarter, "state": quarter.get_state_display().lower()}
            )
        scheme_validate(scheme=locked)
        now = timezone.now()
        locked.status = Scheme.Status.SUBMITTED
        locked.submitted_by = by
        locked.submitted_at = now
        locked.save(update_fields=["status", "submitted_by", "submitted_at"])
        _event(scheme=locked, action=SchemeEvent.Action.SUBMIT, by=by, at=now, comment=comment.strip())
    return locked


def _locked_submitted(scheme, *, returning=False):
    """The quarter's and the scheme's rows, locked, if the scheme waits for a decision; SchemeStateError if not."""
    # Lock the quarter first, then the scheme: two partners deciding at once (or one clicking twice) queue here,
    # and the second finds the scheme already decided instead of deciding it again.
    quarter = Quarter.objects.select_for_update().get(pk=scheme.quarter_id)
    locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if locked.status == Scheme.Status.DRAFT:
        values = {"version": locked.version, "quarter": locked.quarter}
        if returning:
            raise SchemeStateError(
                _(
                    "Version %(version)s of the %(quarter)s scheme has not been submitted for approval, so there is "
                    "nothing to return; nothing was changed."
                )
                % values
            )
        raise SchemeStateError(
            _(
                "Version %(version)s of the %(quarter)s scheme has not been submitted for approval yet, so it "
                "cannot be approved; nothing was changed."
            )
            % values
        )
    if locked.status != Scheme.Status.SUBMITTED:
        raise SchemeStateError(_already_decided_message(locked))
    return quarter, locked


def scheme_return(*, scheme, by, comment) -> Scheme:
    """The leadership group sends a submitted scheme back to the execution group with what must change; it is a
    draft again, editable, and is submitted anew (regulation 二.1)."""
    if not roles_of(by).is_leadership:
        raise PermissionDenied(_("Only the leadership group returns schemes."))
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Write what the execution group should change.")})
    with transaction.atomic():
        _quarter, locked = _locked_submitted(scheme, returning=True)
        _refuse_own_scheme(locked, by, returning=True)
        now = timezone.now()
        locked.status = Scheme.Status.DRAFT
        locked.returned_by = by
        locked.returned_at = now
        locked.return_comment = comment
        locked.save(update_fields=["status", "returned_by", "returned_at", "return_comment"])
        _event(scheme=locked, action=SchemeEvent.Action.RETURN, by=by, at=now, comment=comment)
    return locked


def _already_decided_message(scheme):
    if scheme.status == Scheme.Status.APPROVED and scheme.approved_at:
        approver = getattr(scheme.approved_by, "profile", None)
        return _(
            "Version %(version)s of the %(quarter)s scheme was already approved by %(who)s on %(when)s; "
            "nothing was changed."
        ) % {
            "version": scheme.version,
            "quarter": scheme.quarter,
            "who": approver.full_name if approver else scheme.approved_by,
            "when": date_format(timezone.localtime(scheme.approved_at), "DATETIME_FORMAT"),
        }
    return _(
        "Version %(version)s of the %(quarter)s scheme is %(status)s and cannot be approved; nothing was changed."
    ) % {
        "version": scheme.version,
        "quarter": scheme.quarter,
        "status": scheme.get_status_display().lower(),
    }


def scheme_approve(*, scheme, by, comment="") -> Scheme:
    """Leadership approves a submitted, valid scheme; the version it replaces becomes superseded, and a quarter still
    waiting for its scheme moves on to 'scheme approved' (regulation 二.1: the leadership group approves)."""
    if not roles_of(by).is_leadership:
        raise PermissionDenied(_("Only the leadership group approves schemes."))
    with transaction.atomic():
        quarter, locked = _locked_submitted(scheme)
        _refuse_own_scheme(locked, by)
        if quarter.state in QUARTER_STATES_CLOSED_TO_NEW_VERSIONS:
            # Approved results are never recomputed: a version approved now would leave them stale for good.
            raise SchemeStateError(
                _("The %(quarter)s results are already %(state)s; its scheme can no longer change.")
                % {"quarter": quarter, "state": quarter.get_state_display().lower()}
            )
        scheme_validate(scheme=locked)
        now = timezone.now()
        # The old version steps aside first: the database allows one approved scheme per quarter.
        Scheme.objects.filter(quarter=quarter, status=Scheme.Status.APPROVED).update(
            status=Scheme.Status.SUPERSEDED, superseded_at=now
        )
        locked.status = Scheme.Status.APPROVED
        locked.approved_by = by
        locked.approved_at = now
        locked.approval_comment = comment.strip()
        locked.save(update_fields=["status", "approved_by", "approved_at", "approval_comment"])
        _event(scheme=locked, action=SchemeEvent.Action.APPROVE, by=by, at=now, comment=locked.approval_comment)
        if quarter.state == QuarterState.SCHEME_DRAFT:
            # The quarter's one table of transitions records who approved, when and with what comment.
            quarter_transition(quarter=quarter, action=Action.APPROVE_SCHEME, by=by, comment=comment)
    return locked


def scheme_new_version(*, scheme, by) -> Scheme:
    """A draft copy (version + 1) of an approved scheme; the approved one applies until the copy is approved."""
    _require_execution(by)
    with transaction.atomic():
        quarter = Quarter.objects.select_for_update().get(pk=scheme.quarter_id)
        locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
        if locked.status != Scheme.Status.APPROVED:
            raise SchemeStateError(_("Only the approved scheme can be the start of a new version."))
        if quarter.state in QUARTER_STATES_CLOSED_TO_NEW_VERSIONS:
            raise SchemeStateError(
                _("The %(quarter)s results are already %(state)s; its scheme can no longer change.")
                % {"quarter": quarter, "state": quarter.get_state_display().lower()}
            )
        draft = quarter.schemes.filter(status__in=[Scheme.Status.DRAFT, Scheme.Status.SUBMITTED]).first()
        if draft is not None:
            raise SchemeStateError(
                _("Version %(version)s is already being drafted; edit it instead of starting another.")
                % {"version": draft.version}
            )
        version = (quarter.schemes.aggregate(v=Max("version"))["v"] or 0) + 1
        return _copy(
            source=locked,
            quarter=quarter,
            version=version,
            by=by,
            note=_("Changes to version %(version)s.") % {"version": locked.version},
        )
