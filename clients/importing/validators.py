"""Per-kind row validation and the plan it produces: every row parsed, every reference resolved with a few
bulk lookups (never one query per row), the database's constraints checked before the database sees the
rows, and each valid row classified as created, updated or unchanged against its natural key."""

import datetime
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import connection
from django.utils import formats, timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clients import locks
from clients.importing import columns as col
from clients.importing.parsing import CellError, CellParser, as_text, is_blank
from clients.models import Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey
from clients.selectors import CONTRACT_LAWYER_FIELDS, contract_lawyer_refusals, staff_positions
from clients.subjects import SUBJECT_FIELDS, own_record_refusals
from reviews.governance import staff_change_refusals
from reviews.models import EXECUTION_GROUP, LEADERSHIP_GROUP, Department, StaffProfile
from reviews.staff_changes import clerk_duties_of, groups_of

# Preview pages show at most this many of the planned changes, as a sample.
SAMPLE_SIZE = 50


def chunk_size():
    limit = connection.features.max_query_params or 2000
    return max(100, min(2000, limit - 10))


def chunked(iterable, size):
    iterator = iter(iterable)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    kind: str
    file_name: str = ""
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)
    # A sample of the planned updates: (row, natural key, {field: [old, new]}).
    samples: list = field(default_factory=list)
    committed: bool = False
    invitations_sent: int = 0
    invitations_failed: int = 0

    @property
    def ok(self):
        return not self.errors

    @property
    def error_rows(self):
        """How many distinct rows have at least one error."""
        return len({error.row for error in self.errors})


@dataclass(frozen=True)
class InFile:
    """A reference to a row created by the same file; its id is known only once that row is written."""

    key: str


# ------------------------------------------------------------------------------------------ lookups


class Lookup:
    """natural key → id, and id → display text, for one kind of referenced row; filled in chunks."""

    def __init__(self, model, key_path, extra=(), display=None):
        self.model = model
        self.key_path = key_path
        self.extra = extra
        self.display_of = display or (lambda row: row[0])
        self.ids = {}
        self.display = {}

    def _take(self, rows):
        for row in rows:
            self.ids[row[0]] = row[1]
            self.display[row[1]] = self.display_of(row)

    def _values(self, **filters):
        return self.model.objects.filter(**filters).values_list(self.key_path, "id", *self.extra)

    def load_keys(self, keys):
        wanted = sorted(key for key in keys if key not in self.ids)
        for batch in chunked(wanted, chunk_size()):
            self._take(self._values(**{f"{self.key_path}__in": batch}))

    def load_ids(self, ids):
        wanted = sorted(pk for pk in ids if pk is not None and pk not in self.display)
        for batch in chunked(wanted, chunk_size()):
            self._take(self._values(pk__in=batch))


def make_lookups():
    return {
        "client": Lookup(Client, "code", ("name",), lambda row: f"{row[0]} {row[2]}"),
        "staff": Lookup(StaffProfile, "user__username", ("full_name",), lambda row: row[2]),
        "contract": Lookup(Contract, "number"),
        "department": Lookup(Department, "code"),
    }


def unknown_reference(ref, value):
    messages = {
        "client": _("There is no client with code “%(value)s”."),
        "staff": _("There is no staff member with username “%(value)s”."),
        "contract": _("There is no contract with number “%(value)s”."),
        "department": _("There is no department with code “%(value)s”."),
    }
    return messages[ref] % {"value": value}


