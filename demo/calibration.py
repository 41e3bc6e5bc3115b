"""The demo firm's generous rater: one colleague whose scores sit well above the others', so that each rating round's
calibration page (indicators/calibration.py, regulation 三.4) has someone to flag."""

from django.contrib.auth import get_user_model

# 孙丽, the finance clerk, gives every colleague she rates full marks. A data-department clerk rates the
# cross-department collaboration of nearly everyone (regulation 三.3), so her generosity is measured on some thirty
# people rated by the other clerks too: far from the rest, and flagged, in every round.
GENEROUS_RATER = "finclerk"


def demo_generous_rater(quarter, *, now, today):
    """Every score the generous rater has given in the quarter's round becomes full marks, through the rating
    service."""
    from indicators.models import RatingAssignment
    from indicators.ratings import rating_give, rating_scale_for

    rater = get_user_model().objects.filter(username=GENEROUS_RATER).first()
    if rater is None:
        return
    scale = rating_scale_for(quarter)
    given = RatingAssignment.objects.filter(round__quarter=quarter, rater__user=rater, score__isnull=False)
    for assignment in given.order_by("pk"):
        rating_give(assignment=assignment, by=rater, score=scale, now=now, today=today)
