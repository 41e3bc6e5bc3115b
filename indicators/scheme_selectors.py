"""Reads that feed the scheme pages: who may see which scheme, the scheme laid out, and the what-if preview."""

from collections import Counter
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from clients.models import ChangeRecord
from indicators.models import Indicator, RaterType, RatingAssignment, Scheme, SchemeItem
from indicators.numbers import plain_number
from indicators.schemes import (
    CALIBRATION_PARAMETER,
    calibration_label,
    last_approved_scheme_before,
    scheme_problems,
)
from reviews.models import Position, Quarter, StaffProfile
from reviews.roles import roles_of

# Only approved schemes (current or replaced) are public: people must know how they are assessed.
PUBLIC_STATUSES = (Scheme.Status.APPROVED, Scheme.Status.SUPERSEDED)
HISTOGRAM_WIDTH = Decimal("10")
HUNDRED = Decimal("100")
HISTOGRAM_BUCKETS = 10  # 0–10 … 90–100, plus one for totals above 100 (bonus caps)


def schemes_visible_to(user):
    """The schemes this user may see: all for the execution and leadership groups, approved ones for others."""
    schemes = Scheme.objects.select_related("quarter", "approved_by__profile", "created_by__profile")
    if roles_of(user).is_organiser:
        return schemes
    return schemes.filter(status__in=PUBLIC_STATUSES)


def get_scheme_for_user(user, pk) -> Scheme:
    """The scheme if this user may see it; 404 for drafts the user may not know exist."""
    scheme = schemes_visible_to(user).filter(pk=pk).first()
    if scheme is None:
        raise Http404
    return scheme


def catalogue():
    """The nine indicators of regulation 三.2 grouped by category, in catalogue order."""
    groups = {}
    for indicator in Indicator.objects.order_by("order"):
        groups.setdefault(indicator.category, {"label": indicator.get_category_display(), "indicators": []})
        groups[indicator.category]["indicators"].append(indicator)
    return list(groups.values())


def schemes_page(*, user):
    """Every quarter with its scheme versions (organisers), or with its approved schemes (everyone else)."""
    schemes = list(schemes_visible_to(user).order_by("-quarter__year", "-quarter__number", "-version"))
    by_quarter = {}
    for scheme in schemes:
        by_quarter.setdefault(scheme.quarter_id, []).append(scheme)
    if roles_of(user).is_organiser:
        quarters = list(Quarter.objects.order_by("-year", "-number"))
    else:
        quarters = [schemes_of[0].quarter for schemes_of in by_quarter.values()]
    return [{"quarter": quarter, "schemes": by_quarter.get(quarter.pk, [])} for quarter in quarters]


def _unit_of(indicator):
    return "%" if indicator.unit == "%" else ""


def rule_text(item) -> str:
    """A computed indicator's rule in words. A relative step is a share of the target value, not percentage points
    (scoring.ItemRule.step_size: |target| × step ÷ 100), so the words give that share and what it comes to."""
    percent = item.indicator.unit == "%"
    values = {"points": plain_number(item.points_per_step), "step": plain_number(item.step)}
    # English says "1 point" but "0.5 points"; Chinese has one form.
    count = 1 if item.points_per_step == 1 else 2
    if item.step_mode == SchemeItem.StepMode.RELATIVE:
        values["size"] = plain_number(abs(item.target) * item.step / HUNDRED)
        if percent:
            return (
                ngettext(
                    "± %(points)s point for every %(step)s%% of the target value by which the result is above or "
                    "below it (%(size)s percentage points)",
                    "± %(points)s points for every %(step)s%% of the target value by which the result is above or "
                    "below it (%(size)s percentage points)",
                    count,
                )
                % values
            )
        return (
            ngettext(
                "± %(points)s point for every %(step)s%% of the target value by which the result is above or "
                "below it (%(size)s)",
                "± %(points)s points for every %(step)s%% of the target value by which the result is above or "
                "below it (%(size)s)",
                count,
            )
            % values
        )
    if percent:
        return (
            ngettext(
                "± %(points)s point for every %(step)s percentage points above or below the target",
                "± %(points)s points for every %(step)s percentage points above or below the target",
                count,
            )
            % values
        )
    return (
        ngettext(
            "± %(points)s point for every %(step)s above or below the target",
            "± %(points)s points for every %(step)s above or below the target",
            count,
        )
        % values
    )


