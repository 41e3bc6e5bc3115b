"""How a scorecard line was computed: the records that counted, as they were, and the formula with the numbers.

The records come from the result's basis (results.basis): the ids the computation listed on the line, with the
values it read, from the person's part. Nothing here selects or counts records again: the definitions are
indicators/scoring.py's alone. Whether the department records changed since is a separate question
(results.basis_changes). Ratings appear only as averages per rater type, never with names.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clients.models import Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey
from indicators import scoring
from indicators.models import RaterType
from indicators.rating_selectors import peer_figures_withheld
from results import basis as basis_module
from results.basis_changes import changes_since
from results.legacy import reconstructed_line


def fmt(value, places="0.01") -> str:
    """A number as the page shows it: half-up, trailing zeros after the point trimmed (2.50 → 2.5, 3.00 → 3),
    and a true minus sign."""
    if value is None:
        return "—"
    text = f"{scoring.round_half_up(Decimal(value), Decimal(places)):f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "−" + text[1:] if text.startswith("-") else text


def fmt_term(value, places="0.01") -> str:
    """A number inside a formula: a negative one in brackets ("10 + (−23.94) ÷ 3", not "10 + -23.94 ÷ 3")."""
    text = fmt(value, places)
    return f"({text})" if text.startswith("−") else text


# ---------------------------------------------------------------------------------------------------------
# The records behind a line, as the basis keeps them.


@dataclass(frozen=True)
class ClientView:
    pk: int
    code: str
    name: str
    referred_by: ClientView | None = None


@dataclass(frozen=True)
class ContractView:
    pk: int
    number: str
    client: ClientView
    signed_on: object
    closed_on: object = None


@dataclass(frozen=True)
class RevenueView:
    pk: int
    ref: str
    received_on: object
    amount: Decimal
    contract_number: str
    client: ClientView


@dataclass(frozen=True)
class ComplaintView:
    pk: int
    ref: str
    client: ClientView
    received_at: object
    handled_at: object = None


@dataclass(frozen=True)
class SurveyView:
    pk: int
    ref: str
    client: ClientView
    surveyed_on: object
    service_quality: int
    communication: int
    outcome: int

    @property
    def mean_score(self) -> Decimal:
        return Decimal(self.service_quality + self.communication + self.outcome) / 3


class _Records:
    """The records a line names: their values from the basis, their names and references from the department data
    (a name is not a value the definitions read; a record since removed shows its id)."""

    def __init__(self, rows: dict[str, dict[int, object]], wanted: dict[str, set]):
        self.rows = rows
        self.wanted = wanted
        self._labels: dict[str, dict[int, dict]] = {}

    def _label(self, kind, pk) -> dict:
        if kind not in self._labels:
            ids = set(self.rows.get(kind, {})) | set(self.wanted.get(kind, ())) | self._client_ids(kind)
            self._labels[kind] = _labels(kind, ids)
        return self._labels[kind].get(pk, {})

    def _client_ids(self, kind) -> set:
        if kind != basis_module.CLIENT:
            return set()
        ids = set()
        for rows in self.rows.values():
            for row in rows.values():
                ids.update(filter(None, [getattr(row, "client_id", None), getattr(row, "referred_by_id", None)]))
        # Complaints and surveys name their client only in the department data.
        for kind_of_record in (basis_module.COMPLAINT, basis_module.SURVEY):
            ids.update(
                label.get("client_id") for label in self._labels_of(kind_of_record).values() if label.get("client_id")
            )
        return ids

    def _labels_of(self, kind) -> dict:
        if kind not in self._labels:
            self._labels[kind] = _labels(kind, set(self.rows.get(kind, {})) | set(self.wanted.get(kind, ())))
        return self._labels[kind]

    def client(self, client_id, *, with_referrer=True) -> ClientView:
        if client_id is None:
            return ClientView(pk=None, code="", name="")
        label = self._label(basis_module.CLIENT, client_id)
        row = self.rows.get(basis_module.CLIENT, {}).get(client_id)
        referrer = None
        if with_referrer and row is not None and row.referred_by_id:
            referrer = self.client(row.referred_by_id, with_referrer=False)
        return ClientView(pk=client_id, code=label.get("code", f"#{client_id}"), name=label.get("name", ""),
                          referred_by=referrer)  # fmt: skip

    def _found(self, kind, ids):
        rows = self.rows.get(kind, {})
        return [rows[pk] for pk in ids if pk in rows]

    def contracts(self, ids) -> list[ContractView]:
        return [
            ContractView(
                pk=r.id,
                number=self._label(basis_module.CONTRACT, r.id).get("number", f"#{r.id}"),
                client=self.client(r.client_id),
                signed_on=r.signed_on,
                closed_on=r.closed_on,
            )  # fmt: skip
            for r in sorted(self._found(basis_module.CONTRACT, ids), key=lambda r: (r.signed_on, r.id))
        ]

    def revenue(self, ids) -> list[RevenueView]:
        views = []
        for r in self._found(basis_module.REVENUE, ids):
            label = self._label(basis_module.REVENUE, r.id)
            views.append(
                RevenueView(pk=r.id, ref=label.get("ref", f"#{r.id}"), received_on=r.received_on, amount=r.amount,
                            contract_number=label.get("contract_number", ""), client=self.client(r.client_id))
            )  # fmt: skip
        return sorted(views, key=lambda v: (v.received_on, v.ref))

    def complaints(self, ids) -> list[ComplaintView]:
        views = []
        for r in self._found(basis_module.COMPLAINT, ids):
            label = self._label(basis_module.COMPLAINT, r.id)
            views.append(
                ComplaintView(pk=r.id, ref=label.get("ref", f"#{r.id}"), client=self.client(label.get("client_id")),
                              received_at=r.received_at, handled_at=r.handled_at)
            )  # fmt: skip
        return sorted(views, key=lambda v: (v.received_at, v.pk))

    def surveys(self, ids) -> list[SurveyView]:
        views = []
        for r in self._found(basis_module.SURVEY, ids):
            label = self._label(basis_module.SURVEY, r.id)
            views.append(
                SurveyView(pk=r.id, ref=label.get("ref", f"#{r.id}"), client=self.client(label.get("client_id")),
                           surveyed_on=r.surveyed_on, service_quality=r.service_quality,
                           communication=r.communication, outcome=r.outcome)
            )  # fmt: skip
        return sorted(views, key=lambda v: (v.surveyed_on, v.ref))

    def clients(self, ids) -> list[ClientView]:
        return sorted((self.client(pk) for pk in ids), key=lambda c: (c.code, c.pk))


# How each kind of record is named on the page, read from the department data by id.
_LABEL_FIELDS = {
    basis_module.CLIENT: (Client, {"code": "code", "name": "name"}),
    basis_module.CONTRACT: (Contract, {"number": "number"}),
    basis_module.REVENUE: (RevenueEntry, {"ref": "ref", "contract_number": "contract__number"}),
    basis_module.COMPLAINT: (Complaint, {"ref": "ref", "client_id": "client_id"}),
    basis_module.SURVEY: (SatisfactionSurvey, {"ref": "ref", "client_id": "client_id"}),
}


def _labels(kind, ids) -> dict[int, dict]:
    if not ids:
        return {}
    model, fields = _LABEL_FIELDS[kind]
    names = list(fields)
    return {
        values[0]: dict(zip(names, values[1:], strict=True))
        for values in model.objects.filter(pk__in=list(ids)).values_list("pk", *fields.values())
    }


def _add_referrers(rows, clients):
    """The clients who referred the listed ones, for the "referred by" column."""
    listed = rows.setdefault(basis_module.CLIENT, {})
    for row in list(listed.values()):
        if row.referred_by_id and row.referred_by_id in clients:
            listed.setdefault(row.referred_by_id, clients[row.referred_by_id])


def _wanted(code, details) -> dict[str, set]:
    """The records a line's details name, by kind."""
    wanted: dict[str, set] = {}
    for key, kind in basis_module.DETAIL_KINDS.items():
        if details.get(key):
            wanted.setdefault(kind, set()).update(details[key])
    return wanted


