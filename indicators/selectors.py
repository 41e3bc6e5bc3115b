"""Reads for scoring: a whole quarter's inputs in a fixed number of queries, however many staff there are.

Each query returns plain tuples that become the rows of indicators/scoring.py; nothing here computes a rule.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connections
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from clients.models import Complaint, Contract, RevenueEntry, SatisfactionSurvey
from reviews.models import Quarter, Scorecard, StaffProfile

from . import scoring
from .defaults import DEFAULT_PARAMETERS
from .models import GradeBand, Indicator, RatingAssignment, SchemeItem


@dataclass
class QuarterInputs:
    """Everything results_compute needs, read once."""

    rows: scoring.QuarterRows
    people: list[scoring.Person]
    rules_by_position: dict[str, list[scoring.ItemRule]]
    bands: list[scoring.Band]
    scale: int


def scheme_parameters(scheme) -> dict:
    """The scheme's definition parameters over the defaults."""
    return {**DEFAULT_PARAMETERS, **(scheme.parameters or {})}


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


def _plain_rows(queryset, row_type, *, dates=(), decimals=()):
    """The queryset's values_list rows as row_type tuples, read straight from the cursor.

    Django's per-value converters dominate when 100,000 contracts are read; PostgreSQL already returns
    dates and decimals, and on SQLite the ISO text is parsed by the C-level date.fromisoformat instead.
    """
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    sqlite = connections[queryset.db].vendor == "sqlite"
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # Django's SQLite connection may already turn date columns into dates; parse only what is still text.
    dates = [i for i in dates if rows and any(row[i].__class__ is str for row in rows[:100])]
    if not sqlite or not (dates or decimals):
        return [row_type(*row) for row in rows]
    parse = datetime.date.fromisoformat
    make = row_type._make

    def convert(row):
        row = list(row)
        for index in dates:
            if row[index].__class__ is str:
                row[index] = parse(row[index])
        for index in decimals:
            row[index] = Decimal(str(row[index]))
        return make(row)

    return [convert(row) for row in rows]


def quarter_rows(quarter: Quarter, period: scoring.Period) -> scoring.QuarterRows:
    """Six queries: contracts, new clients, revenue, complaints, surveys and grouped ratings."""
    # Contracts signed in the look-back window or the quarter, and older ones still active in the quarter.
    contracts = Contract.objects.filter(
        Q(signed_on__gte=period.lookback_starts_on, signed_on__lte=period.ends_on)
        | Q(signed_on__lt=period.lookback_starts_on) & (Q(closed_on__isnull=True) | Q(closed_on__gte=period.starts_on))
    ).values_list("id", "client_id", "originating_lawyer_id", "responsible_lawyer_id", "signed_on", "closed_on")

    # New clients: a contract in the quarter and none before it (index on client, signed_on).
    earlier = Contract.objects.filter(client=OuterRef("client"), signed_on__lt=period.starts_on)
    new_clients = (
        Contract.objects.filter(signed_on__gte=period.starts_on, signed_on__lte=period.ends_on)
        .filter(~Exists(earlier))
        .values_list("client_id", "client__referred_by_id")
        .distinct()
    )
    revenue = RevenueEntry.objects.filter(
        received_on__gte=period.starts_on, received_on__lte=period.ends_on
    ).values_list("id", "credited_to_id", "contract__client_id", "amount", "received_on")
    complaints = Complaint.objects.filter(
        received_at__gte=period.starts_at, received_at__lt=period.ends_before
    ).values_list("id", "about_id", "handler_id", "received_at", "handled_at")
    surveys = SatisfactionSurvey.objects.filter(
        surveyed_on__gte=period.starts_on, surveyed_on__lte=period.ends_on
    ).values_list("id", "staff_id", "surveyed_on", "service_quality", "communication", "outcome")
    ratings = (
        RatingAssignment.objects.filter(round__quarter=quarter, score__isnull=False)
        .values("ratee_id", "indicator__code", "rater_type")
        .annotate(count=Count("id"), total=Sum("score"))
        .order_by()
        .values_list("ratee_id", "indicator__code", "rater_type", "count", "total")
    )
    return scoring.QuarterRows(
        period=period,
        contracts=_plain_rows(contracts.order_by(), scoring.ContractRow, dates=(4, 5)),
        new_clients=[scoring.NewClientRow(*row) for row in new_clients.order_by()],
        revenue=_plain_rows(revenue.order_by(), scoring.RevenueRow, dates=(4,), decimals=(3,)),
        complaints=[scoring.ComplaintRow(*row) for row in complaints.order_by()],
        surveys=[scoring.SurveyRow(*row) for row in surveys.order_by()],
        ratings=[scoring.RatingGroup(*row) for row in ratings],
    )


def quarter_inputs(*, quarter: Quarter, scheme, as_of: datetime.datetime) -> QuarterInputs:
    """A quarter's rows, people, rules and grade bands: nine queries for any number of staff."""
    parameters = scheme_parameters(scheme)
    rules = scheme_rules(scheme)
    return QuarterInputs(
        rows=quarter_rows(quarter, quarter_period(quarter, parameters, as_of)),
        people=assessed_people(rules.keys()),
        rules_by_position=rules,
        bands=scheme_bands(scheme),
        scale=int(parameters["rating_scale"]),
    )


# ---------------------------------------------------------------------------------------------------------
# Pages.


def results_table(*, quarter: Quarter):
    """The quarter's current scorecards with their lines, grouped by position, best first."""
    indicators = list(Indicator.objects.order_by("order"))
    cards = list(
        Scorecard.objects.filter(quarter=quarter, is_current=True)
        .select_related("staff__user", "department")
        .prefetch_related("lines")
        .order_by("position", "rank", "staff__full_name")
    )
    used = {line.indicator_id for card in cards for line in card.lines.all()}
    columns = [indicator for indicator in indicators if indicator.id in used]
    rows = []
    for card in cards:
        by_indicator = {line.indicator_id: line for line in card.lines.all()}
        rows.append({"card": card, "cells": [by_indicator.get(indicator.id) for indicator in columns]})
    return {"columns": columns, "rows": rows}
