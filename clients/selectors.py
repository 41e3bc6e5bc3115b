"""Reads behind the department-data pages: each kind's list (search, filters, counts) and a record's history."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.paginator import Paginator
from django.db.models import BooleanField, Case, Count, DecimalField, Q, Sum, Value, When
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from clients.audit import history_for
from clients.models import (
    COMPLAINT_DEADLINE,
    ChangeRecord,
    Client,
    Complaint,
    Contract,
    DataDelivery,
    RevenueEntry,
    SatisfactionSurvey,
)
from reviews.models import Department, Position, Quarter, QuarterState, StaffProfile
from reviews.roles import DATA_KINDS_BY_DEPARTMENT

PAGE_SIZE = 50


@dataclass(frozen=True)
class DataKind:
    """How one kind of department data is listed, searched and filtered."""

    kind: str
    model: type
    title: str
    singular: str
    date_field: str
    date_label: str
    key_field: str
    search_fields: tuple
    search_hint: str
    related: tuple
    person_label: str
    person_q: Callable
    client_label: str
    # The path from the record to the client the client filter matches ("referred_by", "contract__client", …).
    client_path: str
    sum_field: str | None = None
    sum_label: str = ""
    # The list's order when it is not the model's (clients are listed newest first, the model orders by code).
    order: tuple = ()

    @property
    def date_is_datetime(self):
        return self.model._meta.get_field(self.date_field).get_internal_type() == "DateTimeField"


def _clients_of_lawyer(person):
    # A client "belongs" to the lawyers who originated or are responsible for one of its contracts.
    contracts = Contract.objects.filter(Q(originating_lawyer=person) | Q(responsible_lawyer=person))
    return Q(pk__in=contracts.values("client_id"))


# Regulation 三.3: the five kinds of data the business, finance and administrative departments deliver.
KINDS = {
    "clients": DataKind(
        kind="clients",
        model=Client,
        title=_("Clients"),
        singular=_("client"),
        date_field="created_on",
        date_label=_("created on"),
        key_field="code",
        search_fields=("code", "name", "email", "phone"),
        search_hint=_("Code, name, e-mail or phone"),
        related=("referred_by",),
        person_label=_("Lawyer on a contract"),
        person_q=_clients_of_lawyer,
        client_label=_("Referred by"),
        client_path="referred_by",
        order=("-created_on", "-pk"),
    ),
    "contracts": DataKind(
        kind="contracts",
        model=Contract,
        title=_("Engagement contracts"),
        singular=_("engagement contract"),
        date_field="signed_on",
        date_label=_("signed on"),
        key_field="number",
        search_fields=("number", "matter", "client__code", "client__name"),
        search_hint=_("Number, matter or client"),
        related=("client", "originating_lawyer", "responsible_lawyer"),
        person_label=_("Originating or responsible lawyer"),
        person_q=lambda person: Q(originating_lawyer=person) | Q(responsible_lawyer=person),
        client_label=_("Client"),
        client_path="client",
        sum_field="fee",
        sum_label=_("Total fees"),
    ),
    "revenue": DataKind(
        kind="revenue",
        model=RevenueEntry,
        title=_("Revenue entries"),
        singular=_("revenue entry"),
        date_field="received_on",
        date_label=_("received on"),
        key_field="ref",
        search_fields=("ref", "contract__number", "contract__client__code", "contract__client__name"),
        search_hint=_("Reference, contract or client"),
        related=("contract__client", "credited_to"),
        person_label=_("Credited to"),
        person_q=lambda person: Q(credited_to=person),
        client_label=_("Client"),
        client_path="contract__client",
        sum_field="amount",
        sum_label=_("Total received"),
    ),
    "complaints": DataKind(
        kind="complaints",
        model=Complaint,
        title=_("Complaints"),
        singular=_("complaint"),
        date_field="received_at",
        date_label=_("received at"),
        key_field="ref",
        search_fields=("ref", "resolution", "client__code", "client__name"),
        search_hint=_("Reference, resolution or client"),
        related=("client", "about", "handler"),
        person_label=_("About or handled by"),
        person_q=lambda person: Q(about=person) | Q(handler=person),
        client_label=_("Client"),
        client_path="client",
    ),
    "surveys": DataKind(
        kind="surveys",
        model=SatisfactionSurvey,
        title=_("Satisfaction surveys"),
        singular=_("satisfaction survey"),
        date_field="surveyed_on",
        date_label=_("surveyed on"),
        key_field="ref",
        search_fields=("ref", "comment", "client__code", "client__name"),
        search_hint=_("Reference, comment or client"),
        related=("client", "staff"),
        person_label=_("Staff"),
        person_q=lambda person: Q(staff=person),
        client_label=_("Client"),
        client_path="client",
    ),
}


def quarter_choices(*, today=None, extra=None):
    """Quarter codes to offer in the filter: the firm's quarters and the last eight calendar ones, newest first."""
    today = today or timezone.localdate()
    year, number = Quarter.containing(today)
    codes = set()
    for _step in range(8):
        codes.add((year, number))
        year, number = (year - 1, 4) if number == 1 else (year, number - 1)
    codes.update(Quarter.objects.values_list("year", "number"))
    if extra:
        codes.add(extra)
    return [f"{y}Q{n}" for y, n in sorted(codes, reverse=True)]


