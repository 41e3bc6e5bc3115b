"""The import benchmark: a 100,000-row revenue CSV through the web import's code path (validate + commit) in ≤ 20 s
and ≤ 300 MB peak memory, against a firm of 200 staff, 20,000 clients and 30,000 contracts."""

import csv
import datetime
import gc
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

from bench.result import Result

ROWS = 100_000
STAFF = 200
CLIENTS = 20_000
CONTRACTS = 30_000


def _rss_mb():
    """The process's peak resident set so far (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def build_firm():
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    from clients.models import Client, Contract
    from reviews.models import Department, DepartmentKind, Position, StaffProfile

    departments = [
        Department.objects.create(code=code, name_zh=code, name_en=code, kind=kind)
        for code, kind in [
            ("biz", DepartmentKind.BUSINESS),
            ("fin", DepartmentKind.FINANCE),
            ("adm", DepartmentKind.ADMINISTRATIVE),
            ("lit", DepartmentKind.PRACTICE),
            ("corp", DepartmentKind.PRACTICE),
            ("ip", DepartmentKind.PRACTICE),
        ]
    ]
    practice = departments[3:]
    password = make_password(None)
    users = User.objects.bulk_create(
        [User(username=f"lawyer{i:03d}", email=f"lawyer{i:03d}@firm.example", password=password) for i in range(STAFF)]
    )
    profiles = StaffProfile.objects.bulk_create(
        [
            StaffProfile(
                user_id=user.pk,
                full_name=f"律师{i:03d}",
                position=Position.LAWYER,
                department=practice[i % len(practice)],
            )
            for i, user in enumerate(users)
        ]
    )
    clerk = User.objects.create_user(username="finclerk", email="finclerk@firm.example", password=None)
    departments[1].clerks.add(clerk)
    client_ids = []
    for start in range(0, CLIENTS, 5000):
        created = Client.objects.bulk_create(
            [Client(code=f"C{i:06d}", name=f"客户{i:06d}", kind="organisation") for i in range(start, start + 5000)]
        )
        client_ids.extend(client.pk for client in created)
    generator = random.Random(2)
    for start in range(0, CONTRACTS, 5000):
        Contract.objects.bulk_create(
            [
                Contract(
                    number=f"HT{i:06d}",
                    client_id=client_ids[i % CLIENTS],
                    signed_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=i % 365),
                    originating_lawyer_id=profiles[generator.randrange(STAFF)].pk,
                    responsible_lawyer_id=profiles[generator.randrange(STAFF)].pk,
                    matter="合同纠纷",
                    fee=Decimal("100000.00"),
                )
                for i in range(start, start + 5000)
            ]
        )
    return clerk


def write_revenue_csv(path, *, first_ref):
    generator = random.Random(first_ref)
    start = datetime.date(2026, 1, 1)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ref", "contract", "received_on", "amount", "credited_to"])
        for i in range(first_ref, first_ref + ROWS):
            writer.writerow(
                [
                    f"SK{i:07d}",
                    f"HT{generator.randrange(CONTRACTS):06d}",
                    (start + datetime.timedelta(days=i % 90)).isoformat(),
                    f"{generator.randrange(100, 5_000_000) / 100:.2f}",
                    f"lawyer{generator.randrange(STAFF):03d}",
                ]
            )


def run(label):
    from clients.importing.services import import_run
    from clients.models import ChangeRecord, RevenueEntry

    clerk = build_firm()
    gc.collect()
    with tempfile.TemporaryDirectory(prefix="kpi-bench-import-") as folder:
        timed, traced = Path(folder) / "revenue-100k.csv", Path(folder) / "revenue-100k-second.csv"
        write_revenue_csv(timed, first_ref=0)
        write_revenue_csv(traced, first_ref=ROWS)
        gc.collect()

        # 1. Wall time and resident memory of the real thing, without tracing overhead.
        rss_before = _rss_mb()
        began, cpu_began = time.perf_counter(), time.process_time()
        with timed.open("rb") as stream:
            report = import_run(kind="revenue", stream=stream, file_name=timed.name, by=clerk, commit=True)
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu_began
        rss_peak = _rss_mb()
        assert report.committed and report.created == ROWS, report.errors[:5]
        assert RevenueEntry.objects.count() == ROWS
        assert ChangeRecord.objects.filter(action="import_create").count() == ROWS

        # 2. The Python heap's peak over a second 100k-row file (tracemalloc slows it, so it is not timed).
        del report
        gc.collect()
        tracemalloc.start()
        with traced.open("rb") as stream:
            report = import_run(kind="revenue", stream=stream, file_name=traced.name, by=clerk, commit=True)
        heap_peak = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
        tracemalloc.stop()
        assert report.committed and report.created == ROWS

        # 3. Re-importing the first file changes nothing.
        began = time.perf_counter()
        with timed.open("rb") as stream:
            again = import_run(kind="revenue", stream=stream, file_name=timed.name, by=clerk, commit=True)
        reimport = time.perf_counter() - began
        assert again.unchanged == ROWS and again.created == again.updated == 0

    return [
        Result(
            "import 100k revenue rows: wall time",
            round(wall, 2),
            "s",
            20,
            notes=f"validate + commit, {ROWS} rows created with change records; CPU time of this process "
            f"{cpu:.1f} s (the rest is the database and other load on the machine); re-import (all unchanged) "
            f"{reimport:.1f} s",
        ),
        Result(
            "import 100k revenue rows: peak memory",
            round(rss_peak, 1),
            "MB",
            300,
            notes=f"process RSS peak (before the import {rss_before:.0f} MB, growth {rss_peak - rss_before:.0f} MB); "
            f"tracemalloc Python-heap peak of a second 100k import {heap_peak:.0f} MB",
        ),
    ]
