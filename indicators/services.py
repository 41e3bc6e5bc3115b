"""Scoring a quarter: compute every assessed person's results, and store them as draft scorecards."""

from __future__ import annotations

import datetime
import io
import json
import time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from results.models import IndicatorScore, Scorecard
from reviews.models import Quarter, StaffProfile

from . import scoring, selectors


def results_compute(*, quarter: Quarter, scheme, as_of: datetime.datetime | None = None) -> list[scoring.PersonResult]:
    """Every assessed person's lines, total, grade and rank under the scheme; reads only, saves nothing.

    Open complaints are judged late or pending at `as_of` (the moment of scoring unless given).
    The what-if preview calls this with a draft scheme.
    """
    inputs = selectors.quarter_inputs(quarter=quarter, scheme=scheme, as_of=as_of or timezone.now())
    return scoring.score_quarter(inputs.rows, inputs.people, inputs.rules_by_position, inputs.bands, inputs.scale)


def results_store_drafts(*, quarter: Quarter, scheme, by, as_of: datetime.datetime | None = None) -> int:
    """Compute the quarter's results and replace its draft scorecards with them; returns how many were stored.

    Published results are never touched: if any scorecard of the quarter is published, nothing is stored.
    """
    if scheme.quarter_id != quarter.pk:
        raise ValidationError(
            _("The scheme %(scheme)s is not a scheme of %(quarter)s.") % {"scheme": scheme, "quarter": quarter.code}
        )
    now = timezone.now()
    with transaction.atomic():
        # Lock the quarter: two recomputations at once would each delete the drafts and then insert
        # duplicates, and a publication racing a recomputation could publish half-replaced drafts.
        Quarter.objects.select_for_update().get(pk=quarter.pk)
        if Scorecard.objects.filter(quarter=quarter, status=Scorecard.Status.PUBLISHED).exists():
            raise ValidationError(
                _("The results of %(quarter)s are published; they cannot be recomputed.") % {"quarter": quarter.code}
            )
        results = results_compute(quarter=quarter, scheme=scheme, as_of=as_of or now)
        staff = {
            profile_id: department_id
            for profile_id, department_id in StaffProfile.objects.filter(
                id__in=[result.staff_id for result in results]
            ).values_list("id", "department_id")
        }
        drafts = Scorecard.objects.filter(quarter=quarter, status=Scorecard.Status.DRAFT)
        # Two DELETE statements whatever the number of staff: the lines first, then the bare drafts (nothing
        # else points at a draft scorecard, so the collector's per-object pass is not needed). The lines go by
        # a list of ids, not a sub-query: right after a first scoring PostgreSQL's statistics still say both
        # tables are empty, and it then joined them by a nested loop that took seconds for 2,000 scorecards.
        draft_ids = list(drafts.values_list("id", flat=True))
        if draft_ids:
            lines = IndicatorScore.objects.filter(scorecard_id__in=draft_ids)
            lines._raw_delete(lines.db)
            drafts._raw_delete(drafts.db)

        _insert_plain(
            Scorecard,
            ("staff", "position", "department", "total", "grade", "grade_en", "rank", "ranked_count"),
            [
                (
                    result.staff_id,
                    result.position,
                    staff[result.staff_id],
                    result.total,
                    result.grade.label_zh if result.grade else "",
                    result.grade.label_en if result.grade else "",
                    result.rank,
                    result.ranked_count,
                )
                for result in results
            ],
            constants={
                "quarter": quarter.pk,
                "version": 1,
                "is_current": True,
                "status": Scorecard.Status.DRAFT,
                "scheme": scheme.pk,
                "computed_at": now,
                "created_by": by.pk if by else None,
            },
        )
        # The new drafts' ids, by person (one per person: the drafts were deleted above, under the lock).
        card_of = dict(drafts.values_list("staff_id", "id"))
        _insert_plain(
            IndicatorScore,
            (
                "scorecard",
                "indicator",
                "value",
                "numerator",
                "denominator",
                "target",
                "weight",
                "effective_weight",
                "points",
                "rule",
                "no_data_policy",
                "no_data_applied",
                "details",
            ),  # fmt: skip
            [
                (
                    card_of[result.staff_id],
                    line.indicator_id,
                    scoring.stored_raw(line.value),
                    scoring.stored_raw(line.numerator),
                    scoring.stored_raw(line.denominator),
                    line.target,
                    line.weight,
                    line.effective_weight,
                    line.points,
                    line.rule[:200],
                    line.no_data_policy,
                    line.no_data_applied,
                    _compact_json(line.details),
                )
                for result in results
                for line in result.lines
            ],
        )
    return len(results)


