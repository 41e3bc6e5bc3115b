"""How a scorecard line was computed: the source records that counted and the formula with the person's numbers.

The scoring stores counts and sums on the line, not the thousands of record ids behind them; this page asks the
database again for the one person's records of the quarter under the same definitions and the scheme's parameters
(a handful of indexed queries). Ratings appear only as averages per rater type, never with names.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from clients.models import ChangeRecord, Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey

from . import scoring, selectors
from .models import RaterType
from .rating_selectors import peer_figures_withheld


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
# The person's source records for the quarter, under the same definitions as selectors.client_totals.


def _period(card, details) -> scoring.Period:
    """The period the line was scored over; open complaints are judged at the moment stored with the line."""
    as_of = details.get("as_of")
    as_of = datetime.datetime.fromisoformat(as_of) if as_of else card.computed_at
    return selectors.quarter_period(card.quarter, selectors.scheme_parameters(card.scheme), as_of)


def _in_quarter(period, field="signed_on"):
    return Q(**{f"{field}__gte": period.starts_on, f"{field}__lte": period.ends_on})


def _new_clients_filter(period):
    """Contracts that make their client new in the quarter: signed in it, none before, the client's first one."""
    earlier = Contract.objects.filter(client=OuterRef("client"), signed_on__lt=period.starts_on)
    first = Contract.objects.filter(client=OuterRef("client")).order_by("signed_on", "id").values("id")[:1]
    return Contract.objects.filter(_in_quarter(period)).filter(~Exists(earlier)).filter(id=first)


def new_client_contracts(staff_id, period) -> list:
    """The first contracts of the person's new clients (regulation 三.2 新客户数量)."""
    return list(
        _new_clients_filter(period)
        .filter(originating_lawyer_id=staff_id)
        .select_related("client")
        .order_by("signed_on", "id")
    )


def _lawyer_of(staff_id):
    return Q(originating_lawyer_id=staff_id) | Q(responsible_lawyer_id=staff_id)


def existing_clients(staff_id, period) -> list:
    """Clients with a contract signed in the look-back window before the quarter on which the person is a lawyer."""
    before = Contract.objects.filter(
        _lawyer_of(staff_id), signed_on__gte=period.lookback_starts_on, signed_on__lt=period.starts_on
    )
    return list(Client.objects.filter(pk__in=before.values("client_id")))


def served_clients(staff_id, period) -> list:
    """Clients with a contract of the person's active in the quarter (signed by its end, not closed before it)."""
    active = Contract.objects.filter(
        _lawyer_of(staff_id),
        Q(closed_on__isnull=True) | Q(closed_on__gte=period.starts_on),
        signed_on__lte=period.ends_on,
    )
    return list(Client.objects.filter(pk__in=active.values("client_id")))