def _sources(code, details, records: _Records) -> dict:
    """What the page lists for the line: the records its details name, with the values the basis kept."""
    ids = lambda key: details.get(key) or []  # noqa: E731
    sources: dict = {}
    if code == scoring.NEW_CLIENTS:
        sources["contracts"] = records.contracts(ids("contracts"))
    elif code == scoring.NEW_CLIENT_REVENUE_SHARE:
        from_new = set(ids("revenue_new"))
        sources["revenue"] = [
            {"entry": entry, "from_new_client": entry.pk in from_new} for entry in records.revenue(ids("revenue_all"))
        ]
    elif code in (scoring.REPEAT_ENGAGEMENT_RATE, scoring.REFERRAL_RATE):
        counted = set(ids("clients"))
        sources["existing_clients"] = [
            {"client": client, "counted": client.pk in counted} for client in records.clients(ids("existing_clients"))
        ]
        if code == scoring.REPEAT_ENGAGEMENT_RATE:
            sources["contracts"] = records.contracts(ids("contracts"))
        else:
            sources["referred"] = records.clients(ids("referred"))
    elif code == scoring.COMPLAINT_RATE:
        sources["complaints"] = records.complaints(ids("complaints"))
        sources["served_clients"] = records.clients(ids("served_clients"))
    elif code == scoring.COMPLAINT_TIMELINESS:
        labels = {"in_time": _("In time"), "late": _("Late"), "pending": _("Open, deadline not yet passed")}
        outcome_of = {pk: outcome for outcome in labels for pk in ids(outcome)}
        sources["complaints"] = [
            {"complaint": complaint, "outcome": outcome_of[complaint.pk], "label": labels[outcome_of[complaint.pk]]}
            for complaint in records.complaints(list(outcome_of))
        ]
        hours = details.get("deadline_hours")
        sources["deadline_hours"] = fmt(hours) if hours is not None else None
        sources["as_of"] = details.get("as_of")
    elif code == scoring.SATISFACTION:
        sources["surveys"] = records.surveys(ids("surveys"))
    return sources


