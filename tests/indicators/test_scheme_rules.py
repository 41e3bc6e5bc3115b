"""The scheme's validity rules as properties: weights add up to 100 per position, zero targets, grade bands."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from indicators.models import SchemeItem
from indicators.schemes import (
    grade_band_problems,
    item_problems,
    scheme_items_update,
    scheme_start_for_quarter,
    weight_problems,
)
from reviews.models import Position, Quarter
from tests.personas import make_firm

# Weights as the forms accept them: points with two decimals, above zero.
weight = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100"), places=2)
weights_per_position = st.fixed_dictionaries(
    {position: st.lists(weight, min_size=1, max_size=9) for position in Position.values}
)


def adding_up_to_100():
    """Weight lists that sum to exactly 100: split 100.00 at sorted cut points."""
    return st.lists(st.integers(min_value=1, max_value=9999), min_size=0, max_size=8, unique=True).map(
        lambda cuts: [Decimal(b - a) / 100 for a, b in zip([0, *sorted(cuts)], [*sorted(cuts), 10000], strict=True)]
    )


@given(weights_per_position)
def test_weights_are_accepted_exactly_when_each_position_adds_up_to_100(weights):
    problems = weight_problems(weights)
    for position, values in weights.items():
        assert (position in problems) == (sum(values) != 100)


@given(st.fixed_dictionaries({position: adding_up_to_100() for position in Position.values}))
def test_any_split_of_100_points_is_accepted(weights):
    assert weight_problems(weights) == {}


@given(
    adding_up_to_100(),
    st.sampled_from(Position.values),
    st.decimals(min_value=Decimal("-5"), max_value=Decimal("5"), places=2).filter(lambda d: d != 0),
)
def test_moving_one_weight_off_100_is_refused_for_that_position_only(values, position, nudge):
    values = [*values[:-1], values[-1] + nudge]
    assume(values[-1] > 0)
    weights = {other: [Decimal("100")] for other in Position.values}
    weights[position] = values
    assert set(weight_problems(weights)) == {position}


def test_a_position_without_indicators_is_refused():
    with translation.override("en"):
        problems = weight_problems({Position.LAWYER: [Decimal("100")], Position.ASSISTANT: [Decimal("100")]})
    assert set(problems) == {Position.ADMINISTRATIVE}
    assert "Administrative staff" in problems[Position.ADMINISTRATIVE]


@pytest.mark.parametrize(
    ("kind", "target", "step_mode", "refused"),
    [
        ("computed", Decimal("0"), "relative", True),  # a percentage of zero never moves the points
        ("computed", Decimal("0"), "absolute", False),
        ("computed", Decimal("2"), "relative", False),
        ("rated", Decimal("0"), "relative", False),  # rated indicators do not use target or step
    ],
)
def test_a_zero_target_needs_an_absolute_step(kind, target, step_mode, refused):
    problems = item_problems(kind=kind, target=target, step_mode=step_mode, rater_weights={})
    assert ("step_mode" in problems) == refused


@given(st.lists(st.decimals(min_value=Decimal("0"), max_value=Decimal("120"), places=2), min_size=1, max_size=6))
def test_grade_bands_are_accepted_exactly_when_they_rise_from_zero(floors):
    problems = grade_band_problems(floors)
    strictly_rising = all(a < b for a, b in zip(floors, floors[1:], strict=False))
    assert (problems == {}) == (floors[0] == 0 and strictly_rising)


@st.composite
def nine_lawyer_weights(draw):
    """Nine whole-point weights; about half the time adjusted so that they add up to exactly 100."""
    weights = draw(st.lists(st.integers(min_value=1, max_value=30), min_size=9, max_size=9))
    if draw(st.booleans()):
        rest = 100 - sum(weights[:-1])
        if rest >= 1:
            weights[-1] = rest
    return weights


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(nine_lawyer_weights())
def test_the_service_saves_lawyer_weights_exactly_when_they_add_up_to_100(db, weights):
    # Given the firm and a draft (built once per test database; examples reuse them)
    quarter, _ = Quarter.objects.get_or_create(year=2026, number=3)
    if not quarter.schemes.exists():
        firm = make_firm()
        scheme_start_for_quarter(quarter=quarter, by=firm.executor)
    scheme = quarter.schemes.get()
    executor = scheme.created_by
    items = list(scheme.items.filter(position=Position.LAWYER).select_related("indicator"))
    before = [item.weight for item in items]
    rows = [
        {
            "indicator": item.indicator,
            "weight": Decimal(points),
            "target": item.target,
            "step": item.step,
            "step_mode": item.step_mode,
            "points_per_step": item.points_per_step,
            "bonus_cap": item.bonus_cap,
            "no_data_policy": item.no_data_policy,
            "rater_weights": {},
        }
        for item, points in zip(items, weights, strict=True)
    ]
    # When the execution group saves these weights
    try:
        scheme_items_update(scheme=scheme, position=Position.LAWYER, items=rows, by=executor)
        accepted = True
    except ValidationError:
        accepted = False
    # Then they are stored exactly when they add up to 100, and otherwise nothing changes
    stored = [
        item.weight
        for item in SchemeItem.objects.filter(scheme=scheme, position=Position.LAWYER).order_by("indicator__order")
    ]
    assert accepted == (sum(weights) == 100)
    assert stored == ([Decimal(w) for w in weights] if accepted else before)
