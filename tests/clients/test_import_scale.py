"""Imports at scale (docs/import-formats.md, "Limits"): a workbook read by python-calamine gives the same typed
rows as the same content in CSV; a file over IMPORT_MAX_ROWS is refused before any row is read, and nothing
changes; import_run reports its progress for the job's progress bar."""

import datetime
import io
import zipfile

import openpyxl
import pytest
from django.test import override_settings
from django.utils import translation

from clients.importing import parsing
from clients.importing.columns import spec_for
from clients.importing.services import import_file_check, import_run
from clients.importing.validators import HANDLERS, ImportReport
from clients.models import Client, Contract, RevenueEntry
from tests.clients.test_import_kinds import COMPLAINT_HEADER, counts
from tests.clients.test_import_parsing import csv_bytes, run, xlsx_bytes


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def books(firm):
    client = Client.objects.create(code="C001", name="华信科技有限公司", kind="organisation")
    Contract.objects.create(
        number="HT-001",
        client=client,
        signed_on=datetime.date(2026, 1, 10),
        originating_lawyer=firm.lawyer.profile,
        responsible_lawyer=firm.colleague.profile,
        matter="买卖合同纠纷",
        fee=100000,
    )
    return firm


def typed_rows(kind, content):
    """(row number, typed values, bad) of every data row, as the import's validator parses them."""
    stream = io.BytesIO(content)
    info = parsing.sniff(stream)
    job = HANDLERS[kind](spec_for(kind), ImportReport(kind=kind))
    header = None
    for number, cells in parsing.iter_rows(stream, info):
        if header is None:
            if all(parsing.is_blank(cell) for cell in cells):
                continue
            header = number
            assert job.match_header(number, cells), job.report.errors
            continue
        job.add_row(number, cells)
    return info.format, job.rows, [(error.row, error.column, error.message) for error in job.report.errors]


def test_a_workbook_and_the_same_content_as_csv_parse_to_the_same_rows(db):
    header = [*COMPLAINT_HEADER, "channel"]
    as_text = [
        header,
        ["TS-001", "C001", "lawyer", "2026-03-02 09:30", "executor", "2026-03-03", "已沟通", "来信"],
        ["", "", "", "", "", "", "", ""],  # a blank row in the middle keeps its place in the numbering
        ["0042", "C002", "colleague", "2026-03-05", "", "", "", "phone"],
        ["TS-003", "", "lawyer", "2026-13-01", "", "", "", "信鸽"],  # bad date, missing client, unknown channel
    ]
    as_excel = [
        header,
        [
            "TS-001",
            "C001",
            "lawyer",
            datetime.datetime(2026, 3, 2, 9, 30),
            "executor",
            datetime.datetime(2026, 3, 3),
            "已沟通",
            "来信",
        ],
        [None] * 8,
        ["0042", "C002", "colleague", datetime.date(2026, 3, 5), None, None, None, "phone"],
        ["TS-003", None, "lawyer", "2026-13-01", None, None, None, "信鸽"],
    ]
    from_csv = typed_rows("complaints", csv_bytes(as_text))
    from_xlsx = typed_rows("complaints", xlsx_bytes(as_excel))

    assert (from_csv[0], from_xlsx[0]) == ("csv", "xlsx")
    assert from_xlsx[1] == from_csv[1]
    assert from_xlsx[2] == from_csv[2]
    assert [number for number, _values, _bad in from_csv[1]] == [2, 4, 5]
    assert {row for row, _column, _message in from_csv[2]} == {5}


def test_numbers_and_yes_no_cells_of_a_workbook_parse_as_their_csv_spelling(db):
    header = ["number", "client", "signed_on", "originating_lawyer", "responsible_lawyer", "matter", "fee", "status"]
    as_text = [header, ["HT-9", "C001", "2026-02-01", "lawyer", "colleague", "劳动争议", "30000", "已完成"]]
    as_excel = [
        header,
        ["HT-9", "C001", datetime.datetime(2026, 2, 1), "lawyer", "colleague", "劳动争议", 30000, "已完成"],
    ]
    from_csv, from_xlsx = typed_rows("contracts", csv_bytes(as_text)), typed_rows("contracts", xlsx_bytes(as_excel))
    assert from_xlsx[1:] == from_csv[1:]
    assert from_xlsx[1][0][1]["fee"] == from_csv[1][0][1]["fee"] == 30000

    staff = ["username", "full_name", "email", "position", "department", "superior", "assessed"]
    from_csv = typed_rows("staff", csv_bytes([staff, ["x", "X", "x@firm.example", "律师", "lit", "", "否"]]))
    from_xlsx = typed_rows("staff", xlsx_bytes([staff, ["x", "X", "x@firm.example", "律师", "lit", None, False]]))
    assert from_xlsx[1:] == from_csv[1:]
    assert from_xlsx[1][0][1]["assessed"] is False


