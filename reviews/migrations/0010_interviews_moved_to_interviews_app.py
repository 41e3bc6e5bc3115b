"""Interviews and designated interviewers now belong to the interviews app (interviews/migrations/0001); the
tables stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0009_staff_change_log'),
        ('interviews', '0001_interviews_from_reviews'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='interview',
                    name='quarter',
                ),
                migrations.RemoveField(
                    model_name='interview',
                    name='recorded_by',
                ),
                migrations.RemoveField(
                    model_name='interview',
                    name='scheduled_by',
                ),
                migrations.RemoveField(
                    model_name='interview',
                    name='staff',
                ),
                migrations.RemoveField(
                    model_name='interview',
                    name='superior',
                ),
                migrations.RemoveField(
                    model_name='interviewerdesignation',
                    name='designated_by',
                ),
                migrations.RemoveField(
                    model_name='interviewerdesignation',
                    name='interviewer',
                ),
                migrations.RemoveField(
                    model_name='interviewerdesignation',
                    name='quarter',
                ),
                migrations.RemoveField(
                    model_name='interviewerdesignation',
                    name='staff',
                ),
                migrations.DeleteModel(
                    name='ImprovementItem',
                ),
                migrations.DeleteModel(
                    name='Interview',
                ),
                migrations.DeleteModel(
                    name='InterviewerDesignation',
                ),
            ],
        ),
    ]