def line_record_ids(line) -> dict[str, list[int]]:
    """The ids of the department records behind a line, by kind (contracts, revenue, complaints, surveys, clients),
    as the computation listed them on the line."""
    details = _details_with_ids(line)
    found: dict[str, set[int]] = {}
    names = {
        basis_module.CONTRACT: "contracts",
        basis_module.REVENUE: "revenue",
        basis_module.COMPLAINT: "complaints",
        basis_module.SURVEY: "surveys",
        basis_module.CLIENT: "clients",
    }
    for key, kind in basis_module.DETAIL_KINDS.items():
        if details.get(key):
            found.setdefault(names[kind], set()).update(details[key])
    # The clients of a new-client line are named by its contracts; the other lines list their clients themselves.
    if line.indicator.code == scoring.NEW_CLIENTS:
        found.pop("clients", None)
    return {kind: sorted(values) for kind, values in found.items()}


def _details_with_ids(line) -> dict:
    """The line's details; for a result computed before bases were kept, those of a reconstruction."""
    if line.scorecard.basis_id is None:
        return reconstructed_line(line).details
    return line.details or {}


# ---------------------------------------------------------------------------------------------------------
# The formula with the person's numbers.


def _calibrated_formula(value, calibration: dict) -> str:
    """A rated line under the scheme's centring rule: the average received and the total adjustment, never per
    rater (regulation 三.4; a ratee never learns whose scores were moved). The adjustment shown is the difference of
    the two rounded averages, so the figures on the page add up."""
    received = scoring.round_half_up(Decimal(calibration["received"]))
    shown = scoring.round_half_up(Decimal(value))
    adjustment = shown - received
    signed = fmt(adjustment) if adjustment < 0 else f"+{fmt(adjustment)}"
    return _(
        "Average score received %(received)s, calibrated %(adjustment)s = %(value)s (each rater's scores are centred "
        "on the round's average, regulation 3.4)"
    ) % {"received": fmt(received), "adjustment": signed, "value": fmt(shown)}


