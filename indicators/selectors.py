"""Reads for scoring: a whole quarter's inputs in a fixed number of queries, however many staff there are.

The department records come as plain rows (scoring.QuarterRows). Nothing here computes a rule: the definitions,
points, totals, grades and ranks are indicators/scoring.py's.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import BigIntegerField, CharField, Count, Exists, F, Func, OuterRef, Q, Sum
from django.db.models.functions import Cast, Round
from django.utils import timezone

from clients.models import Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey
from indicators import calibration, scoring
from indicators.defaults import DEFAULT_PARAMETERS
from indicators.models import GradeBand, RatingAssignment, SchemeItem
from reviews.models import Quarter, StaffProfile


@dataclass
class QuarterInputs:
    """Everything results_compute needs, read once."""

    rows: scoring.QuarterRows
    people: list[scoring.Person]
    rules_by_position: dict[str, list[scoring.ItemRule]]
    bands: list[scoring.Band]
    scale: int
    calibration: str = scoring.CALIBRATION_NONE


def scheme_parameters(scheme) -> dict:
    """The scheme's definition parameters over the defaults."""
    return {**DEFAULT_PARAMETERS, **(scheme.parameters or {})}


def scheme_calibration(scheme) -> str:
    """The scheme's rater calibration rule (indicators/calibration.py); none for schemes from before it existed."""
    return scheme_parameters(scheme)["rating_calibration"]


