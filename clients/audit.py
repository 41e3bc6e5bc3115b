"""The change log of department data: who changed which record, when, and from what to what."""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from clients.models import ChangeRecord


def _plain(value):
    """A JSON-safe, human-readable form of a field value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return str(value)


def snapshot(instance):
    """The instance's concrete field values, keyed by field name (foreign keys by their display text)."""
    values = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.is_relation:
            related_id = getattr(instance, field.attname)
            values[field.name] = str(getattr(instance, field.name)) if related_id is not None else None
        else:
            values[field.name] = _plain(getattr(instance, field.attname))
    return values


def diff(before, after):
    """{field: [old, new]} for the fields whose value changed."""
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


def change_record_build(*, instance, action, by, changes, note=""):
    """An unsaved ChangeRecord, so that imports can write thousands with one bulk_create."""
    return ChangeRecord(
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        action=action,
        changes=changes,
        by=by,
        note=note[:200],
    )


def change_record_create(*, instance, action, by, changes, note=""):
    """Write one change record now."""
    record = change_record_build(instance=instance, action=action, by=by, changes=changes, note=note)
    record.save()
    return record


def history_for(instance):
    """The change records of one object, newest first."""
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(type(instance)), object_id=str(instance.pk)
    ).select_related("by")
