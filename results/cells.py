"""The indicator cells of the results table: one cell per indicator column, linking to its explanation.

Plain values for the template (templates/indicators/_results_row.html), read in one query for the page's rows.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.urls import reverse

from indicators.scoring import EXCLUDE
from results.models import IndicatorScore


def cells_by_scorecard(scorecard_ids, columns) -> dict[int, list[dict | None]]:
    """{scorecard id: one cell per column, in the order of `columns` (None where the person has no line)}.

    A cell is {"url", "points", "value", "no_data", "excluded"}: the numbers already as the page shows them."""
    by_card = {}
    # Plain values, not model instances: the page only shows them.
    lines = (
        IndicatorScore.objects.filter(scorecard__in=scorecard_ids)
        .order_by()
        .values_list(
            "pk", "scorecard_id", "indicator_id", "value", "points", "no_data_applied", "no_data_policy", named=True
        )
    )
    for line in lines:
        by_card.setdefault(line.scorecard_id, {})[line.indicator_id] = line
    link = _explain_link_maker()
    cells = {}
    for pk in scorecard_ids:
        own = by_card.get(pk, {})
        cells[pk] = [_cell(own.get(indicator.pk), link) for indicator in columns]
    return cells


def _cell(line, link) -> dict | None:
    if line is None:
        return None
    return {
        "url": link(line.pk),
        "points": two_places(line.points),
        "value": two_places(line.value),
        "no_data": line.no_data_applied,
        # docs/indicators.md, "No data": an excluded item weighs nothing, so its 0.00 is not a score; the page shows
        # a mark instead of a number.
        "excluded": line.no_data_applied and line.no_data_policy == EXCLUDE,
    }


def _explain_link_maker():
    """A function line id -> URL of its explanation, reversed once and filled in (a reverse() per cell cost more
    than the page's query)."""
    sentinel = "987654321"
    head, _sentinel, tail = reverse("portal:explain", args=[int(sentinel)]).partition(sentinel)
    return lambda pk: f"{head}{int(pk)}{tail}"


def two_places(value):
    """As the template's floatformat:2 shows a number: two decimals, rounded half up."""
    if value is None:
        return ""
    return str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
