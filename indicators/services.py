"""Scoring a quarter: compute every assessed person's results, and store them as draft scorecards."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reviews.models import IndicatorScore, Quarter, Scorecard, StaffProfile

from . import scoring, selectors


def results_compute(*, quarter: Quarter, scheme, as_of: datetime.datetime | None = None) -> list[scoring.PersonResult]:
    """Every assessed person's lines, total, grade and rank under the scheme; reads only, saves nothing.

    Open complaints are judged late or pending at `as_of` (the moment of scoring unless given).
    The what-if preview calls this with a draft scheme.
    """
    inputs = selectors.quarter_inputs(quarter=quarter, scheme=scheme, as_of=as_of or timezone.now())
    return scoring.score_quarter(inputs.rows, inputs.people, inputs.rules_by_position, inputs.bands, inputs.scale)


def results_store_drafts(*, quarter: Quarter, scheme, by, as_of: datetime.datetime | None = None) -> int:
    """Compute the quarter's results and replace its draft scorecards with them; returns how many were stored.

    Published results are never touched: if any scorecard of the quarter is published, nothing is stored.
    """
    if scheme.quarter_id != quarter.pk:
        raise ValidationError(
            _("The scheme %(scheme)s is not a scheme of %(quarter)s.") % {"scheme": scheme, "quarter": quarter.code}
        )
    now = timezone.now()
    with transaction.atomic():
        # Lock the quarter: two recomputations at once would each delete the drafts and then insert
        # duplicates, and a publication racing a recomputation could publish half-replaced drafts.
        Quarter.objects.select_for_update().get(pk=quarter.pk)
        if Scorecard.objects.filter(quarter=quarter, status=Scorecard.Status.PUBLISHED).exists():
            raise ValidationError(
                _("The results of %(quarter)s are published; they cannot be recomputed.") % {"quarter": quarter.code}
            )
        results = results_compute(quarter=quarter, scheme=scheme, as_of=as_of or now)
        staff = {
            profile_id: department_id
            for profile_id, department_id in StaffProfile.objects.filter(
                id__in=[result.staff_id for result in results]
            ).values_list("id", "department_id")
        }
        drafts = Scorecard.objects.filter(quarter=quarter, status=Scorecard.Status.DRAFT)
        # Two DELETE statements whatever the number of staff: the lines first, then the bare drafts (nothing
        # else points at a draft scorecard, so the collector's per-object pass is not needed).
        IndicatorScore.objects.filter(scorecard__in=drafts).delete()
        drafts._raw_delete(drafts.db)

        cards = Scorecard.objects.bulk_create(
            [
                Scorecard(
                    quarter=quarter,
                    staff_id=result.staff_id,
                    version=1,
                    is_current=True,
                    status=Scorecard.Status.DRAFT,
                    scheme=scheme,
                    position=result.position,
                    department_id=staff[result.staff_id],
                    total=result.total,
                    grade=result.grade.label_zh if result.grade else "",
                    grade_en=result.grade.label_en if result.grade else "",
                    rank=result.rank,
                    ranked_count=result.ranked_count,
                    computed_at=now,
                    created_by=by,
                )
                for result in results
            ],
            batch_size=1000,
        )
        IndicatorScore.objects.bulk_create(
            (
                IndicatorScore(
                    scorecard=card,
                    indicator_id=line.indicator_id,
                    value=_four_places(line.value),
                    numerator=_four_places(line.numerator),
                    denominator=_four_places(line.denominator),
                    target=line.target,
                    weight=line.weight,
                    effective_weight=line.effective_weight,
                    points=line.points,
                    rule=line.rule[:200],
                    no_data_policy=line.no_data_policy,
                    no_data_applied=line.no_data_applied,
                    details=line.details,
                )
                for card, result in zip(cards, results, strict=True)
                for line in result.lines
            ),
            batch_size=2000,
        )
    return len(cards)


def _four_places(value):
    """Raw values are stored with four decimals (the column's precision), half-up."""
    return None if value is None else scoring.round_half_up(value, scoring.Decimal("0.0001"))
