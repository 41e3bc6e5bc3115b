"""Writes of department data by hand: every create, update and deletion is validated, checked against the data
lock (clients.locks) and leaves a change record."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients import locks
from clients.audit import change_record_create, diff, snapshot
from clients.models import ChangeRecord, Client, Complaint, Contract, DataDelivery, RevenueEntry, SatisfactionSurvey
from clients.selectors import COLLECTING_STATES, quarter_collecting
from clients.subjects import SUBJECT_FIELDS, own_record_refusals, subject_ids
from reviews.models import Quarter
from reviews.roles import DATA_KINDS_BY_DEPARTMENT


def _refuse_own_record(model, *, by, before, fields):
    """Principle 一.3: nobody enters or changes a record that feeds their own score (clients.subjects)."""
    after = {**(before or {}), **{name: fields[name] for name in SUBJECT_FIELDS.get(model, ()) if name in fields}}
    refusals = own_record_refusals(model=model, by=by, before=before, after=after)
    if refusals:
        raise ValidationError(refusals)


def _check_fields(model, fields):
    known = {field.name for field in model._meta.concrete_fields if not field.primary_key}
    unknown = set(fields) - known
    if unknown:
        raise TypeError(f"{model.__name__} has no field(s) {', '.join(sorted(unknown))}")


def _record_create(model, *, by, fields, note="", correction=None):
    _check_fields(model, fields)
    _refuse_own_record(model, by=by, before=None, fields=fields)
    with transaction.atomic():
        instance = model(**fields)
        instance.full_clean()
        # The data lock: a record dated in a submitted or closed quarter is refused unless a correction makes it.
        locks.check_write(model, before=None, after=locks.values_of(instance), correction=correction)
        instance.save()
        instance.refresh_from_db()  # log values as stored (10 → 10.00), not as typed
        created = {name: [None, value] for name, value in snapshot(instance).items() if value not in (None, "")}
        change_record_create(
            instance=instance,
            action=ChangeRecord.Action.CREATE,
            by=by,
            changes=created,
            note=locks.correction_note(correction, note),
        )
    return instance


def _record_update(instance, *, by, fields, note="", correction=None):
    model = type(instance)
    _check_fields(model, fields)
    with transaction.atomic():
        # Lock the row and read "before" from the database: two clerks saving the same record at once
        # would otherwise each log their change against a stale copy (and a form may already have
        # written the new values onto the instance it was given).
        current = model.objects.select_for_update().get(pk=instance.pk)
        _refuse_own_record(model, by=by, before=subject_ids(current), fields=fields)
        before = snapshot(current)
        stored = locks.values_of(current)
        for name, value in fields.items():
            setattr(current, name, value)
        current.full_clean()
        # Checked against the dates before and after: moving a record out of a locked quarter is a change to it.
        locks.check_write(model, before=stored, after=locks.values_of(current), correction=correction)
        current.save()
        current.refresh_from_db()
        changes = diff(before, snapshot(current))
        if changes:
            change_record_create(
                instance=current,
                action=ChangeRecord.Action.UPDATE,
                by=by,
                changes=changes,
                note=locks.correction_note(correction, note),
            )
    return current


def record_delete(*, instance, by, correction=None, note="") -> None:
    """Delete one record of department data (any kind), logged; refused in a locked quarter without a correction."""
    model = type(instance)
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=instance.pk)
        locks.check_write(model, before=locks.values_of(current), after=None, correction=correction)
        removed = {name: [value, None] for name, value in snapshot(current).items() if value not in (None, "")}
        # The change record keeps the key and values of what was removed (the row itself is gone).
        change_record_create(
            instance=current,
            action=ChangeRecord.Action.DELETE,
            by=by,
            changes=removed,
            note=locks.correction_note(correction, note),
        )
        current.delete()


# Every service takes `correction=`: the correction (an object or identifier; its text goes into the change
# record's note) on whose behalf a locked quarter's record is changed. Without it, such a write is refused.


def client_create(*, by, correction=None, **fields) -> Client:
    return _record_create(Client, by=by, fields=fields, correction=correction)


def client_update(*, instance, by, correction=None, **fields) -> Client:
    return _record_update(instance, by=by, fields=fields, correction=correction)


def client_delete(*, instance, by, correction=None) -> None:
    record_delete(instance=instance, by=by, correction=correction)


def contract_create(*, by, correction=None, **fields) -> Contract:
    return _record_create(Contract, by=by, fields=fields, correction=correction)


def contract_update(*, instance, by, correction=None, **fields) -> Contract:
    return _record_update(instance, by=by, fields=fields, correction=correction)


def contract_delete(*, instance, by, correction=None) -> None:
    record_delete(instance=instance, by=by, correction=correction)


def revenue_entry_create(*, by, correction=None, **fields) -> RevenueEntry:
    return _record_create(RevenueEntry, by=by, fields=fields, correction=correction)


def revenue_entry_update(*, instance, by, correction=None, **fields) -> RevenueEntry:
    return _record_update(instance, by=by, fields=fields, correction=correction)


def revenue_entry_delete(*, instance, by, correction=None) -> None:
    record_delete(instance=instance, by=by, correction=correction)


def complaint_create(*, by, correction=None, **fields) -> Complaint:
    return _record_create(Complaint, by=by, fields=fields, correction=correction)


def complaint_update(*, instance, by, correction=None, **fields) -> Complaint:
    return _record_update(instance, by=by, fields=fields, correction=correction)


def complaint_delete(*, instance, by, correction=None) -> None:
    record_delete(instance=instance, by=by, correction=correction)


def survey_create(*, by, correction=None, **fields) -> SatisfactionSurvey:
    return _record_create(SatisfactionSurvey, by=by, fields=fields, correction=correction)


def survey_answered_online(**fields) -> SatisfactionSurvey:
    """A client's own answer through a questionnaire link (regulation 三.2: client satisfaction). The client is
    not a user of the product, so the change log names nobody; the data lock applies as to any survey."""
    return _record_create(SatisfactionSurvey, by=None, fields=fields, note="web questionnaire")


def survey_update(*, instance, by, correction=None, **fields) -> SatisfactionSurvey:
    return _record_update(instance, by=by, fields=fields, correction=correction)


def survey_delete(*, instance, by, correction=None) -> None:
    record_delete(instance=instance, by=by, correction=correction)


# kind -> (create, update), for the pages that serve every kind with one view.
RECORD_SERVICES = {
    "clients": (client_create, client_update),
    "contracts": (contract_create, contract_update),
    "revenue": (revenue_entry_create, revenue_entry_update),
    "complaints": (complaint_create, complaint_update),
    "surveys": (survey_create, survey_update),
}


# ------------------------------------------------------------------------------------------ deliveries


def _refuse_unless_clerk(department, by):
    # Regulation 二.3: the department delivers its own data, so only its clerks say it is complete.
    if by is None or not department.clerks.filter(pk=by.pk).exists():
        raise ValidationError(
            _("Only the data clerks of %(department)s mark its delivery.") % {"department": department}
        )


def data_delivery_mark(*, quarter, department, by, note="", now=None) -> DataDelivery:
    """Record that the department's data for the quarter is complete (regulation 二.3, 三.3)."""
    now = now or timezone.now()
    _refuse_unless_clerk(department, by)
    if department.kind not in DATA_KINDS_BY_DEPARTMENT:
        raise ValidationError(_("%(department)s delivers no data.") % {"department": department})
    with transaction.atomic():
        # Lock the quarter row: scoring moves the quarter on under the same lock, so no mark slips in after it;
        # a double click (or two clerks at once) queues here and the second finds the first mark standing.
        locked = Quarter.objects.select_for_update().get(pk=quarter.pk)
        if not quarter_collecting(locked, today=timezone.localdate(now)):
            raise ValidationError(
                _(
                    "%(quarter)s is not collecting data now: a delivery is marked after the quarter ends and "
                    "before it is scored."
                )
                % {"quarter": locked.code}
            )
        if DataDelivery.objects.filter(quarter=locked, department=department, withdrawn_at__isnull=True).exists():
            raise ValidationError(
                _("The delivery of %(department)s for %(quarter)s is already marked.")
                % {"department": department, "quarter": locked.code}
            )
        return DataDelivery.objects.create(
            quarter=locked,
            department=department,
            kinds=list(DATA_KINDS_BY_DEPARTMENT[department.kind]),
            note=note.strip()[:500],
            marked_by=by,
            marked_at=now,
        )


def data_delivery_withdraw(*, delivery, by, now=None) -> DataDelivery:
    """Undo a delivery mark while the quarter is not scored yet; the mark stays on record as withdrawn."""
    now = now or timezone.now()
    _refuse_unless_clerk(delivery.department, by)
    with transaction.atomic():
        # The quarter first, then the mark, in the order data_delivery_mark takes them: scoring cannot pass
        # between the check and the write, and a second click finds the mark already withdrawn.
        quarter = Quarter.objects.select_for_update().get(pk=delivery.quarter_id)
        current = DataDelivery.objects.select_for_update().get(pk=delivery.pk)
        if current.withdrawn_at is not None:
            raise ValidationError(_("This delivery mark was already withdrawn."))
        if quarter.state not in COLLECTING_STATES:
            raise ValidationError(
                _("%(quarter)s has been scored: its delivery marks can no longer be withdrawn.")
                % {"quarter": quarter.code}
            )
        current.withdrawn_by = by
        current.withdrawn_at = now
        current.save(update_fields=["withdrawn_by", "withdrawn_at"])
    return current
