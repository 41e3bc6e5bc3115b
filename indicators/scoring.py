"""The regulation's arithmetic (三.2 definitions, 三.4 scoring) as pure functions over plain data.

No ORM and no clock: selectors.py gathers the rows, this module turns them into raw values, points, totals,
grades and ranks. Decimal throughout; points are rounded half-up to two places once, at the end of each line.
docs/indicators.md states every definition and rule with worked examples.
"""

from __future__ import annotations

import datetime
from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

ZERO = Decimal("0")
ONE = Decimal("1")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")

# Indicator codes as in indicators/catalogue.py.
NEW_CLIENTS = "new_clients"
NEW_CLIENT_REVENUE_SHARE = "new_client_revenue_share"
SATISFACTION = "satisfaction"
REPEAT_ENGAGEMENT_RATE = "repeat_engagement_rate"
REFERRAL_RATE = "referral_rate"
COMPLAINT_RATE = "complaint_rate"
COMPLAINT_TIMELINESS = "complaint_timeliness"
COMMUNICATION = "communication"
COLLABORATION = "collaboration"
RATED_CODES = (COMMUNICATION, COLLABORATION)

FULL, ZERO_POLICY, EXCLUDE = "full", "zero", "exclude"
RELATIVE, ABSOLUTE = "relative", "absolute"
HIGHER, LOWER = "higher", "lower"
COMPUTED, RATED = "computed", "rated"
# The scheme's rater calibration of rated indicators (indicators/calibration.py): none, or centre each rater.
CALIBRATION_NONE, CALIBRATION_CENTRE = "none", "centre"


def round_half_up(value: Decimal, places: Decimal = CENT) -> Decimal:
    """The one rounding the scoring uses: half-up (2.345 → 2.35), two places unless told."""
    return value.quantize(places, rounding=ROUND_HALF_UP)


def stored_raw(value: Decimal | None) -> Decimal | None:
    """A raw value (value, numerator, denominator) as a scorecard line stores it: four decimals, half-up."""
    return None if value is None else round_half_up(Decimal(value), Decimal("0.0001"))


# ---------------------------------------------------------------------------------------------------------
# Inputs: plain rows, as the selectors read them.


