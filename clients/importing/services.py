"""The file import (docs/import-formats.md): one code path for the web pages and the import_data command.

import_run validates a whole file and, when asked and only if every row is good, writes it in one
transaction with bulk statements and one ChangeRecord per created or updated record."""

import csv
import datetime
import io
import json
import logging
import time
import uuid
from functools import partial

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clients import locks
from clients.audit import change_record_build
from clients.importing import parsing
from clients.importing.columns import EXAMPLE_MARKERS, KINDS, normalise, spec_for
from clients.importing.validators import HANDLERS, ImportReport, InFile, RowError, chunked
from clients.models import ChangeRecord
from lawfirm_kpi.spreadsheets import neutralise
from reviews.models import Department, StaffChange, StaffProfile
from reviews.services import (
    departments_import_save,
    staff_duties_import_set,
    staff_profiles_import_create,
    staff_profiles_import_update,
    staff_send_invitation,
)
from reviews.staff_changes import staff_changes_record, superior_labels

logger = logging.getLogger(__name__)

BATCH = 1000
UPLOAD_FOLDER = "imports"
# Uploads left behind by abandoned previews are removed after this many seconds.
STALE_UPLOAD_SECONDS = 24 * 3600


class _Progress:
    """Calls progress(done, total) as the import goes, for a job's progress bar: reading counts one step per row of
    the file, writing (with commit) one per planned row, so the figures only grow. At most once per BATCH steps."""

    def __init__(self, callback, *, rows, commit):
        self.callback = callback
        self.commit = commit
        self.reported = 0
        self.resize(rows)

    def resize(self, rows):
        """The file's real number of rows, once known (a workbook's stated size may be wrong)."""
        self.rows = max(rows or 0, 1)
        self.total = self.rows * (2 if self.commit else 1)

    def __call__(self, done, *, force=False):
        if self.callback is None:
            return
        done = min(done, self.total)
        if force or done - self.reported >= BATCH:
            self.reported = done
            self.callback(done, self.total)

    def read(self, number):
        if number > self.rows:  # read by openpyxl from a workbook that understated its size
            self.resize(number)
        self(number)

    def written(self, count, planned):
        self(self.rows + round(count * self.rows / max(planned, 1)))

    def finish(self):
        self(self.total, force=True)


def import_run(*, kind, stream, file_name, by=None, commit=False, progress=None):
    """Validate the file; with commit=True and no errors, write it. Returns the ImportReport either way.

    progress, if given, is called with (done, total) as the file is read and written (see _Progress)."""
    spec = spec_for(kind)
    report = ImportReport(kind=kind, file_name=file_name)
    job = HANDLERS[kind](spec, report, by=by)
    header_row = None
    row_limit = parsing.max_rows()
    try:
        info = parsing.sniff(stream)
        tracker = _Progress(progress, rows=info.lines, commit=commit)
        rows = parsing.iter_rows(stream, info, on_size=tracker.resize)
        try:
            for number, cells in rows:
                tracker.read(number)
                if header_row is None:
                    if all(parsing.is_blank(cell) for cell in cells):
                        continue
                    header_row = number
                    if not job.match_header(number, cells):
                        return report
                    continue
                if report.total_rows >= row_limit:
                    # The file's line count or <dimension> understated its rows (sniff refuses the others).
                    report.errors.append(RowError(number, "", parsing.too_many_rows(row_limit + 1, row_limit)))
                    return report
                job.add_row(number, cells)
        finally:
            rows.close()
    except parsing.FileRejected as rejection:
        report.errors.append(RowError(0, "", str(rejection)))
        return report
    tracker.read(tracker.rows)
    if header_row is None:
        report.errors.append(RowError(0, "", _("The file is empty.")))
        return report
    if report.total_rows == 0:
        report.errors.append(RowError(header_row, "", _("The file has a header row but no data rows.")))
        return report
    job.plan()
    # Errors are found cell by cell and then reference by reference; show them in the file's order.
    report.errors.sort(key=lambda error: error.row)
    if commit and report.ok:
        try:
            with transaction.atomic():
                if kind == "staff":
                    _write_staff(job, by=by, note=file_name)
                elif kind == "departments":
                    _write_departments(job, by=by, note=file_name)
                elif not _locks_unchanged(job, report):
                    pass  # a quarter the file touches was submitted since the plan: nothing is written
                else:
                    _write_records(job, by=by, note=file_name, progress=tracker)
        except IntegrityError:
            # Someone else wrote the same natural keys between our checks and our writes: nothing was kept.
            logger.warning("import of %s %s collided with a concurrent change", kind, file_name, exc_info=True)
            report.errors.append(
                RowError(
                    0,
                    "",
                    _("The data changed while the file was being imported; nothing was imported. Please try again."),
                )
            )
        else:
            report.committed = report.ok
    tracker.finish()
    return report


