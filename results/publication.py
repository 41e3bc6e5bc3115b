"""Publishing a quarter's results (regulation 三.5: the written result goes to each person)."""

from results.models import Scorecard


def results_publish(*, quarter) -> int:
    """Every current draft of the quarter becomes its published first version; returns how many.

    Call it under the quarter's lock, from the quarter's publish step (portal.quarter_services.quarter_publish).
    From then on the database refuses any change to those rows (results/migrations/0003).
    """
    return Scorecard.objects.filter(quarter=quarter, is_current=True, status=Scorecard.Status.DRAFT).update(
        status=Scorecard.Status.PUBLISHED
    )
