"""Points adjustments move to the results app: each upheld appeal with adjustments becomes an applied correction
(results.Correction) holding them, linked from the appeal. The corrected versions it made stay as they are."""

from django.db import migrations


def forwards(apps, schema_editor):
    Appeal = apps.get_model("appeals", "Appeal")
    AppealAdjustment = apps.get_model("appeals", "AppealAdjustment")
    Correction = apps.get_model("results", "Correction")
    CorrectionAdjustment = apps.get_model("results", "CorrectionAdjustment")
    appeal_ids = AppealAdjustment.objects.values_list("appeal_id", flat=True).distinct()
    for appeal in Appeal.objects.filter(pk__in=list(appeal_ids)).select_related("staff"):
        adjustments = list(AppealAdjustment.objects.filter(appeal=appeal))
        first = adjustments[0]
        correction = Correction.objects.create(
            quarter_id=appeal.quarter_id,
            origin="appeal",
            subject_id=appeal.staff_id,
            reason=f"Appeal #{appeal.pk} of {appeal.staff.full_name} upheld: {appeal.decision or first.justification}",
            status="applied",
            prepared_by_id=appeal.decided_by_id or first.created_by_id,
            prepared_at=first.created_at,
            submitted_at=first.created_at,
            applied_at=appeal.decided_at or first.created_at,
        )
        CorrectionAdjustment.objects.bulk_create(
            CorrectionAdjustment(
                correction=correction,
                staff_id=appeal.staff_id,
                indicator_id=adjustment.indicator_id,
                points=adjustment.points,
                justification=adjustment.justification,
                created_by_id=adjustment.created_by_id,
                created_at=adjustment.created_at,
            )
            for adjustment in adjustments
        )
        appeal.correction = correction
        appeal.save(update_fields=["correction"])


class Migration(migrations.Migration):
    dependencies = [("appeals", "0003_appeal_correction"), ("results", "0006_corrections")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
