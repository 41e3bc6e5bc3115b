"""A synthetic firm for the benchmarks: 2,000 staff and a few years of department data.

Rows go in with explicit ids by COPY on PostgreSQL and executemany on SQLite, which is many times faster than
building model instances. Dates spread over twelve quarters ending with the scored one; seeded, so two runs
build the same firm. Other benchmarks reuse build_synthetic_firm / clear_synthetic_firm.
"""

from __future__ import annotations

import bisect
import datetime
import io
import random
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from clients.models import Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey
from indicators.defaults import scheme_create_default
from indicators.models import Indicator, RatingAssignment, RatingRound, Scheme
from results.models import IndicatorScore, Scorecard
from reviews.models import Department, DepartmentKind, Position, Quarter, StaffProfile

QUARTERS_OF_HISTORY = 12
PRACTICE_GROUPS = 8


@dataclass
class SyntheticFirm:
    quarter: Quarter
    scheme: Scheme
    organiser: User
    staff: int
    clients: int
    contracts: int
    revenue: int
    complaints: int
    surveys: int
    ratings: int


def _column_names(model, fields):
    return [model._meta.get_field(name).column for name in fields]


def _insert(model, fields, rows):
    """Insert many rows of plain values (ids included) as fast as the database allows."""
    columns = _column_names(model, fields)
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(r"\N" if value is None else str(value) for value in row))
            buffer.write("\n")
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN WITH (FORMAT text)', buffer)
        return
    adapt = []
    for name in fields:
        internal = model._meta.get_field(name).get_internal_type()
        if internal == "DateTimeField":
            adapt.append(connection.ops.adapt_datetimefield_value)
        elif internal == "DateField":
            adapt.append(connection.ops.adapt_datefield_value)
        elif internal == "DecimalField":
            adapt.append(str)
        else:
            adapt.append(None)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({placeholders})'
    with connection.cursor() as cursor:
        batch = []
        for row in rows:
            batch.append(tuple(v if (f is None or v is None) else f(v) for f, v in zip(adapt, row, strict=True)))
            if len(batch) >= 50_000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _quarter_start(year, number, back):
    index = year * 4 + number - 1 - back
    return Quarter.bounds(index // 4, index % 4 + 1)[0]


def build_synthetic_firm(
    *,
    staff=2000,
    clients=100_000,
    contracts=150_000,
    revenue=400_000,
    complaints=10_000,
    surveys=30_000,
    ratings=20_000,
    revenue_in_quarter=None,
    quarter=(2026, 3),
    seed=20260930,
) -> SyntheticFirm:
    """Build the firm into an empty database (explicit ids from 1) and return what the benchmarks need."""
    rng = random.Random(seed)
    year, number = quarter
    starts_on = _quarter_start(year, number, QUARTERS_OF_HISTORY - 1)
    ends_on = Quarter.bounds(year, number)[1]
    span = (ends_on - starts_on).days
    tz = timezone.get_current_timezone()
    now = timezone.now()

    with transaction.atomic():
        departments = [("biz", DepartmentKind.BUSINESS), ("adm", DepartmentKind.ADMINISTRATIVE),
                       ("fin", DepartmentKind.FINANCE)]  # fmt: skip
        departments += [(f"grp{i}", DepartmentKind.PRACTICE) for i in range(PRACTICE_GROUPS)]
        _insert(
            Department,
            ["id", "code", "name_zh", "name_en", "kind"],
            [(i, code, f"部门{code}", f"Department {code}", kind) for i, (code, kind) in enumerate(departments, 1)],
        )
        practice_ids = list(range(4, 4 + PRACTICE_GROUPS))

        # Staff: 1 % unassessed partners, then lawyers (60 %), assistants (25 %), administrative staff (the rest).
        partners = max(1, staff // 100)
        lawyers = int(staff * 0.6)
        assistants = int(staff * 0.25)
        people = []
        for pk in range(1, staff + 1):
            if pk <= partners:
                position, department, superior, assessed = Position.LAWYER, rng.choice(practice_ids), None, False
            elif pk <= partners + lawyers:
                position, department, assessed = Position.LAWYER, rng.choice(practice_ids), True
                superior = rng.randint(1, partners)
            elif pk <= partners + lawyers + assistants:
                position, department, assessed = Position.ASSISTANT, rng.choice(practice_ids), True
                superior = rng.randint(partners + 1, partners + lawyers)
            else:
                position, department, assessed = Position.ADMINISTRATIVE, rng.choice([1, 2, 3]), True
                superior = rng.randint(1, partners)
            people.append((pk, position, department, superior, assessed))
        _insert(
            User,
            [
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
            ],  # fmt: skip
            [(pk, "!", False, f"staff{pk:05d}", "", "", "", False, True, now) for pk, *_ in people],
        )
        _insert(
            StaffProfile,
            ["id", "user", "full_name", "position", "department", "superior", "active", "assessed", "language"],
            [
                (pk, pk, f"员工{pk:05d}", pos, dept, sup, True, assessed, "zh-hans")
                for pk, pos, dept, sup, assessed in people
            ],
        )
        lawyer_ids = list(range(partners + 1, partners + lawyers + 1))
        assistant_ids = list(range(partners + lawyers + 1, partners + lawyers + assistants + 1))
        admin_ids = list(range(partners + lawyers + assistants + 1, staff + 1))
        assessed_ids = list(range(partners + 1, staff + 1))

        # Clients: each has a first-contract day; 15 % were referred by an earlier client.
        first_day = [None] + sorted(rng.randrange(span + 1) for _ in range(clients))
        client_rows = []
        for pk in range(1, clients + 1):
            referred = rng.randint(1, pk - 1) if pk > 1 and rng.random() < 0.15 else None
            client_rows.append((pk, f"C{pk:07d}", f"客户{pk}", "organisation", "", "", referred, starts_on))
        _insert(Client, ["id", "code", "name", "kind", "email", "phone", "referred_by", "created_on"], client_rows)

        # Contracts: every client's first one on its first day, the rest later for random clients.
        contract_rows = []
        for pk in range(1, contracts + 1):
            client_id = pk if pk <= clients else rng.randint(1, clients)
            day = first_day[client_id] if pk <= clients else rng.randint(first_day[client_id], span)
            signed_on = starts_on + datetime.timedelta(days=day)
            originating = rng.choice(lawyer_ids)
            responsible = originating if rng.random() < 0.5 else rng.choice(lawyer_ids)
            closed_on = signed_on + datetime.timedelta(days=rng.randint(30, 400)) if rng.random() < 0.7 else None
            if closed_on is not None and closed_on > ends_on:
                closed_on = None
            contract_rows.append(
                (
                    pk,
                    f"HT{pk:07d}",
                    client_id,
                    signed_on,
                    originating,
                    responsible,
                    "Matter",
                    "50000.00",
                    "active" if closed_on is None else "completed",
                    closed_on,
                )  # fmt: skip
            )
        _insert(
            Contract,
            [
                "id",
                "number",
                "client",
                "signed_on",
                "originating_lawyer",
                "responsible_lawyer",
                "matter",
                "fee",
                "status",
                "closed_on",
            ],  # fmt: skip
            contract_rows,
        )

        def random_contract():
            return contract_rows[rng.randrange(contracts)]

        # Revenue arrives over the twelve quarters, each entry on a contract signed in the year before; `in_quarter`
        # of them are received in the scored quarter itself (its own data, what scoring reads), the rest spread
        # over the history. Written in batches: a 20,000-staff firm has millions of entries.
        by_signing = sorted(contract_rows, key=lambda row: row[3])
        signed_days = [(row[3] - starts_on).days for row in by_signing]
        quarter_first_day = (Quarter.bounds(year, number)[0] - starts_on).days
        in_quarter = revenue_in_quarter
        batch = []
        for pk in range(1, revenue + 1):
            if in_quarter is None:
                day = rng.randrange(span + 1)
            elif pk <= in_quarter:
                day = rng.randint(quarter_first_day, span)
            else:
                day = rng.randrange(quarter_first_day)
            latest = bisect.bisect_right(signed_days, day)
            if latest == 0:
                c, received = by_signing[0], by_signing[0][3]
            else:
                earliest = bisect.bisect_left(signed_days, day - 365)
                c = by_signing[rng.randrange(earliest, latest)]
                received = starts_on + datetime.timedelta(days=day)
            credited = c[4] if rng.random() < 0.8 else c[5]
            batch.append((pk, f"R{pk:07d}", c[0], received, f"{rng.randint(1, 500) * 100}.00", credited))
            if len(batch) == 200_000 or pk == revenue:
                _insert(RevenueEntry, ["id", "ref", "contract", "received_on", "amount", "credited_to"], batch)
                batch = []
        del by_signing, signed_days

        complaint_rows = []
        handlers = admin_ids + assistant_ids[: len(assistant_ids) // 3]
        for pk in range(1, complaints + 1):
            c = random_contract()
            received = datetime.datetime.combine(
                starts_on + datetime.timedelta(days=rng.randrange(span + 1)), datetime.time(rng.randint(8, 20))
            ).replace(tzinfo=tz)
            handled = received + datetime.timedelta(hours=rng.randint(1, 120)) if rng.random() < 0.95 else None
            complaint_rows.append((pk, f"TS{pk:06d}", c[2], c[5], received, rng.choice(handlers), handled, "", "phone"))
        _insert(
            Complaint,
            ["id", "ref", "client", "about", "received_at", "handler", "handled_at", "resolution", "channel"],
            complaint_rows,
        )

        survey_rows = []
        surveyed = lawyer_ids + assistant_ids
        for pk in range(1, surveys + 1):
            c = random_contract()
            about = c[5] if rng.random() < 0.8 else rng.choice(surveyed)
            on = starts_on + datetime.timedelta(days=rng.randrange(span + 1))
            scores = [min(5, max(1, round(rng.gauss(4.1, 0.8)))) for _ in range(3)]
            survey_rows.append((pk, f"S{pk:06d}", c[2], about, on, "phone", *scores, ""))
        _insert(
            SatisfactionSurvey,
            [
                "id",
                "ref",
                "client",
                "staff",
                "surveyed_on",
                "channel",
                "service_quality",
                "communication",
                "outcome",
                "comment",
            ],  # fmt: skip
            survey_rows,
        )

        quarter_row = Quarter.objects.create(year=year, number=number)
        organiser = User.objects.get(pk=1)
        rating_round = RatingRound.objects.create(quarter=quarter_row, opened_by=organiser)
        codes = dict(Indicator.objects.filter(code__in=["communication", "collaboration"]).values_list("code", "id"))
        kinds = ["superior", "peer", "peer", "other_department"]
        seen = set()
        rating_rows = []
        while len(rating_rows) < ratings:
            rater, ratee = rng.choice(assessed_ids), rng.choice(assessed_ids)
            code = "communication" if rng.random() < 0.6 else "collaboration"
            key = (rater, ratee, code)
            if rater == ratee or key in seen:
                continue
            seen.add(key)
            rating_rows.append(
                (
                    len(rating_rows) + 1,
                    rating_round.pk,
                    rater,
                    ratee,
                    rng.choice(kinds),
                    codes[code],
                    rng.randint(2, 5),
                    "",
                    now,
                )  # fmt: skip
            )
        _insert(
            RatingAssignment,
            ["id", "round", "rater", "ratee", "rater_type", "indicator", "score", "comment", "rated_at"],
            rating_rows,
        )

        if connection.vendor == "postgresql":
            models = [Department, User, StaffProfile, Client, Contract, RevenueEntry, Complaint, SatisfactionSurvey,
                      RatingAssignment]  # fmt: skip
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(statement)

        scheme = scheme_create_default(quarter=quarter_row, by=organiser)
        Scheme.objects.filter(pk=scheme.pk).update(
            status=Scheme.Status.APPROVED, approved_by=organiser, approved_at=now
        )
        scheme.refresh_from_db()

    # Fresh statistics, so the planner sees the firm's real sizes (both databases know ANALYZE).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return SyntheticFirm(
        quarter=quarter_row,
        scheme=scheme,
        organiser=organiser,
        staff=staff,
        clients=clients,
        contracts=contracts,
        revenue=revenue,
        complaints=complaints,
        surveys=surveys,
        ratings=ratings,
    )


def clear_synthetic_firm():
    """Empty every table build_synthetic_firm fills (and the results scored from it, published ones included:
    the whole firm goes, results.integrity)."""
    from results.integrity import whole_database_maintenance
    from results.models import Basis, BasisChunk

    with transaction.atomic(), whole_database_maintenance():
        IndicatorScore.objects.all().delete()
        Scorecard.objects.all().delete()
        BasisChunk.objects.all()._raw_delete(connection.alias)
        Basis.objects.all().delete()
        for model in (RatingAssignment, RatingRound):
            model.objects.all().delete()
        Scheme.objects.all().delete()
        Quarter.objects.all().delete()
        for model in (SatisfactionSurvey, Complaint, RevenueEntry, Contract):
            model.objects.all()._raw_delete(connection.alias)
        Client.objects.update(referred_by=None)
        Client.objects.all()._raw_delete(connection.alias)
        StaffProfile.objects.update(superior=None)
        StaffProfile.objects.all()._raw_delete(connection.alias)
        User.groups.through.objects.all().delete()
        User.objects.all()._raw_delete(connection.alias)
        Department.objects.all()._raw_delete(connection.alias)
