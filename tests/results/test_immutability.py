"""Published results are immutable in the database itself (results/migrations/0003): not by .update(), not by raw
SQL, whatever the code path. Run on the suite's database, and on a fresh SQLite file whatever the suite runs on, so
CI (PostgreSQL) proves both engines."""

import sqlite3
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from results.integrity import whole_database_maintenance
from results.models import IndicatorScore, Scorecard
from tests.reviews.scorecard_builders import LAWYER_LINES, make_quarter, make_scorecard, published_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(firm):
    quarter = make_quarter(2026, 3, published_at=published_at(2026, 10, 8))
    return make_scorecard(quarter, firm.lawyer, total="50.38", rank=18, ranked_count=20, lines=LAWYER_LINES)


def _refused(action):
    with pytest.raises(IntegrityError, match="published result is never changed"), transaction.atomic():
        action()


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_update_of_a_published_total_is_refused_by_the_database(published):
    _refused(lambda: Scorecard.objects.filter(pk=published.pk).update(total=Decimal("42.85"), rank=19))
    _refused(lambda: _raw("UPDATE results_scorecard SET total = 42.85 WHERE id = %s", [published.pk]))
    assert Scorecard.objects.get(pk=published.pk).total == Decimal("50.38")


def test_a_published_result_cannot_be_unpublished_or_deleted(published):
    _refused(lambda: Scorecard.objects.filter(pk=published.pk).update(status=Scorecard.Status.DRAFT))
    _refused(lambda: _raw("DELETE FROM results_indicatorscore WHERE scorecard_id = %s", [published.pk]))
    _refused(lambda: _raw("DELETE FROM results_scorecard WHERE id = %s", [published.pk]))
    assert Scorecard.objects.filter(pk=published.pk, status=Scorecard.Status.PUBLISHED).exists()


def test_the_lines_of_a_published_result_can_be_neither_changed_nor_added(published):
    line = published.lines.first()
    _refused(lambda: IndicatorScore.objects.filter(pk=line.pk).update(points=Decimal("15")))
    _refused(lambda: _raw("UPDATE results_indicatorscore SET details = '{}' WHERE id = %s", [line.pk]))
    # bulk_create skips the model's own check: the database is what refuses (an indicator the card has no line for).
    from indicators.models import Indicator

    other = Indicator.objects.exclude(
        pk__in=published.lines.values("indicator_id")
    ).first() or Indicator.objects.create(code="extra", name_zh="额外", name_en="Extra", order=99)
    extra = IndicatorScore(scorecard=published, indicator=other, weight=1, effective_weight=1, points=1)
    _refused(lambda: IndicatorScore.objects.bulk_create([extra]))
    assert IndicatorScore.objects.get(pk=line.pk).points == line.points


def test_a_superseded_version_stops_being_current_but_never_becomes_current_again(published):
    Scorecard.objects.filter(pk=published.pk).update(is_current=False)
    assert not Scorecard.objects.get(pk=published.pk).is_current
    _refused(lambda: Scorecard.objects.filter(pk=published.pk).update(is_current=True))


def test_a_draft_stays_editable_and_may_be_published(firm):
    quarter = make_quarter(2026, 3)
    draft = make_scorecard(quarter, firm.lawyer, total="60", status=Scorecard.Status.DRAFT, lines=LAWYER_LINES)
    Scorecard.objects.filter(pk=draft.pk).update(total=Decimal("61"), evaluation="好")
    IndicatorScore.objects.filter(scorecard=draft).update(points=Decimal("1"))
    Scorecard.objects.filter(pk=draft.pk).update(status=Scorecard.Status.PUBLISHED)
    _refused(lambda: Scorecard.objects.filter(pk=draft.pk).update(evaluation="改"))


def test_only_emptying_the_whole_database_lifts_the_guard(published):
    with transaction.atomic(), whole_database_maintenance():
        IndicatorScore.objects.filter(scorecard=published).delete()
        Scorecard.objects.filter(pk=published.pk).delete()
    assert not Scorecard.objects.filter(pk=published.pk).exists()


# --- SQLite, whatever the suite's database ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_file(tmp_path_factory):
    """A fresh SQLite database migrated by manage.py, as `make run` makes one."""
    path = tmp_path_factory.mktemp("immutability") / "db.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{path}", "DJANGO_SETTINGS_MODULE": "lawfirm_kpi.settings.local", "PATH": ""}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        timeout=300,
    )
    return path


def _sqlite(path, *, maintenance=False):
    db = sqlite3.connect(path)
    db.create_function("results_maintenance", 0, lambda: 1 if maintenance else 0)
    return db


