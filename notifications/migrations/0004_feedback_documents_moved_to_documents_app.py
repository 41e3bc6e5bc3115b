"""Feedback documents now belong to the documents app (documents/migrations/0001); the table stays."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0003_notice_outbox'),
        ('documents', '0001_feedback_documents_from_notifications'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='FeedbackDocument',
                ),
            ],
        ),
    ]