@dataclass(frozen=True)
class Period:
    """The quarter being scored, the look-back window and the moment open complaints are judged at."""

    starts_on: datetime.date
    ends_on: datetime.date
    lookback_starts_on: datetime.date
    starts_at: datetime.datetime  # first instant of starts_on in the firm's time zone
    ends_before: datetime.datetime  # first instant after ends_on
    as_of: datetime.datetime
    complaint_deadline: datetime.timedelta = datetime.timedelta(hours=48)

    def contains_day(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def contains_moment(self, moment: datetime.datetime) -> bool:
        return self.starts_at <= moment < self.ends_before


class ContractRow(NamedTuple):
    id: int
    client_id: int
    originating_id: int
    responsible_id: int
    signed_on: datetime.date
    closed_on: datetime.date | None = None

    def lawyers(self) -> set[int]:
        return {self.originating_id, self.responsible_id}

    def active_in(self, period: Period) -> bool:
        """Signed by the quarter's end and not closed before it began."""
        return self.signed_on <= period.ends_on and (self.closed_on is None or self.closed_on >= period.starts_on)


class ClientRow(NamedTuple):
    """A client of the quarter's contract rows.

    contracted_before_window: the client signed a contract before the look-back window that is not among the
    contract rows (it was closed before the quarter began), so the client cannot be new. With it, the rows alone
    decide who is new, and a correction that adds or removes a contract row decides it again the same way.
    """

    id: int
    referred_by_id: int | None = None
    contracted_before_window: bool = False


class RevenueRow(NamedTuple):
    id: int
    credited_to_id: int
    client_id: int
    amount: Decimal
    received_on: datetime.date


class ComplaintRow(NamedTuple):
    id: int
    about_id: int
    handler_id: int | None
    received_at: datetime.datetime
    handled_at: datetime.datetime | None = None


class SurveyRow(NamedTuple):
    id: int
    staff_id: int
    surveyed_on: datetime.date
    service_quality: int
    communication: int
    outcome: int

    @property
    def mean(self) -> Decimal:
        return Decimal(self.service_quality + self.communication + self.outcome) / 3


class RatingGroup(NamedTuple):
    """The scores one person received for one indicator from one type of rater: how many, and their sum.

    adjustment: what the scheme's centring rule adds to that sum (indicators.calibration.centred_groups), zero
    when the scheme calibrates nothing. Kept with the group so a frozen basis scores and explains the same later.
    """

    ratee_id: int
    indicator: str
    rater_type: str
    count: int
    total: int
    adjustment: Decimal = ZERO


@dataclass(frozen=True)
class QuarterRows:
    """A quarter's inputs, as indicators.selectors reads them and as results keep them (the frozen basis)."""

    period: Period
    # A list of contracts, or a stream read as the quarter is scored (indicators.selectors.ContractStream).
    contracts: list[ContractRow] | Iterable = field(default_factory=list)
    clients: list[ClientRow] = field(default_factory=list)
    # A list of entries, or a stream read as the quarter is scored (indicators.selectors.RevenueStream).
    revenue: list[RevenueRow] | Iterable = field(default_factory=list)
    complaints: list[ComplaintRow] = field(default_factory=list)
    surveys: list[SurveyRow] = field(default_factory=list)
    ratings: list[RatingGroup] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------
# Raw values (regulation 三.2) with the records that counted.


@dataclass
class RawValue:
    """An indicator's value for one person; value None means there was nothing to measure."""

    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    details: dict = field(default_factory=dict)


def _ratio_percent(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return None if denominator == 0 else numerator * HUNDRED / denominator


def _sorted(ids) -> list[int]:
    return sorted(ids)


def amount_cents(amount: Decimal) -> int:
    """An amount of money (two decimal places, clients.RevenueEntry.amount) as a whole number of cents."""
    return int((Decimal(amount) * HUNDRED).to_integral_value(rounding=ROUND_HALF_UP))


def entry_batch(entries: Iterable[RevenueRow], period: Period) -> list[tuple]:
    """Revenue entries held as rows, in the period, as one batch of the shape RevenueTally folds."""
    return [
        (e.id, e.credited_to_id, e.client_id, amount_cents(e.amount), f"{e.amount:.2f}", str(e.received_on))
        for e in entries
        if period.contains_day(e.received_on)
    ]


class RevenueTally:
    """Regulation 三.2 新客户收入占比, folded one revenue entry at a time: per person, the cents credited in the
    quarter and the part from the clients they brought in that quarter, with the entries' ids.

    Entries come in batches of (id, credited_to_id, client_id, cents, amount as text, received_on as text). Nothing
    else of an entry is kept, so a quarter of millions of entries is read as a stream
    (indicators.selectors.RevenueStream) in the memory of its ids alone.
    """

    def __init__(self, new_clients_of: dict[int, set[int]], batches: Iterable[list[tuple]]):
        self._tally: dict[int, list] = {}
        tally, new_clients_of = self._tally, new_clients_of
        no_clients: set[int] = set()
        for batch in batches:
            for entry_id, person, client_id, cents, _amount, _received_on in batch:
                counts = tally.get(person)
                if counts is None:
                    counts = tally[person] = [0, 0, array("q"), array("q")]
                counts[0] += cents
                counts[2].append(entry_id)
                if client_id in new_clients_of.get(person, no_clients):
                    counts[1] += cents
                    counts[3].append(entry_id)

    def of(self, person: int) -> tuple[int, int, array, array]:
        """(all cents, cents from new clients, ids of all entries, ids of those from new clients)."""
        return tuple(self._tally.get(person, (0, 0, (), ())))


def contract_batch(contracts: Iterable[ContractRow]) -> list[tuple]:
    """Contracts held as rows as one batch of the shape ContractTally folds (dates as ISO text)."""
    return [
        (c.id, c.client_id, c.originating_id, c.responsible_id, c.signed_on.isoformat(),
         None if c.closed_on is None else c.closed_on.isoformat())
        for c in contracts
    ]  # fmt: skip


class ContractTally:
    """What regulation 三.2 reads of the contracts, folded one contract at a time: the contracts signed in the
    quarter (few, kept whole), which of the given clients signed one before it, and per person the clients of
    their contracts signed in the look-back window (existing) and of those active in the quarter (served).

    Contracts come in batches of (id, client_id, originating_id, responsible_id, signed_on, closed_on or None), the
    days as ISO text (which orders as the days do): a large firm's quarter reads a million contracts as a stream
    (indicators.selectors.ContractStream) and keeps none of those outside the quarter.
    """

    def __init__(self, period: Period, signing_clients: set[int], batches: Iterable[list[tuple]]):
        starts, ends = period.starts_on.isoformat(), period.ends_on.isoformat()
        lookback = period.lookback_starts_on.isoformat()
        # The contracts signed in the quarter, as ContractRow whose days are ISO text.
        self.in_quarter: list[ContractRow] = []
        self.signed_before: set[int] = set()  # of signing_clients only: no other client can be new
        # Per person, the client of each of their contracts, repeats and all: an array of ids costs 8 bytes a
        # contract where a set of int objects cost a hundred (a million contracts, 20,000 staff).
        self._existing: dict[int, array] = defaultdict(lambda: array("q"))
        self._served: dict[int, array] = defaultdict(lambda: array("q"))
        in_quarter, signed_before, existing_of, served_of = (
            self.in_quarter, self.signed_before, self._existing, self._served
        )  # fmt: skip
        for batch in batches:
            for contract in batch:
                _id, client, originating, responsible, signed_on, closed_on = contract
                if signed_on > ends:
                    continue
                if signed_on < starts:
                    if client in signing_clients:
                        signed_before.add(client)
                    if signed_on >= lookback:
                        existing_of[originating].append(client)
                        existing_of[responsible].append(client)
                else:
                    in_quarter.append(ContractRow._make(contract))
                # Active in the quarter: signed by its end (above) and not closed before it began.
                if closed_on is None or closed_on >= starts:
                    served_of[originating].append(client)
                    served_of[responsible].append(client)

    def existing_clients(self, person: int) -> set[int]:
        """The clients of the person's contracts signed in the look-back window, before the quarter."""
        return set(self._existing.get(person, ()))

    def served_clients(self, person: int) -> set[int]:
        """The clients of the person's contracts active in the quarter."""
        return set(self._served.get(person, ()))


class _Facts:
    """Everything the definitions need, indexed once per quarter (one pass over each list of rows, or stream)."""

    def __init__(self, rows: QuarterRows):
        period = self.period = rows.period
        clients = {client.id: client for client in rows.clients}

        # Held rows, or a stream of the contracts (selectors.ContractStream). Only a client that signs a contract in
        # the quarter can be new: the streamed rows' clients are those (selectors.period_records); held rows (a
        # correction's, which may add or remove contracts) say so themselves.
        if isinstance(rows.contracts, list):
            held = contract_batch(rows.contracts)
            starts, ends = period.starts_on.isoformat(), period.ends_on.isoformat()
            signing = {contract[1] for contract in held if starts <= contract[4] <= ends}
            contracts = ContractTally(period, signing, [held])
        else:
            contracts = ContractTally(period, set(clients), rows.contracts.batches())
        in_quarter = contracts.in_quarter
        self.clients_signing_in_quarter = {c.client_id for c in in_quarter}

        # Regulation 三.2 新客户数量: a client is new when its first engagement contract is signed in the quarter: it
        # signs one in the quarter, none of its rows is signed before the quarter, and it has no older contract
        # outside the rows. The contract that makes it new (earliest, lowest id on a tie) credits its originating
        # lawyer.
        signed_before = contracts.signed_before | {
            client.id for client in rows.clients if client.contracted_before_window
        }
        first_contract: dict[int, ContractRow] = {}
        for contract in in_quarter:
            if contract.client_id in signed_before:
                continue
            best = first_contract.get(contract.client_id)
            if best is None or (contract.signed_on, contract.id) < (best.signed_on, best.id):
                first_contract[contract.client_id] = contract
        self.new_client_contract = first_contract
        self.new_clients_of: dict[int, set[int]] = defaultdict(set)
        for client_id, contract in first_contract.items():
            self.new_clients_of[contract.originating_id].add(client_id)
        # Existing clients who referred a new client of the quarter.
        self.referrer_of: dict[int, list[int]] = defaultdict(list)
        for client_id in first_contract:
            referrer = clients[client_id].referred_by_id if client_id in clients else None
            if referrer is not None:
                self.referrer_of[referrer].append(client_id)

        # Existing clients: a contract signed before the quarter, within the look-back window, on which the
        # person is originating or responsible lawyer. Served clients: a contract of theirs active in the quarter.
        self.existing_clients = contracts.existing_clients
        self.served_clients = contracts.served_clients
        self.quarter_contracts_of_client: dict[int, list[int]] = defaultdict(list)
        for contract in in_quarter:
            self.quarter_contracts_of_client[contract.client_id].append(contract.id)

        # Held rows, or a stream of the quarter's entries (selectors.RevenueStream), already within the period.
        streamed = not isinstance(rows.revenue, list)
        batches = rows.revenue.batches() if streamed else [entry_batch(rows.revenue, period)]
        self.revenue = RevenueTally(self.new_clients_of, batches)

        self.complaints_about: dict[int, list[ComplaintRow]] = defaultdict(list)
        self.complaints_handled_by: dict[int, list[ComplaintRow]] = defaultdict(list)
        for complaint in rows.complaints:
            if period.contains_moment(complaint.received_at):
                self.complaints_about[complaint.about_id].append(complaint)
                if complaint.handler_id is not None:
                    self.complaints_handled_by[complaint.handler_id].append(complaint)

        self.surveys_of: dict[int, list[SurveyRow]] = defaultdict(list)
        for survey in rows.surveys:
            if period.contains_day(survey.surveyed_on):
                self.surveys_of[survey.staff_id].append(survey)

        self.ratings_of: dict[tuple[int, str], list[RatingGroup]] = defaultdict(list)
        for group in rows.ratings:
            self.ratings_of[(group.ratee_id, group.indicator)].append(group)


def new_clients(facts: _Facts, person: int) -> RawValue:
    clients = facts.new_clients_of.get(person, set())
    contracts = [facts.new_client_contract[c].id for c in clients]
    return RawValue(
        Decimal(len(clients)),
        details={"clients": _sorted(clients), "contracts": _sorted(contracts)},
    )


def new_client_revenue_share(facts: _Facts, person: int) -> RawValue:
    total_cents, new_cents, all_ids, new_ids = facts.revenue.of(person)
    total, new_total = Decimal(total_cents) / HUNDRED, Decimal(new_cents) / HUNDRED
    return RawValue(
        _ratio_percent(new_total, total),
        new_total,
        total,
        details={"revenue_new": sorted(new_ids), "revenue_all": sorted(all_ids)},
    )


def repeat_engagement_rate(facts: _Facts, person: int) -> RawValue:
    existing = facts.existing_clients(person)
    again = existing & facts.clients_signing_in_quarter
    contracts = [cid for client in again for cid in facts.quarter_contracts_of_client[client]]
    return RawValue(
        _ratio_percent(Decimal(len(again)), Decimal(len(existing))),
        Decimal(len(again)),
        Decimal(len(existing)),
        details={"existing_clients": _sorted(existing), "clients": _sorted(again), "contracts": _sorted(contracts)},
    )


def referral_rate(facts: _Facts, person: int) -> RawValue:
    existing = facts.existing_clients(person)
    referrers = {client for client in existing if client in facts.referrer_of}
    referred = [new for client in referrers for new in facts.referrer_of[client]]
    return RawValue(
        _ratio_percent(Decimal(len(referrers)), Decimal(len(existing))),
        Decimal(len(referrers)),
        Decimal(len(existing)),
        details={"existing_clients": _sorted(existing), "clients": _sorted(referrers), "referred": _sorted(referred)},
    )


def complaint_rate(facts: _Facts, person: int) -> RawValue:
    complaints = facts.complaints_about.get(person, [])
    served = facts.served_clients(person)
    return RawValue(
        _ratio_percent(Decimal(len(complaints)), Decimal(len(served))),
        Decimal(len(complaints)),
        Decimal(len(served)),
        details={"complaints": _sorted(c.id for c in complaints), "served_clients": _sorted(served)},
    )


def complaint_outcome(complaint: ComplaintRow, period: Period) -> str:
    """'in_time', 'late' or 'pending' (still open, deadline not yet passed at period.as_of)."""
    deadline_at = complaint.received_at + period.complaint_deadline
    if complaint.handled_at is not None:
        return "in_time" if complaint.handled_at <= deadline_at else "late"
    return "late" if period.as_of > deadline_at else "pending"


def complaint_timeliness(facts: _Facts, person: int) -> RawValue:
    outcomes = defaultdict(list)
    for complaint in facts.complaints_handled_by.get(person, []):
        outcomes[complaint_outcome(complaint, facts.period)].append(complaint.id)
    in_time, late = len(outcomes["in_time"]), len(outcomes["late"])
    return RawValue(
        _ratio_percent(Decimal(in_time), Decimal(in_time + late)),
        Decimal(in_time),
        Decimal(in_time + late),
        details={
            "in_time": _sorted(outcomes["in_time"]),
            "late": _sorted(outcomes["late"]),
            "pending": _sorted(outcomes["pending"]),
            "as_of": facts.period.as_of.isoformat(),
            "deadline_hours": facts.period.complaint_deadline.total_seconds() / 3600,
        },
    )


def satisfaction_percent(mean: Decimal) -> Decimal:
    """The 1–5 satisfaction mean on a 0–100 scale: 1 → 0, 3 → 50, 5 → 100."""
    return (mean - ONE) * HUNDRED / 4


def satisfaction(facts: _Facts, person: int) -> RawValue:
    surveys = facts.surveys_of.get(person, [])
    if not surveys:
        return RawValue(None, ZERO, ZERO, details={"surveys": []})
    # Mean of means: every survey counts once, whatever its three scores.
    total = sum((s.mean for s in surveys), ZERO)
    mean = total / len(surveys)
    return RawValue(
        mean,
        total,
        Decimal(len(surveys)),
        details={"surveys": _sorted(s.id for s in surveys), "percent": str(round_half_up(satisfaction_percent(mean)))},
    )


def _rated_value(by_type: dict[str, tuple[int, Decimal]], weights: dict[str, Decimal]) -> Decimal | None:
    """The plain average of every score, or the weighted average of the kinds of rater the scheme weighs."""
    if weights:
        # Only rater types the scheme weighs count; the weights of the types present are renormalised.
        present = {kind: by_type[kind] for kind in weights if by_type.get(kind, (0, 0))[0]}
        if not present:
            return None
        weight_sum = sum(weights[kind] for kind in present)
        return sum(weights[kind] * Decimal(t) / c for kind, (c, t) in present.items()) / weight_sum
    count = sum(c for c, _ in by_type.values())
    return Decimal(sum(t for _, t in by_type.values())) / count if count else None


def rated(
    facts: _Facts,
    person: int,
    code: str,
    rater_weights: dict[str, Decimal] | None = None,
    calibration: str = CALIBRATION_NONE,
) -> RawValue:
    """Regulation 三.4 定性指标: the plain average of all raters' scores, or weighted by rater type.

    With the centring rule the average is taken over the centred scores; details["calibration"] then keeps the
    average as received and the adjustment, never per rater.
    """
    groups = facts.ratings_of.get((person, code), [])
    centred = calibration == CALIBRATION_CENTRE
    by_type: dict[str, tuple[int, int]] = {}
    centred_by_type: dict[str, tuple[int, Decimal]] = {}
    for group in groups:
        count, total = by_type.get(group.rater_type, (0, 0))
        by_type[group.rater_type] = (count + group.count, total + group.total)
        count, total = centred_by_type.get(group.rater_type, (0, ZERO))
        centred_by_type[group.rater_type] = (count + group.count, total + group.total + group.adjustment)
    # Averages per rater type only: a ratee never sees who gave which score.
    details: dict = {
        "by_rater_type": {
            kind: {"count": c, "average": str(round_half_up(Decimal(t) / c))}
            for kind, (c, t) in sorted(by_type.items())
            if c
        }
    }
    weights = {kind: Decimal(w) for kind, w in (rater_weights or {}).items() if Decimal(w) > 0}
    received = _rated_value(by_type, weights)
    value = _rated_value(centred_by_type, weights) if centred else received
    if value is None:
        return RawValue(None, ZERO, ZERO, details=details)
    if centred:
        # Regulation 一.3 (the same rules for everyone): a generous or strict rater weighs no more than another.
        details["calibration"] = {
            "rule": CALIBRATION_CENTRE,
            "received": str(stored_raw(received)),
            "adjustment": str(stored_raw(value) - stored_raw(received)),
        }
    if weights:
        details["weights"] = {kind: str(weights[kind]) for kind in weights if by_type.get(kind, (0, 0))[0]}
        return RawValue(value, None, None, details=details)
    count = sum(c for c, _ in by_type.values())
    total = sum(t for _, t in (centred_by_type if centred else by_type).values())
    return RawValue(value, Decimal(total), Decimal(count), details=details)


_COMPUTED = {
    NEW_CLIENTS: new_clients,
    NEW_CLIENT_REVENUE_SHARE: new_client_revenue_share,
    SATISFACTION: satisfaction,
    REPEAT_ENGAGEMENT_RATE: repeat_engagement_rate,
    REFERRAL_RATE: referral_rate,
    COMPLAINT_RATE: complaint_rate,
    COMPLAINT_TIMELINESS: complaint_timeliness,
}


def raw_value(facts: _Facts, person: int, rule: ItemRule, calibration: str = CALIBRATION_NONE) -> RawValue:
    if rule.code in _COMPUTED:
        return _COMPUTED[rule.code](facts, person)
    return rated(facts, person, rule.code, rule.rater_weights, calibration)


def index_rows(rows: QuarterRows) -> _Facts:
    """Index a quarter's rows once so each person's raw values are cheap look-ups."""
    return _Facts(rows)


# ---------------------------------------------------------------------------------------------------------
# Points (regulation 三.4).


@dataclass(frozen=True)
class ItemRule:
    """One scheme item: an indicator's weight, target and rule for a position."""

    code: str
    weight: Decimal
    kind: str = COMPUTED
    direction: str = HIGHER
    target: Decimal = ZERO
    step: Decimal = Decimal("10")
    step_mode: str = RELATIVE
    points_per_step: Decimal = ONE
    bonus_cap: Decimal = ZERO
    no_data_policy: str = EXCLUDE
    rater_weights: dict = field(default_factory=dict, hash=False, compare=False)
    indicator_id: int | None = None

    def step_size(self) -> Decimal:
        """One step in the indicator's own unit; a relative step is a percentage of the target."""
        if self.step_mode == ABSOLUTE:
            return self.step
        if self.target == 0:
            raise ValueError(f"{self.code}: a zero target needs absolute steps")
        return abs(self.target) * self.step / HUNDRED

    def as_details(self) -> dict:
        """The rule's parameters as JSON, kept with the result so its explanation never depends on later edits."""
        return {
            "kind": self.kind,
            "direction": self.direction,
            "target": str(self.target),
            "step": str(self.step),
            "step_mode": self.step_mode,
            "points_per_step": str(self.points_per_step),
            "bonus_cap": str(self.bonus_cap),
        }

    @classmethod
    def from_details(cls, code: str, weight: Decimal, details: dict) -> ItemRule:
        return cls(
            code=code,
            weight=weight,
            kind=details["kind"],
            direction=details["direction"],
            target=Decimal(details["target"]),
            step=Decimal(details["step"]),
            step_mode=details["step_mode"],
            points_per_step=Decimal(details["points_per_step"]),
            bonus_cap=Decimal(details["bonus_cap"]),
        )

    def describe(self, scale: int) -> str:
        """The rule as a short formula (stored on the scorecard line)."""
        if self.kind == RATED:
            return f"{self.weight} × avg ÷ {scale}"
        sign = "−" if self.direction == LOWER else "+"
        unit = "%" if self.step_mode == RELATIVE else ""
        return (
            f"{self.weight} {sign} (value − {self.target}) ÷ {self.step}{unit} × {self.points_per_step}; "
            f"[0, {self.weight + self.bonus_cap}]"
        )


def computed_points(value: Decimal, rule: ItemRule) -> Decimal:
    """Full weight at target; points_per_step per step of deviation, partial steps in proportion; clamped."""
    deviation = value - rule.target
    if rule.direction == LOWER:
        deviation = -deviation
    points = rule.weight + deviation / rule.step_size() * rule.points_per_step
    return min(max(points, ZERO), rule.weight + rule.bonus_cap)


def rated_points(average: Decimal, rule: ItemRule, scale: int) -> Decimal:
    """Weight × average ÷ scale maximum, never outside [0, weight]."""
    return min(max(rule.weight * average / Decimal(scale), ZERO), rule.weight)


@dataclass
class LineResult:
    code: str
    indicator_id: int | None
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    target: Decimal | None
    weight: Decimal
    effective_weight: Decimal
    points: Decimal
    rule: str
    no_data_policy: str
    no_data_applied: bool
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Band:
    min_total: Decimal
    label_zh: str
    label_en: str


@dataclass
class PersonResult:
    staff_id: int
    position: str
    lines: list[LineResult]
    total: Decimal
    grade: Band | None = None
    rank: int = 0
    ranked_count: int = 0

    def line(self, code: str) -> LineResult | None:
        return next((line for line in self.lines if line.code == code), None)


def score_lines(
    raw: dict[str, RawValue], rules: list[ItemRule], scale: int = 5, texts: dict | None = None
) -> tuple[list[LineResult], Decimal]:
    """Points for one person's indicators and their total.

    `texts` may carry each rule's formula and JSON from an earlier person (score_quarter formats every rule once
    rather than once per line).

    Each item's no-data policy applies when its value is missing: full weight, zero, or exclude — the item
    then weighs nothing and the others are rescaled so the total stays out of 100.
    """
    unrounded = {}
    excluded = set()
    for rule in rules:
        value = raw[rule.code].value
        if value is None:
            if rule.no_data_policy == FULL:
                unrounded[rule.code] = rule.weight
            elif rule.no_data_policy == ZERO_POLICY:
                unrounded[rule.code] = ZERO
            else:
                excluded.add(rule.code)
                unrounded[rule.code] = ZERO
        elif rule.kind == RATED:
            unrounded[rule.code] = rated_points(value, rule, scale)
        else:
            unrounded[rule.code] = computed_points(value, rule)

    nominal = sum((rule.weight for rule in rules), ZERO)
    kept = sum((rule.weight for rule in rules if rule.code not in excluded), ZERO)
    factor = nominal / kept if kept else ZERO

    lines = []
    texts = {} if texts is None else texts
    for rule in rules:
        item = raw[rule.code]
        is_excluded = rule.code in excluded
        if id(rule) not in texts:
            texts[id(rule)] = (rule.describe(scale), rule.as_details())
        described, rule_details = texts[id(rule)]
        lines.append(
            LineResult(
                code=rule.code,
                indicator_id=rule.indicator_id,
                value=item.value,
                numerator=item.numerator,
                denominator=item.denominator,
                target=None if rule.kind == RATED else rule.target,
                weight=rule.weight,
                effective_weight=ZERO if is_excluded else round_half_up(rule.weight * factor),
                points=round_half_up(unrounded[rule.code] * factor),
                rule=described,
                no_data_policy=rule.no_data_policy,
                no_data_applied=item.value is None,
                details={**item.details, "rule": dict(rule_details)},
            )
        )
    # The total is the exact sum of the rounded points the person sees on each line.
    return lines, sum((line.points for line in lines), ZERO)


def grade_for(total: Decimal, bands: list[Band]) -> Band | None:
    """The band with the highest floor at or below the total."""
    for band in sorted(bands, key=lambda b: b.min_total, reverse=True):
        if total >= band.min_total:
            return band
    return None


def rank_competition(totals: dict[int, Decimal]) -> dict[int, int]:
    """Standard competition ranking ("1224"): equal totals share a rank, the next rank skips."""
    ordered = sorted(totals.items(), key=lambda item: item[1], reverse=True)
    ranks, previous, rank = {}, None, 0
    for position, (key, total) in enumerate(ordered, start=1):
        if total != previous:
            rank, previous = position, total
        ranks[key] = rank
    return ranks


@dataclass(frozen=True)
class Person:
    staff_id: int
    position: str


def score_quarter(
    rows: QuarterRows,
    people: list[Person],
    rules_by_position: dict[str, list[ItemRule]],
    bands: list[Band],
    scale: int = 5,
    calibration: str = CALIBRATION_NONE,
) -> list[PersonResult]:
    """Every person's lines, total, grade and rank within position (regulation 三.4, 三.5); rated indicators
    calibrated by the scheme's rule (indicators/calibration.py)."""
    facts = index_rows(rows)
    results = []
    texts: dict = {}
    for person in people:
        rules = rules_by_position.get(person.position, [])
        if not rules:
            continue
        raw = {rule.code: raw_value(facts, person.staff_id, rule, calibration) for rule in rules}
        lines, total = score_lines(raw, rules, scale, texts)
        results.append(PersonResult(person.staff_id, person.position, lines, total, grade_for(total, bands)))
    by_position: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for result in results:
        by_position[result.position][result.staff_id] = result.total
    ranks = {position: rank_competition(group) for position, group in by_position.items()}
    for result in results:
        result.rank = ranks[result.position][result.staff_id]
        result.ranked_count = len(by_position[result.position])
    return results
