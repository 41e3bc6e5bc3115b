# The scorecard moved from reviews to results; only Django's idea of where it lives changes, not the table.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('appeals', '0001_appeals'),
        ('results', '0001_scorecards_from_reviews'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='appeal',
                    name='scorecard',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='appeals', to='results.scorecard', verbose_name='scorecard'),
                ),
            ],
        ),
    ]
