"""Reading import files: what the file really is (by content, never by name), its rows as streams of
cells, and the conversion of one cell into a typed value or a clear reason why not."""

import codecs
import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.importing import columns as col

CHUNK = 1024 * 1024
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Control bytes that never occur in a text CSV (tab, LF, CR and form feed are fine).
_BINARY_BYTES = bytes(range(0, 9)) + b"\x0b\x0e\x0f" + bytes(range(0x10, 0x20))


class FileRejected(Exception):
    """The file as a whole cannot be read; the message says why, for the person who sent it."""


@dataclass(frozen=True)
class FileInfo:
    format: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ","
    # Lines of a CSV file, or the last row of the workbook's first sheet as its <dimension> states it (None when
    # it states none): counted without reading the rows, an upper bound of the rows (a cell may hold a line break).
    lines: int | None = None


def max_upload_bytes():
    return settings.IMPORT_MAX_UPLOAD_BYTES


def max_rows():
    return settings.IMPORT_MAX_ROWS


def _size_of(stream):
    position = stream.tell()
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(position)
    return size


def sniff(stream):
    """FileInfo for a seekable binary stream, or FileRejected: empty, too large, not CSV/XLSX."""
    size = _size_of(stream)
    if size == 0:
        raise FileRejected(_("The file is empty."))
    limit = max_upload_bytes()
    if size > limit:
        raise FileRejected(
            _("The file is %(size)s MB; files up to %(limit)s MB are accepted.")
            % {"size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:g}"}
        )
    stream.seek(0)
    head = stream.read(8192)
    stream.seek(0)
    if head.startswith(b"PK\x03\x04"):
        info = FileInfo("xlsx", lines=_check_workbook(stream, size))
        check_row_limit(info)
        return info
    if head.startswith(OLE2_MAGIC):
        raise FileRejected(
            _("This is an old Excel 97–2003 (.xls) or other Office file. Save it as Excel workbook (.xlsx) or CSV.")
        )
    guessed = filetype.guess(head)
    if guessed is not None:
        raise FileRejected(
            _("This is a %(type)s file (%(mime)s), not a CSV or Excel (.xlsx) file.")
            % {"type": guessed.extension.upper(), "mime": guessed.mime}
        )
    encoding, lines = _text_encoding(stream)
    stream.seek(0)
    info = FileInfo("csv", encoding=encoding, delimiter=_delimiter(head, encoding), lines=lines)
    check_row_limit(info)
    return info


def check_row_limit(info):
    """Refuse, before any row is read, a file with more rows than settings.IMPORT_MAX_ROWS (the first line is the
    header): validating and writing it would outgrow the time and memory an import is given (docs/import-formats.md)."""
    limit = max_rows()
    if info.lines is not None and info.lines - 1 > limit:
        raise FileRejected(too_many_rows(info.lines - 1, limit))


def too_many_rows(rows, limit):
    return _(
        "The file has %(rows)s rows below its header; at most %(limit)s rows are imported at once. "
        "Split it into files of at most %(limit)s rows each and import them one after another."
    ) % {"rows": f"{rows:,}", "limit": f"{limit:,}"}


def _check_workbook(stream, size):
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as error:
        raise FileRejected(_("The file looks like an Excel workbook but is damaged.")) from error
    finally:
        stream.seek(0)
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise FileRejected(_("This is a Word document, not a CSV or Excel (.xlsx) file."))
        raise FileRejected(_("This is a ZIP archive, not an Excel workbook (.xlsx)."))
    # A small workbook that unpacks into gigabytes would exhaust the server: refuse it up front.
    if unpacked > 12 * max(size, max_upload_bytes()):
        raise FileRejected(_("The workbook unpacks to an implausible size; it cannot be imported."))
    try:
        return _first_sheet_rows(stream)
    finally:
        stream.seek(0)


_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]*\d+(?::[A-Z]*(\d+))?\"")


