"""Feedback documents move here from notifications (this app is their one writer).

The table already exists (notifications 0001 made it) and keeps its name: this migration only tells Django it is
this app's now, and relabels its content type so permissions and admin history follow."""

import django.db.models.deletion
from django.db import migrations, models


MOVED = ('feedbackdocument',)


def relabel_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="documents", model=model).exists():
            ContentType.objects.filter(app_label="notifications", model=model).update(app_label="documents")


def relabel_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="documents", model__in=MOVED).update(app_label="notifications")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('notifications', '0003_notice_outbox'),
        ('results', '0006_corrections'),
        ('reviews', '0009_staff_change_log'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='FeedbackDocument',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('feedback', 'Written feedback'), ('report', 'Report to the leadership group')], default='feedback', max_length=10, verbose_name='kind')),
                        ('version', models.PositiveSmallIntegerField(default=1, verbose_name='version')),
                        ('file', models.FileField(blank=True, upload_to='feedback/', verbose_name='file')),
                        ('language', models.CharField(default='zh-hans', max_length=10, verbose_name='language')),
                        ('status', models.CharField(choices=[('pending', 'Waiting'), ('running', 'Rendering'), ('done', 'Done'), ('failed', 'Failed')], default='pending', max_length=10, verbose_name='status')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('error', models.TextField(blank=True, verbose_name='error')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('quarter', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='feedback_documents', to='reviews.quarter', verbose_name='quarter')),
                        ('scorecard', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='feedback_documents', to='results.scorecard', verbose_name='scorecard')),
                    ],
                    options={
                        'verbose_name': 'feedback document',
                        'verbose_name_plural': 'feedback documents',
                        'db_table': 'notifications_feedbackdocument',
                        'ordering': ['quarter', 'kind', 'scorecard', 'version'],
                        'constraints': [models.UniqueConstraint(fields=('scorecard', 'version'), name='feedback_document_unique_version'), models.UniqueConstraint(condition=models.Q(('kind', 'report')), fields=('quarter', 'version'), name='report_document_unique_version'), models.CheckConstraint(condition=models.Q(models.Q(('kind', 'report'), ('scorecard__isnull', True)), models.Q(('kind', 'feedback'), ('scorecard__isnull', False)), _connector='OR'), name='feedback_document_kind_matches_scorecard')],
                    },
                ),
            ],
        ),
        migrations.RunPython(relabel_content_types, relabel_back),
    ]