def test_a_workbook_starting_below_a1_keeps_the_spreadsheets_row_and_column_numbers(db):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["B3"], sheet["C3"], sheet["D3"], sheet["E3"] = "ref", "contract", "received_on", "amount"
    sheet["B4"], sheet["C4"], sheet["D4"], sheet["E4"], sheet["G4"] = "SK1", "HT-001", "2026-02-01", 10, "stray"
    content = io.BytesIO()
    workbook.save(content)

    rows = list(parsing.iter_rows(io.BytesIO(content.getvalue()), parsing.sniff(io.BytesIO(content.getvalue()))))

    assert rows[2] == (3, [None, "ref", "contract", "received_on", "amount", None, None])
    assert rows[3][0] == 4 and rows[3][1][6] == "stray"


# ------------------------------------------------------------------------------------------ the row limit

REVENUE = ["ref", "contract", "received_on", "amount", "credited_to"]


def revenue(rows):
    return [REVENUE, *([f"SK{i}", "HT-001", "2026-02-01", "100", "lawyer"] for i in range(rows))]


@override_settings(IMPORT_MAX_ROWS=3)
@pytest.mark.parametrize("maker", [csv_bytes, xlsx_bytes])
def test_a_file_over_the_row_limit_is_refused_at_upload_and_changes_nothing(books, maker):
    content = maker(revenue(4))
    before = counts()

    with pytest.raises(parsing.FileRejected) as refused:
        import_file_check(stream=io.BytesIO(content))
    report = run("revenue", content, by=books.finance_clerk, name="revenue")

    message = "The file has 4 rows below its header; at most 3 rows are imported at once."
    assert str(refused.value).startswith(message)
    assert "Split it into files of at most 3 rows each" in str(refused.value)
    assert [(error.row, error.message) for error in report.errors] == [(0, str(refused.value))]
    assert report.total_rows == 0 and not report.committed
    assert counts() == before


@override_settings(IMPORT_MAX_ROWS=3)
@pytest.mark.parametrize("maker", [csv_bytes, xlsx_bytes])
def test_a_file_of_exactly_the_limit_is_imported(books, maker):
    report = run("revenue", maker(revenue(3)), by=books.finance_clerk, name="revenue")

    assert report.committed, report.errors
    assert RevenueEntry.objects.count() == 3


def without_dimension(content):
    """The workbook with its <dimension> removed, as some exporters write it."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                start = data.index(b"<dimension")
                data = data[:start] + data[data.index(b"/>", start) + 2 :]
            archive.writestr(item, data)
    return out.getvalue()


@override_settings(IMPORT_MAX_ROWS=3)
def test_a_workbook_without_a_dimension_is_still_refused_before_its_rows_are_validated(books):
    content = without_dimension(xlsx_bytes(revenue(5)))
    assert parsing.sniff(io.BytesIO(content)).lines is None
    before = counts()

    report = run("revenue", content, by=books.finance_clerk, name="revenue.xlsx")

    assert [error.row for error in report.errors] == [0]
    assert report.errors[0].message.startswith("The file has 5 rows below its header; at most 3 rows")
    assert report.total_rows == 0
    assert counts() == before


def test_the_line_count_is_taken_while_the_encoding_is_checked():
    assert parsing.sniff(io.BytesIO(b"ref,amount\r\nSK1,1\r\nSK2,2")).lines == 3
    assert parsing.sniff(io.BytesIO(b"ref,amount\nSK1,1\n")).lines == 2
    assert parsing.sniff(io.BytesIO(xlsx_bytes(revenue(7)))).lines == 8


# ------------------------------------------------------------------------------------------ progress


def test_progress_is_reported_as_the_file_is_read_and_written(books):
    content = csv_bytes(revenue(2500))
    calls = []

    report = import_run(
        kind="revenue",
        stream=io.BytesIO(content),
        file_name="revenue.csv",
        by=books.finance_clerk,
        commit=True,
        progress=lambda done, total: calls.append((done, total)),
    )

    assert report.committed, report.errors[:3]
    # 2,501 lines read, then as many steps of writing: every 1,000 steps and once at the end, only growing.
    assert calls == [(1000, 5002), (2000, 5002), (3501, 5002), (4502, 5002), (5002, 5002)]

    calls.clear()
    preview = import_run(
        kind="revenue",
        stream=io.BytesIO(csv_bytes(revenue(5))),
        file_name="revenue.csv",
        by=books.finance_clerk,
        progress=lambda *pair: calls.append(pair),
    )
    assert preview.ok and not preview.committed
    assert calls == [(6, 6)]