# One encoder for every line: json.dumps with arguments builds a new encoder on each call.
_compact_json = json.JSONEncoder(separators=(",", ":")).encode

# Rows per multi-row INSERT on databases other than SQLite and PostgreSQL.
_ROWS_PER_INSERT = 2000


def _insert_plain(model, fields, rows, *, constants=None) -> None:
    """Insert many rows of plain values (ids for foreign keys, Decimals, text, JSON text): one statement per table.

    bulk_create prepares every value through its field one by one and, on SQLite, splits the rows into batches
    of 999 ÷ the number of columns; a quarter's 14,000 lines took longer to write than to compute. Here the
    values are already what the driver takes: one executemany on SQLite, one COPY on PostgreSQL (a multi-row
    INSERT of 14,000 lines spent seconds parsing its literals). `constants` (the same for every row) are prepared
    by their fields once, and every other column gets its field's default, so a field added with a default needs
    no change here.
    """
    connection = connections[model.objects.db]
    meta = model._meta
    given = {meta.get_field(name).attname for name in (*fields, *(constants or {}))}
    fixed = {meta.get_field(name): value for name, value in (constants or {}).items()}
    for field in meta.concrete_fields:
        if field.attname not in given and not field.primary_key:
            fixed[field] = field.get_default()
    fixed_values = tuple(field.get_db_prep_save(value, connection) for field, value in fixed.items())
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(c) for c in [meta.get_field(name).column for name in fields] + [f.column for f in fixed])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(connection, cursor, f"COPY {table} ({columns}) FROM STDIN", rows, fixed_values)
            return
        rows = [row + fixed_values for row in rows]
        # Table and column names come from the model, every value is a parameter.
        head = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
        one_row = "(" + ", ".join(["%s"] * len(rows[0] if rows else ())) + ")"
        if connection.vendor == "sqlite":
            cursor.executemany(head + one_row, rows)
            return
        for start in range(0, len(rows), _ROWS_PER_INSERT):
            batch = rows[start : start + _ROWS_PER_INSERT]
            cursor.execute(head + ", ".join([one_row] * len(batch)), [value for row in batch for value in row])


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """One value in COPY's text format, for the types _copy does not write inline."""
    if value is None:
        return "\\N"
    if value.__class__ is bool:
        return "t" if value else "f"
    if hasattr(value, "adapted"):  # a psycopg2 Json adapter, as a JSONField prepares its value
        value = value.dumps(value.adapted)
    elif isinstance(value, datetime.datetime | datetime.date):
        value = value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


# Types whose str() is already COPY's text form (no tabs, newlines or backslashes can occur in them).
_PLAIN_TYPES = frozenset({int, Decimal})


def _copy(connection, cursor, sql, rows, fixed_values=()) -> None:
    """COPY the rows in, each followed by the fixed values; recorded among the connection's queries like any other
    statement (query-count tests).

    This runs for every value of a quarter's lines (about 200,000): ids and Decimals are written inline, the fixed
    values are formatted once for all rows, and only the rest goes through _copy_text."""
    suffix = "".join("\t" + _copy_text(value) for value in fixed_values) + "\n"
    plain = _PLAIN_TYPES
    data = io.StringIO(
        "".join(
            "\t".join([str(value) if value.__class__ in plain else _copy_text(value) for value in row]) + suffix
            for row in rows
        )
    )
    started = time.monotonic()
    cursor.cursor.copy_expert(sql, data)
    if connection.queries_logged:
        connection.queries_log.append(
            {"sql": f"{sql} -- {len(rows)} rows", "time": f"{time.monotonic() - started:.3f}"}
        )
