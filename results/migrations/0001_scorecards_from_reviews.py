"""Scorecards and their lines move here from reviews (the results app is their one writer).

The tables already exist (reviews 0001–0006 made them): this migration only tells Django they are this app's now,
under their old names (0002 renames them), and relabels their content types so permissions and admin history follow.
"""

import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


MOVED = ("scorecard", "indicatorscore")


def relabel_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="results", model=model).exists():
            ContentType.objects.filter(app_label="reviews", model=model).update(app_label="results")


def relabel_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="results", model__in=MOVED).update(app_label="reviews")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('indicators', '0005_ratings_rounds_and_questionnaire_links'),
        ('reviews', '0006_page_indexes'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Scorecard',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('version', models.PositiveSmallIntegerField(default=1)),
                        ('is_current', models.BooleanField(default=True)),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published')], default='draft', max_length=10)),
                        ('position', models.CharField(choices=[('lawyer', 'Lawyer'), ('assistant', 'Assistant'), ('administrative', 'Administrative staff')], max_length=20)),
                        ('total', models.DecimalField(decimal_places=2, max_digits=7)),
                        ('grade', models.CharField(max_length=40)),
                        ('grade_en', models.CharField(blank=True, max_length=40)),
                        ('rank', models.PositiveIntegerField()),
                        ('ranked_count', models.PositiveIntegerField()),
                        ('evaluation', models.TextField(blank=True, verbose_name='overall evaluation')),
                        ('computed_at', models.DateTimeField()),
                        ('correction_reason', models.TextField(blank=True)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('department', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='reviews.department')),
                        ('quarter', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='scorecards', to='reviews.quarter')),
                        ('scheme', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='scorecards', to='indicators.scheme')),
                        ('staff', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='scorecards', to='reviews.staffprofile')),
                    ],
                    options={
                        'ordering': ['quarter', 'position', 'rank'],
                        'db_table': 'reviews_scorecard',
                    },
                ),
                migrations.CreateModel(
                    name='IndicatorScore',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('value', models.DecimalField(decimal_places=4, max_digits=14, null=True)),
                        ('numerator', models.DecimalField(decimal_places=4, max_digits=16, null=True)),
                        ('denominator', models.DecimalField(decimal_places=4, max_digits=16, null=True)),
                        ('target', models.DecimalField(decimal_places=4, max_digits=14, null=True)),
                        ('weight', models.DecimalField(decimal_places=2, max_digits=6)),
                        ('effective_weight', models.DecimalField(decimal_places=2, max_digits=6)),
                        ('points', models.DecimalField(decimal_places=2, max_digits=6)),
                        ('rule', models.CharField(max_length=200)),
                        ('no_data_policy', models.CharField(blank=True, max_length=20)),
                        ('no_data_applied', models.BooleanField(default=False)),
                        ('details', models.JSONField(blank=True, default=dict)),
                        ('indicator', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='indicators.indicator')),
                        ('scorecard', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='results.scorecard')),
                    ],
                    options={
                        'ordering': ['scorecard', 'indicator__order'],
                        'db_table': 'reviews_indicatorscore',
                    },
                ),
                migrations.AddIndex(
                    model_name='scorecard',
                    index=models.Index(condition=models.Q(('is_current', True)), fields=['quarter', 'position', 'rank'], name='scorecard_rank_order_idx'),
                ),
                migrations.AddIndex(
                    model_name='scorecard',
                    index=models.Index(condition=models.Q(('is_current', True)), fields=['quarter', '-total'], name='scorecard_total_order_idx'),
                ),
                migrations.AddConstraint(
                    model_name='scorecard',
                    constraint=models.UniqueConstraint(fields=('quarter', 'staff', 'version'), name='scorecard_unique_version'),
                ),
                migrations.AddConstraint(
                    model_name='scorecard',
                    constraint=models.UniqueConstraint(condition=models.Q(('is_current', True)), fields=('quarter', 'staff'), name='scorecard_one_current'),
                ),
                migrations.AddConstraint(
                    model_name='scorecard',
                    constraint=models.CheckConstraint(condition=models.Q(('total__gte', Decimal('0'))), name='scorecard_total_not_negative'),
                ),
                migrations.AddConstraint(
                    model_name='indicatorscore',
                    constraint=models.UniqueConstraint(fields=('scorecard', 'indicator'), name='indicator_score_unique'),
                ),
            ],
        ),
        migrations.RunPython(relabel_content_types, relabel_back),
    ]
