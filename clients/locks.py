"""The data lock: once a quarter's results are submitted, the department records dated in it are read-only.

Regulation 一.3 (fairness: results rest on objective facts) and 二.1 (the leadership group approves the results):
what the leadership group approved must be what the records say, so from submission on the records a quarter's
results were computed from change only through a correction (docs/regulation.md, "The data lock"). This module is
the one place that says which date of a record counts and which quarters are locked; the entry services
(clients.services), the file import (clients.importing) and the admin all ask it.

Which date counts (regulation 三.2 decides in which quarter a record is counted):
- revenue entry: received_on; satisfaction survey: surveyed_on;
- complaint: the day of received_at in the firm's zone (Asia/Shanghai); its handling belongs to that quarter too;
- contract: signed_on for everything about the engagement; its closing (status, closed_on) is dated closed_on,
  because closing a contract only changes the quarters after the closing day, and marking an old contract
  completed is everyday work that no submitted result depends on;
- client: a client has no date of its own that any result uses (created_on is bookkeeping). Its referrer counts
  in the quarter of the client's first contract (三.2: a client counts once a contract is signed), so referred_by
  is locked through that contract; the name and contact details are not scoring data and stay editable.
An edit is checked against the dates before and after it, so moving a record into or out of a locked quarter is
refused as well as changing it in place; a deletion is checked like a change to nothing.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Min, Q
from django.utils.translation import gettext as _

from clients.models import Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey
from reviews.lifecycle import STATES_AFTER_SUBMISSION
from reviews.models import Quarter

# From submission on (submitted, approved, published, closed) a quarter's records are read-only; a quarter the
# leadership group returns to the execution group (submitted → scored) opens again.
LOCKED_STATES = frozenset(STATES_AFTER_SUBMISSION)

# A contract's closing: dated closed_on rather than signed_on (see the module's docstring).
CONTRACT_CLOSING = frozenset({"status", "closed_on"})

# The date field of each kind whose quarter the record counts in, for pages that show a record's lock.
DATE_FIELDS = {
    RevenueEntry: "received_on",
    SatisfactionSurvey: "surveyed_on",
    Complaint: "received_at",
    Contract: "signed_on",
}


def lock_message(code: str) -> str:
    """What every refusal says: which quarter, and how a change is made now."""
    return _(
        "The records of %(quarter)s are locked since its results were submitted; a change now goes through a "
        "correction: the execution group raises one on the quarter's Corrections page, or the person appeals."
    ) % {"quarter": code}


class RecordLocked(ValidationError):
    """A write that would change a locked quarter's records; nothing was written. Forms show it like any error."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__(list(dict.fromkeys(message for _field, message in problems)), code="locked")


