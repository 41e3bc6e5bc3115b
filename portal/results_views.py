"""Results pages: a quarter's results table and the "how was this computed" page of one scorecard line."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from appeals.selectors import corrected_versions, quarter_corrections
from interviews.access import get_scorecard_for_user
from portal.quarter_selectors import mark_corrected, results_table_page
from results import explain
from results.models import IndicatorScore
from reviews.models import Quarter, QuarterState
from reviews.roles import require, roles_of
from reviews.selectors import get_quarter_or_404

# A quarter in one of these states has computed results (reviews/lifecycle.py: scoring stores them).
STATES_WITH_RESULTS = (
    QuarterState.SCORED,
    QuarterState.SUBMITTED,
    QuarterState.APPROVED,
    QuarterState.PUBLISHED,
    QuarterState.CLOSED,
)


@require(lambda roles: roles.is_organiser)
def results_latest(request):
    """The menu's "Results table": the latest quarter with results. A redirect, so that the menu on every page
    needs no query to know which quarter that is."""
    quarter = Quarter.objects.filter(state__in=STATES_WITH_RESULTS).order_by("-year", "-number").first()
    if quarter is None:
        messages.info(request, _("No quarter has results yet."))
        return redirect("portal:quarters")
    return redirect("portal:results", code=quarter.code)


@require(lambda roles: roles.is_organiser)
def results(request, code):
    """The quarter's current results, 100 people a page, by position and rank unless sorted otherwise.

    Execution and leadership groups only. Sorting, filters and search run in SQL (portal.quarter_selectors),
    so a page costs the same few queries at 20 or 2,000 staff, read fresh each time (no cache).
    """
    quarter = get_quarter_or_404(code)
    # Results corrected after an upheld appeal: noted above the table and marked in their rows
    # (docs/results.md, "Corrections").
    context = {"quarter": quarter, **results_table_page(quarter=quarter, query=request.GET)}
    corrections = quarter_corrections(quarter=quarter) if context["has_corrections"] else []
    context["corrections"] = corrections
    mark_corrected(context["rows"], corrected_versions(corrections))
    return render(request, "indicators/results_table.html", context)


@login_required
def explain_line(request, pk):
    """How one indicator of a scorecard was computed; 404 for anyone who may not see the scorecard."""
    scorecard_id = IndicatorScore.objects.filter(pk=pk).values_list("scorecard_id", flat=True).first()
    if scorecard_id is None:
        raise Http404
    card = get_scorecard_for_user(request.user, scorecard_id)
    line = get_object_or_404(IndicatorScore.objects.select_related("indicator"), pk=pk)
    line.scorecard = card
    # The two groups see every figure; the ratee and their superiors not the averages of too few colleagues.
    full_ratings = roles_of(request.user).is_organiser
    return render(request, "indicators/explain.html", explain.line_explanation(line, full_ratings=full_ratings))
