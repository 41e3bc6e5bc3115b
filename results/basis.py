"""The frozen basis of a quarter's results: the records each result rests on, with the values used.

Regulation 一.3 (objective facts, the same rules for everyone) and 三.5 (written feedback): a published number must
be explainable later by the records it was computed from, as they were then. When a quarter is scored, every row
the computation read (indicators.selectors.quarter_rows: the fields the definitions read, no names) is kept here,
one row per record; each line of a result keeps the ids of the records it counted (IndicatorScore.details). A
correction recomputes from these rows plus exactly the changes it declares, and writes a child basis holding only
the chunks that changed. docs/results.md describes the model.

Records are stored in chunks of one kind and CHUNK_SIZE consecutive ids (BasisChunk): a quarter of 2,000 staff has
about 270,000 records, written as a few thousand rows, and a person's explanation reads the few chunks that hold the
records of their line.
"""

from __future__ import annotations

import datetime
import json
import tempfile
from collections.abc import Iterable
from decimal import Decimal
from itertools import chain, groupby

from django.db.models import BooleanField, ExpressionWrapper, Q

from indicators import scoring
from results.bulk import copy_lines, insert_plain
from results.models import Basis, BasisChunk

# The kinds of record a basis keeps, each as a compact JSON array of its row's fields in order.
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


# --- Encoding: one JSON array per record ---------------------------------------------------------------------------


def _text(value) -> str:
    """A date, moment or Decimal as a JSON string; None as null."""
    return "null" if value is None else f'"{value.isoformat() if hasattr(value, "isoformat") else value}"'


def _id(value) -> str:
    return "null" if value is None else str(value)


# Written by hand rather than by json.dumps: a quarter has a quarter of a million records to encode.
_ENCODERS = {
    CONTRACT: lambda r: _contract_json(*r),
    CLIENT: lambda r: f"[{r.id},{_id(r.referred_by_id)},{'true' if r.contracted_before_window else 'false'}]",
    REVENUE: lambda r: _revenue_json(r.id, r.credited_to_id, r.client_id, None, f"{r.amount:.2f}", r.received_on),
    COMPLAINT: lambda r: f"[{r.id},{r.about_id},{_id(r.handler_id)},{_text(r.received_at)},{_text(r.handled_at)}]",
    SURVEY: lambda r: f"[{r.id},{r.staff_id},{_text(r.surveyed_on)},{r.service_quality},{r.communication},{r.outcome}]",
    RATING: lambda r: _rating_json(r),
}


# A revenue entry: id, credited to, client, amount with two decimals, day received, called with a streamed row's
# values (indicators.selectors.RevenueStream) whose cents ({3}) only the scoring reads. The one encoding of both the
# rows held in memory and the stream (StreamedChunkWriter), so their chunks compare equal; str.format is called
# without a Python frame, for the millions of entries of a large firm's quarter.
_revenue_json = '[{0},{1},{2},"{4}","{5}"]'.format


def _contract_json(pk, client_id, originating_id, responsible_id, signed_on, closed_on) -> str:
    """A contract: id, client, originating and responsible lawyer, day signed, day closed or null. The one encoding
    of a held ContractRow (days as dates) and of a streamed one (days as ISO text): both print the same."""
    closed = "null" if closed_on is None else f'"{closed_on}"'
    return f'[{pk},{client_id},{originating_id},{responsible_id},"{signed_on}",{closed}]'


# How StreamedChunkWriter encodes a streamed batch's row (indicators.selectors.ContractStream, RevenueStream), called
# with the row's values.
_STREAMED_ENCODERS = {CONTRACT: _contract_json, REVENUE: _revenue_json}


def _rating_json(row) -> str:
    """A rating group; its centring adjustment (a Decimal, as a string) only when it has one, so the groups of a
    scheme without calibration are kept exactly as before the rule existed."""
    values = list(row[:5]) + ([str(row.adjustment)] if row.adjustment else [])
    return json.dumps(values, separators=(",", ":"), ensure_ascii=False)


_DATE_FIELDS = {"signed_on", "closed_on", "received_on", "surveyed_on"}
_MOMENT_FIELDS = {"received_at", "handled_at"}


def _decoder(row_type):
    converters = []
    for name in row_type._fields:
        if name in _DATE_FIELDS:
            converters.append(lambda v: None if v is None else datetime.date.fromisoformat(v))
        elif name in _MOMENT_FIELDS:
            converters.append(lambda v: None if v is None else datetime.datetime.fromisoformat(v))
        elif name in ("amount", "adjustment"):
            converters.append(Decimal)
        else:
            converters.append(None)

    def decode(values):
        # A row may end before its defaulted fields (a rating group without a centring adjustment).
        used = converters[: len(values)]
        return row_type(*[v if convert is None else convert(v) for convert, v in zip(used, values, strict=True)])

    return decode


