"""The points rules of regulation 三.4, totals, grades and ranks: pure functions, table-driven."""

import datetime
from decimal import Decimal as D

import pytest

from indicators import scoring
from indicators.scoring import Band, ItemRule, RawValue, computed_points, grade_for, rank_competition, score_lines

NEW_CLIENTS = ItemRule(
    code="new_clients", weight=D("15"), target=D("2"), step=D("1"), step_mode="absolute",
    points_per_step=D("3"), bonus_cap=D("5"),
)  # fmt: skip
SHARE = ItemRule(
    code="new_client_revenue_share", weight=D("10"), target=D("20"), step=D("10"), step_mode="relative",
    points_per_step=D("1"), bonus_cap=D("3"),
)  # fmt: skip
COMPLAINTS = ItemRule(
    code="complaint_rate", weight=D("10"), direction="lower", target=D("0"), step=D("1"), step_mode="absolute",
    points_per_step=D("2"),
)  # fmt: skip
LOWER_RELATIVE = ItemRule(
    code="complaint_rate", weight=D("10"), direction="lower", target=D("5"), step=D("20"), step_mode="relative",
    points_per_step=D("1"), bonus_cap=D("2"),
)  # fmt: skip


@pytest.mark.parametrize(
    "rule, value, expected",
    [
        (NEW_CLIENTS, "2", "15"),  # on target: full weight
        (NEW_CLIENTS, "3", "18"),  # one whole step above
        (NEW_CLIENTS, "1", "12"),  # one whole step below
        (NEW_CLIENTS, "0", "9"),  # two whole steps below
        (NEW_CLIENTS, "2.5", "16.5"),  # half a step above: partial steps count in proportion
        (NEW_CLIENTS, "1.25", "12.75"),  # three quarters of a step below
        (NEW_CLIENTS, "4", "20"),  # two steps above would be 21: clamped at weight + cap
        (NEW_CLIENTS, "9", "20"),  # far above: still weight + cap
        (SHARE, "20", "10"),  # relative step on target
        (SHARE, "22", "11"),  # a relative step is 10 % of the target 20, i.e. 2 points of share
        (SHARE, "19", "9.5"),  # half a relative step below
        (SHARE, "0", "0"),  # ten steps below: exactly zero
        (SHARE, "100", "13"),  # clamped at weight + cap
        (COMPLAINTS, "0", "10"),  # zero target (absolute steps), on target
        (COMPLAINTS, "1.5", "7"),  # lower is better: 1.5 above the target removes 1.5 steps × 2 points
        (COMPLAINTS, "50", "0"),  # far above: clamped at 0, never negative
        (LOWER_RELATIVE, "4", "11"),  # lower is better and below target: one relative step (1 point) earns a point
        (LOWER_RELATIVE, "6", "9"),  # lower is better and above target: loses a point
        (LOWER_RELATIVE, "0", "12"),  # far below target: clamped at weight + cap
    ],
)
def test_computed_points_follow_target_steps_and_clamps(rule, value, expected):
    assert computed_points(D(value), rule) == D(expected)


def test_a_zero_target_with_relative_steps_is_refused():
    rule = ItemRule(code="complaint_rate", weight=D("10"), target=D("0"), step=D("10"), step_mode="relative")
    with pytest.raises(ValueError, match="zero target"):
        computed_points(D("1"), rule)


@pytest.mark.parametrize(
    "average, scale, expected",
    [
        ("5", 5, "10"),  # the best score gives the full weight
        ("4", 5, "8"),
        ("3.5", 5, "7"),
        ("1", 5, "2"),  # the lowest score still gives weight ÷ scale
        ("7", 10, "7"),  # a 1–10 scale
    ],
)
def test_rated_points_are_weight_times_average_over_scale(average, scale, expected):
    rule = ItemRule(code="communication", weight=D("10"), kind="rated")
    assert scoring.rated_points(D(average), rule, scale) == D(expected)


RULES = [
    ItemRule(code="a", weight=D("50"), target=D("10"), step=D("1"), step_mode="absolute", no_data_policy="full"),
    ItemRule(code="b", weight=D("30"), target=D("10"), step=D("1"), step_mode="absolute", no_data_policy="zero"),
    ItemRule(code="c", weight=D("20"), target=D("10"), step=D("1"), step_mode="absolute", no_data_policy="exclude"),
]


@pytest.mark.parametrize(
    "values, points, effective, total",
    [
        # Everything on target: each line at its weight.
        ({"a": "10", "b": "10", "c": "10"}, ["50", "30", "20"], ["50", "30", "20"], "100"),
        # No data for "a" (policy full): full weight without looking at any value.
        ({"a": None, "b": "9", "c": "10"}, ["50", "29", "20"], ["50", "30", "20"], "99"),
        # No data for "b" (policy zero): zero points, the weights stay.
        ({"a": "10", "b": None, "c": "10"}, ["50", "0", "20"], ["50", "30", "20"], "70"),
        # No data for "c" (policy exclude): the other weights grow by 100/80, the total stays out of 100.
        ({"a": "10", "b": "10", "c": None}, ["62.5", "37.5", "0"], ["62.5", "37.5", "0"], "100"),
        # Exclusion rescales what the others earned, including their shortfall: (50 + 29) × 1.25.
        ({"a": "10", "b": "9", "c": None}, ["62.5", "36.25", "0"], ["62.5", "37.5", "0"], "98.75"),
    ],
)
def test_no_data_policies_and_rescaling(values, points, effective, total):
    raw = {code: RawValue(None if v is None else D(v)) for code, v in values.items()}
    lines, line_total = score_lines(raw, RULES)
    assert [line.points for line in lines] == [D(p) for p in points]
    assert [line.effective_weight for line in lines] == [D(e) for e in effective]
    assert [line.no_data_applied for line in lines] == [values[code] is None for code in "abc"]
    assert line_total == D(total)


