"""The rows of the two ranked tables (portal:results and portal:approval) as HTML built in Python.

A hundred rows of ten values each through the template language cost more than every query of the page
together (each value is looked up, localised and escaped by the template engine). Here every text is escaped
(the same five characters as Django's escape, without its lazy-string wrapper, which cost more than the rest of
the row) and every number is already formatted by portal.quarter_selectors.ranked_results_page.
"""

from html import escape

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _


def _text(value) -> str:
    return "" if value is None else escape(str(value))


def _name_cell(row, mark="") -> str:
    name = _text(row["name"])
    if row.get("url"):
        return f'<td><a href="{_text(row["url"])}">{name}</a>{mark}</td>'
    return f"<td>{name}{mark}</td>"


def _rank(row) -> str:
    return f"{int(row['rank'])} / {int(row['ranked_count'])}"


def correction_marks(corrected: dict[int, int] | None) -> dict[int, str]:
    """Scorecard id -> the mark of a result corrected after publication ("v2 · corrected"), as HTML.

    Built once per corrected row (a handful), not looked up and translated for each of the hundred rows."""
    marks = {}
    for pk, version in (corrected or {}).items():
        # Not inside the f-string: makemessages does not see gettext calls there.
        label = _("v%(version)s · corrected") % {"version": version}
        marks[pk] = f' <span class="badge text-bg-warning corrected">{_text(label)}</span>'
    return marks


def results_rows_html(rows, cells_html, corrected=None) -> str:
    """The results page: position, rank, name, department, points per indicator, total, grade, status.

    `cells_html(row)` gives the indicator cells (portal.results_views, which links each to its explanation);
    `corrected` maps the ids of corrected scorecards to their version (appeals.selectors.corrected_versions)."""
    marks = correction_marks(corrected)
    return mark_safe(  # noqa: S308 — every value escaped above
        "".join(
            "<tr>"
            f'<td class="wrap">{_text(row["position_label"])}</td>'
            f'<td class="num">{_rank(row)}</td>'
            f"{_name_cell(row)}"
            f'<td class="wrap">{_text(row["department"])}</td>'
            f"{cells_html(row)}"
            f'<td class="num fw-semibold">{_text(row["total"])}</td>'
            f'<td class="wrap">{_text(row["grade_label"])}</td>'
            f'<td class="results-status">{_text(row["status_label"])}{marks.get(row["pk"], "")}</td>'
            "</tr>"
            for row in rows
        )
    )


def approval_rows_html(rows, corrected=None) -> str:
    """The approval page: name (marked when the result was corrected), department, position, total, grade, rank."""
    marks = correction_marks(corrected)
    return mark_safe(  # noqa: S308 — every value escaped above
        "".join(
            "<tr>"
            f"{_name_cell(row, marks.get(row['pk'], ''))}"
            f"<td>{_text(row['department'])}</td><td>{_text(row['position_label'])}</td>"
            f'<td class="num">{_text(row["total"])}</td><td>{_text(row["grade_label"])}</td>'
            f'<td class="num">{_rank(row)}</td>'
            "</tr>"
            for row in rows
        )
    )