def plain(value):
    """A JSON-safe, readable form of a field value for the change log (as clients.audit writes it)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return timezone.localtime(value).isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


class _FieldNames(dict):
    """attname → field name as the change log writes it, computed once per name."""

    def __init__(self, convert):
        super().__init__()
        self.convert = convert

    def __missing__(self, name):
        self[name] = self.convert(name)
        return self[name]


# ------------------------------------------------------------------------------------------ engine


class KindImport:
    """Validates the rows of one file of one kind and plans the writes; services.py carries them out."""

    model = None
    key_field = None
    # The column whose references may point to rows of this same file (client referrers, superiors).
    self_reference = None
    existing_extra = ()
    # Department records obey the data lock (clients.locks); people are not dated records.
    data_locked = True

    def __init__(self, spec, report, by=None):
        self.spec = spec
        self.report = report
        # Who imports: the rows they may not write (their own records, others' roles) are refused row by row.
        self.by = by
        self.lookups = make_lookups()
        self.positions = []
        self.key_index = None
        self.headers = {}
        self.rows = []
        self.first_row_of = {}
        self.references = defaultdict(set)
        self.in_file_display = {}
        # The plan: creates as (row, values), updates as (row, id, key, changed, values).
        self.creates = []
        self.updates = []
        # The data lock as the plan saw it: {(year, number): code} of the locked quarters, and every quarter the
        # file's rows touch (import_run locks those rows and checks nothing changed before it writes).
        self.locked = {}
        self.touched_quarters = set()

    # ---- header

    def match_header(self, number, cells):
        """Map the header row to column keys; False (with errors reported) if the header is unusable."""
        lookup = self.spec.header_lookup()
        found = {}
        for index, cell in enumerate(cells):
            if is_blank(cell):
                continue
            text = as_text(cell).lstrip("\ufeff")
            key = lookup.get(col.normalise(text))
            if key is None:
                self.error(
                    number,
                    text,
                    _("Unknown column “%(column)s”. The columns of this import are: %(columns)s.")
                    % {"column": text, "columns": col.listing(c.display for c in self.spec.columns)},
                )
            elif key in found:
                self.error(
                    number,
                    text,
                    _("The column “%(column)s” appears twice (also as “%(other)s”).")
                    % {"column": key, "other": self.headers[key]},
                )
            else:
                found[key] = index
                self.headers[key] = text
        for column in self.spec.columns:
            if column.required and column.key not in found:
                self.error(
                    number,
                    column.key,
                    _("The required column “%(key)s” (%(alias)s) is missing.")
                    % {"key": column.key, "alias": column.chinese},
                )
        self.key_index = found.get(self.spec.key)
        self.positions = [(index, key) for key, index in found.items()]
        self.parsers = [(index, key, CellParser(self.spec.column(key))) for index, key in self.positions]
        self.width = len(cells)
        headed = set(found.values())
        self.unheaded = [index for index in range(self.width) if index not in headed]
        self.ref_columns = [
            (key, self.spec.column(key).ref) for _index, key in self.positions if self.spec.column(key).type == col.REF
        ]
        self.plain_columns = [
            (key, self.attname(key), self.spec.column(key).type)
            for _index, key in self.positions
            if self.spec.column(key).type != col.REF
        ]
        return self.report.ok

    def column_label(self, key):
        return self.headers.get(key, key)

    def error(self, row, column, message):
        self.report.errors.append(RowError(row, self.column_label(column), str(message)))

    # ---- rows

    def add_row(self, number, cells):
        """Parse one data row; blank rows are skipped, like a spreadsheet's trailing empty lines."""
        try:
            blank = not "".join(cells).strip()  # CSV rows: all text, one C-level test
        except TypeError:
            blank = all(is_blank(cell) for cell in cells)
        if blank:
            return
        if self.key_index is not None and self.key_index < len(cells) and col.is_example_marker(cells[self.key_index]):
            if self.example_untouched(cells):
                return
            self.report.total_rows += 1
            self.error(
                number,
                self.spec.key,
                _(
                    "This is the template's example row, but its values were changed: write the real %(column)s "
                    "over “%(marker)s”, or delete the row."
                )
                % {"column": self.spec.column(self.spec.key).display, "marker": as_text(cells[self.key_index])},
            )
            return
        self.report.total_rows += 1
        values = {}
        bad = False
        count = len(cells)
        for index, key, parser in self.parsers:
            try:
                values[key] = parser(cells[index] if index < count else None)
            except CellError as problem:
                self.error(number, key, problem)
                bad = True
        if self.unheaded or count > self.width:
            for index in [*self.unheaded, *range(self.width, count)]:
                if index < count and not is_blank(cells[index]):
                    self.error(
                        number,
                        _("column %(number)d") % {"number": index + 1},
                        _("This value is in a column without a header."),
                    )
                    bad = True
        key = values.get(self.spec.key)
        if key is not None:
            first = self.first_row_of.setdefault(key, number)
            if first != number:
                self.error(
                    number,
                    self.spec.key,
                    _("“%(value)s” appears more than once in the file (first on row %(row)d).")
                    % {"value": key, "row": first},
                )
                bad = True
            elif self.self_reference:
                self.in_file_display[key] = self.display_in_file(values)
        for column_key, ref in self.ref_columns:
            if values.get(column_key):
                self.references[ref].add(values[column_key])
        self.rows.append((number, values, bad))

    def display_in_file(self, values):
        return values.get(self.spec.key)

    def example_untouched(self, cells):
        """The example row as the template wrote it: every other cell still holds the column's example."""
        count = len(cells)
        for index, key in self.positions:
            if key == self.spec.key:
                continue
            cell = cells[index] if index < count else None
            text = "" if is_blank(cell) else as_text(cell)
            if text not in self.example_texts(self.spec.column(key)):
                return False
        return True

    def example_texts(self, column):
        """The spellings the template may have written as this column's example (its choices in either language)."""
        texts = {column.example}
        if column.type == col.CHOICE and column.example:
            code = column.choice_lookup().get(col.normalise(column.example))
            for language in ("en", "zh-hans"):
                with translation.override(language):
                    texts.add(column.choice_label(code))
        return texts

    # ---- planning

    def plan(self):
        """Resolve references, check constraints, classify every row; errors go to the report."""
        for ref, keys in self.references.items():
            self.lookups[ref].load_keys(keys)
        existing = self.load_existing(list(self.first_row_of))
        self.prepare(existing)
        if self.data_locked:
            self.locked = locks.locked_quarters()
            self.first_signed = (
                locks.first_signed_on(row["id"] for row in existing.values()) if self.model is Client else {}
            )
        rows, self.rows = self.rows, []
        report = self.report
        defaults = self.defaults()
        for number, values, bad in rows:
            fields = {}
            for column_key, ref in self.ref_columns:
                value = values[column_key]
                target = None
                if value is not None:
                    target = self.lookups[ref].ids.get(value)
                    if target is None:
                        if column_key == self.self_reference and value in self.first_row_of:
                            target = InFile(value)
                        else:
                            self.error(number, column_key, unknown_reference(ref, value))
                            bad = True
                fields[column_key + "_id"] = target
            if bad:
                continue
            for column_key, name, kind in self.plain_columns:
                value = values[column_key]
                if value is None:
                    if kind in (col.CHOICE, col.YESNO):
                        continue  # empty choice: the default for new rows, unchanged for existing ones
                    if kind in (col.TEXT, col.EMAIL):
                        value = ""
                    if kind == col.CODES:
                        value = ()
                fields[name] = value
            key = values[self.spec.key]
            current = existing.get(key)
            merged = {**(current or defaults), **fields}
            problems = self.check(key, merged) + self.refusals(current, merged)
            problems = problems or self.lock_problems(current, merged)
            if problems:
                for column_key, message in problems:
                    self.error(number, column_key, message)
                continue
            if current is None:
                report.created += 1
                self.creates.append((number, merged))
                continue
            changed = {name: value for name, value in fields.items() if current.get(name) != value}
            if not changed:
                report.unchanged += 1
                continue
            report.updated += 1
            self.updates.append((number, current["id"], key, changed, current))
        self.fill_samples()

    def attname(self, column_key):
        return column_key

    def defaults(self):
        values = {}
        for column in self.spec.columns:
            name = self.attname(column.key) + ("_id" if column.type == col.REF else "")
            model_field = self.model._meta.get_field(name.removesuffix("_id") if column.type == col.REF else name)
            values[name] = model_field.get_default()
        return values

    def load_existing(self, keys):
        """{natural key: {attname: value, 'id': pk}} for the keys of the file that already exist."""
        names = [self.attname(c.key) + ("_id" if c.type == col.REF else "") for c in self.spec.columns]
        existing = {}
        for batch in chunked(sorted(keys), chunk_size()):
            rows = self.model.objects.filter(**{f"{self.key_field}__in": batch})
            for row in rows.values("id", *self.existing_extra, *names):
                existing[row[self.key_field]] = row
        return existing

    def prepare(self, existing):
        """A hook for checks that need the whole file at once (superior loops)."""

    def check(self, key, merged):
        """[(column key, message)] for the model constraints this row would break."""
        return []

    def lock_problems(self, current, merged):
        """[(column key, message)] when the row would add, change or move a record of a locked quarter.

        The whole file is refused before anything is written, and each such row is named with its quarter."""
        if not self.data_locked:
            return []
        first = self.first_signed.get(current["id"]) if current is not None else None
        days = locks.touched_days(self.model, before=current, after=merged, first_signed_on=first)
        self.touched_quarters.update(locks.quarter_key(day) for _field, day in days)
        return locks.problems_for(days, self.locked)

    def refusals(self, current, merged):
        """[(column key, message)] for what the importing person may not do to this row (clients.subjects)."""
        fields = SUBJECT_FIELDS.get(self.model, ())
        if not fields:
            return []
        before = {name: current.get(f"{name}_id") for name in fields} if current is not None else None
        after = {name: merged.get(f"{name}_id") for name in fields}
        refused = own_record_refusals(model=self.model, by=self.by, before=before, after=after)
        return list(refused.items())

    # ---- display for the change log and the preview

    def display(self, name, value):
        if value is None:
            return None
        if isinstance(value, tuple):  # department codes (data duties)
            return ", ".join(value)
        if isinstance(value, InFile):
            return self.in_file_display.get(value.key, value.key)
        ref = self.ref_of.get(name)
        if ref is not None:
            return self.lookups[ref].display.get(value, value)
        return plain(value)

    @cached_property
    def ref_of(self):
        """{attname: lookup name} of the reference columns."""
        return {self.attname(c.key) + "_id": c.ref for c in self.spec.columns if c.type == col.REF}

    def field_name(self, name):
        return name.removesuffix("_id")

    def repr_of(self, values):
        """What str() of the record would say, for the change log."""
        return str(values[self.key_field])

    def changes(self, changed, before):
        return {
            self.field_name(name): [self.display(name, before.get(name)), self.display(name, value)]
            for name, value in changed.items()
        }

    def created_changes(self, values):
        names = self._field_names
        # Text goes as it is; ids, dates and amounts go through display (ids become names).
        return {
            names[name]: [None, value if value is None or type(value) is str else self.display(name, value)]
            for name, value in values.items()
        }

    @cached_property
    def _field_names(self):
        return _FieldNames(self.field_name)

    def load_old_displays(self, updates):
        """Fetch the display text of the old referenced rows that the file does not mention."""
        wanted = defaultdict(set)
        for _number, _pk, _key, changed, current in updates:
            for name in changed:
                if name in self.ref_of:
                    wanted[self.ref_of[name]].add(current.get(name))
        for ref, ids in wanted.items():
            self.lookups[ref].load_ids(ids)

    def fill_samples(self):
        sample = self.updates[:SAMPLE_SIZE]
        self.load_old_displays(sample)
        columns = {column.key: column for column in self.spec.columns}
        self.report.samples = [
            (
                number,
                key,
                [
                    (
                        self.column_display(columns, name),
                        self.shown(columns, name, current.get(name)),
                        self.shown(columns, name, value),
                    )
                    for name, value in changed.items()
                ],
            )
            for number, _pk, key, changed, current in sample
        ]

    def column_display(self, columns, name):
        column = columns.get(self.field_name(name))
        return column.display if column is not None else self.field_name(name)

    def shown(self, columns, name, value):
        """A value as the preview shows it to the reader: names for references, labels for choices, amounts with
        thousands separators, dates in the language's format (the change log keeps the plain values)."""
        if value is None or isinstance(value, InFile) or name in self.ref_of:
            return self.display(name, value)
        column = columns.get(self.field_name(name))
        if column is not None and column.type == col.CHOICE:
            return column.choice_label(value)
        if column is not None and column.type == col.YESNO:
            return _("yes") if value else _("no")
        if column is not None and column.type == col.CODES:
            return col.listing(value) if value else "—"
        if isinstance(value, Decimal):
            return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
        if isinstance(value, datetime.datetime):
            return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
        if isinstance(value, datetime.date):
            return formats.date_format(value, "DATE_FORMAT")
        return self.display(name, value)