def _value_formula(line, code, details, *, withheld=False) -> str:
    value, numerator, denominator = line.value, line.numerator, line.denominator
    if code == scoring.NEW_CLIENTS:
        return _("New clients credited to the person = %(n)s") % {"n": fmt(value)}
    if code == scoring.SATISFACTION:
        return _(
            "Satisfaction = sum of the survey means ÷ number of surveys = %(num)s ÷ %(den)s = %(value)s "
            "(on 0–100: (%(value)s − 1) ÷ 4 × 100 = %(percent)s)"
        ) % {
            "num": fmt(numerator),
            "den": fmt(denominator),
            "value": fmt(value),
            "percent": fmt(scoring.satisfaction_percent(value)),
        }
    if code in scoring.RATED_CODES and details.get("calibration"):
        return _calibrated_formula(value, details["calibration"])
    if code in scoring.RATED_CODES:
        if details.get("weights") and withheld:
            return _(
                "Weighted average by rater type = %(value)s (the averages by kind of rater are not shown: fewer than "
                "three colleagues rated)"
            ) % {"value": fmt(value)}
        if details.get("weights"):
            parts = " + ".join(
                f"{fmt(weight)} × {details['by_rater_type'][kind]['average']}"
                for kind, weight in details["weights"].items()
            )
            total = fmt(sum(Decimal(w) for w in details["weights"].values()))
            return _("Weighted average by rater type = (%(parts)s) ÷ %(total)s = %(value)s") % {
                "parts": parts,
                "total": total,
                "value": fmt(value),
            }
        return _("Average score = sum of scores ÷ number of ratings = %(num)s ÷ %(den)s = %(value)s") % {
            "num": fmt(numerator),
            "den": fmt(denominator),
            "value": fmt(value),
        }
    names = {
        scoring.NEW_CLIENT_REVENUE_SHARE: _("revenue from new clients ÷ all revenue credited"),
        scoring.REPEAT_ENGAGEMENT_RATE: _("existing clients who signed again ÷ existing clients"),
        scoring.REFERRAL_RATE: _("existing clients who referred a new client ÷ existing clients"),
        scoring.COMPLAINT_RATE: _("complaints about the person ÷ clients served"),
        scoring.COMPLAINT_TIMELINESS: _("complaints handled in time ÷ complaints judged"),
    }
    return _("%(name)s × 100 = %(num)s ÷ %(den)s × 100 = %(value)s %%") % {
        "name": names[code],
        "num": fmt(numerator),
        "den": fmt(denominator),
        "value": fmt(value),
    }


