"""Corrections of published results after an upheld appeal: recompute the whole quarter, because ranks are
relative, and give every scorecard whose total, grade or rank changes a new version.

Published rows are never edited: the old version only stops being the current one and stays readable.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators import scoring
from indicators.computation import results_compute
from indicators.selectors import scheme_bands
from results.models import IndicatorScore, Scorecard
from reviews.models import Quarter, QuarterState

from .models import AppealAdjustment, Outcome


@dataclass
class CardChange:
    """One person's result before and after the correction."""

    old: Scorecard
    new: Scorecard

    @property
    def staff(self):
        return self.new.staff

    @property
    def total_changed(self) -> bool:
        return self.old.total != self.new.total

    @property
    def grade_changed(self) -> bool:
        return self.old.grade != self.new.grade

    @property
    def rank_changed(self) -> bool:
        return (self.old.rank, self.old.ranked_count) != (self.new.rank, self.new.ranked_count)


def _adjustments(quarter) -> dict[tuple[int, int], list[AppealAdjustment]]:
    """Every upheld adjustment of the quarter by (person, indicator): each later correction keeps the earlier ones."""
    found = defaultdict(list)
    for adjustment in AppealAdjustment.objects.filter(
        appeal__quarter=quarter, appeal__outcome=Outcome.UPHELD
    ).select_related("appeal"):
        found[(adjustment.appeal.staff_id, adjustment.indicator_id)].append(adjustment)
    return found


def points_ceiling(line) -> Decimal:
    """The most a line may carry: weight + bonus cap, on the line's own scale.

    When items without data are excluded, the other lines' weights are rescaled (effective_weight) and so is
    their ceiling; the ceiling is never below the points the scoring itself gave.
    """
    cap = Decimal(str(((line.details or {}).get("rule") or {}).get("bonus_cap", "0")))
    ceiling = line.weight + cap
    if line.weight and line.effective_weight:
        ceiling = ceiling * line.effective_weight / line.weight
    return max(scoring.round_half_up(ceiling), line.points)


def apply_adjustment(line: scoring.LineResult, adjustments: list[AppealAdjustment]) -> None:
    """The adjustments on top of the computed points, clamped to [0, weight + bonus cap] (regulation 三.4's range)."""
    delta = sum((a.points for a in adjustments), Decimal("0"))
    computed = line.points
    line.points = scoring.round_half_up(min(max(computed + delta, Decimal("0")), points_ceiling(line)))
    line.details = {
        **line.details,
        "appeal_adjustment": {
            "computed_points": str(computed),
            "points": str(delta),
            "appeals": sorted({a.appeal_id for a in adjustments}),
            "justification": [a.justification for a in adjustments],
        },
    }


def _line_rows(card, result):
    return [
        IndicatorScore(
            scorecard=card,
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
            details=line.details,
        )
        for line in result.lines
    ]