class ClientImport(KindImport):
    model = Client
    key_field = "code"
    self_reference = "referred_by"

    def display_in_file(self, values):
        return f"{values.get('code')} {values.get('name') or ''}".strip()

    def repr_of(self, values):
        return f"{values['code']} {values['name']}"

    def check(self, key, merged):
        referrer = merged.get("referred_by_id")
        if referrer == InFile(key) or (referrer is not None and referrer == merged.get("id")):
            return [("referred_by", _("A client cannot be referred by itself."))]
        return []


class ContractImport(KindImport):
    model = Contract
    key_field = "number"

    def prepare(self, existing):
        # The positions of everyone the file names, looked up once: the entry form's rule, row by row.
        self.position_of = staff_positions(self.lookups["staff"].ids.values())

    def refusals(self, current, merged):
        names = [f"{name}_id" for name in CONTRACT_LAWYER_FIELDS]
        before = None if current is None else {name.removesuffix("_id"): current.get(name) for name in names}
        after = {name.removesuffix("_id"): merged.get(name) for name in names}
        lawyers = contract_lawyer_refusals(before=before, after=after, position_of=self.position_of)
        return super().refusals(current, merged) + list(lawyers.items())

    def check(self, key, merged):
        problems = []
        closed_on = merged.get("closed_on")
        if closed_on is not None and merged["signed_on"] is not None and closed_on < merged["signed_on"]:
            problems.append(
                (
                    "closed_on",
                    _("The contract cannot close (%(closed)s) before it was signed (%(signed)s).")
                    % {"closed": date_format(closed_on), "signed": date_format(merged["signed_on"])},
                )
            )
        return problems


