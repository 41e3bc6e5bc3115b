"""The import benchmark: 100,000 revenue rows, as CSV and as XLSX, through the functions the import jobs call
(clients.importing.services: import_file_check at upload, import_run for the preview and for the confirmation),
against a firm of 200 staff, 20,000 clients and 30,000 contracts: preview ≤ 10 s, commit ≤ 20 s, peak RSS of the
process ≤ 300 MB, XLSX ≤ 1.5× CSV; and a 500,000-row workbook refused before any row is read."""

import csv
import datetime
import gc
import io
import random
import resource
import sys
import tempfile
import time
import zipfile
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


def revenue_rows(*, first_ref):
    """The same rows for both files (other refs, so both can be committed): (ref, contract, date, amount, login)."""
    generator = random.Random(2026)
    start = datetime.date(2026, 1, 1)
    for i in range(ROWS):
        yield (
            f"SK{first_ref + i:07d}",
            f"HT{generator.randrange(CONTRACTS):06d}",
            start + datetime.timedelta(days=i % 90),
            generator.randrange(100, 5_000_000) / 100,
            f"lawyer{generator.randrange(STAFF):03d}",
        )


HEADER = ["ref", "contract", "received_on", "amount", "credited_to"]


def write_revenue_csv(path, *, first_ref):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for ref, contract, day, amount, login in revenue_rows(first_ref=first_ref):
            writer.writerow([ref, contract, day.isoformat(), f"{amount:.2f}", login])


def write_revenue_xlsx(path, *, first_ref):
    """As a clerk's Excel holds them: text in shared strings, dates as date-formatted numbers, amounts as numbers."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("收款")
    sheet.append(HEADER)
    for row in revenue_rows(first_ref=first_ref):
        sheet.append(list(row))
    workbook.save(path)


def write_huge_xlsx(path, rows):
    """A minimal but valid workbook of `rows` revenue rows, written directly (openpyxl would take minutes)."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="收款" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
        'org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            out = io.TextIOWrapper(part, encoding="utf-8")
            out.write(
                '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                f'spreadsheetml/2006/main"><dimension ref="A1:E{rows + 1}"/><sheetData>'
            )

            def cells(number, values):
                return f'<row r="{number}">' + "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values)

            out.write(cells(1, HEADER) + "</row>")
            for number, (ref, contract, day, amount, login) in enumerate(revenue_rows(first_ref=0), start=2):
                if number > rows + 1:
                    break
                out.write(cells(number, (ref, contract, day.isoformat())) + f"<c><v>{amount}</v></c>")
                out.write(f'<c t="inlineStr"><is><t>{login}</t></is></c></row>')
            out.write("</sheetData></worksheet>")
            out.flush()
            out.detach()


def _upload_check(path):
    from clients.importing.services import import_file_check

    gc.collect()
    with path.open("rb") as stream:
        began = time.perf_counter()
        import_file_check(stream=stream)
        return time.perf_counter() - began


def _import(path, clerk, *, commit, steps=None):
    """import_run as the preview (commit=False) and confirmation (commit=True) jobs call it; (report, seconds)."""
    from clients.importing.services import import_run

    def progress(done, _total):
        if steps is not None:
            steps.append(done)

    gc.collect()
    with path.open("rb") as stream:
        began, cpu = time.perf_counter(), time.process_time()
        report = import_run(
            kind="revenue", stream=stream, file_name=path.name, by=clerk, commit=commit, progress=progress
        )
        CPU[path.suffix, commit] = time.process_time() - cpu
        return report, time.perf_counter() - began


# CPU seconds of this process per (file suffix, commit), reported beside the wall times: on a loaded machine the
# wall time also counts the time other processes held the CPUs.
CPU = {}


def _timed(function):
    gc.collect()
    began = time.perf_counter()
    outcome = function()
    return outcome, time.perf_counter() - began


