"""Corrections of published results: declared, previewed, approved when they move others, applied as new versions.

Regulation 一.3 (fairness, openness) and 二.1 (the leadership group approves the results); docs/results.md
"Corrections". A correction declares exactly what it changes: department records added, changed or removed, and
points adjustments. Its recomputation starts from the quarter's frozen basis (results.basis) plus exactly those
changes, never from the department data as it is now, so nobody moves because of an unrelated later edit. Before
anyone confirms, the preview shows who moves and by how much; a correction that moves anyone but the appellant takes
effect only once a leadership member who neither prepared it nor applies it for an appeal he handled approves it.
Everyone whose result changes gets a new published version naming the correction; the old versions stay readable.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from clients import services as client_services
from clients.forms import RECORD_FORMS
from indicators import scoring, selectors
from indicators.computation import rows_compute
from indicators.models import Indicator
from results import basis as basis_module
from results.bulk import compact_json
from results.legacy import quarter_rows_now
from results.models import (
    Basis,
    Correction,
    CorrectionAdjustment,
    CorrectionEvent,
    CorrectionRecordChange,
    CorrectionStatus,
    IndicatorScore,
    Scorecard,
)
from reviews.models import Quarter, QuarterState, StaffProfile
from reviews.roles import roles_of

# Sent inside the transaction that publishes corrected versions, so receivers write their rows with them (the
# feedback documents) and queue longer work after the commit. Receivers get `quarter` and `scorecard_ids`.
versions_published = Signal()

MAX_TEXT = 10000
Kind = CorrectionRecordChange.Kind
Operation = CorrectionRecordChange.Operation

# The department data each kind of record change writes through (clients.services, the forms' field names).
PLURAL = {Kind.CLIENT: "clients", Kind.CONTRACT: "contracts", Kind.REVENUE: "revenue", Kind.COMPLAINT: "complaints",
          Kind.SURVEY: "surveys"}  # fmt: skip
# Declared values (model field names) → the basis row's fields.
ROW_FIELD_OF = {
    Kind.CONTRACT: {"client": "client_id", "originating_lawyer": "originating_id",
                    "responsible_lawyer": "responsible_id", "signed_on": "signed_on", "closed_on": "closed_on",
                    "number": "number"},
    Kind.CLIENT: {"referred_by": "referred_by_id", "code": "code", "name": "name"},
    Kind.REVENUE: {"credited_to": "credited_to_id", "contract": "contract_id", "amount": "amount",
                   "received_on": "received_on", "ref": "ref"},
    Kind.COMPLAINT: {"about": "about_id", "handler": "handler_id", "client": "client_id",
                     "received_at": "received_at", "handled_at": "handled_at", "ref": "ref"},
    Kind.SURVEY: {"staff": "staff_id", "client": "client_id", "surveyed_on": "surveyed_on",
                  "service_quality": "service_quality", "communication": "communication", "outcome": "outcome",
                  "ref": "ref"},
}  # fmt: skip


class CorrectionRefused(Exception):
    """The correction may not take this step now; the message says why. Nothing was changed."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)


class StalePreview(CorrectionRefused):
    """The outcome changed since the person read the preview (another correction was applied meanwhile)."""


# --- Reading the quarter's results and basis ---------------------------------------------------------------------


def current_published(quarter) -> dict[int, Scorecard]:
    """The quarter's current published version of each person, with their lines."""
    return {
        card.staff_id: card
        for card in Scorecard.objects.filter(quarter=quarter, is_current=True, status=Scorecard.Status.PUBLISHED)
        .select_related("staff__user", "scheme", "basis")
        .prefetch_related("lines__indicator")
    }


def current_basis(quarter) -> Basis | None:
    """The basis the quarter's results rest on now: the newest applied correction's, else the scoring's."""
    return (
        Basis.objects.filter(quarter=quarter)
        .filter(Q(scorecards__status=Scorecard.Status.PUBLISHED) | Q(correction__status=CorrectionStatus.APPLIED))
        .distinct()
        .order_by("-pk")
        .first()
    )


def _scheme_of(cards: dict[int, Scorecard]):
    schemes = {card.scheme_id: card.scheme for card in cards.values()}
    return max(schemes.values(), key=lambda s: sum(1 for c in cards.values() if c.scheme_id == s.pk))


