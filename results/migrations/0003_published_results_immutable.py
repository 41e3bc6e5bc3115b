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

# PostgreSQL checks once per statement, over its transition tables: a quarter's recomputation deletes and writes
# tens of thousands of draft lines, and a check per row would cost more than the writing. An exception raised by an
# AFTER trigger undoes the whole statement.
_MAINTENANCE = "coalesce(current_setting('results.maintenance', true), '') = 'on'"


def _statement_guard(name, table, event, condition):
    transition = {"INSERT": "NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows"}.get(
        event, "OLD TABLE AS old_rows NEW TABLE AS new_rows"
    )
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
    IF NOT {_MAINTENANCE} AND EXISTS ({condition}) THEN
        RAISE EXCEPTION '{table}: {MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {transition}
    FOR EACH STATEMENT EXECUTE FUNCTION {name}();
"""


_CARD_CHANGED = (
    "SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.status = 'published' AND ("
    "(to_jsonb(n) - 'is_current') IS DISTINCT FROM (to_jsonb(o) - 'is_current') OR (n.is_current AND NOT o.is_current))"
)
_CARD_DELETED = "SELECT 1 FROM old_rows WHERE status = 'published'"
_LINE_OF_PUBLISHED = (
    "SELECT 1 FROM {side}_rows r JOIN results_scorecard s ON s.id = r.scorecard_id WHERE s.status = 'published'"
)
PG_GUARDS = (
    ("results_scorecard_no_update", "results_scorecard", "UPDATE", _CARD_CHANGED),
    ("results_scorecard_no_delete", "results_scorecard", "DELETE", _CARD_DELETED),
    ("results_line_no_insert", "results_indicatorscore", "INSERT", _LINE_OF_PUBLISHED.format(side="new")),
    (
        "results_line_no_update",
        "results_indicatorscore",
        "UPDATE",
        _LINE_OF_PUBLISHED.format(side="old") + " UNION ALL " + _LINE_OF_PUBLISHED.format(side="new"),
    ),
    ("results_line_no_delete", "results_indicatorscore", "DELETE", _LINE_OF_PUBLISHED.format(side="old")),
)
POSTGRESQL_UP = "".join(_statement_guard(*guard) for guard in PG_GUARDS)
POSTGRESQL_DOWN = "".join(
    f"DROP TRIGGER IF EXISTS {name} ON {table};\nDROP FUNCTION IF EXISTS {name}();\n" for name, table, *_ in PG_GUARDS
)

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
