"""Results pages: a quarter's results table and the "how was this computed" page of one scorecard line."""

from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from reviews.access import get_scorecard_for_user
from reviews.models import IndicatorScore, Quarter
from reviews.quarter_selectors import results_table_page
from reviews.roles import require

from . import explain


def _quarter_or_404(code):
    try:
        year, number = Quarter.parse_code(code)
    except ValueError:
        raise Http404 from None
    return get_object_or_404(Quarter, year=year, number=number)


@require(lambda roles: roles.is_organiser)
def results(request, code):
    """The quarter's current results, 100 people a page, by position and rank unless sorted otherwise.

    Execution and leadership groups only. Sorting, filters and search run in SQL (reviews.quarter_selectors),
    so a page costs the same few queries at 20 or 2,000 staff.
    """
    quarter = _quarter_or_404(code)
    context = {"quarter": quarter, **results_table_page(quarter=quarter, query=request.GET)}
    cell = _cell_maker()
    for row in context["rows"]:
        row["cells_html"] = mark_safe("".join(cell(line) for line in row["cells"]))  # noqa: S308 - escaped in cell
    return render(request, "indicators/results_table.html", context)


def _cell_maker():
    """A function line -> the HTML of its cell: 1,300 cells through the template language took most of a second.

    Every part is escaped or a number formatted here; the URL is reversed once and filled in.
    """
    sentinel = "987654321"
    head, _sentinel, tail = reverse("indicators:explain", args=[int(sentinel)]).partition(sentinel)
    head, tail = escape(head), escape(tail)
    no_data, value_label = escape(_("No data")), escape(_("Value"))
    badge = format_html(' <span class="badge text-bg-light">{}</span>', _("no data"))

    def cell(line):
        if line is None:
            return '<td class="num">—</td>'
        if line.no_data_applied:
            title, extra = no_data, badge
        else:
            title, extra = f"{value_label}: {_two_places(line.value)}", ""
        return (
            f'<td class="num"><a href="{head}{int(line.pk)}{tail}" title="{title}">{_two_places(line.points)}</a>'
            f"{extra}</td>"
        )

    return cell


def _two_places(value):
    """As the template's floatformat:2 shows a number: two decimals, rounded half up."""
    if value is None:
        return ""
    return str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@login_required
def explain_line(request, pk):
    """How one indicator of a scorecard was computed; 404 for anyone who may not see the scorecard."""
    scorecard_id = IndicatorScore.objects.filter(pk=pk).values_list("scorecard_id", flat=True).first()
    if scorecard_id is None:
        raise Http404
    card = get_scorecard_for_user(request.user, scorecard_id)
    line = get_object_or_404(IndicatorScore.objects.select_related("indicator"), pk=pk)
    line.scorecard = card
    return render(request, "indicators/explain.html", explain.line_explanation(line))