def quarter_results_correct(*, quarter: Quarter, by, reason: str, always_for=(), at=None) -> list[CardChange]:
    """Recompute the quarter's published results and write new versions where they changed; returns the changes.

    always_for: staff ids that get a new version even if nothing moved (the appellant: the record of the
    correction belongs on their scorecard). Must run inside the caller's transaction (the appeal's decision).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("A correction needs a reason."))
    with transaction.atomic():
        # Lock the quarter: a second correction (or a close) at the same moment would read the same current
        # versions and write a second "version 2" beside this one.
        locked = Quarter.objects.select_for_update().get(pk=quarter.pk)
        if locked.state != QuarterState.PUBLISHED:
            raise ValidationError(
                _("The results of %(quarter)s can be corrected only while the quarter is published, not “%(state)s”.")
                % {"quarter": locked.code, "state": locked.get_state_display()}
            )
        current = {
            card.staff_id: card
            for card in Scorecard.objects.filter(
                quarter=locked, is_current=True, status=Scorecard.Status.PUBLISHED
            ).select_related("staff__user", "scheme")
        }
        if not current:
            raise ValidationError(_("%(quarter)s has no published results to correct.") % {"quarter": locked.code})
        schemes = {card.scheme_id: card.scheme for card in current.values()}
        scheme = max(schemes.values(), key=lambda s: sum(1 for c in current.values() if c.scheme_id == s.pk))
        # Judge open complaints at the moment the results were first computed, as then: a correction must not
        # move anyone merely because time passed.
        as_of = Scorecard.objects.filter(quarter=locked).aggregate(first=Min("computed_at"))["first"]
        results = {r.staff_id: r for r in results_compute(quarter=locked, scheme=scheme, as_of=as_of)}

        adjustments = _adjustments(locked)
        for result in results.values():
            for line in result.lines:
                found = adjustments.get((result.staff_id, line.indicator_id))
                if found:
                    apply_adjustment(line, found)
            result.total = sum((line.points for line in result.lines), Decimal("0"))

        # Rank everyone with a published result: people who left since publication keep their total.
        totals_by_position: dict[str, dict[int, Decimal]] = defaultdict(dict)
        for staff_id, card in current.items():
            result = results.get(staff_id)
            position = result.position if result else card.position
            totals_by_position[position][staff_id] = result.total if result else card.total
        bands = scheme_bands(scheme)
        now = at or timezone.now()
        always = set(always_for)

        planned = []
        for position, totals in totals_by_position.items():
            ranks = scoring.rank_competition(totals)
            for staff_id, total in totals.items():
                old = current[staff_id]
                band = scoring.grade_for(total, bands)
                grade = band.label_zh if band else ""
                new_fields = {
                    "total": total,
                    "grade": grade,
                    "grade_en": band.label_en if band else "",
                    "rank": ranks[staff_id],
                    "ranked_count": len(totals),
                    "position": position,
                }
                moved = (old.total, old.grade, old.rank, old.ranked_count) != (
                    total,
                    grade,
                    ranks[staff_id],
                    len(totals),
                )
                if moved or staff_id in always:
                    planned.append((old, new_fields))
        if not planned:
            return []

        versions = dict(
            Scorecard.objects.filter(quarter=locked, staff_id__in=[old.staff_id for old, _fields in planned])
            .values("staff_id")
            .annotate(top=Max("version"))
            .values_list("staff_id", "top")
        )
        # The old versions stop being current first: the one-current-per-person constraint holds throughout.
        Scorecard.objects.filter(pk__in=[old.pk for old, _fields in planned]).update(is_current=False)
        changes, line_rows = [], []
        for old, fields in planned:
            # Written as a draft with its lines, then published in one step: the database refuses lines added to a
            # published version (results/migrations/0003).
            new = Scorecard.objects.create(
                quarter=locked,
                staff_id=old.staff_id,
                version=versions[old.staff_id] + 1,
                is_current=True,
                status=Scorecard.Status.DRAFT,
                scheme=old.scheme,
                department_id=old.department_id,
                evaluation=old.evaluation,
                computed_at=now,
                created_by=by,
                correction_reason=reason,
                **fields,
            )
            new.staff = old.staff
            old.is_current = False
            result = results.get(old.staff_id)
            if result is not None:
                line_rows.extend(_line_rows(new, result))
            else:
                line_rows.extend(IndicatorScore(**{**_copy_line(line), "scorecard": new}) for line in old.lines.all())
            changes.append(CardChange(old=old, new=new))
        IndicatorScore.objects.bulk_create(line_rows, batch_size=2000)
        Scorecard.objects.filter(pk__in=[change.new.pk for change in changes]).update(status=Scorecard.Status.PUBLISHED)
        for change in changes:
            change.new.status = Scorecard.Status.PUBLISHED
    return changes


def _copy_line(line):
    return {
        field.name: getattr(line, field.name)
        for field in IndicatorScore._meta.concrete_fields
        if field.name not in ("id", "scorecard")
    }
