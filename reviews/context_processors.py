"""Template context: the signed-in user's roles, for menus."""

from django.conf import settings

from reviews.models import Quarter, QuarterState
from reviews.roles import roles_of

# A quarter in one of these states has computed results (reviews/lifecycle.py: scoring stores them).
STATES_WITH_RESULTS = (
    QuarterState.SCORED,
    QuarterState.SUBMITTED,
    QuarterState.APPROVED,
    QuarterState.PUBLISHED,
    QuarterState.CLOSED,
)


def latest_results_quarter_code() -> str | None:
    """The code of the latest quarter with results, for the menu's link to its results table."""
    quarter = Quarter.objects.filter(state__in=STATES_WITH_RESULTS).order_by("-year", "-number").first()
    return quarter.code if quarter else None


def roles(request):
    # A callable: the template calls it only where the menu shows the link (the two groups), one query then.
    return {
        "roles": roles_of(request.user),
        "firm_name": settings.FIRM_NAME,
        "latest_results_quarter": latest_results_quarter_code,
    }
