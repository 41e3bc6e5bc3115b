"""A basis is never changed or removed (docs/results.md "The frozen basis"): results rest on it, and a later basis
(a recomputation's, a correction's) rests on its ancestors. Only emptying the whole database lifts this (0003
explains the triggers and their one maintenance switch). The SQLite guards of the results tables are created again
with the new basis_id column named.
"""

from django.db import migrations

MESSAGE = "a published result is never changed in place: make a new version"

SCORECARD_COLUMNS = (
    "id",
    "quarter_id",
    "staff_id",
    "version",
    "status",
    "scheme_id",
    "basis_id",
    "position",
    "department_id",
    "total",
    "grade",
    "grade_en",
    "rank",
    "ranked_count",
    "evaluation",
    "computed_at",
    "created_by_id",
    "correction_reason",
)

_MAINTENANCE = "coalesce(current_setting('results.maintenance', true), '') = 'on'"


def _guard(table, event):
    name = f"{table}_no_{event.lower()}"
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
    IF NOT {_MAINTENANCE} AND EXISTS (SELECT 1 FROM old_rows) THEN
        RAISE EXCEPTION '{table}: {MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {name}();
"""


BASIS_TABLES = ("results_basis", "results_basischunk")
POSTGRESQL_UP = "".join(_guard(table, event) for table in BASIS_TABLES for event in ("UPDATE", "DELETE"))
POSTGRESQL_DOWN = "".join(
    f"DROP TRIGGER IF EXISTS {table}_no_{event} ON {table};\nDROP FUNCTION IF EXISTS {table}_no_{event}();\n"
    for table in BASIS_TABLES
    for event in ("update", "delete")
)

_CHANGED = " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in SCORECARD_COLUMNS)
_PUBLISHED_CARD = "(SELECT status FROM results_scorecard WHERE id = {side}.scorecard_id) = 'published'"

# SQLite drops a table's triggers when Django rebuilds the table for a schema change, so every migration that
# touches the results tables creates all their triggers again (tests/results/test_immutability.py checks them).
SCORECARD_TRIGGERS = (
    "results_scorecard_no_update",
    "results_scorecard_no_delete",
    "results_line_no_insert",
    "results_line_no_update",
    "results_line_no_delete",
)
SQLITE_UP = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in SCORECARD_TRIGGERS),
    f"""CREATE TRIGGER results_scorecard_no_update BEFORE UPDATE ON results_scorecard
    FOR EACH ROW WHEN OLD.status = 'published' AND NOT results_maintenance()
        AND ({_CHANGED} OR (NEW.is_current AND NOT OLD.is_current))
    BEGIN SELECT RAISE(ABORT, 'results_scorecard: {MESSAGE}'); END""",
    f"""CREATE TRIGGER results_scorecard_no_delete BEFORE DELETE ON results_scorecard
    FOR EACH ROW WHEN OLD.status = 'published' AND NOT results_maintenance()
    BEGIN SELECT RAISE(ABORT, 'results_scorecard: {MESSAGE}'); END""",
    f"""CREATE TRIGGER results_line_no_insert BEFORE INSERT ON results_indicatorscore
    FOR EACH ROW WHEN {_PUBLISHED_CARD.format(side="NEW")} AND NOT results_maintenance()
    BEGIN SELECT RAISE(ABORT, 'results_indicatorscore: {MESSAGE}'); END""",
    f"""CREATE TRIGGER results_line_no_update BEFORE UPDATE ON results_indicatorscore
    FOR EACH ROW WHEN ({_PUBLISHED_CARD.format(side="OLD")} OR {_PUBLISHED_CARD.format(side="NEW")})
        AND NOT results_maintenance()
    BEGIN SELECT RAISE(ABORT, 'results_indicatorscore: {MESSAGE}'); END""",
    f"""CREATE TRIGGER results_line_no_delete BEFORE DELETE ON results_indicatorscore
    FOR EACH ROW WHEN {_PUBLISHED_CARD.format(side="OLD")} AND NOT results_maintenance()
    BEGIN SELECT RAISE(ABORT, 'results_indicatorscore: {MESSAGE}'); END""",
    *(
        f"""CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table}
    FOR EACH ROW WHEN NOT results_maintenance()
    BEGIN SELECT RAISE(ABORT, '{table}: {MESSAGE}'); END"""
        for table in BASIS_TABLES
        for event in ("UPDATE", "DELETE")
    ),
]

SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "results_basis_no_update",
        "results_basis_no_delete",
        "results_basischunk_no_update",
        "results_basischunk_no_delete",
    )
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": [POSTGRESQL_UP], "sqlite": SQLITE_UP}.get(vendor)
    if statements is None:
        raise NotImplementedError(f"no immutability triggers for {vendor}: the product supports SQLite and PostgreSQL")
    for statement in statements:
        schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": [POSTGRESQL_DOWN], "sqlite": SQLITE_DOWN}.get(vendor, []):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("results", "0004_basis")]

    operations = [migrations.RunPython(forwards, backwards)]