def _points_formula(line, indicator, scale, kept_weight) -> list[str]:
    """The points, step by step, with the person's numbers."""
    steps = []
    weight = line.weight
    if line.no_data_applied:
        policy = {
            "full": _("No data: the scheme gives full marks (%(weight)s points).") % {"weight": fmt(weight)},
            "zero": _("No data: the scheme gives zero points."),
            "exclude": _(
                "No data: the scheme excludes this indicator; its %(weight)s points are spread over the others."
            )
            % {"weight": fmt(weight)},
        }
        steps.append(policy.get(line.no_data_policy, ""))
        raw = weight if line.no_data_policy == "full" else Decimal("0")
    elif indicator.kind == scoring.RATED:
        raw = min(max(weight * line.value / scale, Decimal("0")), weight)
        steps.append(
            _("Points = weight × average ÷ scale maximum = %(w)s × %(avg)s ÷ %(scale)s = %(points)s")
            % {"w": fmt(weight), "avg": fmt(line.value), "scale": scale, "points": fmt(raw)}
        )
    else:
        item = scoring.ItemRule.from_details(indicator.code, weight, line.details["rule"])
        rule = item
        step_size = item.step_size()
        if rule.step_mode == "relative":
            steps.append(
                _("One step = %(step)s %% of the target %(target)s = %(size)s")
                % {"step": fmt(rule.step), "target": fmt(rule.target), "size": fmt(step_size, "0.0001")}
            )
        else:
            steps.append(_("One step = %(size)s") % {"size": fmt(step_size, "0.0001")})
        deviation = line.value - rule.target
        if indicator.direction == "lower":
            steps.append(
                _("Lower is better: deviation = target − value = %(target)s − %(value)s = %(dev)s")
                % {
                    "target": fmt(rule.target, "0.0001"),
                    "value": fmt_term(line.value, "0.0001"),
                    "dev": fmt(-deviation, "0.0001"),
                }
            )
            deviation = -deviation
        else:
            steps.append(
                _("Deviation = value − target = %(value)s − %(target)s = %(dev)s")
                % {
                    "value": fmt(line.value, "0.0001"),
                    "target": fmt_term(rule.target, "0.0001"),
                    "dev": fmt(deviation, "0.0001"),
                }
            )
        unclamped = weight + deviation / step_size * rule.points_per_step
        raw = scoring.computed_points(line.value, item)
        steps.append(
            _(
                "Points = weight + deviation ÷ step × points per step = %(w)s + %(dev)s ÷ %(size)s × %(pps)s "
                "= %(points)s"
            )
            % {
                "w": fmt(weight),
                "dev": fmt_term(deviation, "0.0001"),
                "size": fmt(step_size, "0.0001"),
                "pps": fmt(rule.points_per_step),
                "points": fmt(unclamped),
            }
        )
        if raw != unclamped:
            steps.append(
                _("Kept within 0 and weight + bonus cap (%(max)s): %(points)s")
                % {"max": fmt(weight + rule.bonus_cap), "points": fmt(raw)}
            )
    details = line.details or {}
    # Corrections store "adjustment"; versions corrected before corrections had their own record, "appeal_adjustment".
    adjustment = details.get("adjustment") or details.get("appeal_adjustment")
    computed = Decimal(adjustment["computed_points"]) if adjustment else line.points
    if line.effective_weight not in (weight, Decimal("0")) and kept_weight:
        steps.append(
            _("Rescaled because other indicators had no data: %(raw)s × 100 ÷ %(kept)s = %(points)s")
            % {"raw": fmt(raw), "kept": fmt(kept_weight), "points": fmt(computed)}
        )
    if adjustment:
        # A correction adjusted the computed points (results.corrections, kept within [0, the line's ceiling]).
        delta = Decimal(adjustment["points"])
        numbers = {
            "computed": fmt(computed),
            "sign": "−" if delta < 0 else "+",
            "delta": fmt(abs(delta)),
            "points": fmt(computed + delta),
        }
        if "corrections" in adjustment:
            numbers["corrections"] = ", ".join(f"#{pk}" for pk in adjustment["corrections"])
            steps.append(
                _("Adjusted by correction %(corrections)s: %(computed)s %(sign)s %(delta)s = %(points)s") % numbers
            )
        else:
            numbers["appeals"] = ", ".join(f"#{pk}" for pk in adjustment.get("appeals", []))
            steps.append(
                _("Adjusted by the upheld appeal %(appeals)s: %(computed)s %(sign)s %(delta)s = %(points)s") % numbers
            )
        if computed + delta != line.points:
            steps.append(_("Kept within 0 and the line's ceiling: %(points)s") % {"points": fmt(line.points)})
    steps.append(
        _("Points on the scorecard (rounded half-up to two places): %(points)s") % {"points": fmt(line.points)}
    )
    return steps


def _amount(value, unit, *, step=False) -> str:
    """A target or a step in the indicator's unit, without trailing zeros: '2 clients', '20 %', '4.2 / 5'.
    A step of a percentage is in percentage points ('5 percentage points'), not a share of something."""
    number = fmt(value, "0.0001")
    count = 1 if number == "1" else 2  # the plural form only; the number itself is shown as it is
    if unit == "clients":
        return ngettext("%(n)s client", "%(n)s clients", count) % {"n": number}
    if unit == "%":
        if step:
            return ngettext("%(n)s percentage point", "%(n)s percentage points", count) % {"n": number}
        return f"{number} %"
    if unit == "score" and not step:
        return f"{number} / 5"
    return number


