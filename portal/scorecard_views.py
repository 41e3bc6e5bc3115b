"""Pages of a person's results: the list of their published quarters and one scorecard."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from documents import scorecards
from interviews.self_assessment import self_assessment_link


@login_required
def my_scorecards(request):
    return render(request, "reviews/scorecard_list.html", {"rows": scorecards.my_scorecards(user=request.user)})


@login_required
def scorecard_detail(request, pk):
    """One scorecard, read and rendered in full on every view: no cache, a fixed number of queries
    (docs/benchmarks.md, "pages": the first view after publication is the one measured)."""
    scorecard = scorecards.scorecard_for_user(request.user, pk)
    context = scorecards.scorecard_page(scorecard=scorecard, user=request.user)
    # Regulation 三.5: the person writes their self-assessment from here; its readers open it from here.
    context["self_assessment"] = self_assessment_link(request.user, scorecard=scorecard, interview=context["interview"])
    return render(request, "reviews/scorecard_detail.html", context)
