"""The basis a published result rests on is as immutable as the result (docs/results.md "The frozen basis").

Basis rows and their parts are never updated; a basis (and its parts) can be deleted only while no published result
rests on it (the drafts of a quarter being recomputed). The SQLite update guard of results_scorecard is recreated to
name the new basis_id column (0003 explains the triggers and their one maintenance switch).
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

_POSTGRESQL_GUARD = """
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
    IF current_setting('results.maintenance', true) = 'on' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION '%: {message}', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM results_scorecard WHERE basis_id = OLD.{column} AND status = 'published') THEN
        RAISE EXCEPTION '%: {message}', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
"""

# One function per table: PL/pgSQL resolves OLD's fields when it plans a statement, so one function cannot read
# results_basis.id in one table and results_basischunk.basis_id in the other.
POSTGRESQL_UP = (
    _POSTGRESQL_GUARD.format(name="results_basis_guard", column="id", message=MESSAGE)
    + _POSTGRESQL_GUARD.format(name="results_basischunk_guard", column="basis_id", message=MESSAGE)
    + """
CREATE TRIGGER results_basis_immutable BEFORE UPDATE OR DELETE ON results_basis
    FOR EACH ROW EXECUTE FUNCTION results_basis_guard();
CREATE TRIGGER results_basischunk_immutable BEFORE UPDATE OR DELETE ON results_basischunk
    FOR EACH ROW EXECUTE FUNCTION results_basischunk_guard();
"""
)

POSTGRESQL_DOWN = """
DROP TRIGGER IF EXISTS results_basischunk_immutable ON results_basischunk;
DROP TRIGGER IF EXISTS results_basis_immutable ON results_basis;
DROP FUNCTION IF EXISTS results_basis_guard();
DROP FUNCTION IF EXISTS results_basischunk_guard();
"""

_CHANGED = " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in SCORECARD_COLUMNS)
_PUBLISHED_CARD = "(SELECT status FROM results_scorecard WHERE id = {side}.scorecard_id) = 'published'"
_RESTS_ON = "EXISTS (SELECT 1 FROM results_scorecard WHERE basis_id = {basis} AND status = 'published')"

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
    f"""CREATE TRIGGER results_basis_no_update BEFORE UPDATE ON results_basis
    FOR EACH ROW WHEN NOT results_maintenance()
    BEGIN SELECT RAISE(ABORT, 'results_basis: {MESSAGE}'); END""",
    f"""CREATE TRIGGER results_basis_no_delete BEFORE DELETE ON results_basis
    FOR EACH ROW WHEN {_RESTS_ON.format(basis="OLD.id")} AND NOT results_maintenance()
    BEGIN SELECT RAISE(ABORT, 'results_basis: {MESSAGE}'); END""",
    f"""CREATE TRIGGER results_basischunk_no_update BEFORE UPDATE ON results_basischunk
    FOR EACH ROW WHEN NOT results_maintenance()
    BEGIN SELECT RAISE(ABORT, 'results_basischunk: {MESSAGE}'); END""",
    f"""CREATE TRIGGER results_basischunk_no_delete BEFORE DELETE ON results_basischunk
    FOR EACH ROW WHEN {_RESTS_ON.format(basis="OLD.basis_id")} AND NOT results_maintenance()
    BEGIN SELECT RAISE(ABORT, 'results_basischunk: {MESSAGE}'); END""",
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
