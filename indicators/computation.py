"""Computing a quarter's results without storing them: the inputs read once, the arithmetic of scoring.py.

Results are stored by the results app (results.drafts, results.corrections); the scheme pages' what-if preview
computes a draft scheme's results here and stores nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from indicators import scoring, selectors
from lawfirm_kpi.memory import collector_paused
from reviews.models import Quarter


@dataclass
class Computation:
    """What a computation read and what it found."""

    inputs: selectors.QuarterInputs
    results: list[scoring.PersonResult]


def quarter_compute(
    *, quarter: Quarter, scheme, as_of: datetime.datetime | None = None, on_batch: dict | None = None
) -> Computation:
    """Every assessed person's lines, total, grade and rank under the scheme, with the rows they rest on.

    Open complaints are judged late or pending at `as_of` (the moment of scoring unless given). The contracts
    and revenue entries are read as streams while scoring; on_batch[kind] sees each of their batches
    (selectors.ContractStream, selectors.RevenueStream).
    """
    with collector_paused():
        inputs = selectors.quarter_inputs(
            quarter=quarter, scheme=scheme, as_of=as_of or timezone.now(), on_batch=on_batch
        )
        results = scoring.score_quarter(
            inputs.rows, inputs.people, inputs.rules_by_position, inputs.bands, inputs.scale, inputs.calibration
        )
    return Computation(inputs=inputs, results=results)


def results_compute(*, quarter: Quarter, scheme, as_of: datetime.datetime | None = None) -> list[scoring.PersonResult]:
    """The results alone; reads only, saves nothing (the what-if preview calls it with a draft scheme)."""
    return quarter_compute(quarter=quarter, scheme=scheme, as_of=as_of).results


def rows_compute(*, rows: scoring.QuarterRows, people: list[scoring.Person], scheme) -> list[scoring.PersonResult]:
    """The results of given rows and people under the scheme: a correction's recomputation over a frozen basis."""
    parameters = selectors.scheme_parameters(scheme)
    # The basis's rating groups carry the centring adjustments made when the quarter was scored (scoring.RatingGroup).
    return scoring.score_quarter(
        rows,
        people,
        selectors.scheme_rules(scheme),
        selectors.scheme_bands(scheme),
        int(parameters["rating_scale"]),
        parameters["rating_calibration"],
    )