def rule_text(line, indicator, scale) -> str:
    """The scheme's rule for this line in plain words, in the reader's language (the line stores it as a formula
    for the record; people read this). Numbers without trailing zeros, targets and steps in the indicator's unit."""
    if indicator.kind == scoring.RATED:
        return _(
            "%(weight)s points × the average rating ÷ %(scale)s (the top of the rating scale): an average of "
            "%(scale)s earns all %(weight)s points."
        ) % {"weight": fmt(line.weight), "scale": scale}
    rule = (line.details or {}).get("rule")
    if not rule:
        # A line scored before its rule's parameters were kept: only the formula remains, which is no reading.
        return ""
    item = scoring.ItemRule.from_details(indicator.code, line.weight, rule)
    unit = indicator.unit
    if item.step_mode == "relative" and item.target:
        step = _("%(step)s %% of the target (%(size)s)") % {
            "step": fmt(item.step),
            "size": _amount(item.step_size(), unit, step=True),
        }
    else:
        step = _amount(item.step, unit, step=True)
    values = {
        "weight": fmt(item.weight),
        "target": _amount(item.target, unit),
        "pps": fmt(item.points_per_step),
        "step": step,
        "max": fmt(item.weight + item.bonus_cap),
    }
    if indicator.direction == "lower":
        return (
            _(
                "Lower is better. %(weight)s points at the target of %(target)s; %(pps)s more for each %(step)s "
                "below it and %(pps)s fewer for each %(step)s above it, part of a step in proportion; never below "
                "0 or above %(max)s points."
            )
            % values
        )
    return (
        _(
            "%(weight)s points at the target of %(target)s; %(pps)s more for each %(step)s above it and %(pps)s "
            "fewer for each %(step)s below it, part of a step in proportion; never below 0 or above %(max)s points."
        )
        % values
    )


def line_explanation(line, *, full_ratings=False) -> dict:
    """Everything the explanation page shows for one scorecard line.

    full_ratings=False (the ratee, their superiors) withholds the averages by kind of rater of a line that too few
    colleagues rated (indicators.rating_selectors.MIN_PEERS_SHOWN); the value and the points stay as they are.
    """
    card = line.scorecard
    indicator = line.indicator
    code = indicator.code
    details = line.details or {}
    scale = int({**{"rating_scale": 5}, **(card.scheme.parameters or {})}["rating_scale"])
    kept_weight = sum(
        (
            other.weight
            for other in card.lines.all()
            if not (other.no_data_applied and other.no_data_policy == "exclude")
        ),
        Decimal("0"),
    )
    if card.basis_id is None:
        # Computed before bases were kept: the records are rebuilt from today's data, and the page says so.
        rebuilt = reconstructed_line(line)
        wanted = _wanted(code, rebuilt.details)
        rows = {kind: {pk: rebuilt.records[kind][pk] for pk in ids if pk in rebuilt.records[kind]}
                for kind, ids in wanted.items()}  # fmt: skip
        _add_referrers(rows, rebuilt.records.get(basis_module.CLIENT, {}))
        sources = _sources(code, rebuilt.details, _Records(rows, wanted))
        changes = []
    else:
        basis = card.basis
        basis.quarter = card.quarter
        wanted = _wanted(code, details)
        rows = basis_module.records_of(basis, wanted)
        referrers = {row.referred_by_id for row in rows.get(basis_module.CLIENT, {}).values() if row.referred_by_id}
        if referrers:
            _add_referrers(rows, basis_module.records_of(basis, {basis_module.CLIENT: referrers})[basis_module.CLIENT])
        sources = _sources(code, details, _Records(rows, wanted))
        changes = changes_since(basis=basis, staff_id=card.staff_id, code=code, rows=rows)
    withheld = False
    if code in scoring.RATED_CODES:
        labels = dict(RaterType.choices)
        by_type = details.get("by_rater_type", {})
        withheld = not full_ratings and peer_figures_withheld(by_type.get(RaterType.PEER, {}).get("count", 0))
        sources["ratings"] = [
            {"rater_type": labels.get(kind, kind), "count": group["count"], "average": group["average"]}
            for kind, group in by_type.items()
            if not withheld
        ]
        sources["ratings_withheld"] = withheld
    return {
        "line": line,
        "card": card,
        "indicator": indicator,
        "sources": sources,
        "value_formula": None if line.value is None else _value_formula(line, code, details, withheld=withheld),
        "points_steps": _points_formula(line, indicator, scale, kept_weight),
        "rule_text": rule_text(line, indicator, scale),
        "reconstructed": card.basis_id is None,
        "records_changed": bool(changes),
        "changes": changes,
        "satisfaction_percent": fmt(scoring.satisfaction_percent(line.value))
        if code == scoring.SATISFACTION and line.value is not None
        else None,
    }