def _seed_sqlite_card(db, status):
    """One scorecard with one line, inserted by hand. A bare sqlite3 connection does not enforce foreign keys, so the
    rows they point at need not exist: the triggers look at the results tables only."""
    db.execute(
        "INSERT INTO results_scorecard (quarter_id, staff_id, version, is_current, status, scheme_id, position,"
        " department_id, total, grade, grade_en, rank, ranked_count, evaluation, computed_at, correction_reason)"
        " VALUES (1, ?, 1, 1, 'draft', 1, 'lawyer', 1, '50.38', '合格', 'Pass', 18, 20, '', '2026-10-05', '')",
        [db.execute("SELECT COALESCE(MAX(staff_id), 0) + 1 FROM results_scorecard").fetchone()[0]],
    )
    card = db.execute("SELECT MAX(id) FROM results_scorecard").fetchone()[0]
    db.execute(
        "INSERT INTO results_indicatorscore (scorecard_id, indicator_id, weight, effective_weight, points, rule,"
        " no_data_policy, no_data_applied, details) VALUES (?, 1, 15, 15, '7.5', 'x', '', 0, '{}')",
        [card],
    )
    if status == "published":
        db.execute("UPDATE results_scorecard SET status = 'published' WHERE id = ?", [card])
    db.commit()
    return card


def test_sqlite_refuses_every_change_of_a_published_result(sqlite_file):
    db = _sqlite(sqlite_file)
    try:
        card = _seed_sqlite_card(db, "published")
        for sql in (
            "UPDATE results_scorecard SET total = '42.85' WHERE id = ?",
            "UPDATE results_scorecard SET status = 'draft' WHERE id = ?",
            "DELETE FROM results_scorecard WHERE id = ?",
            "UPDATE results_indicatorscore SET points = 1 WHERE scorecard_id = ?",
            "DELETE FROM results_indicatorscore WHERE scorecard_id = ?",
            "INSERT INTO results_indicatorscore (scorecard_id, indicator_id, weight, effective_weight, points, rule,"
            " no_data_policy, no_data_applied, details) VALUES (?, 999, 1, 1, 1, 'x', '', 0, '{}')",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="published result is never changed"):
                db.execute(sql, [card])
        db.execute("UPDATE results_scorecard SET is_current = 0 WHERE id = ?", [card])
        assert db.execute("SELECT total, status FROM results_scorecard WHERE id = ?", [card]).fetchone() == (
            50.38,
            "published",
        )
    finally:
        db.close()


def test_sqlite_without_the_apps_function_refuses_too(sqlite_file):
    db = _sqlite(sqlite_file)
    card = _seed_sqlite_card(db, "published")
    db.close()
    bare = sqlite3.connect(sqlite_file)
    try:
        with pytest.raises(sqlite3.OperationalError, match="results_maintenance"):
            bare.execute("UPDATE results_scorecard SET total = 1 WHERE id = ?", [card])
    finally:
        bare.close()


def test_sqlite_lets_a_draft_change_and_the_maintenance_switch_empty_the_table(sqlite_file):
    db = _sqlite(sqlite_file)
    try:
        draft = _seed_sqlite_card(db, "draft")
        db.execute("UPDATE results_scorecard SET total = '51' WHERE id = ?", [draft])
        db.execute("UPDATE results_indicatorscore SET points = 1 WHERE scorecard_id = ?", [draft])
        db.commit()
    finally:
        db.close()
    maintenance = _sqlite(sqlite_file, maintenance=True)
    try:
        maintenance.execute("DELETE FROM results_indicatorscore")
        maintenance.execute("DELETE FROM results_scorecard")
        maintenance.commit()
        assert maintenance.execute("SELECT COUNT(*) FROM results_scorecard").fetchone() == (0,)
    finally:
        maintenance.close()


def test_the_sqlite_update_trigger_names_every_column_but_is_current(sqlite_file):
    """A column added to Scorecard needs a new trigger migration: this fails until it has one."""
    db = sqlite3.connect(sqlite_file)
    try:
        (trigger,) = db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'results_scorecard_no_update'"
        ).fetchone()
    finally:
        db.close()
    columns = {field.column for field in Scorecard._meta.concrete_fields} - {"is_current"}
    missing = {column for column in columns if f"NEW.{column} IS NOT OLD.{column}" not in trigger}
    assert not missing, f"results_scorecard_no_update does not guard {sorted(missing)}"


def test_the_basis_of_a_published_result_can_be_neither_changed_nor_removed(published_with_basis):
    from results.models import Basis, BasisChunk

    card = published_with_basis
    record = BasisChunk.objects.filter(basis=card.basis).first()
    _refused(lambda: BasisChunk.objects.filter(pk=record.pk).update(data="[]"))
    _refused(lambda: BasisChunk.objects.filter(pk=record.pk).delete())
    _refused(lambda: Basis.objects.filter(pk=card.basis_id).update(note="x"))
    assert BasisChunk.objects.get(pk=record.pk).data == record.data


@pytest.fixture
def published_with_basis(firm):
    """A quarter scored by the real service (so with its basis), then published."""
    from results.drafts import results_store_drafts
    from reviews.models import QuarterState
    from tests.appeals.conftest import survey
    from tests.reviews.scorecard_builders import scheme_for

    survey(firm.lawyer, (4, 4, 4))  # a record for the basis to hold
    quarter = make_quarter(2026, 3, state=QuarterState.APPROVED)
    scheme = scheme_for(quarter, by=firm.executor)
    results_store_drafts(quarter=quarter, scheme=scheme, by=firm.executor)
    Scorecard.objects.filter(quarter=quarter).update(status=Scorecard.Status.PUBLISHED)
    return Scorecard.objects.filter(quarter=quarter).select_related("basis").first()
