# The scorecard moved from reviews to results; only Django's idea of where it lives changes, not the table.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0001_notifications_and_feedback_documents'),
        ('results', '0001_scorecards_from_reviews'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='feedbackdocument',
                    name='scorecard',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='feedback_documents', to='results.scorecard', verbose_name='scorecard'),
                ),
            ],
        ),
    ]
