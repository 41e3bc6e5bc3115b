"""Exports that a spreadsheet opens must not run what people typed as a formula (CSV/formula injection).

Every cell of text written to a CSV export goes through neutralise(): text starting with =, +, -, @, a tab or a
carriage return gets a leading apostrophe, which spreadsheets show as plain text. Numbers, dates and None pass
unchanged, so a negative amount stays a number.

XLSX keeps the typed text as it is and marks such a cell with the cell style's quote prefix (the `quotePrefix`
attribute of the cell format, what Excel sets when someone types a leading apostrophe): the cell is stored as
text, shows the text people wrote, and stays text when someone edits it. Numbers and dates keep their types.

csv_bytes() and xlsx_bytes() are the one writer of each format, for the commands and the download pages alike;
download_response() adds the headers every download carries.
"""

import csv
import datetime
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralise(value):
    """The value, made inert as a spreadsheet cell if it is text that a spreadsheet would run as a formula."""
    if is_formula_like(value):
        return "'" + value
    return value


def neutralise_row(values):
    """neutralise() applied to every cell of a row."""
    return [neutralise(value) for value in values]


def csv_text(header, rows) -> str:
    """The table as CSV text: every text cell neutralised, None as an empty cell, dates in ISO form."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(neutralise_row(header))
    writer.writerows(["" if value is None else neutralise(value) for value in row] for row in rows)
    return buffer.getvalue()


def csv_bytes(header, rows) -> bytes:
    """csv_text() as UTF-8 with a byte-order mark, so that Excel opens Chinese names correctly."""
    return csv_text(header, rows).encode("utf-8-sig")


def xlsx_bytes(header, rows, *, title: str, freeze: str | None = None) -> bytes:
    """The table as one XLSX sheet: numbers as numbers, dates as dates, formula-like text as quote-prefixed text."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]  # Excel's limit for a sheet name
    for row_number, values in enumerate([header, *rows], start=1):
        for column_number, value in enumerate(values, start=1):
            if value is None:
                continue
            cell = sheet.cell(row=row_number, column=column_number)
            cell.value = value
            if is_formula_like(value):
                # openpyxl reads "=…" as a formula: store it as text, with the quote prefix Excel itself uses.
                cell.data_type = "s"
                cell.quotePrefix = True
            elif isinstance(value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
    if freeze:
        sheet.freeze_panes = freeze
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download_response(*, header, rows, file_format: str, filename: str, title: str, freeze: str | None = None):
    """The table as a file download: never cached by a browser or proxy (results are personal data), named
    `<filename>.<format>`."""
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    writers = {
        "csv": lambda: csv_bytes(header, rows),
        "xlsx": lambda: xlsx_bytes(header, rows, title=title, freeze=freeze),
    }
    content = writers[file_format]()
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.{file_format}")
    response["Cache-Control"] = "private, no-store"
    return response