def scheme_layout(*, scheme, user):
    """The scheme as the detail page shows it: items per position with their weight total, bands, parameters."""
    roles = roles_of(user)
    items = list(scheme.items.select_related("indicator").order_by("position", "indicator__order"))
    rater_labels = dict(RaterType.choices)
    positions = []
    for value, label in Position.choices:
        rows = [item for item in items if item.position == value]
        for item in rows:
            item.unit_suffix = _unit_of(item.indicator)
            item.rule_text = rule_text(item) if item.indicator.kind == Indicator.Kind.COMPUTED else ""
            item.rater_weight_list = [
                (rater_labels.get(key, key), weight) for key, weight in sorted((item.rater_weights or {}).items())
            ]
        positions.append(
            {
                "value": value,
                "label": label,
                "items": rows,
                "total": sum((item.weight for item in rows), Decimal("0")),
            }
        )
    context = {
        "scheme": scheme,
        "positions": positions,
        "grade_bands": list(scheme.grade_bands.order_by("-min_total")),
        "parameters": scheme.parameters or {},
        "calibration": calibration_label((scheme.parameters or {}).get(CALIBRATION_PARAMETER)),
        "problems": scheme_problems(scheme=scheme) if scheme.is_pending else [],
        "versions": list(schemes_visible_to(user).filter(quarter=scheme.quarter).order_by("-version")),
    }
    if roles.is_organiser:
        context["review_history"] = list(scheme.events.select_related("by__profile"))
        context["comparison_base"] = comparison_base(scheme)
        context["history"] = list(
            ChangeRecord.objects.filter(
                content_type=ContentType.objects.get_for_model(Scheme), object_id=str(scheme.pk)
            ).select_related("by__profile")[:50]
        )
    return context


def whatif_baseline(*, scheme):
    """What a draft is compared with: the quarter's approved scheme, else the scheme the draft was copied from."""
    approved = scheme.quarter.schemes.filter(status=Scheme.Status.APPROVED).exclude(pk=scheme.pk).first()
    if approved is not None:
        return approved
    if scheme.based_on_id and scheme.based_on.status != Scheme.Status.DRAFT:
        return scheme.based_on
    return None


def quarter_has_data(quarter) -> bool:
    """Whether any department record or rating falls in the quarter: a what-if on an empty quarter shows nothing."""
    from clients.models import Complaint, Contract, RevenueEntry, SatisfactionSurvey

    days = (quarter.starts_on, quarter.ends_on)
    return (
        Contract.objects.filter(signed_on__range=days).exists()
        or RevenueEntry.objects.filter(received_on__range=days).exists()
        or SatisfactionSurvey.objects.filter(surveyed_on__range=days).exists()
        or Complaint.objects.filter(received_at__date__range=days).exists()
        or RatingAssignment.objects.filter(round__quarter=quarter, score__isnull=False).exists()
    )


def whatif_data_quarters(*, scheme, today=None):
    """Quarters whose data the draft can be tried on (the scheme's own and every quarter already begun), and the
    one the preview opens on: the scheme's quarter if it has data, else the latest begun quarter that has some
    (else the scheme's quarter all the same). Returns (quarters, default, default_has_data)."""
    today = today or timezone.localdate()
    quarters = [q for q in Quarter.objects.order_by("-year", "-number") if q.starts_on <= today or q == scheme.quarter]
    if quarter_has_data(scheme.quarter):
        return quarters, scheme.quarter, True
    for quarter in quarters:
        if quarter != scheme.quarter and quarter.starts_on <= today and quarter_has_data(quarter):
            return quarters, quarter, True
    return quarters, scheme.quarter, False


