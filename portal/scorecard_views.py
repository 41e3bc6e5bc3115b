"""Pages of a person's results: the list of their published quarters and one scorecard."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.safestring import mark_safe

from documents import scorecards
from interviews.self_assessment import self_assessment_link


@login_required
def my_scorecards(request):
    return render(request, "reviews/scorecard_list.html", {"rows": scorecards.my_scorecards(user=request.user)})


@login_required
def scorecard_detail(request, pk):
    scorecard = scorecards.scorecard_for_user(request.user, pk)
    results = scorecards.scorecard_results_html(scorecard)
    viewer = scorecards.scorecard_viewer_context(scorecard=scorecard, user=request.user)
    context = {
        **viewer,
        # Regulation 三.5: the person writes their self-assessment from here; its readers open it from here.
        "self_assessment": self_assessment_link(request.user, scorecard=scorecard, interview=viewer["interview"]),
        "rank_text": results["rank_text"],
        "scheme_version": results["scheme_version"],
        # Rendered by our own templates, which escape every value.
        "results_html": mark_safe(results["results_html"]),  # noqa: S308
        "past_html": mark_safe(results["past_html"]),  # noqa: S308
    }
    return render(request, "reviews/scorecard_detail.html", context)