class RevenueImport(KindImport):
    # amount > 0 (revenue_amount_positive) is checked cell by cell, see Column.sign.
    model = RevenueEntry
    key_field = "ref"


class ComplaintImport(KindImport):
    model = Complaint
    key_field = "ref"

    def check(self, key, merged):
        handled_at, received_at = merged.get("handled_at"), merged.get("received_at")
        if handled_at is not None and received_at is not None and handled_at < received_at:
            return [("handled_at", _("It cannot be handled before it was received."))]
        return []


class SurveyImport(KindImport):
    model = SatisfactionSurvey
    key_field = "ref"


class StaffImport(KindImport):
    """People: a User (username, e-mail) and its StaffProfile (everything else) per row."""

    model = StaffProfile
    key_field = "user__username"
    self_reference = "superior"
    data_locked = False

    USER_FIELDS = {"username": "user__username", "email": "user__email"}
    existing_extra = ("user_id",)
    username_validator = UnicodeUsernameValidator()

    def attname(self, column_key):
        return self.USER_FIELDS.get(column_key, column_key)

    def field_name(self, name):
        return name.removeprefix("user__").removesuffix("_id")

    def display_in_file(self, values):
        return values.get("full_name") or values.get("username")

    # Columns that are no field of the profile: group membership and data duties (reviews.staff_changes).
    VIRTUAL = ("execution", "clerk_duties")
    # Headers a firm might write for leadership membership, which no file grants (regulation 二.1).
    LEADERSHIP_HEADERS = ("leadership", "leadership_group", "领导小组", "考核领导小组", "领导小组成员")

    def defaults(self):
        return {
            "user__email": "",
            "full_name": "",
            "position": None,
            "department_id": None,
            "superior_id": None,
            "language": "zh-hans",
            "assessed": True,
            "execution": False,
            "clerk_duties": (),
        }

    def match_header(self, number, cells):
        for cell in cells:
            if not is_blank(cell) and col.normalise(as_text(cell)) in self.LEADERSHIP_HEADERS:
                self.error(
                    number,
                    as_text(cell),
                    _(
                        "Leadership membership is not imported: a member of the leadership group grants it on the "
                        "People page (regulation 2.1). Remove the column “%(column)s”."
                    )
                    % {"column": as_text(cell)},
                )
                return False
        return super().match_header(number, cells)

    def load_existing(self, keys):
        existing = {}
        names = [
            self.attname(c.key) + ("_id" if c.type == col.REF else "")
            for c in self.spec.columns
            if c.key not in self.VIRTUAL
        ]
        for batch in chunked(sorted(keys), chunk_size()):
            rows = StaffProfile.objects.filter(user__username__in=batch).values("id", "user_id", *names)
            batch_rows = {row["user__username"]: row for row in rows}
            user_ids = [row["user_id"] for row in batch_rows.values()]
            groups, duties = groups_of(user_ids), clerk_duties_of(user_ids)
            for key, row in batch_rows.items():
                row["execution"] = EXECUTION_GROUP in groups[row["user_id"]].split(",")
                row["clerk_duties"] = tuple(code for code in duties[row["user_id"]].split(",") if code)
                existing[key] = row
        return existing

    def add_row(self, number, cells):
        super().add_row(number, cells)
        if self.rows and self.rows[-1][0] == number:
            # The data duties name departments: looked up with the other department references, in bulk.
            self.references["department"].update(self.rows[-1][1].get("clerk_duties") or ())

    def prepare(self, existing):
        # Logins that exist without a staff profile (e.g. a technical administrator) are not people to update.
        keys = [key for key in self.first_row_of if key not in existing]
        self.bare_logins = set()
        for batch in chunked(sorted(keys), chunk_size()):
            self.bare_logins.update(
                User.objects.filter(username__in=batch, profile__isnull=True).values_list("username", flat=True)
            )
        # Regulation 二 (reporting lines) and 三.5 (interviews by the direct superior): the chain of superiors,
        # as it will be after the import, must end; loops created within the file count as well.
        self.superior_of = dict(StaffProfile.objects.values_list("user__username", "superior__user__username"))
        self.leadership_ids = set(User.objects.filter(groups__name=LEADERSHIP_GROUP).values_list("pk", flat=True))
        for _number, values, _bad in self.rows:
            if "superior" in values and values.get("username") is not None:
                self.superior_of[values["username"]] = values["superior"]

    def refusals(self, current, merged):
        # Governed roles (reviews.governance): the import changes place in the firm and e-mail only; the same
        # rules hold as on the people page (nobody moves themselves; only leadership re-addresses a leader).
        if current is None or self.by is None:
            return []
        before = {
            "email": current.get("user__email"),
            "position": current.get("position"),
            "department": current.get("department_id"),
            "superior": current.get("superior_id"),
            "assessed": current.get("assessed"),
            "execution": current.get("execution"),
            "clerk_departments": set(current.get("clerk_duties") or ()),
            "leadership": current["user_id"] in self.leadership_ids,
        }
        after = {
            "email": merged.get("user__email"),
            "position": merged.get("position"),
            "department": merged.get("department_id"),
            "superior": merged.get("superior_id"),
            "assessed": merged.get("assessed"),
            "execution": merged.get("execution"),
            "clerk_departments": set(merged.get("clerk_duties") or ()),
        }
        refused = staff_change_refusals(by=self.by, person_user_id=current["user_id"], before=before, after=after)
        column_of = {"clerk_departments": "clerk_duties"}
        return [(column_of.get(field, field), message) for field, message in refused.items()]

    def loop_through(self, username):
        chain = [username]
        boss = self.superior_of.get(username)
        seen = {username}
        while boss is not None:
            chain.append(boss)
            if boss == username:
                return chain
            if boss in seen:
                return None  # a loop further up, reported on the rows that form it
            seen.add(boss)
            boss = self.superior_of.get(boss)
        return None

    def check(self, key, merged):
        problems = []
        try:
            self.username_validator(key)
        except ValidationError:
            problems.append(
                (
                    "username",
                    _("“%(value)s” is not a valid username: use letters, digits and @ . + - _ only.") % {"value": key},
                )
            )
        if key in self.bare_logins:
            problems.append(
                ("username", _("A login “%(value)s” already exists but is not a staff member.") % {"value": key})
            )
        unknown = [code for code in merged.get("clerk_duties") or () if code not in self.lookups["department"].ids]
        if unknown:
            problems.append(("clerk_duties", unknown_reference("department", "、".join(unknown))))
        superior = merged.get("superior_id")
        if superior is not None and (superior == InFile(key) or superior == merged.get("id")):
            problems.append(("superior", _("A person cannot be their own superior.")))
        elif superior is not None:
            chain = self.loop_through(key)
            if chain:
                problems.append(
                    (
                        "superior",
                        _("This superior would make the reporting line loop: %(chain)s.")
                        % {"chain": " → ".join(chain)},
                    )
                )
        return problems