def _starting_rows(quarter, cards) -> tuple[Basis | None, scoring.QuarterRows]:
    """The rows a correction starts from: the current basis, or for results computed before bases were kept the
    records as they are now (then stored as a reconstructed basis when the correction is applied)."""
    basis = current_basis(quarter)
    if basis is not None:
        return basis, basis_module.rows_of(basis)
    as_of = min(card.computed_at for card in cards.values())
    return None, quarter_rows_now(quarter, _scheme_of(cards), as_of)


# --- Declared record changes as rows -----------------------------------------------------------------------------


def _plain(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return getattr(value, "pk", value)


def form_values(cleaned: dict) -> dict:
    """A record form's cleaned data as JSON-able declared values (related records by id)."""
    return {name: _plain(value) for name, value in cleaned.items()}


def _typed(kind, name, value):
    if value is None:
        return None
    if name in ("signed_on", "closed_on", "received_on", "surveyed_on"):
        return datetime.date.fromisoformat(value)
    if name in ("received_at", "handled_at"):
        return datetime.datetime.fromisoformat(value)
    if name == "amount":
        return Decimal(value)
    return value


def _row_after(change: CorrectionRecordChange, before_row, record_id, contract_clients: dict[int, int]):
    """The basis row the change leaves (None: the record no longer counts)."""
    if change.operation == Operation.REMOVE:
        return None
    row_type = basis_module.ROW_TYPES[change.kind]
    fields = dict(before_row._asdict()) if before_row is not None else {name: None for name in row_type._fields}
    fields["id"] = record_id
    for name, value in change.values.items():
        target = ROW_FIELD_OF[change.kind].get(name)
        if target in row_type._fields:
            fields[target] = _typed(change.kind, name, value)
    if change.kind == Kind.REVENUE:
        contract_id = change.values.get("contract")
        if contract_id is not None:
            fields["client_id"] = contract_clients.get(contract_id, fields.get("client_id"))
    if change.kind == Kind.CLIENT:
        fields["contracted_before_window"] = bool(fields.get("contracted_before_window"))
    return row_type(**{name: fields.get(name) for name in row_type._fields})


def _apply_changes(rows: scoring.QuarterRows, changes) -> scoring.QuarterRows:
    """The rows with exactly the declared changes: added records get ids below zero until they exist."""
    by_kind = {kind: {row.id: row for row in getattr(rows, field_name)}
               for kind, field_name in basis_module.ROWS_FIELD.items() if kind != basis_module.RATING}  # fmt: skip
    contract_clients = {row.id: row.client_id for row in by_kind[basis_module.CONTRACT].values()}
    contract_ids = [change.values.get("contract") for change in changes if change.kind == Kind.REVENUE]
    missing = {pk for pk in contract_ids if pk and pk not in contract_clients}
    if missing:
        from clients.models import Contract

        contract_clients.update(Contract.objects.filter(pk__in=missing).values_list("id", "client_id"))
    for number, change in enumerate(changes, start=1):
        record_id = change.record_id if change.record_id is not None else -number
        before_row = by_kind[change.kind].pop(record_id, None)
        after = _row_after(change, before_row, record_id, contract_clients)
        if after is not None and selectors.row_in_period(change.kind, after, rows.period):
            by_kind[change.kind][record_id] = after
        if change.kind == Kind.CONTRACT and after is not None:
            contract_clients[after.id] = after.client_id
    # A client that signs in the quarter only because of a declared contract joins the client rows, as the
    # selectors would have read it (only such clients can be new, indicators.selectors.period_records).
    period = rows.period
    signing = {c.client_id for c in by_kind[basis_module.CONTRACT].values() if period.contains_day(c.signed_on)}
    missing_clients = signing - set(by_kind[basis_module.CLIENT])
    if missing_clients:
        for row in selectors.client_rows(period, missing_clients):
            by_kind[basis_module.CLIENT][row.id] = row
    return scoring.QuarterRows(
        period=rows.period,
        ratings=list(rows.ratings),
        **{basis_module.ROWS_FIELD[kind]: list(found.values()) for kind, found in by_kind.items()},
    )


# --- Adjustments --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Adjustment:
    """A points adjustment, stored or only typed on a form (for its preview)."""

    staff_id: int
    indicator_id: int
    points: Decimal
    justification: str
    correction_id: int | None = None


def _applied_adjustments(quarter, correction=None, extra=()) -> dict[tuple[int, int], list[Adjustment]]:
    """Every adjustment of the quarter's applied corrections, this correction's and the ones only typed: each later
    correction keeps the earlier ones."""
    found: dict[tuple[int, int], list[Adjustment]] = defaultdict(list)
    mine = Q(correction=correction) if correction is not None and correction.pk else Q(pk__in=[])
    rows = CorrectionAdjustment.objects.filter(correction__quarter=quarter).filter(
        Q(correction__status=CorrectionStatus.APPLIED) | mine
    )
    for staff_id, indicator_id, points, justification, correction_id in rows.values_list(
        "staff_id", "indicator_id", "points", "justification", "correction_id"
    ):
        found[(staff_id, indicator_id)].append(Adjustment(staff_id, indicator_id, points, justification, correction_id))
    for adjustment in extra:
        found[(adjustment.staff_id, adjustment.indicator_id)].append(adjustment)
    return found


def points_ceiling(line: scoring.LineResult) -> Decimal:
    """The most a line may carry: weight + bonus cap, on the line's own scale (rescaled when items are excluded);
    never below the points the scoring itself gave."""
    cap = Decimal(str(((line.details or {}).get("rule") or {}).get("bonus_cap", "0")))
    ceiling = line.weight + cap
    if line.weight and line.effective_weight:
        ceiling = ceiling * line.effective_weight / line.weight
    return max(scoring.round_half_up(ceiling), line.points)


def _apply_adjustments(line: scoring.LineResult, adjustments: list[Adjustment]) -> None:
    """The adjustments on top of the computed points, clamped to [0, weight + bonus cap] (regulation 三.4's range)."""
    delta = sum((a.points for a in adjustments), Decimal("0"))
    computed = line.points
    line.points = scoring.round_half_up(min(max(computed + delta, Decimal("0")), points_ceiling(line)))
    line.details = {
        **line.details,
        "adjustment": {
            "computed_points": str(computed),
            "points": str(delta),
            "corrections": sorted({a.correction_id for a in adjustments if a.correction_id}),
            "justification": [a.justification for a in adjustments],
        },
    }


def _finish(results: list[scoring.PersonResult], adjustments, bands) -> None:
    """Adjusted points, then totals, grades and ranks within position again (regulation 三.4, 三.5)."""
    for result in results:
        for line in result.lines:
            found = adjustments.get((result.staff_id, line.indicator_id))
            if found:
                _apply_adjustments(line, found)
        result.total = sum((line.points for line in result.lines), Decimal("0"))
        result.grade = scoring.grade_for(result.total, bands)
    by_position: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for result in results:
        by_position[result.position][result.staff_id] = result.total
    for result in results:
        ranks = scoring.rank_competition(by_position[result.position])
        result.rank, result.ranked_count = ranks[result.staff_id], len(by_position[result.position])


# --- The preview --------------------------------------------------------------------------------------------------


@dataclass
class LineMove:
    indicator: Indicator
    old_points: Decimal
    new_points: Decimal
    old_value: Decimal | None
    new_value: Decimal | None


@dataclass
class PersonMove:
    """One person's result before and after the correction."""

    staff: StaffProfile
    old: Scorecard
    new: scoring.PersonResult
    lines: list[LineMove] = field(default_factory=list)

    @property
    def total_delta(self) -> Decimal:
        return self.new.total - self.old.total

    @property
    def new_grade(self) -> str:
        return self.new.grade.label_zh if self.new.grade else ""

    @property
    def new_grade_label(self) -> str:
        from django.utils.translation import get_language

        if self.new.grade is None:
            return ""
        return self.new.grade.label_en if (get_language() or "").startswith("en") else self.new.grade.label_zh

    @property
    def moved(self) -> bool:
        old = self.old
        return bool(self.lines) or (old.total, old.grade, old.rank, old.ranked_count) != (
            self.new.total, self.new_grade, self.new.rank, self.new.ranked_count
        )  # fmt: skip


@dataclass
class Preview:
    """Who a correction moves and by how much, and what it rests on."""

    correction: Correction
    moves: list[PersonMove]
    rows: scoring.QuarterRows
    results: list[scoring.PersonResult]
    basis: Basis | None
    scheme: object

    @property
    def moved(self) -> list[PersonMove]:
        return [move for move in self.moves if move.moved]

    @property
    def others(self) -> list[PersonMove]:
        """Everyone who moves but the appellant."""
        return [move for move in self.moved if move.staff.pk != self.correction.subject_id]

    @property
    def needs_approval(self) -> bool:
        """Regulation 二.1: a correction that moves anyone but the appellant needs the leadership group."""
        return bool(self.others)

    @property
    def fingerprint(self) -> str:
        """What the preview says, as a digest: who moves where, line by line (record ids left out)."""
        content = [
            [
                move.staff.pk,
                str(move.new.total),
                move.new_grade,
                move.new.rank,
                move.new.ranked_count,
                [[line.indicator_id, str(line.points), str(scoring.stored_raw(line.value))] for line in move.new.lines],
            ]
            for move in sorted(self.moves, key=lambda m: m.staff.pk)
        ]
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _moves(cards: dict[int, Scorecard], results, subject_id) -> list[PersonMove]:
    indicators = {i.pk: i for i in Indicator.objects.all()}
    moves = []
    for result in results:
        card = cards.get(result.staff_id)
        if card is None:
            continue
        old_lines = {line.indicator_id: line for line in card.lines.all()}
        changed = []
        for line in result.lines:
            old = old_lines.get(line.indicator_id)
            new_raw = (scoring.stored_raw(line.value), scoring.stored_raw(line.numerator),
                       scoring.stored_raw(line.denominator))  # fmt: skip
            if old is None or (old.points, old.effective_weight, (old.value, old.numerator, old.denominator)) != (
                line.points, line.effective_weight, new_raw
            ):  # fmt: skip
                changed.append(
                    LineMove(
                        indicators[line.indicator_id],
                        old.points if old else Decimal("0"),
                        line.points,
                        old.value if old else None,
                        scoring.stored_raw(line.value),
                    )  # fmt: skip
                )
        move = PersonMove(staff=card.staff, old=card, new=result, lines=changed)
        if move.moved or result.staff_id == subject_id:
            moves.append(move)
    return sorted(moves, key=lambda m: (m.old.position, m.new.rank, m.staff.full_name))


def correction_preview(correction: Correction, *, extra_adjustments=()) -> Preview:
    """Recompute the quarter from its basis with exactly the correction's changes; reads only, stores nothing.

    extra_adjustments: adjustments only typed on a form so far (the uphold form's preview).
    """
    quarter = correction.quarter
    cards = current_published(quarter)
    if not cards:
        raise CorrectionRefused(_("%(quarter)s has no published results to correct.") % {"quarter": quarter.code})
    basis, rows = _starting_rows(quarter, cards)
    # An unsaved correction previews the adjustments only typed on a form (an uphold's first click).
    changes = list(correction.record_changes.all()) if correction.pk else []
    rows = _apply_changes(rows, changes)
    scheme = _scheme_of(cards)
    people = [scoring.Person(staff_id, card.position) for staff_id, card in sorted(cards.items())]
    results = rows_compute(rows=rows, people=people, scheme=scheme)
    _finish(results, _applied_adjustments(quarter, correction, extra_adjustments), selectors.scheme_bands(scheme))
    moves = _moves(cards, results, correction.subject_id)
    return Preview(correction=correction, moves=moves, rows=rows, results=results, basis=basis, scheme=scheme)


# --- The steps -----------------------------------------------------------------------------------------------------


def _clean_text(value, field_name, message):
    value = (value or "").strip()
    if not value:
        raise ValidationError({field_name: message})
    if len(value) > MAX_TEXT:
        raise ValidationError({field_name: _("At most %(n)d characters, please.") % {"n": MAX_TEXT}})
    return value


def _event(correction, *, action, from_status, by, comment="", at=None):
    CorrectionEvent.objects.create(
        correction=correction,
        action=action,
        from_status=from_status,
        to_status=correction.status,
        by=by,
        at=at or timezone.now(),
        comment=comment,
    )


def _require_execution(by, correction=None):
    """The execution group prepares corrections (regulation 二.2); for an appeal escalated to the leadership group,
    the leadership member deciding it prepares its correction (二.1), which another member then approves."""
    roles = roles_of(by)
    appeal_correction = correction is None or correction.origin == Correction.Origin.APPEAL
    if not (roles.is_execution or (roles.is_leadership and appeal_correction)):
        raise PermissionDenied(_("Only the execution group prepares corrections."))


def _locked(correction, *, expected_status=None) -> Correction:
    # Lock the correction: two members acting on it at once (or a double click) must not both take a step.
    locked = (
        Correction.objects.select_for_update(of=("self",)).select_related("quarter", "subject").get(pk=correction.pk)
    )
    if expected_status is not None and locked.status != expected_status:
        raise CorrectionRefused(
            _("This correction is already “%(status)s”: the page you used was out of date. Nothing was changed.")
            % {"status": locked.get_status_display()}
        )
    return locked


def _require_draft(correction):
    if correction.status != CorrectionStatus.DRAFT:
        raise CorrectionRefused(
            _("A correction that is “%(status)s” can no longer be changed. Nothing was changed.")
            % {"status": correction.get_status_display()}
        )


def correction_start(*, quarter: Quarter, by, reason: str, subject: StaffProfile | None = None) -> Correction:
    """The execution group starts a correction of a published quarter (an appeal's, naming the appellant)."""
    if subject is None and not roles_of(by).is_execution:
        raise PermissionDenied(_("Only the execution group prepares corrections."))
    _require_execution(by)
    reason = _clean_text(reason, "reason", _("Please say what is wrong and why it is corrected."))
    with transaction.atomic():
        locked = Quarter.objects.select_for_update().get(pk=quarter.pk)
        if locked.state != QuarterState.PUBLISHED:
            raise CorrectionRefused(
                _("The results of %(quarter)s can be corrected only while the quarter is published, not “%(state)s”.")
                % {"quarter": locked.code, "state": locked.get_state_display()}
            )
        correction = Correction.objects.create(
            quarter=locked,
            origin=Correction.Origin.APPEAL if subject is not None else Correction.Origin.EXECUTION,
            subject=subject,
            reason=reason,
            prepared_by=by,
            prepared_at=timezone.now(),
        )
        _event(correction, action="start", from_status="", by=by)
    return correction


def _record_in_basis(correction, kind, record_id):
    """The record's row in the quarter's basis, or None (a correction changes what the results rested on)."""
    cards = current_published(correction.quarter)
    _basis, rows = _starting_rows(correction.quarter, cards)
    for row in getattr(rows, basis_module.ROWS_FIELD[kind]):
        if row.id == record_id:
            return row
    return None


def correction_record_change_add(*, correction, by, kind: str, operation: str, data=None, record=None, note=""):
    """Declare one record change: `data` is what the kind's record form would receive (clients.forms), `record`
    the department record changed or removed. The form validates the values as the data pages would; nothing is
    written to the department data until the correction is applied."""
    _require_execution(by, correction)
    if kind not in Kind.values or operation not in Operation.values:
        raise ValidationError(_("Choose a kind of record and whether it is added, changed or removed."))
    note = (note or "").strip()[:500]
    values, reference, before = {}, "", {}
    if operation != Operation.ADD:
        if record is None:
            raise ValidationError({"record": _("Name the record to change or remove.")})
        row = _record_in_basis(correction, kind, record.pk)
        if row is None:
            raise ValidationError(
                {
                    "record": _("%(record)s is not among the records the %(quarter)s results rest on.")
                    % {"record": record, "quarter": correction.quarter.code}
                }  # fmt: skip
            )
        before = {name: _plain(value) for name, value in row._asdict().items()}
        reference = str(record)
    if operation != Operation.REMOVE:
        form = RECORD_FORMS[PLURAL[kind]](data, instance=record if operation == Operation.CHANGE else None)
        if not form.is_valid():
            raise ValidationError(form.errors)
        values = form_values(form.cleaned_data)
        if operation == Operation.CHANGE:
            # Only what the correction changes: a field left as it was is not declared, so a later edit of it
            # (through another correction) is not undone when this one is applied.
            stored = type(record).objects.get(pk=record.pk)  # the form has set its values on `record` itself
            current = form_values({name: getattr(stored, name) for name in values})
            values = {name: value for name, value in values.items() if value != current[name]}
            if not values:
                raise ValidationError(_("Nothing is changed: edit at least one value of the record."))
        reference = reference or str(form.cleaned_data.get("ref") or form.cleaned_data.get("number")
                                     or form.cleaned_data.get("code") or "")  # fmt: skip
    with transaction.atomic():
        locked = _locked(correction)
        _require_draft(locked)
        if record is not None and locked.record_changes.filter(kind=kind, record_id=record.pk).exists():
            raise ValidationError({"record": _("This correction already changes %(record)s.") % {"record": record}})
        change = CorrectionRecordChange.objects.create(
            correction=locked,
            kind=kind,
            operation=operation,
            record_id=record.pk if record is not None else None,
            reference=reference[:60],
            values=values,
            before=before,
            note=note,
        )
    return change


def correction_record_change_remove(*, correction, by, change_id) -> None:
    _require_execution(by, correction)
    with transaction.atomic():
        locked = _locked(correction)
        _require_draft(locked)
        locked.record_changes.filter(pk=change_id).delete()


def parse_points(value) -> Decimal:
    try:
        points = Decimal(str(value))
    except ArithmeticError:
        raise ValidationError({"points": _("Points must be a number, e.g. 2.5 or -1.")}) from None
    if not points.is_finite() or abs(points) > 100 or points != points.quantize(Decimal("0.01")) or not points:
        raise ValidationError(
            {"points": _("Points must be a number between -100 and 100, not 0, with at most two decimals.")}
        )
    return points


def correction_adjustment_add(*, correction, by, staff, indicator, points, justification, allowed_indicators=None):
    """Declare a points adjustment on one person's indicator (for an appeal, the appellant's contested ones)."""
    _require_execution(by, correction)
    points = parse_points(points)
    justification = _clean_text(justification, "justification", _("Please say why the points are adjusted."))
    with transaction.atomic():
        locked = _locked(correction)
        _require_draft(locked)
        if locked.subject_id is not None and staff.pk != locked.subject_id:
            raise ValidationError({"staff": _("An appeal's correction adjusts only the appellant's points.")})
        if allowed_indicators is not None and indicator.pk not in allowed_indicators:
            raise ValidationError({"indicator": _("Adjust only the indicators the appeal contests.")})
        if staff.user_id == by.pk:
            raise ValidationError({"staff": _("Nobody adjusts their own points (regulation 1.3, fairness).")})
        card = current_published(locked.quarter).get(staff.pk)
        if card is None or not card.lines.filter(indicator=indicator).exists():
            raise ValidationError({"indicator": _("This person's published result has no such indicator.")})
        adjustment, _created = CorrectionAdjustment.objects.update_or_create(
            correction=locked,
            staff=staff,
            indicator=indicator,
            defaults={
                "points": points,
                "justification": justification,
                "created_by": by,
                "created_at": timezone.now(),
            },  # fmt: skip
        )
    return adjustment


def correction_adjustment_remove(*, correction, by, adjustment_id) -> None:
    _require_execution(by, correction)
    with transaction.atomic():
        locked = _locked(correction)
        _require_draft(locked)
        locked.adjustments.filter(pk=adjustment_id).delete()


def _check_declares_something(correction):
    if not correction.record_changes.exists() and not correction.adjustments.exists():
        raise CorrectionRefused(
            _("The correction declares no change: add the records it corrects or a points adjustment first.")
        )


def correction_submit(*, correction, by, fingerprint: str, expected_status=CorrectionStatus.DRAFT, at=None):
    """The preparer confirms the correction after reading its preview.

    If it moves nobody but the appellant it is applied at once; otherwise it waits for a leadership member who did
    not prepare it. Returns (correction, new versions) — no versions while it waits.
    """
    _require_execution(by, correction)
    with transaction.atomic():
        Quarter.objects.select_for_update().get(pk=correction.quarter_id)
        locked = _locked(correction, expected_status=expected_status)
        _require_draft(locked)
        if locked.prepared_by_id != by.pk and locked.origin == Correction.Origin.EXECUTION:
            raise PermissionDenied(_("Only the member who prepared this correction submits it."))
        _check_declares_something(locked)
        preview = correction_preview(locked)
        if fingerprint != preview.fingerprint:
            raise StalePreview(
                _(
                    "The results this correction gives changed since you read the preview: read it again. Nothing was "
                    "changed."
                )  # fmt: skip
            )
        if not preview.moved and locked.subject_id is None:
            raise CorrectionRefused(_("This correction changes nobody's result: there is nothing to apply."))
        locked.submitted_at = timezone.now()
        locked.fingerprint = preview.fingerprint
        if preview.needs_approval:
            before = locked.status
            locked.status = CorrectionStatus.AWAITING_APPROVAL
            locked.save()
            _event(locked, action="submit", from_status=before, by=by, at=at)
            _notify_leadership(locked, preview)
            return locked, []
        locked.save()
        versions = _apply(locked, by=by, preview=preview, at=at)
    return locked, versions


def correction_approve(*, correction, by, fingerprint: str, comment: str = "", at=None):
    """A leadership member who did not prepare the correction approves it; it is applied. Returns the versions."""
    if not roles_of(by).is_leadership:
        raise PermissionDenied(_("Only the leadership group approves a correction that changes others' results."))
    with transaction.atomic():
        Quarter.objects.select_for_update().get(pk=correction.quarter_id)
        locked = _locked(correction, expected_status=CorrectionStatus.AWAITING_APPROVAL)
        _refuse_own(locked, by)
        preview = correction_preview(locked)
        if fingerprint != preview.fingerprint or locked.fingerprint != preview.fingerprint:
            raise StalePreview(
                _(
                    "The results this correction gives are no longer those it was submitted with (another correction "
                    "was applied since): return it so that it is checked again. Nothing was changed."
                )  # fmt: skip
            )
        locked.approved_by = by
        locked.approved_at = at or timezone.now()
        locked.save()
        versions = _apply(locked, by=by, preview=preview, at=at, comment=comment, action="approve")
    return locked, versions


def _refuse_own(correction, by):
    """Four eyes: whoever prepared the correction, or handled the appeal it belongs to, does not approve it."""
    handler_id = getattr(getattr(correction, "appeal", None), "handler_id", None)
    if by.pk in (correction.prepared_by_id, handler_id):
        raise CorrectionRefused(
            _(
                "You prepared this correction or handled its appeal, so another member of the leadership group must "
                "approve it."
            )  # fmt: skip
        )
    if correction.subject is not None and correction.subject.user_id == by.pk:
        raise CorrectionRefused(_("Nobody approves a correction of their own result."))


def correction_return(*, correction, by, comment: str):
    """A leadership member sends the correction back to be prepared again; the comment says why."""
    if not roles_of(by).is_leadership:
        raise PermissionDenied(_("Only the leadership group approves or returns a correction."))
    comment = _clean_text(comment, "comment", _("Please write what should change."))
    with transaction.atomic():
        locked = _locked(correction, expected_status=CorrectionStatus.AWAITING_APPROVAL)
        _refuse_own(locked, by)
        locked.status = CorrectionStatus.DRAFT
        locked.fingerprint = ""
        locked.save()
        _event(locked, action="return", from_status=CorrectionStatus.AWAITING_APPROVAL, by=by, comment=comment)
    return locked


def correction_withdraw(*, correction, by, comment: str = ""):
    """The execution group abandons a correction that has not been applied."""
    _require_execution(by, correction)
    with transaction.atomic():
        locked = _locked(correction)
        if not locked.is_open:
            raise CorrectionRefused(
                _("A correction that is “%(status)s” cannot be withdrawn.") % {"status": locked.get_status_display()}
            )
        before = locked.status
        locked.status = CorrectionStatus.WITHDRAWN
        locked.save()
        _event(locked, action="withdraw", from_status=before, by=by, comment=(comment or "").strip())
    return locked


# --- Applying -------------------------------------------------------------------------------------------------------


def _write_department_changes(correction, *, by) -> None:
    """Write the declared changes into the department data, for this correction (clients.locks lets it through)."""
    for change in correction.record_changes.all():
        create, update = client_services.RECORD_SERVICES[PLURAL[change.kind]]
        model = RECORD_FORMS[PLURAL[change.kind]]._meta.model
        fields = {}
        for name, value in change.values.items():
            field_object = model._meta.get_field(name)
            if field_object.is_relation and value is not None:
                value = field_object.related_model.objects.get(pk=value)
            elif value is not None:
                value = field_object.to_python(value)
            fields[name] = value
        if change.operation == Operation.ADD:
            record = create(by=by, correction=correction, **fields)
            change.record_id = record.pk
            change.save(update_fields=["record_id"])
        elif change.operation == Operation.CHANGE:
            update(instance=model.objects.get(pk=change.record_id), by=by, correction=correction, **fields)
        else:
            client_services.record_delete(instance=model.objects.get(pk=change.record_id), by=by, correction=correction)


def _line_row(card_id, line) -> IndicatorScore:
    return IndicatorScore(
        scorecard_id=card_id,
        indicator_id=line.indicator_id,
        value=scoring.stored_raw(line.value),
        numerator=scoring.stored_raw(line.numerator),
        denominator=scoring.stored_raw(line.denominator),
        target=line.target,
        weight=line.weight,
        effective_weight=line.effective_weight,
        points=line.points,
        rule=line.rule[:200],
        no_data_policy=line.no_data_policy,
        no_data_applied=line.no_data_applied,
        details=json.loads(compact_json(line.details)),
    )


def _apply(correction, *, by, preview: Preview, at=None, comment="", action="apply") -> list[tuple]:
    """Write the department changes, the child basis and a new published version for everyone who moves (and the
    appellant); returns [(old, new)] per person. Runs under the quarter's and the correction's locks."""
    quarter = correction.quarter
    _write_department_changes(correction, by=by)
    now = at or timezone.now()
    if correction.record_changes.filter(operation=Operation.ADD).exists():
        # The added records have their ids now: compute again, with the rows as they will be kept.
        preview = correction_preview(correction)
    parent = preview.basis
    if parent is None:
        # Results computed before bases were kept: their basis, rebuilt from the records before this correction.
        cards = current_published(quarter)
        _none, before_rows = _starting_rows(quarter, cards)
        parent = basis_module.basis_write(quarter=quarter, scheme=preview.scheme, rows=before_rows, by=by,
                                          note="reconstructed", reconstructed=True)  # fmt: skip
    child = basis_module.basis_write(
        quarter=quarter,
        scheme=preview.scheme,
        rows=preview.rows,
        by=by,
        parent=parent,
        note=f"correction #{correction.pk}",
    )
    reason = _("Correction #%(pk)s: %(reason)s") % {"pk": correction.pk, "reason": correction.reason}
    planned = [move for move in preview.moves if move.moved or move.staff.pk == correction.subject_id]
    versions = dict(
        Scorecard.objects.filter(quarter=quarter, staff_id__in=[move.staff.pk for move in planned])
        .values("staff_id")
        .annotate(top=Max("version"))
        .values_list("staff_id", "top")
    )
    # The old versions stop being current first: the one-current-per-person constraint holds throughout.
    Scorecard.objects.filter(pk__in=[move.old.pk for move in planned]).update(is_current=False)
    created = []
    for move in planned:
        result, old = move.new, move.old
        # Written as a draft with its lines, then published: the database refuses lines on a published version.
        new = Scorecard.objects.create(
            quarter=quarter,
            staff_id=old.staff_id,
            version=versions[old.staff_id] + 1,
            is_current=True,
            status=Scorecard.Status.DRAFT,
            scheme=old.scheme,
            basis=child,
            position=old.position,
            department_id=old.department_id,
            total=result.total,
            grade=result.grade.label_zh if result.grade else "",
            grade_en=result.grade.label_en if result.grade else "",
            rank=result.rank,
            ranked_count=result.ranked_count,
            evaluation=old.evaluation,
            computed_at=now,
            created_by=by,
            correction_reason=reason,
        )
        new.staff = old.staff
        created.append((old, new, result))
    IndicatorScore.objects.bulk_create(
        [_line_row(new.pk, line) for _old, new, result in created for line in result.lines], batch_size=2000
    )
    new_ids = [new.pk for _old, new, _result in created]
    Scorecard.objects.filter(pk__in=new_ids).update(status=Scorecard.Status.PUBLISHED)
    before = correction.status
    correction.status = CorrectionStatus.APPLIED
    correction.applied_at = now
    correction.basis = child
    correction.save()
    _event(correction, action=action, from_status=before, by=by, comment=comment, at=now)
    pairs = []
    for old, new, _result in created:
        new.status = Scorecard.Status.PUBLISHED
        old.is_current = False
        pairs.append((old, new))
    _notify_corrected(correction, pairs)
    versions_published.send(sender=Correction, quarter=quarter, scorecard_ids=new_ids)
    return pairs


# --- Notices -------------------------------------------------------------------------------------------------------


def _notify_corrected(correction, pairs):
    """Everyone whose result changed is told what changed, in their language, with the correction named."""
    from results.notices import corrected_result_notice

    for old, new in pairs:
        corrected_result_notice(correction=correction, old=old, new=new)


def _notify_leadership(correction, preview):
    from results.notices import approval_requested_notice

    approval_requested_notice(correction=correction, moved=len(preview.moved))


# --- Reads for the pages --------------------------------------------------------------------------------------------


def open_corrections(quarter):
    """Corrections of the quarter still being prepared or awaiting approval (the quarter cannot close meanwhile)."""
    return Correction.objects.filter(
        quarter=quarter, status__in=[CorrectionStatus.DRAFT, CorrectionStatus.AWAITING_APPROVAL]
    )