def run(label):
    from django.conf import settings

    from clients.importing.services import import_file_check, import_run
    from clients.models import ChangeRecord, RevenueEntry

    clerk = build_firm()
    rss_firm = _rss_mb()
    figures, notes = {}, {}
    with tempfile.TemporaryDirectory(prefix="kpi-bench-import-") as folder:
        files = {"csv": Path(folder) / "revenue-100k.csv", "xlsx": Path(folder) / "revenue-100k.xlsx"}
        write_revenue_csv(files["csv"], first_ref=0)
        write_revenue_xlsx(files["xlsx"], first_ref=ROWS)
        huge = Path(folder) / "revenue-500k.xlsx"
        write_huge_xlsx(huge, 5 * ROWS)
        gc.collect()
        rss_files = _rss_mb()
        for fmt, path in files.items():
            steps = []
            # 1. The upload request: the file is checked (type, size, rows) before it is stored.
            upload = _upload_check(path)
            # 2. The preview job: every row validated, nothing written.
            steps = []
            preview, figures[fmt, "preview"] = _import(path, clerk, commit=False, steps=steps)
            assert preview.ok and preview.created == ROWS, preview.errors[:5]
            assert steps and steps == sorted(steps) and steps[-1] == ROWS + 1, f"progress callback: {steps[-3:]}"
            # 3. The confirmation job: validated again (the data may have changed since), then written.
            before = RevenueEntry.objects.count()
            report, figures[fmt, "commit"] = _import(path, clerk, commit=True)
            assert report.committed and report.created == ROWS, report.errors[:5]
            assert RevenueEntry.objects.count() == before + ROWS
            notes[fmt] = f"upload check {upload:.2f} s, file {path.stat().st_size / 1048576:.1f} MB"
            del preview, report
        assert ChangeRecord.objects.filter(action="import_create").count() == 2 * ROWS
        rss_peak = _rss_mb()

        # 4. A 500,000-row workbook: refused at upload and by the job, before any row is read; nothing changes.
        count = RevenueEntry.objects.count()
        with huge.open("rb") as stream:
            refused_upload, refusal = _timed(lambda: _refusal(import_file_check, stream))
        with huge.open("rb") as stream:
            refused_job, refusal_job = _timed(
                lambda: import_run(kind="revenue", stream=stream, file_name=huge.name, by=clerk, commit=True)
            )
        assert refused_upload and "500,000" in refused_upload, refused_upload
        assert not refused_job.ok and refused_job.total_rows == 0 and not refused_job.committed
        assert RevenueEntry.objects.count() == count
        huge_mb = huge.stat().st_size / 1048576

    ratio = {step: figures["xlsx", step] / figures["csv", step] for step in ("preview", "commit")}
    where = f"{ROWS:,} revenue rows against 20,000 clients, 30,000 contracts, 200 staff"
    results = []
    for fmt in ("csv", "xlsx"):
        results += [
            Result(
                f"import 100k revenue rows, {fmt.upper()}: preview",
                round(figures[fmt, "preview"], 2),
                "s",
                10,
                notes=f"import_run(commit=False) as the preview job calls it: read, parse, look up, plan; {where}; "
                f"{notes[fmt]}; CPU time of this process {CPU['.' + fmt, False]:.1f} s",
            ),
            Result(
                f"import 100k revenue rows, {fmt.upper()}: commit",
                round(figures[fmt, "commit"], 2),
                "s",
                20,
                notes=f"import_run(commit=True) as the confirmation job calls it: validated again, then {ROWS:,} "
                "rows and as many change records written in one transaction; CPU time of this process "
                f"{CPU['.' + fmt, True]:.1f} s (the rest is the database and other load on the machine)",
            ),
        ]
    results += [
        Result(
            "import 100k revenue rows: XLSX ÷ CSV",
            round(max(ratio.values()), 2),
            "×",
            1.5,
            notes=f"wall time, the larger of preview {ratio['preview']:.2f}× and commit {ratio['commit']:.2f}× (same "
            "rows, read by python-calamine); in CPU time preview "
            f"{CPU['.xlsx', False] / CPU['.csv', False]:.2f}×, commit {CPU['.xlsx', True] / CPU['.csv', True]:.2f}×",
        ),
        Result(
            "import 100k revenue rows: peak RSS",
            round(rss_peak, 1),
            "MB",
            300,
            notes=f"ru_maxrss of this whole process over both formats' previews and commits (after building the firm "
            f"{rss_firm:.0f} MB, after writing the files {rss_files:.0f} MB)",
        ),
        Result(
            "import 500k-row workbook: refused",
            round(max(refusal, refusal_job), 3),
            "s",
            1,
            notes=f"{huge_mb:.1f} MB XLSX of {5 * ROWS:,} rows, IMPORT_MAX_ROWS {settings.IMPORT_MAX_ROWS:,}: "
            f"at upload {refusal:.3f} s, by the job {refusal_job:.3f} s; no row read, no data changed",
        ),
    ]
    return results


def _refusal(check, stream):
    from clients.importing.parsing import FileRejected

    try:
        check(stream=stream)
    except FileRejected as rejection:
        return str(rejection)
    return None
