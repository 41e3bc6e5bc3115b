"""Reads behind the appeal pages, the queue, and the appeal statistics of a quarter's report."""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from appeals.lifecycle import actions_for
from appeals.models import OPEN_STATUSES, Appeal, AppealStatus, Outcome
from clients.models import ChangeRecord
from clients.selectors import KINDS
from results.explain import line_record_ids
from results.models import IndicatorScore, Scorecard
from reviews.deadlines import appeal_window_ends_on, local_date
from reviews.models import EXECUTION_GROUP, Department, QuarterState
from reviews.roles import DATA_KINDS_BY_DEPARTMENT, roles_of

# --- Filing ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilingWindow:
    """Whether the person may file on this scorecard today, and if not, why (with the dates)."""

    is_open: bool
    reason: str
    published_on: datetime.date | None
    ends_on: datetime.date | None
    open_appeal: Appeal | None = None


def filing_window(*, scorecard: Scorecard, today: datetime.date) -> FilingWindow:
    """The appeal window of this scorecard: publication + the quarter's appeal_window_days, last day included."""
    quarter = scorecard.quarter
    published_on = local_date(quarter.published_at)
    ends_on = appeal_window_ends_on(quarter)
    dates = {
        "quarter": quarter.code,
        "published": date_format(published_on) if published_on else "",
        "ends": date_format(ends_on) if ends_on else "",
    }

    def closed(reason):
        return FilingWindow(False, reason, published_on, ends_on)

    if scorecard.status != Scorecard.Status.PUBLISHED or published_on is None:
        return closed(_("The results of %(quarter)s are not published yet: appeals open on publication.") % dates)
    if not scorecard.is_current:
        return closed(_("This is an earlier version of the result; appeals are filed on the current version."))
    if quarter.state == QuarterState.CLOSED:
        return closed(_("The quarter %(quarter)s is closed: no more appeals can be filed.") % dates)
    if today > ends_on:
        return closed(
            _(
                "The appeal window of %(quarter)s is closed: the results were published on %(published)s and "
                "appeals could be filed until %(ends)s."
            )
            % dates
        )
    existing = open_appeal_of(scorecard)
    if existing is not None:
        return FilingWindow(
            False,
            _("You already have an open appeal on this result; follow it or withdraw it first."),
            published_on,
            ends_on,
            open_appeal=existing,
        )
    return FilingWindow(True, "", published_on, ends_on)


def open_appeal_of(scorecard) -> Appeal | None:
    return Appeal.objects.filter(
        quarter_id=scorecard.quarter_id, staff_id=scorecard.staff_id, status__in=OPEN_STATUSES
    ).first()


def contested_lines(scorecard):
    """The scorecard's lines, in catalogue order: the indicators one may contest."""
    return IndicatorScore.objects.filter(scorecard=scorecard).select_related("indicator").order_by("indicator__order")


# --- Lists -----------------------------------------------------------------------------------------------


def _with_people(appeals):
    return appeals.select_related("quarter", "staff", "handler__profile", "scorecard")


def appeals_for_user(*, user, status: str = "", quarter=None):
    """The execution and leadership groups see every appeal; anyone else only their own."""
    appeals = _with_people(Appeal.objects.all())
    if not roles_of(user).is_organiser:
        appeals = appeals.filter(appellant=user)
    if status == "open":
        appeals = appeals.filter(status__in=OPEN_STATUSES)
    elif status:
        appeals = appeals.filter(status=status)
    if quarter is not None:
        appeals = appeals.filter(quarter=quarter)
    return appeals.order_by("decision_due_on", "filed_at", "pk") if status == "open" else appeals


def execution_members(*, exclude=None):
    """Who may handle an appeal: active members of the execution group, never the appellant."""
    users = (
        get_user_model()
        .objects.filter(groups__name=EXECUTION_GROUP, is_active=True)
        .select_related("profile")
        .order_by("username")
    )
    return users.exclude(pk=exclude.pk) if exclude is not None else users


# --- One appeal ------------------------------------------------------------------------------------------

# The department records behind a contested line. The execution group reads them (their history pages) but only
# the department's clerk may change them (regulation 二.3): the page links to the history, never to the edit form.


@dataclass(frozen=True)
class RecordLink:
    kind: str
    kind_label: str
    pk: int
    label: str
    url: str


def _record_label(kind, record) -> str:
    """What a person recognises a record by: its number or reference, and the client it belongs to."""
    if kind == "clients":
        return str(record)
    if kind == "revenue":
        return f"{record.ref} · {record.contract.number} · {record.contract.client.name}"
    key = record.number if kind == "contracts" else record.ref
    return f"{key} · {record.client.name}"


_LABEL_JOINS = {
    "clients": (),
    "contracts": ("client",),
    "revenue": ("contract__client",),
    "complaints": ("client",),
    "surveys": ("client",),
}