def _locks_unchanged(job, report):
    """Lock the rows of the quarters the file touches (clients.locks) and check none was submitted since the plan.

    Runs inside the writing transaction: a submission of one of those quarters now waits for the import to end."""
    now_locked = locks.locked_quarters(keys=job.touched_quarters, for_update=True)
    newly = sorted(code for key, code in now_locked.items() if key not in job.locked)
    for code in newly:
        report.errors.append(RowError(0, "", f"{locks.lock_message(code)} " + _("Nothing was imported.")))
    return not newly


def _write_records(job, *, by, note, progress):
    """Bulk writes for clients, contracts, revenue, complaints and surveys, with their change records."""
    model, key_field = job.model, job.key_field
    planned, written = len(job.creates) + len(job.updates), 0
    created_ids = {}
    pending_references = []
    change_log = _ChangeLog(model, by=by, note=note)
    # New rows go in with plain multi-row INSERTs: building 100,000 model instances (and as many
    # ChangeRecord instances) costs more than the database itself (the 20-second bound, docs/benchmarks.md).
    names = list(job.creates[0][1]) if job.creates else []
    fixed = _fixed_defaults(model, names)
    for batch in chunked(job.creates, BATCH):
        created_ids.update(
            _insert(
                model,
                [*names, *fixed],
                [
                    [*(None if isinstance(values[n], InFile) else values[n] for n in names), *fixed.values()]
                    for _number, values in batch
                ],
                returning=key_field,
            )
        )
        for _number, values in batch:
            pk = created_ids[values[key_field]]
            pending_references.extend(
                (pk, name, value.key) for name, value in values.items() if isinstance(value, InFile)
            )
            change_log.add(pk, job.repr_of(values), ChangeRecord.Action.IMPORT_CREATE, job.created_changes(values))
        change_log.flush()
        written += len(batch)
        progress.written(written, planned)
    # References to rows of the same file (a client referred by a client created just now).
    for batch in chunked(pending_references, BATCH):
        by_field = {}
        for pk, name, key in batch:
            by_field.setdefault(name, []).append(model(pk=pk, **{name: created_ids[key]}))
        for name, instances in by_field.items():
            model.objects.bulk_update(instances, [name])

    for batch in chunked(job.updates, BATCH):
        job.load_old_displays(batch)
        instances, records, names = [], [], set()
        for _number, pk, _key, changed, current in batch:
            changed = {name: _resolved(value, created_ids) for name, value in changed.items()}
            values = {**current, **changed}
            values.pop("id")
            instance = model(pk=pk, **values)
            instances.append(instance)
            names.update(changed)
            records.append(
                change_record_build(
                    instance=instance,
                    action=ChangeRecord.Action.IMPORT_UPDATE,
                    by=by,
                    changes=job.changes(changed, current),
                    note=note,
                )
            )
        model.objects.bulk_update(instances, sorted(names), batch_size=BATCH)
        ChangeRecord.objects.bulk_create(records, batch_size=BATCH)
        written += len(batch)
        progress.written(written, planned)


def _resolved(value, created_ids):
    return created_ids[value.key] if isinstance(value, InFile) else value


class _ChangeLog:
    """ChangeRecord rows written in batches with plain INSERTs (the same columns change_record_build fills)."""

    COLUMNS = ("content_type_id", "object_id", "object_repr", "action", "changes", "by_id", "at", "note")

    def __init__(self, model, *, by, note):
        self.content_type_id = ContentType.objects.get_for_model(model).pk
        self.by_id = by.pk if by is not None else None
        database = connections[DEFAULT_DB_ALIAS]
        # One timestamp for the whole import, adapted for the database once rather than per row.
        self.at = ChangeRecord._meta.get_field("at").get_db_prep_save(timezone.now(), database)
        self.note = note[:200]
        self.rows = []

    def add(self, pk, text, action, changes):
        self.rows.append(
            (self.content_type_id, str(pk), text[:200], action, json.dumps(changes), self.by_id, self.at, self.note)
        )

    def flush(self):
        if self.rows:
            _insert(ChangeRecord, self.COLUMNS, self.rows, prepared=True)
            self.rows = []


