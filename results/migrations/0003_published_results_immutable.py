"""Published results are immutable in the database itself, whatever the path: ORM .save(), .update(), raw SQL.

Regulation 一.3 (fairness and openness) and docs/results.md "Published results never change": a
published scorecard may only stop being the current version (is_current true → false) when a correction supersedes
it; its lines can be neither changed, removed nor added to. A new version is written as a draft with its lines and
then published in one step, which these triggers allow.

One deliberate switch lifts them, for emptying the whole database only (`manage.py flush`, which tests run between
transactional tests, and the demo's reset): results.integrity.whole_database_maintenance(). On PostgreSQL it sets
the transaction-local setting results.maintenance; on SQLite the triggers ask results_maintenance(), a function every
Django connection registers (results.apps). A SQLite client without the function cannot change published rows
either: the trigger fails on the unknown function.

The SQLite update trigger names every column but is_current; tests/results/test_immutability.py fails when a
column is added without a new trigger.
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

POSTGRESQL_UP = f"""
CREATE OR REPLACE FUNCTION results_scorecard_guard() RETURNS trigger AS $$
BEGIN
    IF current_setting('results.maintenance', true) = 'on' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF OLD.status = 'published' THEN
            RAISE EXCEPTION 'results_scorecard %: {MESSAGE}', OLD.id USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'published' AND (
        (to_jsonb(NEW) - 'is_current') IS DISTINCT FROM (to_jsonb(OLD) - 'is_current')
        OR (NEW.is_current AND NOT OLD.is_current)
    ) THEN
        RAISE EXCEPTION 'results_scorecard %: {MESSAGE}', OLD.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER results_scorecard_immutable
    BEFORE UPDATE OR DELETE ON results_scorecard
    FOR EACH ROW EXECUTE FUNCTION results_scorecard_guard();

CREATE OR REPLACE FUNCTION results_line_guard() RETURNS trigger AS $$
BEGIN
    IF current_setting('results.maintenance', true) = 'on' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
        SELECT 1 FROM results_scorecard WHERE id = OLD.scorecard_id AND status = 'published'
    ) THEN
        RAISE EXCEPTION 'results_indicatorscore %: {MESSAGE}', OLD.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF EXISTS (SELECT 1 FROM results_scorecard WHERE id = NEW.scorecard_id AND status = 'published') THEN
            RAISE EXCEPTION 'results_indicatorscore of scorecard %: {MESSAGE}', NEW.scorecard_id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER results_line_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON results_indicatorscore
    FOR EACH ROW EXECUTE FUNCTION results_line_guard();
"""

POSTGRESQL_DOWN = """
DROP TRIGGER IF EXISTS results_line_immutable ON results_indicatorscore;
DROP FUNCTION IF EXISTS results_line_guard();
DROP TRIGGER IF EXISTS results_scorecard_immutable ON results_scorecard;
DROP FUNCTION IF EXISTS results_scorecard_guard();
"""

_CHANGED = " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in SCORECARD_COLUMNS)
_PUBLISHED_CARD = "(SELECT status FROM results_scorecard WHERE id = {side}.scorecard_id) = 'published'"

SQLITE_UP = [
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
]

SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "results_scorecard_no_update",
        "results_scorecard_no_delete",
        "results_line_no_insert",
        "results_line_no_update",
        "results_line_no_delete",
    )
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement, params=None)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, [POSTGRESQL_UP])
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_UP)
    else:
        raise NotImplementedError(f"no immutability triggers for {vendor}: the product supports SQLite and PostgreSQL")


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, [POSTGRESQL_DOWN])
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("results", "0002_results_table_names")]

    operations = [migrations.RunPython(forwards, backwards)]
