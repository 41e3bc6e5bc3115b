"""The indicator cells of the results table: one cell per indicator column, linking to its explanation.

A scorecard's lines never change once written: recomputing replaces draft scorecards by new ones and a
correction adds a new version, each with new lines. So the cells of a row are kept in the cache under the
scorecard's id (with the language and the columns), and a page reads and builds only the rows it has not seen.
"""

import hashlib
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from indicators.scoring import EXCLUDE
from results.models import IndicatorScore

CELLS_CACHE_SECONDS = 24 * 3600


def cells_html_by_scorecard(scorecard_ids, columns, stamp="") -> dict[int, str]:
    """{scorecard id: the HTML of its indicator cells, in the order of `columns`}.

    A page read again (the same rows) is one cache entry; another page or order of the same results reuses the
    rows it shares, each kept under its scorecard's id. `stamp` (documents.scorecards.results_stamp) joins the keys
    so that not even ids handed out again after a database flush could meet an old entry."""
    signature = ",".join(str(indicator.pk) for indicator in columns)
    language = get_language()
    page_key = (
        "result-cells-page:"
        + hashlib.blake2s(
            f"{stamp}|{language}|{signature}|{','.join(map(str, scorecard_ids))}".encode(), digest_size=12
        ).hexdigest()
    )
    cells = cache.get(page_key)
    if cells is not None:
        return cells
    keys = {pk: f"result-cells:{pk}:{stamp}:{language}:{signature}" for pk in scorecard_ids}
    found = cache.get_many(list(keys.values()))
    cells = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in scorecard_ids if pk not in cells]
    if missing:
        built = _build_cells(missing, columns)
        cache.set_many({keys[pk]: html for pk, html in built.items()}, CELLS_CACHE_SECONDS)
        cells.update(built)
    cache.set(page_key, cells, CELLS_CACHE_SECONDS)
    return cells


def _build_cells(scorecard_ids, columns) -> dict[int, str]:
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
    cell = _cell_maker()
    return {pk: "".join(cell(by_card.get(pk, {}).get(indicator.pk)) for indicator in columns) for pk in scorecard_ids}


def _cell_maker():
    """A function line -> the HTML of its cell: 1,300 cells through the template language took most of a second.

    Every part is escaped or a number formatted here; the URL is reversed once and filled in.
    """
    sentinel = "987654321"
    head, _sentinel, tail = reverse("portal:explain", args=[int(sentinel)]).partition(sentinel)
    head, tail = escape(head), escape(tail)
    no_data, value_label = escape(_("No data")), escape(_("Value"))
    no_data_badge = escape(_("no data"))  # outside the f-string, where makemessages sees it
    badge = f' <span class="badge text-bg-light">{no_data_badge}</span>'
    excluded_title = escape(
        _("No data: this indicator is excluded and its weight is shared among the other indicators (no score).")
    )

    def cell(line):
        if line is None:
            return '<td class="num">—</td>'
        if line.no_data_applied and line.no_data_policy == EXCLUDE:
            # docs/indicators.md, "No data": an excluded item weighs nothing, so its 0.00 is not a score; a number
            # here would read as one. The mark still links to the explanation.
            return (
                f'<td class="num"><a class="no-data-mark" href="{head}{int(line.pk)}{tail}" '
                f'title="{excluded_title}">{no_data_badge}</a></td>'
            )
        if line.no_data_applied:
            # Full marks or zero by the item's no-data policy: a real score, marked; the mark may wrap below it.
            title, extra, classes = no_data, badge, "num wrap"
        else:
            title, extra, classes = f"{value_label}: {two_places(line.value)}", "", "num"
        return (
            f'<td class="{classes}"><a href="{head}{int(line.pk)}{tail}" title="{title}">'
            f"{two_places(line.points)}</a>{extra}</td>"
        )

    return cell


def two_places(value):
    """As the template's floatformat:2 shows a number: two decimals, rounded half up."""
    if value is None:
        return ""
    return str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