def _first_sheet_rows(stream):
    """The last row number the first sheet's <dimension> states, read from the head of its XML; None if unknown."""
    with zipfile.ZipFile(stream) as archive:
        try:
            first = _SHEET.search(archive.read("xl/workbook.xml"))
            relations = archive.read("xl/_rels/workbook.xml.rels")
        except KeyError:
            return None
        if first is None:
            return None
        target = re.search(rb"<Relationship\b[^>]*?Id=\"" + re.escape(first.group(1)) + rb"\"[^>]*>", relations)
        path = target and re.search(rb"Target=\"([^\"]+)\"", target.group(0))
        if not path:
            return None
        name = path.group(1).decode()
        name = name.lstrip("/") if name.startswith("/") else f"xl/{name}"
        try:
            with archive.open(name) as part:
                head = part.read(4096)
        except KeyError:
            return None
    dimension = _DIMENSION.search(head)
    if dimension is None:
        return None
    return int(dimension.group(1)) if dimension.group(1) else 1


def _decodes(stream, encoding):
    """The number of lines if the whole file decodes, False if it does not, None if it holds binary bytes."""
    stream.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    lines, last = 0, b""
    try:
        while chunk := stream.read(CHUNK):
            if len(chunk.translate(None, _BINARY_BYTES)) != len(chunk):
                return None
            decoder.decode(chunk)
            # Counted while the file is read anyway; a CR-only file (old Mac) has as many CRs as lines.
            lines += chunk.count(b"\n") or chunk.count(b"\r")
            last = chunk[-1:]
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return lines + (last not in (b"\n", b"\r", b""))


def _text_encoding(stream):
    """utf-8-sig (with or without BOM) or gb18030 (Chinese Excel's "CSV"), decided over the whole file."""
    for encoding in ("utf-8-sig", "gb18030"):
        outcome = _decodes(stream, encoding)
        if outcome is None:
            break
        if outcome is not False:
            return encoding, outcome
    raise FileRejected(_("This is neither a CSV text file (UTF-8 or GB18030) nor an Excel workbook (.xlsx)."))


def _delimiter(head, encoding):
    first_line = head.decode(encoding, errors="ignore").splitlines()[0] if head.strip() else ""
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def iter_rows(stream, info, *, on_size=None):
    """(row number, list of raw cells) for every row of the first sheet, counting from 1 like a spreadsheet.

    on_size, if given, is told the sheet's real number of rows once a workbook is loaded (its <dimension>, which
    sniff read, may be wrong: openpyxl's write-only mode, for one, always writes "A1")."""
    if info.format == "xlsx":
        yield from _xlsx_rows(stream, on_size)
    else:
        text = io.TextIOWrapper(stream, encoding=info.encoding, newline="")
        try:
            yield from enumerate(csv.reader(text, delimiter=info.delimiter), start=1)
        except csv.Error as error:
            raise FileRejected(_("The CSV file is malformed: %(error)s") % {"error": error}) from error
        finally:
            text.detach()


def _xlsx_rows(stream, on_size):
    """The first sheet's rows. python-calamine (Rust) reads a workbook several times faster than openpyxl and
    within reach of the same rows as CSV (docs/benchmarks.md); a workbook holding formulas is read by openpyxl,
    the one reader that returns a formula as its text ("=SUM(A1:A3)"), never as a computed value."""
    try:
        formulas = _workbook_scan(stream)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise FileRejected(_("The Excel workbook cannot be read: %(error)s") % {"error": error}) from error
    finally:
        stream.seek(0)
    if formulas:
        yield from _openpyxl_rows(stream)
    else:
        yield from _calamine_rows(stream, on_size)


_FORMULA_TAGS = (b"<f>", b"<f ", b"<f/>")


