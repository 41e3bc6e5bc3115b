"""The moved tables take this app's names (results_scorecard, results_indicatorscore)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("results", "0001_scorecards_from_reviews"),
        ("reviews", "0007_scorecards_moved_to_results"),
    ]

    operations = [
        migrations.AlterModelTable(name="scorecard", table=None),
        migrations.AlterModelTable(name="indicatorscore", table=None),
    ]