def _bucket(total):
    index = int(total // HISTOGRAM_WIDTH)
    return min(max(index, 0), HISTOGRAM_BUCKETS)


def _histogram(before, after):
    before_counts = Counter(_bucket(result.total) for result in before)
    after_counts = Counter(_bucket(result.total) for result in after)
    peak = max([*before_counts.values(), *after_counts.values(), 1])
    rows = []
    for index in range(HISTOGRAM_BUCKETS + 1):
        low = HISTOGRAM_WIDTH * index
        label = f"≥ {low}" if index == HISTOGRAM_BUCKETS else f"{low}–{low + HISTOGRAM_WIDTH}"
        rows.append(
            {
                "label": label,
                "before": before_counts.get(index, 0),
                "after": after_counts.get(index, 0),
                "before_width": round(100 * before_counts.get(index, 0) / peak),
                "after_width": round(100 * after_counts.get(index, 0) / peak),
            }
        )
    return rows


def _grade_label(band):
    if band is None:
        return ""
    return band.label_en if (get_language() or "").startswith("en") else band.label_zh


def whatif(*, scheme, on_quarter, baseline):
    """The draft's results on a quarter's data next to the baseline's: the distribution of totals and who
    moves up or down. Reads only: results_compute stores nothing."""
    from indicators.computation import results_compute

    after = results_compute(quarter=on_quarter, scheme=scheme)
    before = results_compute(quarter=on_quarter, scheme=baseline) if baseline is not None else []
    before_by_id = {result.staff_id: result for result in before}
    after_by_id = {result.staff_id: result for result in after}
    people = {
        profile.pk: profile
        for profile in StaffProfile.objects.filter(pk__in=set(before_by_id) | set(after_by_id)).select_related(
            "department"
        )
    }
    positions = dict(Position.choices)
    movers = []
    unchanged = 0
    for staff_id in set(before_by_id) | set(after_by_id):
        old, new = before_by_id.get(staff_id), after_by_id.get(staff_id)
        row = {
            "person": people.get(staff_id),
            "position": positions.get((new or old).position, (new or old).position),
            "before_total": old.total if old else None,
            "after_total": new.total if new else None,
            "before_rank": f"{old.rank} / {old.ranked_count}" if old else "—",
            "after_rank": f"{new.rank} / {new.ranked_count}" if new else "—",
            "before_grade": _grade_label(old.grade) if old else "",
            "after_grade": _grade_label(new.grade) if new else "",
            "delta": (new.total if new else Decimal("0")) - (old.total if old else Decimal("0")),
            "rank_change": (old.rank - new.rank) if old and new else None,
        }
        if old and new and old.total == new.total and old.rank == new.rank:
            unchanged += 1
            continue
        movers.append(row)
    movers.sort(key=lambda row: (-abs(row["delta"]), row["person"].full_name if row["person"] else ""))
    return {
        "histogram": _histogram(before, after),
        "movers": movers,
        "up": sum(1 for row in movers if row["delta"] > 0),
        "down": sum(1 for row in movers if row["delta"] < 0),
        "unchanged": unchanged,
        "count_before": len(before),
        "count_after": len(after),
        "mean_before": _mean(before),
        "mean_after": _mean(after),
    }


def _mean(results):
    if not results:
        return None
    return (sum((result.total for result in results), Decimal("0")) / len(results)).quantize(Decimal("0.01"))


# --- The comparison of a version with the one before it ---

DECIDED_STATUSES = (Scheme.Status.APPROVED, Scheme.Status.SUPERSEDED)


def comparison_base(scheme):
    """What a version is compared with: for a version not yet decided, the quarter's approved version; else the
    approved scheme it was copied from (the version it replaced, or the previous quarter's); else the latest
    approved scheme of an earlier quarter. None for the firm's first scheme."""
    if scheme.is_pending:
        approved = scheme.quarter.schemes.filter(status=Scheme.Status.APPROVED).exclude(pk=scheme.pk).first()
        if approved is not None:
            return approved
    if scheme.based_on_id and scheme.based_on_id != scheme.pk and scheme.based_on.status in DECIDED_STATUSES:
        return scheme.based_on
    return last_approved_scheme_before(quarter=scheme.quarter)


def _rule_words(item, scale):
    if item.indicator.kind == Indicator.Kind.RATED:
        return _("weight × average rating ÷ %(scale)s") % {"scale": scale}
    return rule_text(item)


def _rater_weight_words(item):
    labels = dict(RaterType.choices)
    weights = sorted((item.rater_weights or {}).items())
    if not weights:
        return _("all raters the same")
    return ", ".join(f"{labels.get(key, key)} {plain_number(value)}" for key, value in weights)


def _item_cells(item, scale):
    """The compared values of one item as text, by field; None when the indicator does not apply."""
    if item is None:
        return None
    computed = item.indicator.kind == Indicator.Kind.COMPUTED
    unit = _unit_of(item.indicator)
    return {
        "weight": plain_number(item.weight),
        "target": f"{plain_number(item.target)}{unit}" if computed else "—",
        "rule": _rule_words(item, scale),
        "bonus_cap": plain_number(item.bonus_cap) if computed else "—",
        "no_data": item.get_no_data_policy_display(),
        "raters": "—" if computed else _rater_weight_words(item),
    }


OTHER_FIELDS = (
    ("bonus_cap", gettext_lazy("Bonus cap")),
    ("no_data", gettext_lazy("When no data")),
    ("raters", gettext_lazy("Rater weights")),
)


def _scale(scheme):
    return (scheme.parameters or {}).get("rating_scale", "")


def scheme_comparison(*, scheme, base):
    """Side by side, position by position: each indicator's weight, target and rule in `base` and in `scheme`,
    then the grade bands and the definition parameters. Every row says whether it was added, removed or changed."""
    after_items = list(scheme.items.select_related("indicator"))
    before_items = list(base.items.select_related("indicator")) if base is not None else []
    after_scale, before_scale = _scale(scheme), _scale(base) if base is not None else ""
    indicators = list(Indicator.objects.order_by("order"))
    positions = []
    changed_rows = 0
    for value, label in Position.choices:
        before = {item.indicator_id: item for item in before_items if item.position == value}
        after = {item.indicator_id: item for item in after_items if item.position == value}
        rows = []
        for indicator in indicators:
            if indicator.pk not in before and indicator.pk not in after:
                continue
            old = _item_cells(before.get(indicator.pk), before_scale)
            new = _item_cells(after.get(indicator.pk), after_scale)
            if old is None:
                state = "added"
            elif new is None:
                state = "removed"
            else:
                state = "changed" if old != new else "same"
            others = [
                {"label": name, "before": old[key], "after": new[key]}
                for key, name in OTHER_FIELDS
                if old is not None and new is not None and old[key] != new[key]
            ]
            rows.append(
                {
                    "indicator": indicator,
                    "state": state,
                    "before": old,
                    "after": new,
                    "changed": {
                        key: old is None or new is None or old[key] != new[key] for key in ("weight", "target", "rule")
                    },
                    "others": others,
                }
            )
        changed_rows += sum(1 for row in rows if row["state"] != "same")
        positions.append(
            {
                "value": value,
                "label": label,
                "rows": rows,
                "changes": sum(1 for row in rows if row["state"] != "same"),
            }
        )
    bands_before = [(b.label, b.min_total) for b in base.grade_bands.order_by("-min_total")] if base else []
    bands_after = [(b.label, b.min_total) for b in scheme.grade_bands.order_by("-min_total")]
    bands = []
    for index in range(max(len(bands_before), len(bands_after))):
        old = bands_before[index] if index < len(bands_before) else None
        new = bands_after[index] if index < len(bands_after) else None
        bands.append(
            {
                "before": f"{old[0]} ≥ {plain_number(old[1])}" if old else "—",
                "after": f"{new[0]} ≥ {plain_number(new[1])}" if new else "—",
                "changed": old != new,
            }
        )
    parameter_labels = {
        "lookback_quarters": _("Look-back window (quarters)"),
        "complaint_deadline_hours": _("Complaint deadline (hours)"),
        "rating_scale": _("Rating scale maximum"),
    }
    parameters = [
        {
            "label": text,
            "before": (base.parameters or {}).get(name, "—") if base else "—",
            "after": (scheme.parameters or {}).get(name, "—"),
        }
        for name, text in parameter_labels.items()
    ]
    # A scheme from before the calibration rule calibrates nothing: it compares as "none", not as missing.
    parameters.append(
        {
            "label": _("Rater calibration"),
            "before": calibration_label((base.parameters or {}).get(CALIBRATION_PARAMETER)) if base else "—",
            "after": calibration_label((scheme.parameters or {}).get(CALIBRATION_PARAMETER)),
        }
    )
    for row in parameters:
        row["changed"] = row["before"] != row["after"]
    return {
        "base": base,
        "positions": positions,
        "bands": bands,
        "parameters": parameters,
        "changes": changed_rows + sum(1 for b in bands if b["changed"]) + sum(1 for p in parameters if p["changed"]),
    }


def whatif_calibration(*, scheme, baseline) -> dict:
    """The rater calibration rule of the draft (after) and of the approved baseline (before), as the what-if names
    them; "changed" when the preview's difference includes a change of rule."""
    after = calibration_label((scheme.parameters or {}).get(CALIBRATION_PARAMETER))
    before = calibration_label((baseline.parameters or {}).get(CALIBRATION_PARAMETER)) if baseline else None
    return {"before": before, "after": after, "changed": before is not None and before != after}