def record_links_by_line(lines) -> dict[int, list[RecordLink]]:
    """Line id -> links to the history pages of the department records that counted for it.

    The records of every line are read together, one query per kind, for their labels."""
    ids_by_line = {line.pk: line_record_ids(line) for line in lines}
    wanted = {}
    for ids in ids_by_line.values():
        for kind, pks in ids.items():
            wanted.setdefault(kind, set()).update(pks)
    records = {
        kind: KINDS[kind].model.objects.select_related(*_LABEL_JOINS[kind]).in_bulk(sorted(pks))
        for kind, pks in wanted.items()
    }
    links = {}
    for line_pk, ids in ids_by_line.items():
        links[line_pk] = [
            RecordLink(
                kind,
                str(KINDS[kind].singular),
                pk,
                _record_label(kind, records[kind][pk]),
                reverse(f"clients:{kind}_history", args=[pk]),
            )
            for kind, pks in ids.items()
            for pk in dict.fromkeys(pks)
            if pk in records[kind]
        ]
    return links


def data_clerks_by_kind(kinds) -> dict[str, list]:
    """Kind of record -> the active clerks of the departments that deliver it: who the handler asks to correct one."""
    kinds = set(kinds)
    department_kinds = [dept for dept, delivered in DATA_KINDS_BY_DEPARTMENT.items() if kinds & set(delivered)]
    if not department_kinds:
        return {}
    active = get_user_model().objects.filter(is_active=True).select_related("profile").order_by("username")
    clerks = {}
    for department in Department.objects.filter(kind__in=department_kinds).prefetch_related(
        Prefetch("clerks", queryset=active)
    ):
        for kind in DATA_KINDS_BY_DEPARTMENT[department.kind]:
            clerks.setdefault(kind, []).extend(department.clerks.all())
    return clerks


def _clerks_of(links, clerks_by_kind) -> list:
    """The clerks who may correct any of these records, each once."""
    found = {}
    for link in links:
        for clerk in clerks_by_kind.get(link.kind, []):
            found.setdefault(clerk.pk, clerk)
    return list(found.values())


@dataclass(frozen=True)
class RecordCorrection:
    """One change record of a record that counted, made while the appeal was waiting for its decision."""

    change: object  # clients.models.ChangeRecord
    record: RecordLink
    fields: list  # [(field label, old, new)]


def _field_label(model, name) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # a field that no longer exists still shows under its stored name
        return name


def record_corrections(appeal, links: list[RecordLink]) -> list[RecordCorrection]:
    """The changes made to the records that counted, from the filing to the decision, oldest first.

    An upheld appeal is often upheld because a record was wrong; its correction writes the fix when it is applied
    (results.corrections), perhaps after the decision once the leadership group approves it. Listing those changes
    puts them in the appeal's own record. One query."""
    by_key = {(link.kind, str(link.pk)): link for link in links}
    if not by_key:
        return []
    models = {kind: KINDS[kind].model for kind, _pk in by_key}
    types = ContentType.objects.get_for_models(*models.values())
    kind_of_type = {types[model].pk: kind for kind, model in models.items()}
    which = Q()
    for kind, model in models.items():
        which |= Q(content_type=types[model], object_id__in=[pk for k, pk in by_key if k == kind])
    window = Q(at__gte=appeal.filed_at)
    if appeal.decided_at is not None:
        window &= Q(at__lte=appeal.decided_at)
    correction = appeal.correction if appeal.correction_id else None
    if correction is not None:
        # Written when the correction took effect, which may be after the decision (the leadership's approval).
        window |= Q(note__startswith=f"correction: {correction}")
    changes = ChangeRecord.objects.filter(which).filter(window)
    found = []
    for change in changes.select_related("by__profile").order_by("at", "pk"):
        kind = kind_of_type[change.content_type_id]
        fields = _field_changes(models[kind], change.changes)
        found.append(RecordCorrection(change, by_key[(kind, change.object_id)], fields))
    return found


def _field_changes(model, changes) -> list[tuple]:
    """(field label, old, new) for each field a change record names (a creation stores only the new values), in
    the model's field order: PostgreSQL's jsonb keeps the keys in an order of its own."""
    order = {field.name: index for index, field in enumerate(model._meta.concrete_fields)}
    changes = changes if isinstance(changes, dict) else {}
    rows = []
    for name in sorted(changes, key=lambda name: (order.get(name, len(order)), name)):
        value = changes[name]
        old, new = value if isinstance(value, list | tuple) and len(value) == 2 else (None, value)
        rows.append((_field_label(model, name), old, new))
    return rows


def appeal_history(appeal):
    """Every event, message and attachment, oldest first, as (when, kind, item) for the page's timeline."""
    items = [(e.at, "event", e) for e in appeal.events.select_related("by__profile")]
    items += [
        (m.at, "message", m) for m in appeal.messages.select_related("author__profile").prefetch_related("attachments")
    ]
    items.sort(key=lambda item: (item[0], 0 if item[1] == "event" else 1))
    return items


