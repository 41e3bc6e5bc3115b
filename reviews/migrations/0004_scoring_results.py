# The grade's English label next to the Chinese one, so a scorecard shows its grade in the reader's language.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reviews", "0003_quarter_lifecycle")]

    operations = [
        migrations.AddField(
            model_name="scorecard",
            name="grade_en",
            field=models.CharField(blank=True, max_length=40),
        ),
    ]