_DECODERS = {kind: _decoder(row_type) for kind, row_type in ROW_TYPES.items()}


def encode_row(kind: str, row) -> str:
    return _ENCODERS[kind](row)


def decode_row(kind: str, text: str):
    return _DECODERS[kind](json.loads(text))


def row_key(kind: str, row) -> int:
    """The id a record is kept under: its own; a rating group's number among the quarter's groups, for which
    rating_key gives the identity."""
    return row.id


def rating_key(row) -> tuple:
    return (row.ratee_id, row.indicator, row.rater_type)


def people_of(kind: str, row) -> set[int]:
    """The staff a record is about: its lawyers, the person credited, complained about or handling, surveyed."""
    if kind == CONTRACT:
        return {row.originating_id, row.responsible_id}
    if kind == REVENUE:
        return {row.credited_to_id}
    if kind == COMPLAINT:
        return {row.about_id} | ({row.handler_id} if row.handler_id else set())
    if kind == SURVEY:
        return {row.staff_id}
    return set()


# Records per chunk, by id: chunk n of a kind holds ids n × CHUNK_SIZE … (n + 1) × CHUNK_SIZE − 1.
CHUNK_SIZE = 100


def _chunks(rows: scoring.QuarterRows, kinds=KINDS) -> dict[tuple[str, int], str]:
    """Every record of the rows, encoded and grouped as (kind, chunk) → JSON array of value arrays, by id; rating
    groups numbered by their identity."""
    chunks: dict[tuple[str, int], str] = {}
    for kind in kinds:
        encode = _ENCODERS[kind]
        found = getattr(rows, ROWS_FIELD[kind])
        if kind == RATING:
            numbered = list(enumerate(sorted(found, key=rating_key), start=1))
        else:
            numbered = sorted((row.id, row) for row in found)  # ids are unique: rows are never compared
        for bucket, group in groupby(numbered, key=lambda item: item[0] // CHUNK_SIZE):
            chunks[(kind, bucket)] = "[" + ",".join([encode(row) for _id, row in group]) + "]"
    return chunks


# --- Writing -------------------------------------------------------------------------------------------------------


class StreamedChunkWriter:
    """The chunks of one kind of a basis, encoded as the scoring's stream passes (indicators.selectors
    ContractStream or RevenueStream, batches in id order) and spooled to a temporary file until basis_write knows
    the basis: a quarter of millions of records is never held in memory, neither as rows nor as text."""

    def __init__(self, kind: str):
        self.kind = kind
        self._encode = _STREAMED_ENCODERS[kind]
        # Closed by copy_lines; an abandoned one is removed when collected (TemporaryFile has no name on disk).
        self._spool = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115
        self._bucket: int | None = None
        self._parts: list[str] = []
        self.buckets: set[int] = set()

    def add(self, batch) -> None:
        parts, encode = self._parts, self._encode
        for row in batch:
            bucket = row[0] // CHUNK_SIZE
            if bucket != self._bucket:
                self._close_chunk()
                self._bucket = bucket
            parts.append(encode(*row))

    def finish(self) -> None:
        """The stream has ended: its last chunk is complete."""
        self._close_chunk()

    def _close_chunk(self) -> None:
        if self._parts:
            self._spool.write(f"{self._bucket}\t[{','.join(self._parts)}]\n")
            self.buckets.add(self._bucket)
            self._parts.clear()

    def copy_lines(self, basis_id: int):
        """The spooled chunks as lines of COPY text for results_basischunk (basis_id, kind, bucket, data)."""
        self.finish()
        self._spool.seek(0)
        prefix = f"{basis_id}\t{self.kind}\t"
        for line in self._spool:
            yield prefix + line
        self._spool.close()


def basis_write(*, quarter, scheme, rows: scoring.QuarterRows, by, parent: Basis | None = None, note: str = "",
                reconstructed: bool = False, streamed: Iterable[StreamedChunkWriter] = ()) -> Basis:  # fmt: skip
    """Store the rows a computation read as a basis: every chunk, or for a correction's child basis only the chunks
    that differ from the parent's (one left empty holds "[]"). Must run inside the caller's transaction.

    A kind whose rows were a stream (contracts, revenue) brings its chunks in the writer of `streamed` that saw it:
    they are all written (comparing them with the parent's would read every one of them back), and a bucket the
    lineage holds that the stream no longer does is written empty."""
    writers = {writer.kind: writer for writer in streamed}
    streamed_kinds = [kind for kind in KINDS if not isinstance(getattr(rows, ROWS_FIELD[kind]), list)]
    if missing := [kind for kind in streamed_kinds if kind not in writers]:
        raise ValueError(f"streamed {', '.join(missing)} need the StreamedChunkWriter that saw the stream")
    writers = {kind: writers[kind] for kind in streamed_kinds}
    for writer in writers.values():
        writer.finish()
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
    kinds = tuple(kind for kind in KINDS if kind not in writers)
    chunks = _chunks(rows, kinds)
    if parent is not None:
        before = _nearest(parent, BasisChunk.objects.filter(basis_id__in=lineage(parent), kind__in=kinds))
        chunks.update({key: "[]" for key in before.keys() - chunks.keys() if before[key] != "[]"})
        chunks = {key: text for key, text in chunks.items() if before.get(key, "[]") != text}
        if writers:
            held = _held_buckets(parent, writers.keys())
            chunks.update({(kind, bucket): "[]" for kind, bucket in held if bucket not in writers[kind].buckets})
    insert_plain(
        BasisChunk,
        ("kind", "bucket", "data"),
        [(kind, bucket, text) for (kind, bucket), text in chunks.items()],
        constants={"basis": basis.pk},
    )
    if writers:  # one COPY for every streamed kind
        lines = chain.from_iterable(writer.copy_lines(basis.pk) for writer in writers.values())
        copy_lines(BasisChunk, ("basis", "kind", "bucket", "data"), lines)
    return basis


def _held_buckets(basis: Basis, kinds: Iterable[str]) -> set[tuple[str, int]]:
    """The chunks (kind, bucket) of the kinds that hold records in the basis's lineage (the nearest of each is not
    empty), in one query without reading the chunks' text."""
    chunks = BasisChunk.objects.filter(basis_id__in=lineage(basis), kind__in=list(kinds)).annotate(
        empty=ExpressionWrapper(Q(data="[]"), output_field=BooleanField())
    )
    return {key for key, empty in _nearest(basis, chunks, value="empty").items() if not empty}


# --- Reading -------------------------------------------------------------------------------------------------------


def lineage(basis: Basis) -> list[int]:
    """The basis and its ancestors, nearest first."""
    return [basis.pk, *basis.ancestry]


def _nearest(basis: Basis, queryset, value: str = "data") -> dict[tuple[str, int], object]:
    """(kind, chunk) → its `value` (its text unless told) in the nearest basis of the lineage that has it."""
    order = {basis_id: index for index, basis_id in enumerate(lineage(basis))}
    found: dict[tuple[str, int], tuple[int, object]] = {}
    for basis_id, kind, bucket, data in queryset.values_list("basis_id", "kind", "bucket", value):
        rank, key = order[basis_id], (kind, bucket)
        if key not in found or rank < found[key][0]:
            found[key] = (rank, data)
    return {key: text for key, (_rank, text) in found.items()}


def _lineage_chunks(basis: Basis) -> dict[tuple[str, int], str]:
    return _nearest(basis, BasisChunk.objects.filter(basis_id__in=lineage(basis)))


def records_of(basis: Basis, wanted: dict[str, Iterable[int]]) -> dict[str, dict[int, object]]:
    """The rows of the given records, by kind and id, as this basis holds them (one query for all kinds)."""
    found: dict[str, dict[int, object]] = {kind: {} for kind in wanted}
    wanted = {kind: set(ids) for kind, ids in wanted.items() if ids}
    if not wanted:
        return found
    which = Q()
    for kind, ids in wanted.items():
        which |= Q(kind=kind, bucket__in=sorted({record_id // CHUNK_SIZE for record_id in ids}))
    chunks = _nearest(basis, BasisChunk.objects.filter(which, basis_id__in=lineage(basis)))
    for (kind, _bucket), text in chunks.items():
        for values in json.loads(text):
            if values[0] in wanted[kind]:
                found[kind][values[0]] = _DECODERS[kind](values)
    return found


def period_of(basis: Basis) -> scoring.Period:
    """The period the basis was computed over, with the moment open complaints were judged at."""
    from indicators.selectors import quarter_period

    start, quarter = basis.lookback_starts_on, basis.quarter
    lookback = quarter.year * 4 + quarter.number - 1 - (start.year * 4 + (start.month - 1) // 3)
    parameters = {"lookback_quarters": lookback, "complaint_deadline_hours": basis.complaint_deadline_hours}
    return quarter_period(quarter, parameters, basis.as_of)


def rows_of(basis: Basis) -> scoring.QuarterRows:
    """The whole quarter's rows as this basis holds them (its own chunks over its ancestors')."""
    by_kind: dict[str, list] = {kind: [] for kind in KINDS}
    for (kind, _bucket), text in _lineage_chunks(basis).items():
        decode = _DECODERS[kind]
        by_kind[kind].extend(decode(values) for values in json.loads(text))
    return scoring.QuarterRows(period=period_of(basis), **{ROWS_FIELD[kind]: by_kind[kind] for kind in KINDS})