class DepartmentImport(KindImport):
    """Departments: code, the name in both languages, the kind (reviews.models.Department)."""

    model = Department
    key_field = "code"
    data_locked = False
    ATTNAMES = {"name": "name_zh"}

    def attname(self, column_key):
        return self.ATTNAMES.get(column_key, column_key)

    def field_name(self, name):
        return name

    def defaults(self):
        return {"name_zh": "", "name_en": "", "kind": None}

    def repr_of(self, values):
        return f"{values['code']} {values['name_zh']}"

    def add_row(self, number, cells):
        super().add_row(number, cells)
        if self.rows and self.rows[-1][0] == number:
            values = self.rows[-1][1]
            # The model names a department in both languages; an empty English name is the Chinese one.
            if "name_en" in values and not values["name_en"]:
                values["name_en"] = values.get("name")

    def check(self, key, merged):
        try:
            validate_slug(key)
        except ValidationError:
            return [
                (
                    "code",
                    _("“%(value)s” is not a valid department code: use letters, digits, - and _ only.")
                    % {"value": key},
                )
            ]
        return []


HANDLERS = {
    "departments": DepartmentImport,
    "staff": StaffImport,
    "clients": ClientImport,
    "contracts": ContractImport,
    "revenue": RevenueImport,
    "complaints": ComplaintImport,
    "surveys": SurveyImport,
}
