# Scorecards and their lines now belong to the results app (results/migrations/0001); the tables stay.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('appeals', '0002_scorecard_in_results'),
        ('notifications', '0002_scorecard_in_results'),
        ('reviews', '0006_page_indexes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='scorecard',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='scorecard',
                    name='department',
                ),
                migrations.RemoveField(
                    model_name='scorecard',
                    name='quarter',
                ),
                migrations.RemoveField(
                    model_name='scorecard',
                    name='scheme',
                ),
                migrations.RemoveField(
                    model_name='scorecard',
                    name='staff',
                ),
                migrations.DeleteModel(
                    name='IndicatorScore',
                ),
                migrations.DeleteModel(
                    name='Scorecard',
                ),
            ],
        ),
    ]
