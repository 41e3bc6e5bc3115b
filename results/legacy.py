"""Results computed before bases were kept: their records are rebuilt from the department data as it is now.

Such a result's lines hold counts, not the ids of the records behind them. Its explanation recomputes the person's
line under the result's own scheme and moment, from today's records, and says so on the page; nothing is stored.
A correction of such a quarter first stores a basis built the same way (results.corrections), marked reconstructed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from indicators import scoring, selectors
from results import basis as basis_module


@dataclass
class Reconstruction:
    details: dict
    records: dict = field(default_factory=dict)  # kind → {id: row}


def quarter_rows_now(quarter, scheme, as_of) -> scoring.QuarterRows:
    """The quarter's rows as the department records give them today, over the scheme's period."""
    period = selectors.quarter_period(quarter, selectors.scheme_parameters(scheme), as_of)
    return selectors.quarter_rows(quarter, period)


def reconstructed_line(line) -> Reconstruction:
    """The line's details (record ids) and the records they name, rebuilt from today's department records."""
    card = line.scorecard
    rows = quarter_rows_now(card.quarter, card.scheme, card.computed_at)
    rules = {rule.code: rule for rule in selectors.scheme_rules(card.scheme).get(card.position, [])}
    code = line.indicator.code
    rule = rules.get(code) or scoring.ItemRule(code=code, weight=line.weight, kind=line.indicator.kind)
    raw = scoring.raw_value(scoring.index_rows(rows), card.staff_id, rule)
    records = {
        kind: {row.id: row for row in getattr(rows, field_name)}
        for kind, field_name in basis_module.ROWS_FIELD.items()
        if kind != basis_module.RATING
    }
    return Reconstruction(details={**(line.details or {}), **raw.details}, records=records)
