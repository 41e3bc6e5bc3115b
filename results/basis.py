"""The frozen basis of a quarter's results: the records each result rests on, with the values used.

Regulation 一.3 (objective facts, the same rules for everyone) and 三.5 (written feedback): a published number must
be explainable later by the records it was computed from, as they were then. When a quarter is scored, the rows the
computation read (indicators.selectors.quarter_rows) are kept here, split by the person each record concerns, so a
person's explanation page reads one row. The whole quarter's rows are the union of the parts; a correction
recomputes from them plus exactly the changes it declares (results.corrections), and writes a child basis holding
the parts that changed. docs/results.md describes the model.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from indicators import scoring

from .models import Basis, BasisPart

# The kinds of record a basis keeps, each as a compact list in a fixed order (the row's own fields).
CONTRACT, CLIENT, REVENUE, COMPLAINT, SURVEY, RATING = "contract", "client", "revenue", "complaint", "survey", "rating"
KINDS = (CONTRACT, CLIENT, REVENUE, COMPLAINT, SURVEY, RATING)
ROW_TYPES = {
    CONTRACT: scoring.ContractRow,
    CLIENT: scoring.ClientRow,
    REVENUE: scoring.RevenueRow,
    COMPLAINT: scoring.ComplaintRow,
    SURVEY: scoring.SurveyRow,
    RATING: scoring.RatingGroup,
}
ROWS_FIELD = {
    CONTRACT: "contracts",
    CLIENT: "clients",
    REVENUE: "revenue",
    COMPLAINT: "complaints",
    SURVEY: "surveys",
    RATING: "ratings",
}


# --- Encoding ----------------------------------------------------------------------------------------------------


def _plain(value):
    if value is None or value.__class__ in (int, str, bool):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


_DATE_FIELDS = {"signed_on", "closed_on", "received_on", "surveyed_on"}
_MOMENT_FIELDS = {"received_at", "handled_at"}
_DECIMAL_FIELDS = {"amount"}


def _decoders(row_type):
    decoders = []
    for name in row_type._fields:
        if name in _DATE_FIELDS:
            decoders.append(lambda v: None if v is None else datetime.date.fromisoformat(v))
        elif name in _MOMENT_FIELDS:
            decoders.append(lambda v: None if v is None else datetime.datetime.fromisoformat(v))
        elif name in _DECIMAL_FIELDS:
            decoders.append(lambda v: None if v is None else Decimal(v))
        else:
            decoders.append(None)
    return decoders


_DECODERS = {kind: _decoders(row_type) for kind, row_type in ROW_TYPES.items()}


def encode_row(row) -> list:
    return [_plain(value) for value in row]


def decode_row(kind: str, values: list):
    decoders = _DECODERS[kind]
    return ROW_TYPES[kind](
        *[value if decode is None else decode(value) for decode, value in zip(decoders, values, strict=False)]
    )


def row_key(kind: str, row) -> tuple:
    """What identifies a record within its kind: its id; a rating group by ratee, indicator and rater type."""
    if kind == RATING:
        return (row.ratee_id, row.indicator, row.rater_type)
    return (row.id,)


# --- Who a record concerns ---------------------------------------------------------------------------------------


def people_of(kind: str, row) -> set[int]:
    """The staff a record is about: its lawyers, the person credited, complained about or handling, surveyed, rated."""
    if kind == CONTRACT:
        return {row.originating_id, row.responsible_id}
    if kind == REVENUE:
        return {row.credited_to_id}
    if kind == COMPLAINT:
        return {row.about_id} | ({row.handler_id} if row.handler_id else set())
    if kind == SURVEY:
        return {row.staff_id}
    if kind == RATING:
        return {row.ratee_id}
    return set()


# The keys of a line's details (indicators.scoring) that list record ids, by the kind of record they name.
DETAIL_KINDS = {
    "clients": CLIENT,
    "existing_clients": CLIENT,
    "referred": CLIENT,
    "served_clients": CLIENT,
    "contracts": CONTRACT,
    "revenue_new": REVENUE,
    "revenue_all": REVENUE,
    "complaints": COMPLAINT,
    "in_time": COMPLAINT,
    "late": COMPLAINT,
    "pending": COMPLAINT,
    "surveys": SURVEY,
}


def counted_ids(results: Iterable[scoring.PersonResult]) -> dict[int, dict[str, set]]:
    """For each person, the ids of the records their lines counted (or listed), by kind."""
    counted: dict[int, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for result in results:
        mine = counted[result.staff_id]
        for line in result.lines:
            for key, kind in DETAIL_KINDS.items():
                ids = line.details.get(key)
                if ids:
                    mine[kind].update(ids)
    return counted


def split_by_person(rows: scoring.QuarterRows, results: Iterable[scoring.PersonResult] = ()) -> dict[int, dict]:
    """Each person's records by kind: the records about them, every record their lines counted, and the clients
    of those records (their names). Every record of the rows lands in at least one part, so the parts together are
    the whole quarter's rows."""
    index = {kind: {row_key(kind, row): row for row in getattr(rows, ROWS_FIELD[kind])} for kind in KINDS}
    wanted: dict[int, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for kind in KINDS:
        if kind == CLIENT:
            continue
        for key, row in index[kind].items():
            for person in people_of(kind, row):
                wanted[person][kind].add(key)
    for person, kinds in counted_ids(results).items():
        for kind, ids in kinds.items():
            wanted[person][kind].update((record_id,) for record_id in ids if (record_id,) in index[kind])
    parts: dict[int, dict[str, list]] = {}
    for person, kinds in wanted.items():
        part = {kind: [index[kind][key] for key in keys] for kind, keys in kinds.items()}
        clients = {(row.client_id,) for kind, found in part.items() for row in found if getattr(row, "client_id", None)}
        clients |= kinds.get(CLIENT, set())
        part[CLIENT] = [index[CLIENT][key] for key in clients if key in index[CLIENT]]
        parts[person] = part
    return parts


def encode_part(records: dict[str, list]) -> str:
    """One person's records as compact JSON, kinds and rows in a stable order (two equal parts encode equally)."""
    return json.dumps(
        {
            kind: sorted((encode_row(row) for row in records[kind]), key=lambda values: json.dumps(values[:3]))
            for kind in KINDS
            if records.get(kind)
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def decode_part(text: str) -> dict[str, list]:
    data = json.loads(text or "{}")
    return {kind: [decode_row(kind, values) for values in data.get(kind, [])] for kind in KINDS}


# --- Writing -----------------------------------------------------------------------------------------------------


def basis_write(*, quarter, scheme, rows: scoring.QuarterRows, results: Iterable[scoring.PersonResult], by,
                parent: Basis | None = None, note: str = "", reconstructed: bool = False) -> Basis:  # fmt: skip
    """Store the rows a computation read as a basis: a part per person (only the parts that differ from the
    parent's, for a correction's child basis). Must run inside the caller's transaction."""
    basis = Basis.objects.create(
        quarter=quarter,
        scheme=scheme,
        parent=parent,
        ancestry=([parent.pk, *parent.ancestry] if parent else []),
        as_of=rows.period.as_of,
        lookback_starts_on=rows.period.lookback_starts_on,
        complaint_deadline_hours=Decimal(rows.period.complaint_deadline.total_seconds()) / 3600,
        created_by=by,
        note=note,
        reconstructed=reconstructed,
    )
    encoded = {person: encode_part(records) for person, records in split_by_person(rows, results).items()}
    if parent is not None:
        before = parts_text(parent)
        # A person the parent knew and the correction no longer links to anything keeps an empty part.
        encoded.update({person: "{}" for person in before.keys() - encoded.keys()})
        encoded = {person: text for person, text in encoded.items() if before.get(person, "{}") != text}
    BasisPart.objects.bulk_create(
        [BasisPart(basis=basis, staff_id=person, records=text) for person, text in encoded.items()], batch_size=1000
    )
    return basis


# --- Reading -----------------------------------------------------------------------------------------------------


def _lineage(basis: Basis) -> list[int]:
    """The basis and its ancestors, nearest first."""
    return [basis.pk, *basis.ancestry]


def parts_text(basis: Basis) -> dict[int, str]:
    """Every person's part as stored (JSON text), the nearest in the lineage winning."""
    lineage = _lineage(basis)
    order = {basis_id: index for index, basis_id in enumerate(lineage)}
    found: dict[int, tuple[int, str]] = {}
    for basis_id, staff_id, text in BasisPart.objects.filter(basis_id__in=lineage).values_list(
        "basis_id", "staff_id", "records"
    ):
        rank = order[basis_id]
        if staff_id not in found or rank < found[staff_id][0]:
            found[staff_id] = (rank, text)
    return {staff_id: text for staff_id, (_rank, text) in found.items()}


def part_of(basis: Basis, staff_id: int) -> dict[str, list]:
    """One person's records in this basis (their part in the nearest basis of the lineage that has one)."""
    lineage = _lineage(basis)
    parts = dict(BasisPart.objects.filter(basis_id__in=lineage, staff_id=staff_id).values_list("basis_id", "records"))
    for basis_id in lineage:
        if basis_id in parts:
            return decode_part(parts[basis_id])
    return decode_part("{}")


def period_of(basis: Basis) -> scoring.Period:
    """The period the basis was computed over, with the moment open complaints were judged at."""
    from indicators.selectors import quarter_period

    parameters = {
        "lookback_quarters": _lookback_quarters(basis),
        "complaint_deadline_hours": basis.complaint_deadline_hours,
    }
    return quarter_period(basis.quarter, parameters, basis.as_of)


def _lookback_quarters(basis: Basis) -> int:
    start = basis.lookback_starts_on
    starts_index = start.year * 4 + (start.month - 1) // 3
    quarter_index = basis.quarter.year * 4 + basis.quarter.number - 1
    return quarter_index - starts_index


def rows_of(basis: Basis) -> scoring.QuarterRows:
    """The whole quarter's rows as this basis holds them (the union of every person's part, each record once)."""
    seen: dict[str, dict[tuple, object]] = {kind: {} for kind in KINDS}
    for text in parts_text(basis).values():
        for kind, rows in decode_part(text).items():
            for row in rows:
                seen[kind].setdefault(row_key(kind, row), row)
    return scoring.QuarterRows(
        period=period_of(basis), **{ROWS_FIELD[kind]: _ordered(seen[kind].values()) for kind in KINDS}
    )


def _ordered(rows: Iterable) -> list:
    return sorted(rows, key=lambda row: tuple(str(value) for value in row[:3]))
