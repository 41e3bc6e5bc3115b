"""How a scorecard line was computed: the source records that counted and the formula with the person's numbers.

Reads the record ids the scoring stored on the line (IndicatorScore.details), so the page shows exactly what
counted when the result was computed. Ratings appear only as averages per rater type, never with names.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from clients.models import Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey

from . import scoring
from .models import RaterType


def fmt(value, places="0.01") -> str:
    """A number as the page shows it: half-up, trailing zeros after the point trimmed (2.50 → 2.5, 3.00 → 3)."""
    if value is None:
        return "—"
    text = f"{scoring.round_half_up(Decimal(value), Decimal(places)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _records(model, ids, *, related=(), order=()):
    if not ids:
        return []
    queryset = model.objects.filter(pk__in=ids).select_related(*related)
    return list(queryset.order_by(*order) if order else queryset)


def _value_formula(line, code, details) -> str:
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
                % {"target": fmt(rule.target), "value": fmt(line.value), "dev": fmt(-deviation, "0.0001")}
            )
            deviation = -deviation
        else:
            steps.append(
                _("Deviation = value − target = %(value)s − %(target)s = %(dev)s")
                % {"value": fmt(line.value), "target": fmt(rule.target), "dev": fmt(deviation, "0.0001")}
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
                "dev": fmt(deviation, "0.0001"),
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
    if line.effective_weight not in (weight, Decimal("0")) and kept_weight:
        steps.append(
            _("Rescaled because other indicators had no data: %(raw)s × 100 ÷ %(kept)s = %(points)s")
            % {"raw": fmt(raw), "kept": fmt(kept_weight), "points": fmt(line.points)}
        )
    steps.append(
        _("Points on the scorecard (rounded half-up to two places): %(points)s") % {"points": fmt(line.points)}
    )
    return steps


def line_explanation(line) -> dict:
    """Everything the explanation page shows for one scorecard line."""
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
    sources = {}
    if code == scoring.NEW_CLIENTS:
        sources["contracts"] = _records(Contract, details.get("contracts"), related=("client",), order=("signed_on",))
    elif code == scoring.NEW_CLIENT_REVENUE_SHARE:
        new_ids = set(details.get("revenue_new", []))
        entries = _records(
            RevenueEntry, details.get("revenue_all"), related=("contract__client",), order=("received_on", "ref")
        )
        sources["revenue"] = [{"entry": e, "from_new_client": e.pk in new_ids} for e in entries]
    elif code in (scoring.REPEAT_ENGAGEMENT_RATE, scoring.REFERRAL_RATE):
        counted = set(details.get("clients", []))
        sources["existing_clients"] = [
            {"client": c, "counted": c.pk in counted} for c in _records(Client, details.get("existing_clients"))
        ]
        if code == scoring.REPEAT_ENGAGEMENT_RATE:
            sources["contracts"] = _records(
                Contract, details.get("contracts"), related=("client",), order=("signed_on",)
            )
        else:
            sources["referred"] = _records(Client, details.get("referred"), related=("referred_by",))
    elif code == scoring.COMPLAINT_RATE:
        sources["complaints"] = _records(
            Complaint, details.get("complaints"), related=("client",), order=("received_at",)
        )
        sources["served_clients"] = _records(Client, details.get("served_clients"))
    elif code == scoring.COMPLAINT_TIMELINESS:
        outcome = {pk: "in_time" for pk in details.get("in_time", [])}
        outcome.update({pk: "late" for pk in details.get("late", [])})
        outcome.update({pk: "pending" for pk in details.get("pending", [])})
        labels = {"in_time": _("In time"), "late": _("Late"), "pending": _("Open, deadline not yet passed")}
        sources["complaints"] = [
            {"complaint": c, "outcome": outcome[c.pk], "label": labels[outcome[c.pk]]}
            for c in _records(Complaint, list(outcome), related=("client",), order=("received_at",))
        ]
        sources["deadline_hours"] = fmt(details.get("deadline_hours"))
        sources["as_of"] = details.get("as_of")
    elif code == scoring.SATISFACTION:
        sources["surveys"] = _records(
            SatisfactionSurvey, details.get("surveys"), related=("client",), order=("surveyed_on", "ref")
        )
    elif code in scoring.RATED_CODES:
        labels = dict(RaterType.choices)
        sources["ratings"] = [
            {"rater_type": labels.get(kind, kind), "count": group["count"], "average": group["average"]}
            for kind, group in details.get("by_rater_type", {}).items()
        ]
    return {
        "line": line,
        "card": card,
        "indicator": indicator,
        "sources": sources,
        "value_formula": None if line.value is None else _value_formula(line, code, details),
        "points_steps": _points_formula(line, indicator, scale, kept_weight),
        "satisfaction_percent": fmt(scoring.satisfaction_percent(line.value))
        if code == scoring.SATISFACTION and line.value is not None
        else None,
    }
