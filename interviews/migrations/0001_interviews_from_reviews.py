"""Interviews, their improvement plans and the designated interviewers move here from reviews (this app is their one
writer).

The tables already exist (reviews 0005 and 0008 made them) and keep their names: this migration only tells Django
they are this app's now, and relabels their content types so permissions and admin history follow."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVED = ('interview', 'improvementitem', 'interviewerdesignation')


def relabel_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="interviews", model=model).exists():
            ContentType.objects.filter(app_label="reviews", model=model).update(app_label="interviews")


def relabel_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="interviews", model__in=MOVED).update(app_label="reviews")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('reviews', '0009_staff_change_log'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Interview',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('scheduled_at', models.DateTimeField(verbose_name='scheduled for')),
                        ('place', models.CharField(max_length=200, verbose_name='place')),
                        ('held_at', models.DateTimeField(blank=True, null=True, verbose_name='held at')),
                        ('strengths', models.TextField(blank=True, verbose_name='strengths')),
                        ('weaknesses', models.TextField(blank=True, verbose_name='weaknesses')),
                        ('goals', models.TextField(blank=True, verbose_name='goals for the next quarter')),
                        ('recorded_at', models.DateTimeField(blank=True, null=True, verbose_name='recorded at')),
                        ('acknowledged_at', models.DateTimeField(blank=True, null=True, verbose_name='acknowledged at')),
                        ('acknowledgement_comment', models.TextField(blank=True, verbose_name='acknowledgement comment')),
                        ('quarter', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='interviews', to='reviews.quarter', verbose_name='quarter')),
                        ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
                        ('scheduled_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='scheduled by')),
                        ('staff', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='interviews', to='reviews.staffprofile', verbose_name='assessed person')),
                        ('superior', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='interviews_held', to='reviews.staffprofile', verbose_name='superior')),
                    ],
                    options={
                        'verbose_name': 'interview',
                        'verbose_name_plural': 'interviews',
                        'db_table': 'reviews_interview',
                        'ordering': ['quarter', 'staff'],
                    },
                ),
                migrations.CreateModel(
                    name='ImprovementItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('description', models.CharField(max_length=500, verbose_name='improvement')),
                        ('due_on', models.DateField(verbose_name='due on')),
                        ('done', models.BooleanField(default=False, verbose_name='done')),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='reviews.staffprofile', verbose_name='owner')),
                        ('interview', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='improvement_items', to='interviews.interview', verbose_name='interview')),
                    ],
                    options={
                        'verbose_name': 'improvement item',
                        'verbose_name_plural': 'improvement items',
                        'db_table': 'reviews_improvementitem',
                        'ordering': ['interview', 'due_on', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='InterviewerDesignation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reason', models.TextField(verbose_name='reason')),
                        ('designated_at', models.DateTimeField(verbose_name='designated at')),
                        ('designated_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='designated by')),
                        ('interviewer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='designated_interviews', to='reviews.staffprofile', verbose_name='interviewer')),
                        ('quarter', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='interviewer_designations', to='reviews.quarter', verbose_name='quarter')),
                        ('staff', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='designated_interviewers', to='reviews.staffprofile', verbose_name='assessed person')),
                    ],
                    options={
                        'verbose_name': 'designated interviewer',
                        'verbose_name_plural': 'designated interviewers',
                        'db_table': 'reviews_interviewerdesignation',
                        'ordering': ['quarter', 'staff'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='interview',
                    constraint=models.UniqueConstraint(fields=('quarter', 'staff'), name='interview_one_per_person_quarter'),
                ),
                migrations.AddConstraint(
                    model_name='interview',
                    constraint=models.CheckConstraint(condition=models.Q(('acknowledged_at__isnull', True), ('recorded_at__isnull', False), _connector='OR'), name='interview_acknowledged_after_recorded'),
                ),
                migrations.AddConstraint(
                    model_name='interview',
                    constraint=models.CheckConstraint(condition=models.Q(('recorded_at__isnull', True), ('held_at__isnull', False), _connector='OR'), name='interview_recorded_is_held'),
                ),
                migrations.AddConstraint(
                    model_name='interviewerdesignation',
                    constraint=models.UniqueConstraint(fields=('quarter', 'staff'), name='interviewer_one_per_person_quarter'),
                ),
                migrations.AddConstraint(
                    model_name='interviewerdesignation',
                    constraint=models.CheckConstraint(condition=models.Q(('interviewer', models.F('staff')), _negated=True), name='interviewer_not_self'),
                ),
            ],
        ),
        migrations.RunPython(relabel_content_types, relabel_back),
    ]
