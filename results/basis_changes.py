"""What changed in the department records since a result was computed from its basis (regulation 一.3: the page
says so openly, and the numbers stay those of the basis).

Only records that could touch the line's indicator are looked at, on the fields the definitions read: a record the
line counted that changed or is gone, and a record of the person's in the quarter created or changed since (the
change log, clients.ChangeRecord, says which).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.models import ChangeRecord, Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey
from indicators import scoring, selectors
from results import basis as basis_module

# The fields of each row that the definitions read.
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
MODELS = {
    basis_module.CONTRACT: Contract,
    basis_module.CLIENT: Client,
    basis_module.REVENUE: RevenueEntry,
    basis_module.COMPLAINT: Complaint,
    basis_module.SURVEY: SatisfactionSurvey,
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


def _compared(kind, row) -> tuple:
    return tuple(getattr(row, name) for name in COMPARED[kind])


def _references(kind, ids) -> dict[int, str]:
    field = {"contract": "number", "client": "code"}.get(kind, "ref")
    return dict(MODELS[kind].objects.filter(pk__in=list(ids)).values_list("pk", field))


def changes_since(*, basis, staff_id: int, code: str, rows: dict[str, dict]) -> list[RecordChange]:
    """The records behind this person's line that differ from the basis today (`rows`: the line's records from the
    basis, by kind and id). A few queries per kind."""
    period = basis_module.period_of(basis)
    kinds = KINDS_OF.get(code, ())
    types = ContentType.objects.get_for_models(*[MODELS[kind] for kind in kinds]) if kinds else {}
    found = []
    for kind in kinds:
        kept = rows.get(kind, {})
        # Records of the kind written since the basis: created, changed or deleted (the change log).
        since = ChangeRecord.objects.filter(content_type=types[MODELS[kind]], at__gt=basis.created_at)
        touched = dict(since.values_list("object_id", "action"))
        touched_ids = {int(pk) for pk in touched if str(pk).isdigit()}
        now = {row.id: row for row in selectors.period_rows(period, kind, ids=set(kept) | touched_ids)}
        for record_id, row in kept.items():
            current = now.get(record_id)
            gone = current is None or (
                kind != basis_module.CLIENT
                and staff_id in basis_module.people_of(kind, row)
                and staff_id not in basis_module.people_of(kind, current)
            )
            if gone:
                found.append((kind, record_id, "removed"))
            elif _compared(kind, current) != _compared(kind, row):
                found.append((kind, record_id, "changed"))
        for record_id in touched_ids - set(kept):
            current = now.get(record_id)
            if current is not None and staff_id in basis_module.people_of(kind, current):
                action = touched.get(str(record_id), "")
                found.append((kind, record_id, "added" if action in ("create", "import_create") else "changed"))
    references = {}
    for kind in {kind for kind, _pk, _what in found}:
        references[kind] = _references(kind, [pk for k, pk, _what in found if k == kind])
    changes = [RecordChange(kind, pk, references[kind].get(pk, f"#{pk}"), what) for kind, pk, what in found]
    return sorted(changes, key=lambda change: (change.kind, change.reference))
