from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("appeals", "0004_adjustments_into_corrections")]

    operations = [migrations.DeleteModel(name="AppealAdjustment")]