def _sources(code, staff_id, period) -> dict:
    sources = {}
    if code == scoring.NEW_CLIENTS:
        sources["contracts"] = new_client_contracts(staff_id, period)
    elif code == scoring.NEW_CLIENT_REVENUE_SHARE:
        new_ids = {contract.client_id for contract in new_client_contracts(staff_id, period)}
        entries = (
            RevenueEntry.objects.filter(_in_quarter(period, "received_on"), credited_to_id=staff_id)
            .select_related("contract__client")
            .order_by("received_on", "ref")
        )
        sources["revenue"] = [{"entry": e, "from_new_client": e.contract.client_id in new_ids} for e in entries]
    elif code in (scoring.REPEAT_ENGAGEMENT_RATE, scoring.REFERRAL_RATE):
        existing = existing_clients(staff_id, period)
        ids = [c.pk for c in existing]
        if code == scoring.REPEAT_ENGAGEMENT_RATE:
            # Any contract of an existing client in the quarter, whoever signed it.
            sources["contracts"] = list(
                Contract.objects.filter(_in_quarter(period), client_id__in=ids)
                .select_related("client")
                .order_by("signed_on", "id")
            )
            counted = {c.client_id for c in sources["contracts"]}
        else:
            new_clients = _new_clients_filter(period).values("client_id")
            sources["referred"] = list(
                Client.objects.filter(pk__in=new_clients, referred_by_id__in=ids).select_related("referred_by")
            )
            counted = {c.referred_by_id for c in sources["referred"]}
        sources["existing_clients"] = [{"client": c, "counted": c.pk in counted} for c in existing]
    elif code == scoring.COMPLAINT_RATE:
        sources["complaints"] = list(
            Complaint.objects.filter(
                about_id=staff_id, received_at__gte=period.starts_at, received_at__lt=period.ends_before
            )
            .select_related("client")
            .order_by("received_at", "id")
        )
        sources["served_clients"] = served_clients(staff_id, period)
    elif code == scoring.COMPLAINT_TIMELINESS:
        labels = {"in_time": _("In time"), "late": _("Late"), "pending": _("Open, deadline not yet passed")}
        rows = []
        for complaint in (
            Complaint.objects.filter(
                handler_id=staff_id, received_at__gte=period.starts_at, received_at__lt=period.ends_before
            )
            .select_related("client")
            .order_by("received_at", "id")
        ):
            outcome = scoring.complaint_outcome(complaint, period)
            rows.append({"complaint": complaint, "outcome": outcome, "label": labels[outcome]})
        sources["complaints"] = rows
        sources["deadline_hours"] = fmt(period.complaint_deadline.total_seconds() / 3600)
        sources["as_of"] = period.as_of.isoformat()
    elif code == scoring.SATISFACTION:
        sources["surveys"] = list(
            SatisfactionSurvey.objects.filter(_in_quarter(period, "surveyed_on"), staff_id=staff_id)
            .select_related("client")
            .order_by("surveyed_on", "ref")
        )
    return sources


def line_record_ids(line) -> dict[str, list[int]]:
    """The ids of the department records behind a line, by kind (contracts, revenue, complaints, surveys, clients)."""
    card = line.scorecard
    return line_record_ids_from_sources(_sources(line.indicator.code, card.staff_id, _period(card, line.details or {})))


def line_record_ids_from_sources(sources) -> dict[str, list[int]]:
    complaints = sources.get("complaints", [])
    ids = {
        "contracts": [c.pk for c in sources.get("contracts", [])],
        "revenue": [row["entry"].pk for row in sources.get("revenue", [])],
        "complaints": [c["complaint"].pk if isinstance(c, dict) else c.pk for c in complaints],
        "surveys": [s.pk for s in sources.get("surveys", [])],
        "clients": [row["client"].pk for row in sources.get("existing_clients", [])]
        + [c.pk for c in sources.get("referred", [])]
        + [c.pk for c in sources.get("served_clients", [])],
    }
    return {kind: values for kind, values in ids.items() if values}


def _recounted(code, sources) -> tuple[Decimal | None, Decimal | None] | None:
    """Numerator and denominator as the records listed now give them (None where the stored line has no count)."""
    if code == scoring.NEW_CLIENTS:
        return Decimal(len(sources["contracts"])), None
    if code == scoring.NEW_CLIENT_REVENUE_SHARE:
        rows = sources["revenue"]
        new = sum((row["entry"].amount for row in rows if row["from_new_client"]), Decimal("0"))
        return new, sum((row["entry"].amount for row in rows), Decimal("0"))
    if code in (scoring.REPEAT_ENGAGEMENT_RATE, scoring.REFERRAL_RATE):
        existing = sources["existing_clients"]
        return Decimal(sum(1 for row in existing if row["counted"])), Decimal(len(existing))
    if code == scoring.COMPLAINT_RATE:
        return Decimal(len(sources["complaints"])), Decimal(len(sources["served_clients"]))
    if code == scoring.COMPLAINT_TIMELINESS:
        outcomes = [row["outcome"] for row in sources["complaints"]]
        in_time = outcomes.count("in_time")
        return Decimal(in_time), Decimal(in_time + outcomes.count("late"))
    if code == scoring.SATISFACTION:
        surveys = sources["surveys"]
        total = sum((survey.mean_score for survey in surveys), Decimal("0"))
        return scoring.stored_raw(total), Decimal(len(surveys))
    return None