def round_ratings(quarter: Quarter) -> list[calibration.Rating]:
    """Every score given in the quarter's rating round, one row per rating (the calibration's input)."""
    return [
        calibration.Rating(*row)
        for row in RatingAssignment.objects.filter(round__quarter=quarter, score__isnull=False)
        .order_by("rater_id", "ratee_id", "indicator__order")
        .values_list("rater_id", "ratee_id", "indicator__code", "rater_type", "score")
    ]


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def quarter_period(quarter: Quarter, parameters: dict, as_of: datetime.datetime) -> scoring.Period:
    """The quarter's days and instants, the look-back window and the complaint deadline."""
    back = int(parameters["lookback_quarters"])
    index = quarter.year * 4 + quarter.number - 1 - back
    lookback_starts_on = Quarter.bounds(index // 4, index % 4 + 1)[0]
    return scoring.Period(
        starts_on=quarter.starts_on,
        ends_on=quarter.ends_on,
        lookback_starts_on=lookback_starts_on,
        starts_at=_start_of_day(quarter.starts_on),
        ends_before=_start_of_day(quarter.ends_on + datetime.timedelta(days=1)),
        as_of=as_of,
        complaint_deadline=datetime.timedelta(hours=float(parameters["complaint_deadline_hours"])),
    )


def scheme_rules(scheme) -> dict[str, list[scoring.ItemRule]]:
    """The scheme's items per position as scoring rules (one query)."""
    rules: dict[str, list[scoring.ItemRule]] = {}
    for item in (
        SchemeItem.objects.filter(scheme=scheme).select_related("indicator").order_by("position", "indicator__order")
    ):
        rules.setdefault(item.position, []).append(
            scoring.ItemRule(
                code=item.indicator.code,
                indicator_id=item.indicator_id,
                weight=item.weight,
                kind=item.indicator.kind,
                direction=item.indicator.direction,
                target=item.target,
                step=item.step,
                step_mode=item.step_mode,
                points_per_step=item.points_per_step,
                bonus_cap=item.bonus_cap,
                no_data_policy=item.no_data_policy,
                rater_weights=item.rater_weights or {},
            )
        )
    return rules


def scheme_bands(scheme) -> list[scoring.Band]:
    return [
        scoring.Band(band.min_total, band.label_zh, band.label_en)
        for band in GradeBand.objects.filter(scheme=scheme).order_by("-min_total")
    ]


def assessed_people(positions) -> list[scoring.Person]:
    """Active, assessed staff whose position the scheme covers."""
    return [
        scoring.Person(staff_id, position)
        for staff_id, position in StaffProfile.objects.filter(active=True, assessed=True, position__in=list(positions))
        .order_by("id")
        .values_list("id", "position")
    ]


# The fields each kind of row is read with, in the order of its scoring row type: what the definitions read, no
# more (names and references are looked up where a page shows them).
ROW_FIELDS = {
    "contract": ("id", "client_id", "originating_lawyer_id", "responsible_lawyer_id", "signed_on", "closed_on"),
    "client": ("id", "referred_by_id", "before_window"),
    "revenue": ("id", "credited_to_id", "contract__client_id", "amount", "received_on"),
    "complaint": ("id", "about_id", "handler_id", "received_at", "handled_at"),
    "survey": ("id", "staff_id", "surveyed_on", "service_quality", "communication", "outcome"),
}
ROW_TYPES = {
    "contract": scoring.ContractRow,
    "client": scoring.ClientRow,
    "revenue": scoring.RevenueRow,
    "complaint": scoring.ComplaintRow,
    "survey": scoring.SurveyRow,
}
# Who a record concerns, as filters (for one person's records).
_PERSON_FILTERS = {
    "contract": lambda pk: Q(originating_lawyer_id=pk) | Q(responsible_lawyer_id=pk),
    "revenue": lambda pk: Q(credited_to_id=pk),
    "complaint": lambda pk: Q(about_id=pk) | Q(handler_id=pk),
    "survey": lambda pk: Q(staff_id=pk),
}


def period_records(period: scoring.Period) -> dict:
    """The department records the definitions look at, by kind, as querysets (nothing is read yet).

    contract: signed in the look-back window or the quarter, or active in it; revenue, complaints, surveys: in the
    quarter; client: every client that signs a contract in the quarter (only they can be new, regulation 三.2), with
    its referrer and whether it has an older contract outside the rows (signed before the window, closed before the
    quarter): all the new-client rule needs to know about it (scoring.ClientRow.contracted_before_window).
    """
    contracts = Contract.objects.filter(signed_on__lte=period.ends_on).filter(
        Q(signed_on__gte=period.lookback_starts_on) | Q(closed_on__isnull=True) | Q(closed_on__gte=period.starts_on)
    )
    revenue = RevenueEntry.objects.filter(received_on__gte=period.starts_on, received_on__lte=period.ends_on)
    complaints = Complaint.objects.filter(received_at__gte=period.starts_at, received_at__lt=period.ends_before)
    surveys = SatisfactionSurvey.objects.filter(surveyed_on__gte=period.starts_on, surveyed_on__lte=period.ends_on)
    signing = Contract.objects.filter(
        client=OuterRef("pk"), signed_on__gte=period.starts_on, signed_on__lte=period.ends_on
    )
    clients = client_records(period).filter(Exists(signing))
    return {"contract": contracts, "client": clients, "revenue": revenue, "complaint": complaints, "survey": surveys}


def row_in_period(kind: str, row, period: scoring.Period) -> bool:
    """Whether a row falls in the period as period_records selects (a correction's changed record, in Python;
    tests/indicators/test_selectors.py holds the two to the same answers)."""
    if kind == "contract":
        return row.signed_on <= period.ends_on and (
            row.signed_on >= period.lookback_starts_on or row.closed_on is None or row.closed_on >= period.starts_on
        )
    if kind == "revenue":
        return period.contains_day(row.received_on)
    if kind == "complaint":
        return period.contains_moment(row.received_at)
    if kind == "survey":
        return period.contains_day(row.surveyed_on)
    return True  # a client stays while a record of the rows names it


def client_records(period: scoring.Period):
    """Clients with whether each has a contract outside the period's rows that is older than the window."""
    older = Contract.objects.filter(
        client=OuterRef("pk"), signed_on__lt=period.lookback_starts_on, closed_on__lt=period.starts_on
    )
    return Client.objects.annotate(before_window=Exists(older))


def client_rows(period: scoring.Period, ids) -> list:
    """The rows of given clients, whether or not they sign in the quarter (a correction's added contract)."""
    return _rows("client", client_records(period).filter(pk__in=list(ids)))


def _rows(kind: str, queryset) -> list:
    row_type = ROW_TYPES[kind]
    queryset = queryset.order_by().values_list(*ROW_FIELDS[kind])
    if kind in _PLAIN_KINDS:
        return _plain_rows(kind, queryset)
    return [row_type(*values) for values in queryset]


# Contracts and clients are the bulk of a quarter's rows (a quarter of a million for 2,000 staff) and hold only ids,
# dates (which the database driver already returns as dates) and a flag: they are read straight from the cursor,
# without the ORM's per-value converters.
_PLAIN_KINDS = {"contract", "client"}


def _plain_rows(kind, queryset) -> list:
    row_type = ROW_TYPES[kind]
    try:
        sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:  # filtered by an empty list of ids
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    if kind == "client":
        return [row_type(pk, referrer, bool(before)) for pk, referrer, before in fetched]
    return list(map(row_type._make, fetched))


def period_rows(period: scoring.Period, kind: str, *, ids=None, person: int | None = None) -> list:
    """Rows of one kind within the period, by id or concerning one person (the basis check of a page)."""
    queryset = period_records(period)[kind]
    if kind == "client" and ids is None:
        raise ValueError("clients are read by id")
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    if person is not None:
        queryset = queryset.filter(_PERSON_FILTERS[kind](person))
    return _rows(kind, queryset)


class _Stream:
    """A kind of the quarter's records, read in batches while the quarter is scored, never all held at once.

    A firm of 20,000 staff has a million contracts in a quarter's rows and millions of revenue entries
    (docs/benchmarks.md, "scoring"); the scoring folds each batch (scoring.ContractTally, scoring.RevenueTally) and
    `on_batch`, when given, sees every batch as it passes (the frozen basis writes them:
    results.basis.StreamedChunkWriter), so the records are read once, in id order. The database writes dates and
    amounts as text, in the form the basis keeps (ISO date, two decimals), cheaper than Python would.
    """

    BATCH = 20_000

    def __init__(self, period: scoring.Period, on_batch=None):
        self.period = period
        self.on_batch = on_batch

    def _queryset(self):
        raise NotImplementedError

    def batches(self):
        queryset = self._queryset()
        sql, params = queryset.query.get_compiler(queryset.db).as_sql()
        connection = connections[queryset.db]
        with transaction.atomic(using=queryset.db):
            if connection.vendor == "postgresql":
                # PostgreSQL plans a cursor for its first tenth of rows, and chose an index look-up per entry that
                # took twice as long as a hash join for a large firm's 4 million entries: a stream is read whole.
                # Compiling the plan (JIT, which its estimated cost then switches on) took longer than it saved:
                # 1.1 s without it against 1.2–1.6 s with it for 400,000 entries.
                with connection.cursor() as setting:
                    setting.execute("SET LOCAL cursor_tuple_fraction = 1.0; SET LOCAL jit = off")
            yield from self._fetched(connection, sql, params)

    def _fetched(self, connection, sql, params):
        # A server-side cursor on PostgreSQL (Django's chunked cursor), so the client holds one batch at a time.
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(self.BATCH):
                if self.on_batch is not None:
                    self.on_batch(batch)
                yield batch


class ContractStream(_Stream):
    """The quarter's contract rows as (id, client_id, originating_id, responsible_id, signed_on as text, closed_on
    as text or None), the shape scoring.ContractTally folds."""

    def _queryset(self):
        return (
            period_records(self.period)["contract"]
            .annotate(signed_text=Cast("signed_on", CharField()), closed_text=Cast("closed_on", CharField()))
            .order_by("id")
            .values_list(
                "id", "client_id", "originating_lawyer_id", "responsible_lawyer_id", "signed_text", "closed_text"
            )
        )


class RevenueStream(_Stream):
    """The quarter's revenue entries as (id, credited_to_id, client_id, cents, amount as text, received_on as
    text), the shape scoring.RevenueTally folds."""

    def _queryset(self):
        return (
            period_records(self.period)["revenue"]
            .annotate(
                cents=Cast(Round(F("amount") * 100), BigIntegerField()),
                amount_text=_TwoDecimals("amount"),
                received_text=Cast("received_on", CharField()),
            )
            .order_by("id")
            .values_list("id", "credited_to_id", "contract__client_id", "cents", "amount_text", "received_text")
        )


class _TwoDecimals(Func):
    """An amount as text with its two decimals ("12300.00"), as str() of the Decimal the ORM would return."""

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s)::text", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite keeps a whole amount as an integer: printf restores the two decimals (the percent sign is doubled
        # twice: once for this template, once for the parameters of the executed statement).
        return self.as_sql(compiler, connection, template="printf('%%%%.2f', %(expressions)s)", **extra)


