"""Reads that feed the scheme pages: who may see which scheme, the scheme laid out, and the what-if preview."""

from collections import Counter
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from clients.models import ChangeRecord
from indicators.models import Indicator, RaterType, RatingAssignment, Scheme, SchemeItem
from indicators.numbers import plain_number
from indicators.schemes import scheme_problems
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
    if item.step_mode == SchemeItem.StepMode.RELATIVE:
        values["size"] = plain_number(abs(item.target) * item.step / HUNDRED)
        if percent:
            return (
                _(
                    "± %(points)s points for every %(step)s%% of the target value by which the result is above or "
                    "below it (%(size)s percentage points)"
                )
                % values
            )
        return (
            _(
                "± %(points)s points for every %(step)s%% of the target value by which the result is above or "
                "below it (%(size)s)"
            )
            % values
        )
    if percent:
        return _("± %(points)s points for every %(step)s percentage points above or below the target") % values
    return _("± %(points)s points for every %(step)s above or below the target") % values


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
        "problems": scheme_problems(scheme=scheme) if scheme.status == Scheme.Status.DRAFT else [],
        "versions": list(schemes_visible_to(user).filter(quarter=scheme.quarter).order_by("-version")),
    }
    if roles.is_organiser:
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
