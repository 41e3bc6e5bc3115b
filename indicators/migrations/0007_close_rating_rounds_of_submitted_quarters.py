"""Rounds of quarters whose results were already submitted stayed open; they close as a submission now closes them,
recorded at the submission's time and by its author (regulation 二.2: the leadership group decides on frozen inputs).
"""

from django.db import migrations
from django.utils import timezone

STATES_AFTER_SUBMISSION = ("submitted", "approved", "published", "closed")


def close_rounds(apps, schema_editor):
    RatingRound = apps.get_model("indicators", "RatingRound")
    for rating_round in RatingRound.objects.filter(
        closed_at__isnull=True, quarter__state__in=STATES_AFTER_SUBMISSION
    ).select_related("quarter"):
        quarter = rating_round.quarter
        rating_round.closed_at = quarter.submitted_at or quarter.approved_at or quarter.published_at or timezone.now()
        rating_round.closed_by_id = quarter.submitted_by_id
        rating_round.save(update_fields=["closed_at", "closed_by"])


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0006_scheme_last_edited_by"),
        ("reviews", "0010_interviews_moved_to_interviews_app"),
    ]

    operations = [migrations.RunPython(close_rounds, migrations.RunPython.noop)]