def records_changed_since_scoring(line, sources) -> bool:
    """Whether the records the page lists no longer give the line's stored numbers, or were edited after it.

    The page reads the department records as they are now; a correction made after the result was computed (an
    upheld appeal, a late fix) would otherwise make an old version's list disagree with its numbers silently."""
    code = line.indicator.code
    recounted = _recounted(code, sources)
    if recounted is not None:
        stored = (line.value if code == scoring.NEW_CLIENTS else line.numerator, line.denominator)
        for now, then in zip(recounted, stored, strict=True):
            if now is not None and then is not None and scoring.stored_raw(now) != scoring.stored_raw(then):
                return True
    computed_at = line.scorecard.computed_at
    if computed_at is None:
        return False
    shown = line_record_ids_from_sources(sources)
    models = {"contracts": Contract, "revenue": RevenueEntry, "complaints": Complaint, "surveys": SatisfactionSurvey}
    edited = Q(pk__in=[])
    for kind, ids in shown.items():
        if kind in models:
            content_type = ContentType.objects.get_for_model(models[kind])
            edited |= Q(content_type=content_type, object_id__in=[str(pk) for pk in ids])
    return ChangeRecord.objects.filter(edited, at__gt=computed_at).exists()


# ---------------------------------------------------------------------------------------------------------
# The formula with the person's numbers.


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
    adjustment = (line.details or {}).get("appeal_adjustment")
    computed = Decimal(adjustment["computed_points"]) if adjustment else line.points
    if line.effective_weight not in (weight, Decimal("0")) and kept_weight:
        steps.append(
            _("Rescaled because other indicators had no data: %(raw)s × 100 ÷ %(kept)s = %(points)s")
            % {"raw": fmt(raw), "kept": fmt(kept_weight), "points": fmt(computed)}
        )
    if adjustment:
        # An upheld appeal adjusted the computed points (appeals.corrections.apply_adjustment, kept in [0, cap]).
        appeals = ", ".join(f"#{pk}" for pk in adjustment.get("appeals", []))
        delta = Decimal(adjustment["points"])
        steps.append(
            _("Adjusted by the upheld appeal %(appeals)s: %(computed)s %(sign)s %(delta)s = %(points)s")
            % {
                "appeals": appeals,
                "computed": fmt(computed),
                "sign": "−" if delta < 0 else "+",
                "delta": fmt(abs(delta)),
                "points": fmt(computed + delta),
            }
        )
        if computed + delta != line.points:
            steps.append(_("Kept within 0 and the line's ceiling: %(points)s") % {"points": fmt(line.points)})
    steps.append(
        _("Points on the scorecard (rounded half-up to two places): %(points)s") % {"points": fmt(line.points)}
    )
    return steps


def rule_text(line, indicator, scale) -> str:
    """The scheme's rule for this line in words, in the reader's language (the line stores it as a formula)."""
    if indicator.kind == scoring.RATED:
        return _("Weight × average score ÷ %(scale)s (the top of the rating scale)") % {"scale": scale}
    rule = (line.details or {}).get("rule")
    if not rule:
        return line.rule
    item = scoring.ItemRule.from_details(indicator.code, line.weight, rule)
    step = (
        _("%(step)s %% of the target") % {"step": fmt(item.step)}
        if item.step_mode == "relative"
        else fmt(item.step, "0.0001")
    )
    values = {
        "weight": fmt(item.weight),
        "target": fmt(item.target, "0.0001"),
        "pps": fmt(item.points_per_step),
        "step": step,
        "max": fmt(item.weight + item.bonus_cap),
    }
    if indicator.direction == "lower":
        return (
            _(
                "Full weight (%(weight)s) at the target %(target)s; +%(pps)s for each step of %(step)s below it, "
                "−%(pps)s for each step above it; never below 0 or above %(max)s"
            )
            % values
        )
    return (
        _(
            "Full weight (%(weight)s) at the target %(target)s; +%(pps)s for each step of %(step)s above it, "
            "−%(pps)s for each step below it; never below 0 or above %(max)s"
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
    sources = _sources(code, card.staff_id, _period(card, details))
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
        "records_changed": records_changed_since_scoring(line, sources),
        "satisfaction_percent": fmt(scoring.satisfaction_percent(line.value))
        if code == scoring.SATISFACTION and line.value is not None
        else None,
    }
