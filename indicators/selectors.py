"""Reads for scoring: a whole quarter's inputs in a fixed number of queries, however many staff there are.

Contracts and revenue are counted per person in SQL (scoring.ClientTotals); complaints, surveys and ratings come
as plain rows. Nothing here computes a rule: the points, totals, grades and ranks are indicators/scoring.py's.
"""

from __future__ import annotations

import datetime
import sqlite3
from dataclasses import dataclass
from decimal import Decimal

from django.db import connections
from django.db.models import Count, Sum
from django.utils import timezone

from clients.models import Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey
from results.models import Scorecard
from reviews.models import Quarter, StaffProfile

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


# Regulation 三.2's client definitions, counted per person by the database in one statement.
#   newc: new clients of the quarter (a contract in it and none before), credited to the originating lawyer of
#         their first contract (earliest, lowest id on a tie);
#   rq:   the quarter's revenue with the client it came from, in cents (exact on SQLite, which sums decimals as
#         floating point);
#   links / pc: the clients each person is originating or responsible lawyer for, flagged existing (a contract
#         signed in the look-back window before the quarter) and served (a contract active in the quarter).
# MATERIALIZED keeps each part computed once: SQLite otherwise re-plans a CTE inside every join that uses it.
_CLIENT_TOTALS_SQL = """
WITH newc AS {materialized} (
    SELECT q.client_id,
           (SELECT f.originating_lawyer_id FROM {contract} f WHERE f.client_id = q.client_id
            ORDER BY f.signed_on, f.id LIMIT 1) AS person
    FROM {contract} q
    WHERE q.signed_on >= %(starts_on)s AND q.signed_on <= %(ends_on)s
      AND NOT EXISTS (SELECT 1 FROM {contract} e WHERE e.client_id = q.client_id AND e.signed_on < %(starts_on)s)
    GROUP BY q.client_id
),
rq AS {materialized} (
    SELECT r.credited_to_id AS person, c.client_id, CAST(ROUND(r.amount * 100) AS BIGINT) AS cents
    FROM {revenue} r JOIN {contract} c ON c.id = r.contract_id
    WHERE r.received_on >= %(starts_on)s AND r.received_on <= %(ends_on)s
),
again AS {materialized} (
    SELECT DISTINCT client_id FROM {contract} WHERE signed_on >= %(starts_on)s AND signed_on <= %(ends_on)s
),
referrers AS {materialized} (
    SELECT DISTINCT cl.referred_by_id AS client_id
    FROM newc JOIN {client} cl ON cl.id = newc.client_id
    WHERE cl.referred_by_id IS NOT NULL
),
links AS (
    SELECT originating_lawyer_id AS person, client_id, signed_on, closed_on FROM {contract}
    WHERE signed_on <= %(ends_on)s AND (signed_on >= %(lookback)s OR closed_on IS NULL OR closed_on >= %(starts_on)s)
    UNION ALL
    SELECT responsible_lawyer_id, client_id, signed_on, closed_on FROM {contract}
    WHERE signed_on <= %(ends_on)s AND (signed_on >= %(lookback)s OR closed_on IS NULL OR closed_on >= %(starts_on)s)
      AND responsible_lawyer_id <> originating_lawyer_id
),
pc AS (
    SELECT person, client_id,
           MAX(CASE WHEN signed_on >= %(lookback)s AND signed_on < %(starts_on)s THEN 1 ELSE 0 END) AS existing,
           MAX(CASE WHEN closed_on IS NULL OR closed_on >= %(starts_on)s THEN 1 ELSE 0 END) AS served
    FROM links GROUP BY person, client_id
)
SELECT person, 'new', COUNT(*), 0, 0, 0 FROM newc GROUP BY person
UNION ALL
SELECT rq.person, 'revenue', SUM(rq.cents), SUM(CASE WHEN newc.person = rq.person THEN rq.cents ELSE 0 END), 0, 0
FROM rq LEFT JOIN newc ON newc.client_id = rq.client_id
GROUP BY rq.person
UNION ALL
SELECT pc.person, 'clients', SUM(pc.existing),
       SUM(CASE WHEN pc.existing = 1 AND again.client_id IS NOT NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN pc.existing = 1 AND referrers.client_id IS NOT NULL THEN 1 ELSE 0 END),
       SUM(pc.served)
FROM pc LEFT JOIN again ON again.client_id = pc.client_id LEFT JOIN referrers ON referrers.client_id = pc.client_id
GROUP BY pc.person
"""


def client_totals(period: scoring.Period, using: str = "default") -> dict[int, scoring.ClientTotals]:
    """Each person's new clients, revenue, existing / repeat / referring and served clients: one query."""
    connection = connections[using]
    # SQLite learnt MATERIALIZED in 3.35 (and before it computed a CTE used twice only once anyway).
    materialized = "" if connection.vendor == "sqlite" and sqlite3.sqlite_version_info < (3, 35) else "MATERIALIZED"
    sql = _CLIENT_TOTALS_SQL.format(
        materialized=materialized,
        contract=connection.ops.quote_name(Contract._meta.db_table),
        revenue=connection.ops.quote_name(RevenueEntry._meta.db_table),
        client=connection.ops.quote_name(Client._meta.db_table),
    )
    ops = connection.ops
    params = {
        "starts_on": ops.adapt_datefield_value(period.starts_on),
        "ends_on": ops.adapt_datefield_value(period.ends_on),
        "lookback": ops.adapt_datefield_value(period.lookback_starts_on),
    }
    figures: dict[int, dict] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for person, kind, a, b, c, d in cursor.fetchall():
            mine = figures.setdefault(person, {})
            if kind == "new":
                mine["new_clients"] = int(a)
            elif kind == "revenue":
                mine["revenue_all"] = Decimal(int(a)) / 100
                mine["revenue_new"] = Decimal(int(b)) / 100
            else:
                mine.update(existing_clients=int(a), repeat_clients=int(b), referring_clients=int(c),
                            served_clients=int(d))  # fmt: skip
    return {person: scoring.ClientTotals(**mine) for person, mine in figures.items()}


def quarter_rows(quarter: Quarter, period: scoring.Period) -> scoring.QuarterRows:
    """Four queries: client totals per person, and the quarter's complaints, surveys and grouped ratings.

    Complaints and surveys are few (hundreds to a few thousand a quarter) and are read as rows, so their ids stay
    on the result; contracts and revenue are counted in the database.
    """
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
        totals=client_totals(period),
        complaints=[scoring.ComplaintRow(*row) for row in complaints.order_by()],
        surveys=[scoring.SurveyRow(*row) for row in surveys.order_by()],
        ratings=[scoring.RatingGroup(*row) for row in ratings],
    )


def quarter_inputs(*, quarter: Quarter, scheme, as_of: datetime.datetime) -> QuarterInputs:
    """A quarter's rows, people, rules and grade bands: seven queries for any number of staff."""
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