def firm_day(value) -> datetime.date | None:
    """The calendar day of a date, or of a moment in the firm's zone (regulation 三.1 counts calendar quarters)."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            return value.date()
        return value.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()
    return value


def quarter_key(day: datetime.date) -> tuple[int, int]:
    return Quarter.containing(day)


# --- Which dates a write touches (pure: plain values in, (field, day) pairs out) ---------------------------------


def _differs(before: Mapping, after: Mapping, names: Iterable[str]) -> bool:
    return any(before.get(name) != after.get(name) for name in names)


def touched_days(
    model, *, before: Mapping | None, after: Mapping | None, first_signed_on: datetime.date | None = None
) -> list[tuple[str, datetime.date]]:
    """The (field, day) pairs whose quarters must be open for this write: before is None for a creation, after is
    None for a deletion; both map attnames (client_id, received_at, …) to values. For a client, first_signed_on
    is the signing day of its first contract (its referrer counts in that quarter)."""
    states = [values for values in (before, after) if values is not None]
    if before is not None and after is not None:
        changed = {name for name in set(before) | set(after) if name != "id" and before.get(name) != after.get(name)}
        if not changed:
            return []
    else:
        changed = None  # created or deleted: everything counts
    days = []
    if model is Client:
        if first_signed_on is not None and (changed is None or "referred_by_id" in changed):
            days.append(("referred_by", first_signed_on))
        return days
    if model is Contract:
        signing_changed = changed is None or bool(changed - CONTRACT_CLOSING)
        closing_changed = changed is None or bool(changed & CONTRACT_CLOSING)
        for values in states:
            if signing_changed:
                days.append(("signed_on", firm_day(values.get("signed_on"))))
            if closing_changed:
                days.append(("closed_on", firm_day(values.get("closed_on"))))
        return [(name, day) for name, day in days if day is not None]
    field = DATE_FIELDS[model]
    return [(field, day) for values in states if (day := firm_day(values.get(field))) is not None]


def problems_for(days: Iterable[tuple[str, datetime.date]], locked: Mapping[tuple[int, int], str]):
    """[(field, message)] for the days that fall in a locked quarter; one message per quarter."""
    problems, seen = [], set()
    for field, day in days:
        code = locked.get(quarter_key(day))
        if code is not None and code not in seen:
            seen.add(code)
            problems.append((field, lock_message(code)))
    return problems


# --- Reads -------------------------------------------------------------------------------------------------------


def locked_quarters(*, keys: Iterable[tuple[int, int]] | None = None, for_update: bool = False) -> dict:
    """{(year, number): code} of the locked quarters (among keys, when given).

    With for_update, the rows of those quarters (locked or not) are locked until the transaction ends: a quarter
    being submitted at the same moment (reviews.lifecycle locks the same row) waits for this write, or this write
    waits and then sees the quarter submitted. Either way no record lands in a quarter after its submission.
    """
    quarters = Quarter.objects.all()
    if keys is not None:
        keys = sorted(set(keys))
        if not keys:
            return {}
        condition = Q()
        for year, number in keys:
            condition |= Q(year=year, number=number)
        quarters = quarters.filter(condition)
    if for_update:
        # Ordered, so that two writers locking several quarters take them in the same order.
        quarters = quarters.select_for_update().order_by("year", "number")
        rows = list(quarters.values_list("year", "number", "state"))
    else:
        rows = list(quarters.filter(state__in=LOCKED_STATES).values_list("year", "number", "state"))
    return {(year, number): f"{year}Q{number}" for year, number, state in rows if state in LOCKED_STATES}


def first_signed_on(client_ids: Iterable[int]) -> dict[int, datetime.date]:
    """{client id: signing day of its first contract}, for the clients that have one."""
    ids = [pk for pk in client_ids if pk is not None]
    if not ids:
        return {}
    return dict(
        Contract.objects.filter(client_id__in=ids)
        .values("client_id")
        .annotate(first=Min("signed_on"))
        .order_by()
        .values_list("client_id", "first")
    )


def values_of(instance) -> dict:
    """The instance's concrete field values by attname: the form touched_days compares."""
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def check_write(model, *, before: Mapping | None, after: Mapping | None, correction=None) -> None:
    """Refuse (RecordLocked) a write of department data that touches a locked quarter, unless it is a correction.

    Call inside the writer's transaction, before writing: the quarters concerned stay locked until it commits.
    `correction` names the correction that makes the change (reviews' corrections service passes it); with one,
    the write is the sanctioned way to change a locked quarter's records and goes ahead.
    """
    if correction is not None:
        return
    first = None
    if model is Client:
        client_id = (before or after or {}).get("id")
        first = first_signed_on([client_id]).get(client_id)
    days = touched_days(model, before=before, after=after, first_signed_on=first)
    if not days:
        return
    locked = locked_quarters(keys=[quarter_key(day) for _field, day in days], for_update=True)
    problems = problems_for(days, locked)
    if problems:
        raise RecordLocked(problems)


def record_lock_message(instance) -> str | None:
    """Why this stored record cannot change now, for its edit page; None when it can."""
    if instance.pk is None:
        return None
    if isinstance(instance, Client):
        return None  # only its referrer may be locked: the refusal names it if it is changed
    field = DATE_FIELDS[type(instance)]
    days = [(field, firm_day(getattr(instance, field)))]
    problems = problems_for(days, locked_quarters(keys=[quarter_key(day) for _field, day in days]))
    if not problems:
        return None
    if isinstance(instance, Contract):
        closing = _(
            "Its closing (status and closing date) can still be recorded, with a closing date in a quarter that is "
            "not locked."
        )
        return f"{problems[0][1]} {closing}"
    return problems[0][1]


def correction_note(correction, note: str = "") -> str:
    """The change record's note of a write made for a correction (the correction is named in it)."""
    if correction is None:
        return note
    text = f"correction: {correction}"
    return f"{text} · {note}" if note else text
