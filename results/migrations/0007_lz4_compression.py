"""The frozen basis's chunks and the lines' details are compressed with lz4 on PostgreSQL (docs/benchmarks.md,
"The scoring figures").

A scoring writes tens of megabytes of them at 2,000 staff and hundreds at 20,000: PostgreSQL's default (pglz)
compressed a 2,000-staff basis in 0.37 s, lz4 in 0.15 s, for a little more disk. Values already stored keep
their compression. Servers built without lz4 keep the default.
"""

from django.db import migrations

COLUMNS = [("results_basischunk", "data"), ("results_indicatorscore", "details")]


def use_lz4(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
        if row is None or "lz4" not in row[0]:
            return
        for table, column in COLUMNS:
            cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET COMPRESSION lz4')


def use_default(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table, column in COLUMNS:
            cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET COMPRESSION DEFAULT')


class Migration(migrations.Migration):
    dependencies = [("results", "0006_corrections")]

    operations = [migrations.RunPython(use_lz4, use_default)]