def appeal_page(*, appeal, user, today=None) -> dict:
    """Everything the appeal page shows to one of the people allowed to see it."""
    today = today or timezone.localdate()
    roles = roles_of(user)
    contested = set(appeal.indicators.values_list("pk", flat=True))
    current = (
        Scorecard.objects.filter(quarter_id=appeal.quarter_id, staff_id=appeal.staff_id, is_current=True)
        .only("pk", "version", "total", "rank", "ranked_count", "grade", "grade_en")
        .first()
    )
    contested_here = [line for line in contested_lines(appeal.scorecard) if line.indicator_id in contested]
    upheld = appeal.outcome == Outcome.UPHELD
    # The records are read for the groups (who get the links) and, once upheld, for the list of their corrections.
    links = record_links_by_line(contested_here) if roles.is_organiser or upheld else {}
    kinds = {link.kind for found in links.values() for link in found}
    clerks = data_clerks_by_kind(kinds) if roles.is_organiser else {}
    lines = [
        {
            "line": line,
            "records": links.get(line.pk, []),
            "clerks": _clerks_of(links.get(line.pk, []), clerks),
            "explain_url": reverse("portal:explain", args=[line.pk]),
        }
        for line in contested_here
    ]
    every_link = list({(link.kind, link.pk): link for found in links.values() for link in found}.values())
    return {
        "appeal": appeal,
        "lines": lines,
        "history": appeal_history(appeal),
        "filing_attachments": [a for a in appeal.attachments.all() if a.message_id is None],
        "adjustments": list(appeal.correction.adjustments.select_related("indicator", "created_by__profile"))
        if appeal.correction_id
        else [],
        "correction": appeal.correction if appeal.correction_id else None,
        "correction_changes": list(appeal.correction.record_changes.all()) if appeal.correction_id else [],
        "actions": actions_for(appeal=appeal, user=user),
        "is_appellant": user.pk == appeal.appellant_id,
        "is_organiser": roles.is_organiser,
        "can_message": appeal.is_open and (user.pk == appeal.appellant_id or roles.is_organiser),
        "handlers": list(execution_members(exclude=appeal.appellant)) if roles.is_execution else [],
        "current_scorecard": current,
        # Upheld: the corrections of the records that counted, so that the appeal's record shows them.
        "record_corrections": record_corrections(appeal, every_link) if upheld else [],
        "overdue": appeal.is_open and today > appeal.decision_due_on,
        "versions": list(
            Scorecard.objects.filter(quarter_id=appeal.quarter_id, staff_id=appeal.staff_id)
            .order_by("version")
            .only("pk", "version", "total", "rank", "ranked_count", "is_current", "correction_reason", "basis")
        ),
    }


# --- Report ----------------------------------------------------------------------------------------------


def appeal_statistics(*, quarter) -> dict:
    """Filed, upheld, rejected, withdrawn, still open, and the median days from filing to decision.

    For the execution group's report on the next quarter (regulation 二.2). Decisions by the leadership group
    count under their outcome (upheld or rejected).
    """
    appeals = Appeal.objects.filter(quarter=quarter)
    counts = appeals.aggregate(
        # distinct: the join on events (for "escalated") would otherwise count an appeal once per event.
        filed=Count("pk", distinct=True),
        upheld=Count("pk", filter=Q(outcome=Outcome.UPHELD), distinct=True),
        rejected=Count("pk", filter=Q(outcome=Outcome.REJECTED), distinct=True),
        withdrawn=Count("pk", filter=Q(status=AppealStatus.WITHDRAWN), distinct=True),
        escalated=Count("pk", filter=Q(events__action="escalate"), distinct=True),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES), distinct=True),
    )
    days = [
        (local_date(decided) - local_date(filed)).days
        for filed, decided in appeals.exclude(outcome="").values_list("filed_at", "decided_at")
    ]
    median = None
    if days:
        median = Decimal(str(statistics.median(days))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return {**counts, "median_days_to_decide": median}


def quarter_corrections(*, quarter) -> list[Scorecard]:
    """The current scorecards of the quarter that are corrections (version 2 or later), oldest correction first,
    for the note above the ranked tables: a published ranking says which of its results were corrected
    (docs/results.md, "Corrections").

    One query, none at all before publication: only a published quarter's results are ever corrected.
    """
    if quarter.published_at is None:
        return []
    return list(
        Scorecard.objects.filter(quarter=quarter, is_current=True, version__gt=1)
        .select_related("staff")
        .only("pk", "version", "position", "rank", "computed_at", "correction_reason", "basis", "staff__full_name")
        .order_by("computed_at", "position", "rank", "pk")
    )


def corrected_versions(corrections) -> dict[int, int]:
    """Scorecard id -> version, to mark the corrected rows of a ranked table."""
    return {card.pk: card.version for card in corrections}