def _quarter_q(spec, year, number):
    start, end = Quarter.bounds(year, number)
    if spec.date_is_datetime:
        # Whole local days: from the first midnight of the quarter up to the first midnight after it.
        zone = timezone.get_current_timezone()
        after = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
        before = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        return Q(**{f"{spec.date_field}__gte": after, f"{spec.date_field}__lt": before})
    return Q(**{f"{spec.date_field}__range": (start, end)})


def clients_matching(text):
    """Clients whose code is the text (any case) or whose name contains it: what the client filter means."""
    text = text.strip()
    return Client.objects.filter(Q(code__iexact=text) | Q(name__icontains=text))


def records_filtered(*, kind, search="", quarter=None, person=None, client="", open_only=False):
    """The records of one kind matching the list filters, with everything the table shows joined in.

    The client filter is typed text (a code or part of a name): with 100,000 clients there is no list to pick
    from. The matching clients are looked up first and the records filtered by their ids: given a subquery, the
    planner guessed thousands of matches and walked the whole revenue table in date order to find one client's.
    """
    spec = KINDS[kind]
    records = spec.model.objects.select_related(*spec.related)
    if spec.order:
        records = records.order_by(*spec.order)
    if search:
        condition = Q()
        for field in spec.search_fields:
            condition |= Q(**{f"{field}__icontains": search})
        records = records.filter(condition)
    if quarter:
        records = records.filter(_quarter_q(spec, *quarter))
    if person is not None:
        records = records.filter(spec.person_q(person))
    if client:
        client_ids = list(clients_matching(client).values_list("pk", flat=True))
        records = records.filter(**{f"{spec.client_path}_id__in": client_ids})
    if open_only and spec.model is Complaint:
        records = records.filter(handled_at__isnull=True)
    return records


