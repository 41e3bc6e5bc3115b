"""Storing a quarter's draft results (regulation 三.4) with the basis they rest on (results.basis).

Drafts are replaced as often as the execution group recomputes until the results are submitted; the evaluations it
already wrote are kept across a recomputation. Published results are never touched.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators import scoring
from indicators.computation import quarter_compute
from lawfirm_kpi.memory import collector_paused
from results.basis import CONTRACT, REVENUE, StreamedChunkWriter, basis_write
from results.bulk import compact_json, insert_plain
from results.models import Basis, IndicatorScore, Scorecard
from reviews.models import Quarter, StaffProfile


def results_store_drafts(*, quarter: Quarter, scheme, by, as_of: datetime.datetime | None = None) -> int:
    """Compute the quarter's results and replace its draft scorecards with them; returns how many were stored.

    Published results are never touched: if any scorecard of the quarter is published, nothing is stored.
    """
    if scheme.quarter_id != quarter.pk:
        raise ValidationError(
            _("The scheme %(scheme)s is not a scheme of %(quarter)s.") % {"scheme": scheme, "quarter": quarter.code}
        )
    now = timezone.now()
    with collector_paused(), transaction.atomic():
        # Lock the quarter: two recomputations at once would each delete the drafts and then insert
        # duplicates, and a publication racing a recomputation could publish half-replaced drafts.
        Quarter.objects.select_for_update().get(pk=quarter.pk)
        if Scorecard.objects.filter(quarter=quarter, status=Scorecard.Status.PUBLISHED).exists():
            raise ValidationError(
                _("The results of %(quarter)s are published; they cannot be recomputed.") % {"quarter": quarter.code}
            )
        # The contracts and revenue entries stream past the scoring once; their chunks of the basis are encoded
        # as they pass.
        writers = {kind: StreamedChunkWriter(kind) for kind in (CONTRACT, REVENUE)}
        computation = quarter_compute(
            quarter=quarter, scheme=scheme, as_of=as_of or now, on_batch={kind: w.add for kind, w in writers.items()}
        )
        results = computation.results
        staff = {
            profile_id: department_id
            for profile_id, department_id in StaffProfile.objects.filter(
                id__in=[result.staff_id for result in results]
            ).values_list("id", "department_id")
        }
        drafts = Scorecard.objects.filter(quarter=quarter, status=Scorecard.Status.DRAFT)
        # Two DELETE statements whatever the number of staff: the lines first, then the bare drafts (nothing
        # else points at a draft scorecard, so the collector's per-object pass is not needed). The lines go by
        # a list of ids, not a sub-query: right after a first scoring PostgreSQL's statistics still say both
        # tables are empty, and it then joined them by a nested loop that took seconds for 2,000 scorecards.
        # Recomputing replaces the drafts; the evaluations the execution group already wrote are kept.
        written = dict(drafts.exclude(evaluation="").values_list("staff_id", "evaluation"))
        draft_ids = list(drafts.values_list("id", flat=True))
        previous = Basis.objects.filter(scorecards__in=draft_ids).order_by("-pk").first() if draft_ids else None
        if draft_ids:
            lines = IndicatorScore.objects.filter(scorecard_id__in=draft_ids)
            lines._raw_delete(lines.db)
            drafts._raw_delete(drafts.db)
        # The new basis holds only the records that changed since the previous drafts' (a basis is never removed:
        # docs/results.md); a first scoring holds them all.
        basis = basis_write(
            quarter=quarter, scheme=scheme, rows=computation.inputs.rows, by=by, parent=previous,
            streamed=writers.values(),
        )  # fmt: skip

        insert_plain(
            Scorecard,
            ("staff", "position", "department", "total", "grade", "grade_en", "rank", "ranked_count", "evaluation"),
            [
                (
                    result.staff_id,
                    result.position,
                    staff[result.staff_id],
                    result.total,
                    result.grade.label_zh if result.grade else "",
                    result.grade.label_en if result.grade else "",
                    result.rank,
                    result.ranked_count,
                    written.get(result.staff_id, ""),
                )
                for result in results
            ],
            constants={
                "quarter": quarter.pk,
                "version": 1,
                "is_current": True,
                "status": Scorecard.Status.DRAFT,
                "scheme": scheme.pk,
                "basis": basis.pk,
                "computed_at": now,
                "created_by": by.pk if by else None,
            },
        )
        # The new drafts' ids, by person (one per person: the drafts were deleted above, under the lock).
        card_of = dict(drafts.values_list("staff_id", "id"))
        insert_plain(
            IndicatorScore,
            (
                "scorecard",
                "indicator",
                "value",
                "numerator",
                "denominator",
                "target",
                "weight",
                "effective_weight",
                "points",
                "rule",
                "no_data_policy",
                "no_data_applied",
                "details",
            ),  # fmt: skip
            (  # a generator: COPY encodes the lines as it reads them (results.bulk)
                (
                    card_of[result.staff_id],
                    line.indicator_id,
                    scoring.stored_raw(line.value),
                    scoring.stored_raw(line.numerator),
                    scoring.stored_raw(line.denominator),
                    line.target,
                    line.weight,
                    line.effective_weight,
                    line.points,
                    line.rule[:200],
                    line.no_data_policy,
                    line.no_data_applied,
                    compact_json(line.details),
                )
                for result in results
                for line in result.lines
            ),
        )
    return len(results)