def _rating_groups(quarter: Quarter, rule: str) -> list[scoring.RatingGroup]:
    """The scores each person received, per indicator and kind of rater; centred when the scheme says so."""
    if rule == calibration.CENTRE:
        # Centring needs each rater's scores; what the rows keep is still one group per ratee and kind of rater.
        return calibration.centred_groups(round_ratings(quarter))
    ratings = (
        RatingAssignment.objects.filter(round__quarter=quarter, score__isnull=False)
        .values("ratee_id", "indicator__code", "rater_type")
        .annotate(count=Count("id"), total=Sum("score"))
        .order_by()
        .values_list("ratee_id", "indicator__code", "rater_type", "count", "total")
    )
    return [scoring.RatingGroup(*row) for row in ratings]


def quarter_rows(
    quarter: Quarter,
    period: scoring.Period,
    calibration_rule: str = scoring.CALIBRATION_NONE,
    *,
    stream: bool = False,
    on_batch: dict | None = None,
) -> scoring.QuarterRows:
    """The quarter's department records as plain rows, in six queries whatever the number of staff.

    With stream the contracts and revenue entries are a ContractStream and a RevenueStream, read while the scoring
    folds them (each batch handed to on_batch["contract"] or on_batch["revenue"] when given), not lists.

    Only selections here: which records fall in the period, never what they count for. The definitions of
    regulation 三.2 are indicators/scoring.py's, the one place they live; the results keep these rows as each
    result's basis (results.basis).
    """
    records = period_records(period)
    on_batch = on_batch or {}
    # The clients first: they are few, and a stream of contracts is folded with them (scoring.ContractTally).
    clients = _rows("client", records["client"])
    if stream:
        contracts = ContractStream(period, on_batch.get("contract"))
        revenue = RevenueStream(period, on_batch.get("revenue"))
    else:
        contracts, revenue = _rows("contract", records["contract"]), _rows("revenue", records["revenue"])
    return scoring.QuarterRows(
        period=period,
        contracts=contracts,
        clients=clients,
        revenue=revenue,
        complaints=_rows("complaint", records["complaint"]),
        surveys=_rows("survey", records["survey"]),
        ratings=_rating_groups(quarter, calibration_rule),
    )


def quarter_inputs(*, quarter: Quarter, scheme, as_of: datetime.datetime, on_batch=None) -> QuarterInputs:
    """A quarter's rows, people, rules and grade bands: nine queries for any number of staff. The contracts and
    revenue entries are streamed as the scoring reads them (ContractStream, RevenueStream)."""
    parameters = scheme_parameters(scheme)
    rules = scheme_rules(scheme)
    rule = parameters["rating_calibration"]
    period = quarter_period(quarter, parameters, as_of)
    return QuarterInputs(
        rows=quarter_rows(quarter, period, rule, stream=True, on_batch=on_batch),
        people=assessed_people(rules.keys()),
        rules_by_position=rules,
        bands=scheme_bands(scheme),
        scale=int(parameters["rating_scale"]),
        calibration=rule,
    )
