"""Reading import files: file types by content, encodings, cells. Also the small helpers the other
import tests use to build CSV and XLSX files."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone, translation

from clients.importing import columns, parsing
from clients.importing.services import import_run


@pytest.fixture(autouse=True)
def english_messages():
    """Messages are asserted in English, the source language (the default language is Chinese)."""
    with translation.override("en"):
        yield


PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def csv_bytes(rows, *, encoding="utf-8", bom=False):
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + text.getvalue().encode(encoding)


def xlsx_bytes(rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()


def run(kind, content, *, by=None, commit=True, name="data.csv"):
    return import_run(kind=kind, stream=io.BytesIO(content), file_name=name, by=by, commit=commit)


def messages_of(report):
    return [f"{error.row}|{error.column}|{error.message}" for error in report.errors]


def sniff(content):
    return parsing.sniff(io.BytesIO(content))


def test_it_reads_utf8_csv_with_and_without_bom():
    rows = [["code", "name"], ["C1", "华信科技"]]
    for content in (csv_bytes(rows), csv_bytes(rows, bom=True)):
        info = sniff(content)
        assert info.format == "csv"
        assert list(parsing.iter_rows(io.BytesIO(content), info))[1] == (2, ["C1", "华信科技"])


def test_it_reads_gb18030_csv_as_chinese_excel_saves_it():
    content = csv_bytes([["客户编号", "客户名称"], ["C1", "华信科技有限公司"]], encoding="gb18030")
    info = sniff(content)
    assert info.encoding == "gb18030"
    assert list(parsing.iter_rows(io.BytesIO(content), info)) == [
        (1, ["客户编号", "客户名称"]),
        (2, ["C1", "华信科技有限公司"]),
    ]


def test_it_detects_semicolon_separated_csv():
    content = b"code;name\nC1;A\n"
    info = sniff(content)
    assert info.delimiter == ";"
    assert list(parsing.iter_rows(io.BytesIO(content), info))[1] == (2, ["C1", "A"])


def test_it_refuses_a_png_renamed_to_csv():
    with pytest.raises(parsing.FileRejected, match="PNG"):
        sniff(PNG_BYTES)


def test_it_refuses_binary_bytes_that_no_detector_knows():
    with pytest.raises(parsing.FileRejected, match="neither a CSV"):
        sniff(b"code,name\n\x00\x01\x02\x03garbage")


def test_it_refuses_an_old_xls_workbook_by_its_signature():
    with pytest.raises(parsing.FileRejected, match=r"\.xls"):
        sniff(parsing.OLE2_MAGIC + b"\x00" * 600)


def test_it_refuses_a_zip_archive_that_is_not_a_workbook():
    import zipfile

    content = io.BytesIO()
    with zipfile.ZipFile(content, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(parsing.FileRejected, match="ZIP archive"):
        sniff(content.getvalue())


def test_it_recognises_an_xlsx_by_its_structure():
    assert sniff(xlsx_bytes([["code"], ["C1"]])).format == "xlsx"


def test_it_refuses_an_empty_file():
    with pytest.raises(parsing.FileRejected, match="empty"):
        sniff(b"")


def test_it_refuses_a_file_over_the_size_limit(settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    with pytest.raises(parsing.FileRejected, match="up to"):
        sniff(b"code,name\n" + b"C1,x\n" * 50)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-01-15", datetime.date(2026, 1, 15)),
        ("2026/1/5", datetime.date(2026, 1, 5)),
        ("2026/01/15", datetime.date(2026, 1, 15)),
        ("2026年1月15日", datetime.date(2026, 1, 15)),
        (datetime.datetime(2026, 1, 15, 0, 0), datetime.date(2026, 1, 15)),  # an Excel date cell
    ],
)
def test_it_accepts_the_usual_date_spellings(raw, expected):
    assert parsing.parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["15/01/2026", "2026-02-30", "yesterday", "=TODAY()"])
def test_it_refuses_dates_it_cannot_read_without_guessing(raw):
    with pytest.raises(parsing.CellError, match="not a date"):
        parsing.parse_date(raw)


def test_it_reads_datetimes_in_the_firms_time_zone():
    moment = parsing.parse_datetime("2026/03/02 09:30")
    assert timezone.localtime(moment).hour == 9
    assert moment == timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 30))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("50000", Decimal("50000.00")),
        ("¥12,345.50", Decimal("12345.50")),
        (1234.5, Decimal("1234.50")),
        (20, Decimal("20.00")),
        ("-5", Decimal("-5.00")),
    ],
)
def test_it_reads_amounts(raw, expected):
    assert parsing.parse_decimal(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("12.345", "two decimal"), ("abc", "not a number"), ("=1+1", "not a number"), ("NaN", "not a number")],
)
def test_it_refuses_amounts_that_are_not_money(raw, reason):
    with pytest.raises(parsing.CellError, match=reason):
        parsing.parse_decimal(raw)


def test_choices_accept_codes_english_and_chinese_labels():
    parser = parsing.CellParser(columns.KINDS["staff"].column("position"))
    assert [parser(v) for v in ("lawyer", "Lawyer", "律师", "律师助理", "行政人员")] == [
        "lawyer",
        "lawyer",
        "lawyer",
        "assistant",
        "administrative",
    ]
    with pytest.raises(parsing.CellError, match="not an accepted value"):
        parser("partner")


def test_headers_are_matched_by_key_label_or_chinese_alias():
    lookup = columns.KINDS["revenue"].header_lookup()
    for header, key in [
        ("ref", "ref"),
        ("收款编号", "ref"),
        ("Received on", "received_on"),
        ("金额（元）", "amount"),
        (" Amount* ", "amount"),
        ("合同编号", "contract"),
    ]:
        assert lookup[columns.normalise(header)] == key


def test_text_cells_from_excel_lose_no_digits():
    assert parsing.as_text(1001.0) == "1001"
    assert parsing.as_text(13800138000) == "13800138000"
    assert parsing.as_text('=HYPERLINK("x")') == '=HYPERLINK("x")'
