"""What changed in the department records since a result was computed from its basis (regulation 一.3: the page
says so openly, and the numbers stay those of the basis).

Only the records that could touch the line's indicator are compared, on the fields the definitions read: a record
of the basis changed or gone, or a new record of the person's in the quarter.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators import scoring, selectors

from . import basis as basis_module

# The fields of each row that the definitions read (a name or reference may change without touching a score).
COMPARED = {
    basis_module.CONTRACT: ("client_id", "originating_id", "responsible_id", "signed_on", "closed_on"),
    basis_module.REVENUE: ("credited_to_id", "client_id", "amount", "received_on"),
    basis_module.COMPLAINT: ("about_id", "handler_id", "received_at", "handled_at"),
    basis_module.SURVEY: ("staff_id", "surveyed_on", "service_quality", "communication", "outcome"),
    basis_module.CLIENT: ("referred_by_id", "contracted_before_window"),
}
# The kinds of record each indicator's line rests on.
KINDS_OF = {
    scoring.NEW_CLIENTS: (basis_module.CONTRACT, basis_module.CLIENT),
    scoring.NEW_CLIENT_REVENUE_SHARE: (basis_module.REVENUE, basis_module.CONTRACT, basis_module.CLIENT),
    scoring.REPEAT_ENGAGEMENT_RATE: (basis_module.CONTRACT, basis_module.CLIENT),
    scoring.REFERRAL_RATE: (basis_module.CONTRACT, basis_module.CLIENT),
    scoring.COMPLAINT_RATE: (basis_module.COMPLAINT, basis_module.CONTRACT),
    scoring.COMPLAINT_TIMELINESS: (basis_module.COMPLAINT,),
    scoring.SATISFACTION: (basis_module.SURVEY,),
}
KIND_LABELS = {
    basis_module.CONTRACT: gettext_lazy("Contract"),
    basis_module.CLIENT: gettext_lazy("Client"),
    basis_module.REVENUE: gettext_lazy("Revenue entry"),
    basis_module.COMPLAINT: gettext_lazy("Complaint"),
    basis_module.SURVEY: gettext_lazy("Satisfaction survey"),
}


@dataclass(frozen=True)
class RecordChange:
    kind: str
    record_id: int
    reference: str
    what: str  # "changed", "removed" or "added"

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def description(self) -> str:
        return {
            "changed": _("changed since"),
            "removed": _("no longer counts (deleted, or moved out of the quarter or away from the person)"),
            "added": _("added since"),
        }[self.what]


def _reference(kind, row) -> str:
    return getattr(row, "number", "") or getattr(row, "ref", "") or getattr(row, "code", "") or str(row.id)


def _compared(kind, row) -> tuple:
    return tuple(getattr(row, name) for name in COMPARED[kind])


def changes_since(*, period: scoring.Period, staff_id: int, code: str, part: dict[str, list]) -> list[RecordChange]:
    """The records behind this person's line that differ from the basis today, at most a few queries."""
    changes = []
    for kind in KINDS_OF.get(code, ()):
        kept = {row.id: row for row in part.get(kind, [])}
        now = {row.id: row for row in selectors.period_rows(period, kind, ids=kept)} if kept else {}
        if kind != basis_module.CLIENT:
            for row in selectors.period_rows(period, kind, person=staff_id):
                now.setdefault(row.id, row)
        for record_id, row in kept.items():
            current = now.get(record_id)
            if current is None or (kind != basis_module.CLIENT and staff_id not in basis_module.people_of(kind, current)
                                   and staff_id in basis_module.people_of(kind, row)):  # fmt: skip
                changes.append(RecordChange(kind, record_id, _reference(kind, row), "removed"))
            elif _compared(kind, current) != _compared(kind, row):
                changes.append(RecordChange(kind, record_id, _reference(kind, current), "changed"))
        for record_id, row in now.items():
            if record_id not in kept and staff_id in basis_module.people_of(kind, row):
                changes.append(RecordChange(kind, record_id, _reference(kind, row), "added"))
    return sorted(changes, key=lambda change: (change.kind, change.reference))