def test_rescaled_points_round_half_up_once_at_the_end():
    # Given weights 40 / 30 / 30 and the 30-point line excluded, the factor is 100/70 (never rounded)
    rules = [
        ItemRule(code="a", weight=D("40"), target=D("1"), step=D("1"), step_mode="absolute"),
        ItemRule(code="b", weight=D("30"), target=D("1"), step=D("1"), step_mode="absolute"),
        ItemRule(code="c", weight=D("30"), target=D("1"), step=D("1"), step_mode="absolute"),
    ]
    raw = {"a": RawValue(D("1")), "b": RawValue(D("1")), "c": RawValue(None)}
    # When the lines are scored
    lines, total = score_lines(raw, rules)
    # Then 40 × 100/70 = 57.142857… → 57.14 and 30 × 100/70 = 42.857142… → 42.86; the total adds the lines shown
    assert [line.points for line in lines] == [D("57.14"), D("42.86"), D("0.00")]
    assert total == D("100.00")


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2.345", "2.35"),  # half-up, not banker's rounding (which would give 2.34)
        ("2.335", "2.34"),
        ("2.3449", "2.34"),
        ("0.005", "0.01"),
    ],
)
def test_rounding_is_half_up_to_two_places(value, expected):
    assert scoring.round_half_up(D(value)) == D(expected)


def test_every_item_excluded_gives_a_zero_total():
    rules = [ItemRule(code="a", weight=D("100"), no_data_policy="exclude")]
    lines, total = score_lines({"a": RawValue(None)}, rules)
    assert total == D("0") and lines[0].effective_weight == D("0")


BANDS = [
    Band(D("90"), "优秀", "Excellent"),
    Band(D("80"), "良好", "Good"),
    Band(D("60"), "合格", "Satisfactory"),
    Band(D("0"), "待改进", "Needs improvement"),
]


@pytest.mark.parametrize(
    "total, label",
    [
        ("100", "Excellent"),
        ("90", "Excellent"),  # a band's floor belongs to it
        ("89.99", "Good"),
        ("80", "Good"),
        ("60", "Satisfactory"),
        ("59.99", "Needs improvement"),
        ("0", "Needs improvement"),
        ("105", "Excellent"),  # bonus points can take a total above 100
    ],
)
def test_grade_is_the_highest_band_reached(total, label):
    assert grade_for(D(total), BANDS).label_en == label


@pytest.mark.parametrize(
    "totals, ranks",
    [
        ({1: "90", 2: "80", 3: "80", 4: "70"}, {1: 1, 2: 2, 3: 2, 4: 4}),  # ties share a rank, the next skips (1224)
        ({1: "50", 2: "50", 3: "50"}, {1: 1, 2: 1, 3: 1}),  # everyone tied
        ({1: "10", 2: "20", 3: "30"}, {3: 1, 2: 2, 1: 3}),  # order of input does not matter
        ({1: "70"}, {1: 1}),
        ({1: "90", 2: "90", 3: "80", 4: "80", 5: "10"}, {1: 1, 2: 1, 3: 3, 4: 3, 5: 5}),
    ],
)
def test_ranking_is_standard_competition_ranking(totals, ranks):
    assert rank_competition({k: D(v) for k, v in totals.items()}) == ranks


def test_score_quarter_ranks_within_position_and_counts_those_ranked():
    # Given two lawyers and one assistant with one rated indicator each
    period = scoring.Period(
        starts_on=datetime.date(2026, 7, 1),
        ends_on=datetime.date(2026, 9, 30),
        lookback_starts_on=datetime.date(2024, 7, 1),
        starts_at=None,
        ends_before=None,
        as_of=None,
    )
    rows = scoring.QuarterRows(
        period=period,
        ratings=[
            scoring.RatingGroup(1, "communication", "peer", 2, 8),
            scoring.RatingGroup(2, "communication", "peer", 1, 5),
            scoring.RatingGroup(3, "communication", "peer", 1, 3),
        ],
    )
    rule = ItemRule(code="communication", weight=D("100"), kind="rated")
    people = [scoring.Person(1, "lawyer"), scoring.Person(2, "lawyer"), scoring.Person(3, "assistant")]
    # When the quarter is scored
    results = {
        r.staff_id: r for r in scoring.score_quarter(rows, people, {"lawyer": [rule], "assistant": [rule]}, BANDS)
    }
    # Then each position is ranked on its own
    assert (results[2].rank, results[1].rank, results[3].rank) == (1, 2, 1)
    assert (results[1].ranked_count, results[3].ranked_count) == (2, 1)
    assert results[1].total == D("80.00") and results[1].grade.label_en == "Good"
    assert results[3].total == D("60.00") and results[3].grade.label_zh == "合格"