def _workbook_scan(stream):
    """True if a worksheet holds a formula. Refuses a workbook whose XML declares a document type: its entities
    are never expanded, whichever reader runs (openpyxl goes through defusedxml; calamine is simply not given it)."""
    found = False
    with zipfile.ZipFile(stream) as archive:
        for item in archive.infolist():
            if not item.filename.endswith((".xml", ".rels")):
                continue
            worksheet = item.filename.startswith("xl/worksheets/")
            tail = b""
            with archive.open(item) as part:
                while chunk := part.read(CHUNK):
                    window = tail + chunk
                    if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                        raise FileRejected(_entities_refused())
                    if worksheet and not found and any(tag in window for tag in _FORMULA_TAGS):
                        found = True
                    tail = chunk[-16:]
    return found


def _entities_refused():
    return _("The Excel workbook declares XML entities, which are not accepted. Save it again in Excel.")


def _calamine_rows(stream, on_size):
    from python_calamine import CalamineError, CalamineWorkbook  # noqa: PLC0415 - only needed for workbooks

    try:
        workbook = CalamineWorkbook.from_filelike(stream)
        if not workbook.sheet_names:
            return
        sheet = workbook.get_sheet_by_index(0)
        if sheet.end is not None and sheet.end[0] > max_rows():
            # The sheet's real extent, for a workbook whose <dimension> understated it (sniff checked that one).
            raise FileRejected(too_many_rows(sheet.end[0], max_rows()))
        # skip_empty_area=False: rows and columns keep their places from A1, as the spreadsheet numbers them.
        rows = sheet.to_python(skip_empty_area=False) if sheet.end is not None else []
        workbook.close()
        if on_size is not None:
            on_size(len(rows))
    except (CalamineError, ValueError, OSError) as error:
        raise FileRejected(_("The Excel workbook cannot be read: %(error)s") % {"error": error}) from error
    rows.reverse()  # popped from the end: each row is let go once it is read, so memory falls as reading goes on
    number = 0
    while rows:
        number += 1
        # An empty cell is None, as openpyxl gives it; calamine gives "" (a full row is passed on as it is).
        row = rows.pop()
        yield number, [None if cell == "" else cell for cell in row] if "" in row else row


def _openpyxl_rows(stream):
    import openpyxl  # noqa: PLC0415 - only needed for workbooks

    try:
        # data_only=False: a formula comes back as its text ("=SUM(A1:A3)"), never as a computed value.
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged workbook
        raise FileRejected(_("The Excel workbook cannot be read: %(error)s") % {"error": error}) from error
    try:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        # Some exporters write a wrong <dimension>; without it read_only mode reads every row.
        sheet.reset_dimensions()
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    finally:
        workbook.close()


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


# ---------------------------------------------------------------------------------------------- cells


class CellError(ValueError):
    """A cell's value is not acceptable; str() is the reason shown to the user."""


