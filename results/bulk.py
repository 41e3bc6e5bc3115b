"""Writing many plain rows at once (a quarter's scorecards and lines): one statement per table.

Used by results.drafts; the values are already what the database driver takes (ids for foreign keys, Decimals,
text, JSON text).
"""

from __future__ import annotations

import datetime
import json
import time
from decimal import Decimal

from django.db import connections

# One encoder for every line: json.dumps with arguments builds a new encoder on each call.
compact_json = json.JSONEncoder(separators=(",", ":")).encode

# Rows per multi-row INSERT on databases other than SQLite and PostgreSQL.
_ROWS_PER_INSERT = 2000


def insert_plain(model, fields, rows, *, constants=None) -> None:
    """Insert many rows of plain values (ids for foreign keys, Decimals, text, JSON text): one statement per table.

    bulk_create prepares every value through its field one by one and, on SQLite, splits the rows into batches
    of 999 ÷ the number of columns; a quarter's 14,000 lines took longer to write than to compute. Here the
    values are already what the driver takes: one executemany on SQLite, one COPY on PostgreSQL (a multi-row
    INSERT of 14,000 lines spent seconds parsing its literals). `constants` (the same for every row) are prepared
    by their fields once, and every other column gets its field's default, so a field added with a default needs
    no change here.
    """
    connection = connections[model.objects.db]
    if connection.vendor != "postgresql":
        rows = list(rows)
    if not rows:
        return
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
    written = 0

    def lines():
        # Encoded as COPY reads them, never all at once: a large firm's lines are a few hundred megabytes of text.
        nonlocal written
        for row in rows:
            written += 1
            yield "\t".join([str(value) if value.__class__ in plain else _copy_text(value) for value in row]) + suffix

    started = time.monotonic()
    cursor.cursor.copy_expert(sql, _LinesFile(lines()))
    if connection.queries_logged:
        connection.queries_log.append({"sql": f"{sql} -- {written} rows", "time": f"{time.monotonic() - started:.3f}"})


class _LinesFile:
    """A file-like view of an iterator of text lines, for COPY … FROM STDIN (psycopg2 reads it by size)."""

    def __init__(self, lines):
        self._lines = iter(lines)
        self._rest = ""

    def read(self, size=-1) -> str:
        parts, length = [self._rest], len(self._rest)
        while size < 0 or length < size:
            line = next(self._lines, None)
            if line is None:
                break
            parts.append(line)
            length += len(line)
        text = "".join(parts)
        if size < 0:
            self._rest = ""
            return text
        self._rest = text[size:]
        return text[:size]

    readline = read


def copy_lines(model, fields, lines) -> None:
    """Insert rows given as lines of COPY text (tab-separated values of `fields`, every column given, no escapes
    needed), streamed: on PostgreSQL by one COPY, elsewhere by executemany over the split lines. The lines are
    consumed once and never held together (results.basis.StreamedChunkWriter)."""
    connection = connections[model.objects.db]
    quote = connection.ops.quote_name
    columns = [quote(model._meta.get_field(name).column) for name in fields]
    table = quote(model._meta.db_table)
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            started = time.monotonic()
            cursor.cursor.copy_expert(sql, _LinesFile(lines))
            if connection.queries_logged:
                connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
            return
        # Table and column names come from the model, every value is a parameter.
        insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        cursor.executemany(insert, (line.rstrip("\n").split("\t", len(columns) - 1) for line in lines))