def complaint_overdue(now):
    """Regulation 三.2 (complaint handling timeliness): a complaint still open once the deadline after its receipt
    has passed (48 hours, clients.models.COMPLAINT_DEADLINE), as one annotation the list's page query carries."""
    return Case(
        When(handled_at__isnull=True, received_at__lt=now - COMPLAINT_DEADLINE, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def data_list_page(*, kind, filters, page_number=None, now=None):
    """One page of a kind's list, the number of matches (and their sum where it means something)."""
    spec = KINDS[kind]
    records = records_filtered(kind=kind, **filters)
    aggregates = {"matching": Count("pk")}
    if spec.sum_field:
        aggregates["total"] = Sum(spec.sum_field)
    # One aggregate over the filtered table alone: no joins for what the rows show, no ordering.
    summary = records.select_related(None).order_by().aggregate(**aggregates)
    if kind == "complaints":
        records = records.annotate(overdue=complaint_overdue(now or timezone.now()))
    paginator = Paginator(records, PAGE_SIZE)
    # The aggregate already counted the matches: spare the paginator its own COUNT query.
    paginator.count = summary["matching"]
    return {
        "spec": spec,
        "page": paginator.get_page(page_number),
        "matching": summary["matching"],
        "total": summary.get("total"),
        "filtered": any(value for value in filters.values()),
    }


def _field_label(model, name):
    try:
        return model._meta.get_field(name).verbose_name
    except Exception:  # a field that no longer exists still shows under its stored name
        return name


def _shown(model, name, value):
    """A logged value as the history shows it: amounts grouped by thousands (the log keeps "80000.00")."""
    try:
        model_field = model._meta.get_field(name)
    except Exception:  # a field that no longer exists: its value as stored
        return value
    if isinstance(model_field, DecimalField) and isinstance(value, str | int):
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return value
        return formats.number_format(amount, decimal_pos=model_field.decimal_places, use_l10n=True, force_grouping=True)
    return value


def record_history(*, instance):
    """The change records of one record, newest first, each with (field label, old, new) lines."""
    model = type(instance)
    entries = []
    for record in history_for(instance).select_related("by__profile"):
        lines = []
        changes = record.changes if isinstance(record.changes, dict) else {}
        for name, value in changes.items():
            if isinstance(value, list | tuple) and len(value) == 2:
                old, new = value
            else:
                old, new = None, value
            lines.append(
                {"field": _field_label(model, name), "old": _shown(model, name, old), "new": _shown(model, name, new)}
            )
        entries.append(
            {
                "record": record,
                "lines": lines,
                "is_import": record.action in IMPORT_ACTIONS,
                "is_creation": record.action in CREATE_ACTIONS,
            }
        )
    return entries


# Regulation 三.2 counts new clients, new-client revenue and repeat engagements for a contract's originating and
# responsible lawyer: only a lawyer holds either role. The entry form and the file import both ask here, so the
# two paths cannot disagree (docs/import-formats.md, engagement contracts).
CONTRACT_LAWYER_FIELDS = ("originating_lawyer", "responsible_lawyer")


def lawyers_q():
    """The staff who may be a contract's originating or responsible lawyer."""
    return Q(position=Position.LAWYER)


def staff_positions(ids) -> dict:
    """{staff profile id: position} for these ids, in one query per 2,000 ids."""
    ids = sorted({pk for pk in ids if pk is not None})
    positions = {}
    for start in range(0, len(ids), 2000):
        batch = ids[start : start + 2000]
        positions.update(StaffProfile.objects.filter(pk__in=batch).values_list("pk", "position"))
    return positions


def contract_lawyer_refusals(*, before: dict | None, after: dict, position_of: dict) -> dict[str, str]:
    """{field: message} for each lawyer field of a contract that names someone who is not a lawyer.

    before/after map the field names to staff profile ids (before is None for a new contract); position_of maps
    those ids to positions. A person already on the contract may stay (a lawyer who has since become a partner's
    assistant does not make the old contract unsavable); naming a non-lawyer anew is refused."""
    refusals = {}
    for name in CONTRACT_LAWYER_FIELDS:
        chosen = after.get(name)
        if chosen is None or (before is not None and before.get(name) == chosen):
            continue
        if position_of.get(chosen) != Position.LAWYER:
            label = Contract._meta.get_field(name).verbose_name
            refusals[name] = _("Only a lawyer can be the %(field)s; this person is not a lawyer.") % {"field": label}
    return refusals


IMPORT_ACTIONS = {ChangeRecord.Action.IMPORT_CREATE, ChangeRecord.Action.IMPORT_UPDATE}
CREATE_ACTIONS = {ChangeRecord.Action.CREATE, ChangeRecord.Action.IMPORT_CREATE}


# ------------------------------------------------------------------------------------------ deliveries

# Regulation 三.3: the departments deliver a quarter's data once it has ended and until it is scored.
COLLECTING_STATES = (QuarterState.SCHEME_APPROVED, QuarterState.COLLECTING)


def quarter_collecting(quarter, *, today) -> bool:
    """The quarter has ended and is not scored yet: its data is being delivered."""
    return quarter.state in COLLECTING_STATES and quarter.ends_on < today


def collecting_quarter(*, today):
    """The quarter whose data the departments deliver now (the oldest ended, unscored one), or None."""
    candidates = Quarter.objects.filter(state__in=COLLECTING_STATES).order_by("year", "number")
    return next((quarter for quarter in candidates if quarter.ends_on < today), None)


def standing_deliveries(quarter) -> dict:
    """{department id: its standing DataDelivery} for the quarter (none for a quarter not saved yet)."""
    if quarter is None or quarter.pk is None:
        return {}
    marks = DataDelivery.objects.filter(quarter=quarter, withdrawn_at__isnull=True).select_related("marked_by__profile")
    return {mark.department_id: mark for mark in marks}


def data_departments():
    """The departments that deliver data (regulation 三.3), in code order."""
    return Department.objects.filter(kind__in=list(DATA_KINDS_BY_DEPARTMENT)).order_by("code")


def delivery_page(*, departments, today) -> dict:
    """What the delivery page shows a clerk: the quarter being collected and, per department of theirs, what is
    entered for it, the standing mark and every earlier (withdrawn) one."""
    quarter = collecting_quarter(today=today)
    rows = []
    standing = standing_deliveries(quarter)
    history = {}
    if quarter is not None:
        for mark in DataDelivery.objects.filter(quarter=quarter, department__in=departments).select_related(
            "marked_by__profile", "withdrawn_by__profile"
        ):
            history.setdefault(mark.department_id, []).append(mark)
    for department in departments:
        kinds = []
        for kind in DATA_KINDS_BY_DEPARTMENT.get(department.kind, ()):
            count = records_filtered(kind=kind, quarter=(quarter.year, quarter.number)).count() if quarter else None
            kinds.append({"kind": kind, "title": KINDS[kind].title, "count": count})
        rows.append(
            {
                "department": department,
                "kinds": kinds,
                "mark": standing.get(department.pk),
                "history": history.get(department.pk, []),
            }
        )
    return {"quarter": quarter, "rows": rows}