def as_text(value):
    """A cell as text: numbers without a spurious '.0', dates as ISO; formula-like text kept verbatim."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ") if value.time() != datetime.time() else value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATETIME = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]+(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?$"
)


def parse_date(value):
    if value.__class__ is str and len(value) == 10:
        try:
            return datetime.date.fromisoformat(value)  # the common case, YYYY-MM-DD, without detours
        except ValueError:
            pass
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = as_text(value)
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    match = _DATE.match(text)
    if match:
        try:
            return datetime.date(*map(int, match.groups()))
        except ValueError:
            pass
    raise CellError(_("“%(value)s” is not a date; write it as YYYY-MM-DD or YYYY/MM/DD.") % {"value": text})


def parse_datetime(value):
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        moment = datetime.datetime.combine(value, datetime.time())
    else:
        text = as_text(value)
        match = _DATETIME.match(text)
        try:
            if not match:
                raise ValueError
            parts = [int(part) if part else 0 for part in match.groups()]
            moment = datetime.datetime(*parts)
        except ValueError:
            raise CellError(
                _("“%(value)s” is not a date and time; write it as YYYY-MM-DD HH:MM.") % {"value": text}
            ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


_MONEY_NOISE = str.maketrans("", "", ",，¥￥ ")
TWO_PLACES = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # max_digits=14, decimal_places=2


def parse_decimal(value):
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a number.") % {"value": value})
    text = repr(value) if isinstance(value, int | float) else as_text(value).translate(_MONEY_NOISE)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number.") % {"value": as_text(value)}) from None
    if not number.is_finite():
        raise CellError(_("“%(value)s” is not a number.") % {"value": as_text(value)})
    if number != number.quantize(TWO_PLACES, rounding="ROUND_HALF_UP"):
        raise CellError(_("“%(value)s” has more than two decimal places.") % {"value": as_text(value)})
    if abs(number) > MAX_AMOUNT:
        raise CellError(_("“%(value)s” is too large.") % {"value": as_text(value)})
    return number.quantize(TWO_PLACES)


def parse_score(value):
    text = as_text(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a whole number from 1 to 5.") % {"value": text}) from None
    if not number.is_finite() or number != number.to_integral_value() or not 1 <= number <= 5:
        raise CellError(_("“%(value)s” is not a whole number from 1 to 5.") % {"value": text})
    return int(number)


def parse_email(value):
    text = as_text(value)
    try:
        validate_email(text)
    except ValidationError:
        raise CellError(_("“%(value)s” is not an e-mail address.") % {"value": text}) from None
    return text


_CODE_SEPARATORS = re.compile(r"[,，、;；\s]+")


def parse_codes(value):
    """Several codes in one cell ("adm、fin", "adm, fin"): a sorted tuple without repeats."""
    return tuple(sorted({code for code in _CODE_SEPARATORS.split(as_text(value)) if code}))


class CellParser:
    """Converts the cells of one column; built once per import so choice tables are computed once."""

    def __init__(self, column):
        self.column = column
        self.choices = column.choice_lookup() if column.type in (col.CHOICE, col.YESNO) else None
        self.convert = {
            col.TEXT: self._text,
            col.REF: self._text,
            col.EMAIL: parse_email,
            col.DATE: parse_date,
            col.DATETIME: parse_datetime,
            col.DECIMAL: self._decimal,
            col.SCORE: parse_score,
            col.CHOICE: self._choice,
            col.YESNO: self._yesno,
            col.CODES: parse_codes,
        }[column.type]

    def __call__(self, value):
        """The typed value, None for an allowed blank, or CellError."""
        if value is None or (value.__class__ is str and not value.strip()):
            if self.column.blank:
                return None
            raise CellError(_("This column is required."))
        return self.convert(value)

    def _text(self, value):
        text = as_text(value)
        limit = self.column.max_length
        if limit and len(text) > limit:
            raise CellError(
                _("At most %(limit)d characters; this has %(length)d.") % {"limit": limit, "length": len(text)}
            )
        return text

    def _decimal(self, value):
        number = parse_decimal(value)
        if self.column.sign == "positive" and number <= 0:
            raise CellError(_("Must be greater than zero."))
        if self.column.sign == "not_negative" and number < 0:
            raise CellError(_("Cannot be negative."))
        return number

    def _yesno(self, value):
        if isinstance(value, bool):  # a workbook's TRUE / FALSE cell
            return value
        answer = self.choices.get(col.normalise(as_text(value)))
        if answer is None:
            raise CellError(
                _("“%(value)s” is not an accepted value. %(column)s must be yes or no (是 or 否).")
                % {"value": as_text(value), "column": self.column.display}
            )
        return answer

    def _choice(self, value):
        text = as_text(value)
        code = self.choices.get(col.normalise(text))
        if code is None:
            raise CellError(
                _("“%(value)s” is not an accepted value. %(column)s must be one of: %(allowed)s.")
                % {"value": text, "column": self.column.display, "allowed": self.column.choices_display()}
            )
        return code
