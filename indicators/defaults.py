"""The default quarterly scheme: which indicators apply to each position, with weights, targets and rules.

The first quarter's scheme starts from these values; later quarters copy the last scheme instead.
Targets are set for one quarter of a mid-size firm (about forty lawyers). docs/indicators.md explains each one.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from indicators.models import GradeBand, Indicator, Scheme, SchemeItem
from reviews.models import Position

D = Decimal

# Tunable definitions (regulation 三.2 leaves them to the firm): the look-back window for "existing
# clients", the complaint-handling deadline, and the maximum of the rating scale (1…rating_scale).
DEFAULT_PARAMETERS = {
    "lookback_quarters": 8,
    "complaint_deadline_hours": 48,
    "rating_scale": 5,
    # Rater calibration of the rated indicators (indicators/calibration.py): "none" or "centre".
    "rating_calibration": "none",
}


def _item(
    indicator,
    weight,
    target="0",
    step="10",
    step_mode="relative",
    points_per_step="1",
    bonus_cap="0",
    no_data_policy="exclude",
    rater_weights=None,
):
    return {
        "indicator": indicator,
        "weight": D(weight),
        "target": D(target),
        "step": D(step),
        "step_mode": step_mode,
        "points_per_step": D(points_per_step),
        "bonus_cap": D(bonus_cap),
        "no_data_policy": no_data_policy,
        "rater_weights": dict(rater_weights or {}),
    }


# Units: new_clients in clients; rates and shares in percent (25 means 25 %); satisfaction and the rated
# indicators on the 1–5 scale. A relative step is a percentage of the target; an absolute step is in the
# indicator's own unit. A zero target needs absolute steps.
DEFAULT_ITEMS = {
    Position.LAWYER: [
        # Two new clients a quarter earn full marks; each client more or less moves 3 points, at most 5 extra.
        _item(
            "new_clients",
            "15",
            target="2",
            step="1",
            step_mode="absolute",
            points_per_step="3",
            bonus_cap="5",
            no_data_policy="zero",
        ),
        # A fifth of one's revenue from new clients; each 10 % of the target (2 points of share) moves 1 point.
        _item(
            "new_client_revenue_share",
            "10",
            target="20",
            step="10",
            step_mode="relative",
            points_per_step="1",
            bonus_cap="3",
            no_data_policy="exclude",
        ),
        # Survey mean 4.2 of 5; each 0.1 above or below moves 1 point.
        _item(
            "satisfaction",
            "15",
            target="4.2",
            step="0.1",
            step_mode="absolute",
            points_per_step="1",
            bonus_cap="3",
            no_data_policy="exclude",
        ),
        # A third of existing clients sign again; each 10 % of the target moves 1 point.
        _item(
            "repeat_engagement_rate",
            "10",
            target="30",
            step="10",
            step_mode="relative",
            points_per_step="1",
            bonus_cap="2",
            no_data_policy="exclude",
        ),
        # One existing client in ten refers someone; each 2 percentage points move 1 point.
        _item(
            "referral_rate",
            "10",
            target="10",
            step="2",
            step_mode="absolute",
            points_per_step="1",
            bonus_cap="2",
            no_data_policy="exclude",
        ),
        # No complaints is the target (zero target: absolute steps); each percentage point costs 2 points.
        _item(
            "complaint_rate",
            "10",
            target="0",
            step="1",
            step_mode="absolute",
            points_per_step="2",
            no_data_policy="full",
        ),
        # Every complaint one handles within the deadline; each 10 points of share late costs 2 points.
        _item(
            "complaint_timeliness",
            "5",
            target="100",
            step="10",
            step_mode="absolute",
            points_per_step="2",
            no_data_policy="exclude",
        ),
        _item("communication", "10"),
        _item("collaboration", "15"),
    ],
    Position.ASSISTANT: [
        _item(
            "satisfaction",
            "30",
            target="4.2",
            step="0.1",
            step_mode="absolute",
            points_per_step="1.5",
            bonus_cap="3",
            no_data_policy="exclude",
        ),
        _item(
            "complaint_timeliness",
            "20",
            target="100",
            step="10",
            step_mode="absolute",
            points_per_step="3",
            no_data_policy="full",
        ),
        _item("communication", "25"),
        _item("collaboration", "25"),
    ],
    Position.ADMINISTRATIVE: [
        _item(
            "satisfaction",
            "10",
            target="4.2",
            step="0.1",
            step_mode="absolute",
            points_per_step="1",
            bonus_cap="2",
            no_data_policy="exclude",
        ),
        # The administrative department handles most complaints (regulation 三.3).
        _item(
            "complaint_timeliness",
            "30",
            target="100",
            step="10",
            step_mode="absolute",
            points_per_step="4",
            no_data_policy="full",
        ),
        _item("communication", "30"),
        _item("collaboration", "30"),
    ],
}

# Grade bands: the lowest band starts at 0 so that every total has a grade.
DEFAULT_GRADE_BANDS = [
    {"min_total": D("90"), "label_zh": "优秀", "label_en": "Excellent"},
    {"min_total": D("80"), "label_zh": "良好", "label_en": "Good"},
    {"min_total": D("60"), "label_zh": "合格", "label_en": "Satisfactory"},
    {"min_total": D("0"), "label_zh": "待改进", "label_en": "Needs improvement"},
]


def scheme_create_default(*, quarter, by) -> Scheme:
    """A new draft scheme for the quarter holding the default parameters, items and grade bands."""
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    with transaction.atomic():
        last = Scheme.objects.filter(quarter=quarter).aggregate(v=Max("version"))["v"] or 0
        scheme = Scheme.objects.create(
            quarter=quarter,
            version=last + 1,
            status=Scheme.Status.DRAFT,
            parameters=dict(DEFAULT_PARAMETERS),
            created_by=by,
        )
        SchemeItem.objects.bulk_create(
            SchemeItem(
                scheme=scheme,
                position=position,
                indicator=indicators[entry["indicator"]],
                **{key: value for key, value in entry.items() if key != "indicator"},
            )
            for position, entries in DEFAULT_ITEMS.items()
            for entry in entries
        )
        GradeBand.objects.bulk_create(GradeBand(scheme=scheme, **band) for band in DEFAULT_GRADE_BANDS)
    return scheme
