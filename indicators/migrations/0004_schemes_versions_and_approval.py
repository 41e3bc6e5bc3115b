"""Scheme versions: who approved with what comment, when a version was superseded, what it was copied from."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("indicators", "0003_indicator_catalogue")]

    operations = [
        migrations.AddField(
            model_name="scheme",
            name="approval_comment",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="scheme",
            name="superseded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="scheme",
            name="based_on",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="indicators.scheme",
            ),
        ),
        migrations.AddConstraint(
            model_name="scheme",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "draft")), fields=("quarter",), name="scheme_one_draft_per_quarter"
            ),
        ),
        migrations.AddConstraint(
            model_name="gradeband",
            constraint=models.CheckConstraint(
                condition=models.Q(("min_total__gte", 0)), name="grade_band_floor_not_negative"
            ),
        ),
    ]
