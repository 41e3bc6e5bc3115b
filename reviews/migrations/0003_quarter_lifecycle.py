# The quarter's life (docs/regulation.md): submitter, approver, report summary, closing time, and the history
# (QuarterEvent).
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0002_groups'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='quarter',
            name='approved_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='approved at'),
        ),
        migrations.AddField(
            model_name='quarter',
            name='approved_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='approved by'),
        ),
        migrations.AddField(
            model_name='quarter',
            name='closed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='closed at'),
        ),
        migrations.AddField(
            model_name='quarter',
            name='report_summary',
            field=models.TextField(blank=True, verbose_name='report summary'),
        ),
        migrations.AddField(
            model_name='quarter',
            name='submitted_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='submitted at'),
        ),
        migrations.AddField(
            model_name='quarter',
            name='submitted_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='submitted by'),
        ),
        migrations.CreateModel(
            name='QuarterEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('from_state', models.CharField(choices=[('scheme_draft', 'Scheme draft'), ('scheme_approved', 'Scheme approved'), ('collecting', 'Collecting data'), ('scored', 'Scored'), ('submitted', 'Submitted to leadership'), ('approved', 'Approved'), ('published', 'Published'), ('closed', 'Closed')], max_length=20, verbose_name='from')),
                ('to_state', models.CharField(choices=[('scheme_draft', 'Scheme draft'), ('scheme_approved', 'Scheme approved'), ('collecting', 'Collecting data'), ('scored', 'Scored'), ('submitted', 'Submitted to leadership'), ('approved', 'Approved'), ('published', 'Published'), ('closed', 'Closed')], max_length=20, verbose_name='to')),
                ('action', models.CharField(max_length=30, verbose_name='action')),
                ('at', models.DateTimeField(verbose_name='at')),
                ('comment', models.TextField(blank=True, verbose_name='comment')),
                ('by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                ('quarter', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='reviews.quarter', verbose_name='quarter')),
            ],
            options={
                'verbose_name': 'quarter event',
                'verbose_name_plural': 'quarter events',
                'ordering': ['quarter', 'at', 'id'],
            },
        ),
    ]
