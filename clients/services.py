"""Writes of department data by hand: every create and update is validated and leaves a change record."""

from django.core.exceptions import ValidationError
from django.db import transaction

from .audit import change_record_create, diff, snapshot
from .models import ChangeRecord, Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey
from .subjects import SUBJECT_FIELDS, own_record_refusals, subject_ids


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


def _record_create(model, *, by, fields, note=""):
    _check_fields(model, fields)
    _refuse_own_record(model, by=by, before=None, fields=fields)
    with transaction.atomic():
        instance = model(**fields)
        instance.full_clean()
        instance.save()
        instance.refresh_from_db()  # log values as stored (10 → 10.00), not as typed
        created = {name: [None, value] for name, value in snapshot(instance).items() if value not in (None, "")}
        change_record_create(instance=instance, action=ChangeRecord.Action.CREATE, by=by, changes=created, note=note)
    return instance


def _record_update(instance, *, by, fields, note=""):
    model = type(instance)
    _check_fields(model, fields)
    with transaction.atomic():
        # Lock the row and read "before" from the database: two clerks saving the same record at once
        # would otherwise each log their change against a stale copy (and a form may already have
        # written the new values onto the instance it was given).
        current = model.objects.select_for_update().get(pk=instance.pk)
        _refuse_own_record(model, by=by, before=subject_ids(current), fields=fields)
        before = snapshot(current)
        for name, value in fields.items():
            setattr(current, name, value)
        current.full_clean()
        current.save()
        current.refresh_from_db()
        changes = diff(before, snapshot(current))
        if changes:
            change_record_create(instance=current, action=ChangeRecord.Action.UPDATE, by=by, changes=changes, note=note)
    return current


def client_create(*, by, **fields) -> Client:
    return _record_create(Client, by=by, fields=fields)


def client_update(*, instance, by, **fields) -> Client:
    return _record_update(instance, by=by, fields=fields)


def contract_create(*, by, **fields) -> Contract:
    return _record_create(Contract, by=by, fields=fields)


def contract_update(*, instance, by, **fields) -> Contract:
    return _record_update(instance, by=by, fields=fields)


def revenue_entry_create(*, by, **fields) -> RevenueEntry:
    return _record_create(RevenueEntry, by=by, fields=fields)


def revenue_entry_update(*, instance, by, **fields) -> RevenueEntry:
    return _record_update(instance, by=by, fields=fields)


def complaint_create(*, by, **fields) -> Complaint:
    return _record_create(Complaint, by=by, fields=fields)


def complaint_update(*, instance, by, **fields) -> Complaint:
    return _record_update(instance, by=by, fields=fields)


def survey_create(*, by, **fields) -> SatisfactionSurvey:
    return _record_create(SatisfactionSurvey, by=by, fields=fields)


def survey_update(*, instance, by, **fields) -> SatisfactionSurvey:
    return _record_update(instance, by=by, fields=fields)


# kind -> (create, update), for the pages that serve every kind with one view.
RECORD_SERVICES = {
    "clients": (client_create, client_update),
    "contracts": (contract_create, contract_update),
    "revenue": (revenue_entry_create, revenue_entry_update),
    "complaints": (complaint_create, complaint_update),
    "surveys": (survey_create, survey_update),
}