def _fixed_defaults(model, names):
    """{attname: default} for the model's fields that no column fills (e.g. a client's created_on)."""
    return {
        field.attname: field.get_default()
        for field in model._meta.concrete_fields
        if not field.primary_key and field.attname not in names
    }


def _converter(field, database):
    """How a validated Python value of this field goes to the driver; None when it goes as it is."""
    if isinstance(field, models.DateTimeField | models.JSONField):
        return partial(field.get_db_prep_save, connection=database)
    if isinstance(field, models.DateField) and database.vendor == "sqlite":
        return datetime.date.isoformat  # what Django's SQLite backend stores; psycopg2 adapts dates itself
    # Decimals are already quantized to the field's places; text, integers and ids need nothing.
    return None


def _insert(model, attnames, rows, *, prepared=False, returning=None):
    """INSERT rows (sequences of values in attnames order), a page of rows per statement.

    With returning="<natural key>", the result is [(key, id)] of the new rows: asking for the key along
    with the id means nothing depends on the order in which the database returns them."""
    database = connections[DEFAULT_DB_ALIAS]
    fields = [model._meta.get_field(name) for name in attnames]
    quote = database.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    suffix = f" RETURNING {quote(returning)}, {quote(model._meta.pk.column)}" if returning else ""
    if not prepared:
        converters = [_converter(field, database) for field in fields]
        if any(converters):
            rows = [
                tuple(
                    value if convert is None or value is None else convert(value)
                    for convert, value in zip(converters, row, strict=True)
                )
                for row in rows
            ]
    # Table and column names come from the model's _meta, quoted; every value is a query parameter.
    sql = f"INSERT INTO {table} ({columns}) VALUES %s{suffix}"  # noqa: S608
    results = []
    with database.cursor() as cursor:
        if database.vendor == "postgresql":
            # COPY is PostgreSQL's bulk path, several times faster than multi-row INSERTs.
            nullable = [quote(field.column) for field in fields if field.null]
            if returning:
                # COPY returns no ids: the new rows' ids are taken from their sequence first and written with them,
                # rather than read back by key after every page.
                ids = _next_ids(cursor, model, len(rows))
                key_index = list(attnames).index(returning)
                results = [(row[key_index], pk) for row, pk in zip(rows, ids, strict=True)]
                rows = [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
                columns = f"{quote(model._meta.pk.column)}, {columns}"
            _copy(cursor.cursor, table, columns, rows, nullable=nullable)
        else:
            row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
            page = max(1, min(BATCH, (database.features.max_query_params or 999) // len(fields)))
            for start in range(0, len(rows), page):
                chunk = rows[start : start + page]
                cursor.execute(sql % ", ".join([row_sql] * len(chunk)), [v for row in chunk for v in row])
                if returning:
                    results.extend(cursor.fetchall())
    return results


def _next_ids(cursor, model, count):
    """`count` new ids from the sequence of the model's primary key (PostgreSQL), as an INSERT would take them."""
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        # The table as an identifier (the function parses it as one), the column as it is named.
        [connections[DEFAULT_DB_ALIAS].ops.quote_name(model._meta.db_table), model._meta.pk.column, count],
    )
    return [pk for (pk,) in cursor.fetchall()]


def _copy(raw_cursor, table, columns, rows, *, nullable):
    """COPY rows in PostgreSQL's CSV format, written by the csv module in C rather than value by value in Python.

    Text is always quoted (QUOTE_NONNUMERIC), so an empty text stays empty; None is written as an empty quoted
    field too, which FORCE_NULL reads as NULL in the nullable columns (no text column here is nullable)."""
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    options = "FORMAT csv" + (f", FORCE_NULL ({', '.join(nullable)})" if nullable else "")
    raw_cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH ({options})", buffer)


PROFILE_FIELDS = ("full_name", "position", "department_id", "superior_id", "language", "assessed")


def _write_departments(job, *, by, note):
    """Departments through their owner's service (reviews), each with its change record."""
    new, records = [], []
    for _number, values in job.creates:
        # The English name column is optional: a new department is named in Chinese in both languages.
        values["name_en"] = values.get("name_en") or values["name_zh"]
        new.append(
            Department(code=values["code"], name_zh=values["name_zh"], name_en=values["name_en"], kind=values["kind"])
        )
    changed, names = [], set()
    for _number, pk, _key, difference, current in job.updates:
        values = {**current, **difference}
        changed.append(
            Department(
                pk=pk, code=values["code"], name_zh=values["name_zh"], name_en=values["name_en"], kind=values["kind"]
            )
        )
        names.update(difference)
    departments_import_save(new=new, changed=changed, fields=sorted(names), batch_size=BATCH)
    for department, (_number, values) in zip(new, job.creates, strict=True):
        records.append(
            change_record_build(
                instance=department,
                action=ChangeRecord.Action.IMPORT_CREATE,
                by=by,
                changes=job.created_changes(values),
                note=note,
            )
        )
    for department, (_number, _pk, _key, difference, current) in zip(changed, job.updates, strict=True):
        records.append(
            change_record_build(
                instance=department,
                action=ChangeRecord.Action.IMPORT_UPDATE,
                by=by,
                changes=job.changes(difference, current),
                note=note,
            )
        )
    ChangeRecord.objects.bulk_create(records, batch_size=BATCH)


def _write_staff(job, *, by, note):
    """People as reviews.services.staff_create makes them (unusable password, invitation with them), in bulk."""
    created_ids = {}
    new_profiles = []
    pending_superiors = []
    for batch in chunked(job.creates, BATCH):
        users = [
            User(username=values["user__username"], email=values["user__email"], password=make_password(None))
            for _number, values in batch
        ]
        User.objects.bulk_create(users, batch_size=BATCH)
        profiles = []
        for user, (_number, values) in zip(users, batch, strict=True):
            superior = values.get("superior_id")
            profiles.append(
                StaffProfile(
                    user_id=user.pk,
                    full_name=values["full_name"],
                    position=values["position"],
                    department_id=values["department_id"],
                    superior_id=None if isinstance(superior, InFile) else superior,
                    language=values.get("language") or "zh-hans",
                    assessed=values.get("assessed", True),
                )
            )
        staff_profiles_import_create(profiles, batch_size=BATCH)
        records = []
        for profile, (_number, values) in zip(profiles, batch, strict=True):
            created_ids[values["user__username"]] = profile.pk
            new_profiles.append(profile.pk)
            if isinstance(values.get("superior_id"), InFile):
                pending_superiors.append((profile, values["superior_id"].key))
            records.append(
                change_record_build(
                    instance=profile,
                    action=ChangeRecord.Action.IMPORT_CREATE,
                    by=by,
                    changes=job.created_changes(values),
                    note=note,
                )
            )
        ChangeRecord.objects.bulk_create(records, batch_size=BATCH)
    for profile, key in pending_superiors:
        profile.superior_id = created_ids[key]
    staff_profiles_import_update([profile for profile, _key in pending_superiors], ["superior"], batch_size=BATCH)

    for batch in chunked(job.updates, BATCH):
        job.load_old_displays(batch)
        users, profiles, records, names = [], [], [], set()
        for _number, pk, _key, changed, current in batch:
            changed = {name: _resolved(value, created_ids) for name, value in changed.items()}
            values = {**current, **changed}
            if "user__email" in changed:
                users.append(User(pk=current["user_id"], email=changed["user__email"]))
            profile = StaffProfile(pk=pk, user_id=current["user_id"], **{name: values[name] for name in PROFILE_FIELDS})
            names.update(name for name in changed if name in PROFILE_FIELDS)
            profiles.append(profile)
            records.append(
                change_record_build(
                    instance=profile,
                    action=ChangeRecord.Action.IMPORT_UPDATE,
                    by=by,
                    changes=job.changes(changed, current),
                    note=note,
                )
            )
        if users:
            User.objects.bulk_update(users, ["email"], batch_size=BATCH)
        if names:
            staff_profiles_import_update(profiles, sorted(names), batch_size=BATCH)
        ChangeRecord.objects.bulk_create(records, batch_size=BATCH)

    _record_staff_changes(job, created_ids, by=by)
    _write_duties(job, created_ids, by=by)

    if new_profiles:
        # As staff_create does: the invitations are written with the people, so they go out only once the people
        # really exist, and the outbox delivers them whatever the mail server does meanwhile.
        _invite(job.report, new_profiles)


# The staff import's columns that are governed roles (reviews.staff_changes), by the file's attribute names.
_RECORDED = (
    ("user__email", StaffChange.Kind.EMAIL),
    ("position", StaffChange.Kind.POSITION),
    ("department_id", StaffChange.Kind.DEPARTMENT),
    ("superior_id", StaffChange.Kind.SUPERIOR),
    ("assessed", StaffChange.Kind.ASSESSED),
)


def _record_staff_changes(job, created_ids, *, by):
    """The bulk writes send no model signals: record their role changes here, in the import's transaction."""
    codes = dict(Department.objects.values_list("pk", "code"))
    user_of = dict(StaffProfile.objects.filter(pk__in=created_ids.values()).values_list("pk", "user_id"))
    rows = []
    for _number, values in job.creates:
        new = {**values, "superior_id": _resolved(values.get("superior_id"), created_ids)}
        user_id = user_of[created_ids[values["user__username"]]]
        # As for the people page: being assessed is the default and no news for a new person; not being is.
        rows.extend(
            (user_id, kind, None, new.get(name))
            for name, kind in _RECORDED
            if not (kind == StaffChange.Kind.ASSESSED and new.get(name, True))
        )
    for _number, _pk, _key, changed, current in job.updates:
        changed = {name: _resolved(value, created_ids) for name, value in changed.items()}
        rows.extend(
            (current["user_id"], kind, current.get(name), changed[name]) for name, kind in _RECORDED if name in changed
        )
    superiors = superior_labels(
        {value for _u, kind, *pair in rows if kind == StaffChange.Kind.SUPERIOR for value in pair}
    )

    def shown(kind, value):
        if value is None:
            return ""
        if kind == StaffChange.Kind.DEPARTMENT:
            return codes.get(value, "")
        if kind == StaffChange.Kind.SUPERIOR:
            return superiors.get(value, "")
        if kind == StaffChange.Kind.ASSESSED:
            return "yes" if value else "no"  # the stored form of a flag (reviews.staff_changes)
        return str(value)

    staff_changes_record(
        [(user_id, kind, shown(kind, before), shown(kind, after)) for user_id, kind, before, after in rows],
        by=by,
        source=StaffChange.Source.IMPORT,
    )


def _write_duties(job, created_ids, *, by):
    """Execution-group membership and data duties of the rows that set or change them (reviews.services)."""
    department_ids = dict(Department.objects.values_list("code", "pk"))
    user_of = dict(StaffProfile.objects.filter(pk__in=created_ids.values()).values_list("pk", "user_id"))
    duties = []
    for _number, values in job.creates:
        member = True if values.get("execution") else None
        codes = values.get("clerk_duties") or ()
        if member or codes:
            user_id = user_of[created_ids[values["user__username"]]]
            duties.append((user_id, member, [department_ids[code] for code in codes] if codes else None))
    for _number, _pk, _key, changed, current in job.updates:
        if "execution" in changed or "clerk_duties" in changed:
            codes = changed.get("clerk_duties")
            duties.append(
                (
                    current["user_id"],
                    changed.get("execution"),
                    [department_ids[code] for code in codes] if codes is not None else None,
                )
            )
    if duties:
        staff_duties_import_set(duties=duties, by=by)


def _invite(report, profile_ids):
    for batch in chunked(profile_ids, BATCH):
        for profile in StaffProfile.objects.filter(pk__in=batch).select_related("user"):
            if staff_send_invitation(profile=profile):
                report.invitations_sent += 1
            else:
                report.invitations_failed += 1


# ------------------------------------------------------------------------------------------ uploads


def import_file_check(*, stream):
    """Refuse, before storing it, a file that is empty, too large or neither CSV nor XLSX (by content)."""
    return parsing.sniff(stream)


def import_upload_store(*, upload):
    """Keep an uploaded file privately between preview and confirm, under a generated name."""
    _discard_stale_uploads()
    upload.seek(0)
    return default_storage.save(f"{UPLOAD_FOLDER}/{uuid.uuid4().hex}.upload", upload)


def import_upload_open(name):
    return default_storage.open(name, "rb")


def import_upload_exists(name):
    return bool(name) and name.startswith(f"{UPLOAD_FOLDER}/") and default_storage.exists(name)


def import_upload_discard(name):
    if import_upload_exists(name):
        default_storage.delete(name)


def _discard_stale_uploads():
    try:
        _folders, files = default_storage.listdir(UPLOAD_FOLDER)
    except FileNotFoundError:
        return
    cutoff = time.time() - STALE_UPLOAD_SECONDS
    for file_name in files:
        name = f"{UPLOAD_FOLDER}/{file_name}"
        try:
            if default_storage.get_modified_time(name).timestamp() < cutoff:
                default_storage.delete(name)
        except (FileNotFoundError, NotImplementedError):
            continue


# ------------------------------------------------------------------------------------------ downloads


def import_template_build(*, kind, fmt, chinese):
    """(content, content type, file name) of an empty template: the header row (CSV), or the header row, one
    marked example row the import skips, and drop-down lists on the choice columns (XLSX)."""
    spec = KINDS[kind]
    header = [column.chinese if chinese else column.key for column in spec.columns]
    if fmt == "csv":
        text = io.StringIO()
        csv.writer(text).writerow(header)
        # The BOM makes Excel open the UTF-8 file with the right characters.
        return ("\ufeff" + text.getvalue()).encode("utf-8"), "text/csv; charset=utf-8", f"import-{kind}.csv"
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.comments import Comment  # noqa: PLC0415
    from openpyxl.styles import Font, PatternFill  # noqa: PLC0415
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415

    workbook = Workbook()
    sheet = workbook.active
    with translation.override("zh-hans" if chinese else "en"):
        sheet.title = str(spec.label)[:31]
        marker = EXAMPLE_MARKERS[0] if chinese else EXAMPLE_MARKERS[1]
        example = [marker if column.key == spec.key else _example_cell(column) for column in spec.columns]
        key_hint = _("Example row: the import skips it. Delete it, or write a real key over it, e.g. %(key)s.")
        key_hint %= {"key": spec.column(spec.key).example}
        choice_lists = {
            column.key: [str(label) for _code, label in column.choices] for column in spec.columns if column.choices
        }
        invalid_choice = _("Pick one of the values in the list.")
    sheet.append(header)
    sheet.append(example)
    grey = Font(italic=True, color="808080")
    for index, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(14, len(header[index - 1]) * 2 + 4)
        sheet.cell(row=2, column=index).font = grey
        sheet.cell(row=2, column=index).fill = PatternFill("solid", fgColor="F2F2F2")
        # Codes and references stay text when typed, so 001 keeps its zeros.
        if column.type in ("text", "ref"):
            for row in range(2, 1001):
                sheet.cell(row=row, column=index).number_format = "@"
        if column.key in choice_lists:
            # A drop-down of the choice labels in the template's language (the import accepts either language).
            validation = DataValidation(
                type="list",
                formula1='"{}"'.format(",".join(choice_lists[column.key])),
                allow_blank=column.blank or not column.required,
                showErrorMessage=True,
            )
            validation.error = invalid_choice
            validation.add(f"{cell.column_letter}2:{cell.column_letter}1001")
            sheet.add_data_validation(validation)
    key_cell = sheet.cell(row=2, column=[c.key for c in spec.columns].index(spec.key) + 1)
    key_cell.comment = Comment(key_hint, "lawfirm-kpi")
    sheet.column_dimensions[key_cell.column_letter].width = max(
        sheet.column_dimensions[key_cell.column_letter].width, len(marker) * 2 + 2
    )
    sheet.freeze_panes = "A2"
    content = io.BytesIO()
    workbook.save(content)
    return (
        content.getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"import-{kind}.xlsx",
    )


def _example_cell(column):
    """A column's example as the template writes it: a choice by its label in the active language."""
    if column.type == "choice" and column.example:
        code = column.choice_lookup().get(normalise(column.example))
        return column.choice_label(code)
    return column.example


def import_errors_csv(*, report):
    """Every error of a report as a CSV file (row, column, reason), for files with very many errors."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([_("Row"), _("Column"), _("Reason")])
    for error in report.errors:
        writer.writerow([error.row or "", neutralise(error.column), neutralise(error.message)])
    return ("\ufeff" + text.getvalue()).encode("utf-8")
