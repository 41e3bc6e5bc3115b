"""Rater calibration (indicators/calibration.py): the leniency table and the centring rule, table-driven and as
properties that hold for any ratings (hypothesis)."""

import datetime
from collections import defaultdict
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators import calibration, scoring
from indicators.calibration import Rating

COMM = "communication"


def r(rater, ratee, score, indicator=COMM, kind="peer"):
    return Rating(rater, ratee, indicator, kind, score)


# Three raters on the same three people; rater 1 gives one point more than the others every time.
GENEROUS = [
    r(1, 10, 5), r(2, 10, 4), r(3, 10, 4),
    r(1, 11, 4), r(2, 11, 3), r(3, 11, 3),
    r(1, 12, 5), r(2, 12, 4), r(3, 12, 4),
]  # fmt: skip


def row_of(rows, rater, indicator=COMM):
    return next(row for row in rows if row.rater_id == rater and row.indicator == indicator)


@pytest.mark.parametrize(
    ("ratings", "rater", "expected"),
    [
        # A rater one point above the others on every person: leniency +1, flagged (≥ 0.5 over 3 ratings).
        (GENEROUS, 1, (3, 3, D("4.67"), D("3.67"), D("1.00"), True)),
        # The others read half a point strict (the generous rater pulls "the rest" up) but are not flagged: half a
        # point is the typical distance here, and a flag needs twice that.
        (GENEROUS, 2, (3, 3, D("3.67"), D("4.17"), D("-0.50"), False)),
        # Identical raters: no leniency, no flag.
        ([r(1, 10, 4), r(2, 10, 4), r(1, 11, 2), r(2, 11, 2), r(1, 12, 3), r(2, 12, 3)], 1,
         (3, 3, D("3.00"), D("3.00"), D("0.00"), False)),
        # Far off, but on two ratings only: too few to flag.
        ([r(1, 10, 5), r(2, 10, 2), r(1, 11, 5), r(2, 11, 2)], 1, (2, 2, D("5.00"), D("2.00"), D("3.00"), False)),
        # The only rater of person 12: that score is counted but not compared.
        ([r(1, 10, 4), r(2, 10, 4), r(1, 12, 1)], 1, (2, 1, D("4.00"), D("4.00"), D("0.00"), False)),
        # Nobody else rated the rater's people: nothing to compare, no leniency.
        ([r(1, 10, 5), r(2, 11, 1)], 1, (1, 0, None, None, None, False)),
        # Just under half a point: not flagged (0.44 on the 1–5 scale).
        ([r(1, p, s) for p, s in [(10, 5), (11, 4), (12, 4)]]
         + [r(2, p, s) for p, s in [(10, 4), (11, 4), (12, 4)]]
         + [r(3, p, s) for p, s in [(10, 5), (11, 4), (12, 3)]]
         + [r(4, p, s) for p, s in [(10, 4), (11, 3), (12, 4)]], 1, (3, 3, D("4.33"), D("3.89"), D("0.44"), False)),
    ],
)  # fmt: skip
def test_leniency_compares_a_rater_with_the_others_on_the_same_people(ratings, rater, expected):
    row = row_of(calibration.leniency_table(ratings, scale=5), rater)
    assert (row.count, row.compared, row.average, row.others_average, row.leniency, row.flagged) == expected


def test_leniency_is_per_indicator_and_the_table_lists_the_most_lenient_first():
    ratings = GENEROUS + [r(1, 10, 3, "collaboration"), r(2, 10, 3, "collaboration")]
    rows = calibration.leniency_table(ratings, scale=5)
    assert [(row.rater_id, row.indicator) for row in rows][:1] == [(1, COMM)]
    assert row_of(rows, 1, "collaboration").leniency == D("0.00")
    assert [row.leniency for row in rows] == sorted((row.leniency for row in rows), reverse=True)


def test_when_every_rater_is_as_far_from_the_rest_nobody_is_flagged():
    # Two raters a point apart on everyone: each is one point from "the rest"; who is off cannot be told.
    ratings = [r(1, p, 5) for p in (10, 11, 12)] + [r(2, p, 3) for p in (10, 11, 12)]
    rows = calibration.leniency_table(ratings, scale=5)
    assert {row.leniency for row in rows} == {D("2.00"), D("-2.00")}
    assert not any(row.flagged for row in rows)


def test_a_generous_rater_among_many_is_flagged_and_the_others_are_not():
    # Five raters on the same four people; rater 1 gives two points more than the four others.
    ratings = [r(rater, p, 5 if rater == 1 else 3) for rater in range(1, 6) for p in (10, 11, 12, 13)]
    rows = calibration.leniency_table(ratings, scale=5)
    assert [(row.rater_id, row.leniency) for row in rows if row.flagged] == [(1, D("2.00"))]
    assert row_of(rows, 2).leniency == D("-0.50")


@pytest.mark.parametrize(("scale", "threshold"), [(5, D("0.5")), (10, D("1.0")), (2, D("0.2"))])
def test_the_flag_threshold_is_a_tenth_of_the_scale(scale, threshold):
    assert calibration.flag_threshold(scale) == threshold


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        # Round mean 4; rater 1's mean 4.6667 → −0.6667 on each of their scores; raters 2 and 3 (3.6667) → +0.3333.
        (GENEROUS, {(1, COMM): D("0.6667"), (2, COMM): D("-0.3333"), (3, COMM): D("-0.3333")}),
        # Identical raters: nothing moves.
        ([r(1, 10, 4), r(2, 10, 4), r(1, 11, 2), r(2, 11, 2)], {(1, COMM): D("0"), (2, COMM): D("0")}),
        # Per indicator: generous on one indicator says nothing about the other.
        ([r(1, 10, 5), r(2, 10, 3), r(1, 10, 3, "collaboration"), r(2, 10, 3, "collaboration")],
         {(1, COMM): D("1"), (2, COMM): D("-1"), (1, "collaboration"): D("0"), (2, "collaboration"): D("0")}),
        # Rounded half-up to four places: 1/3 of a point on 4, 4, 5 vs. 3, 3, 3 → means 4.3333 and 3, round 3.6667.
        ([r(1, 10, 4), r(1, 11, 4), r(1, 12, 5), r(2, 10, 3), r(2, 11, 3), r(2, 12, 3)],
         {(1, COMM): D("0.6667"), (2, COMM): D("-0.6667")}),
    ],
)  # fmt: skip
def test_centring_offsets_are_each_raters_mean_minus_the_rounds(ratings, expected):
    assert calibration.centring_offsets(ratings) == expected


def test_centred_groups_keep_the_scores_as_given_and_add_the_adjustment():
    groups = calibration.centred_groups(GENEROUS + [r(4, 10, 4, kind="superior")])
    # Round mean now 4 (ten scores, 40 points); rater 1 at 4.6667, raters 2 and 3 at 3.6667, rater 4 at 4.
    peer_10 = next(g for g in groups if (g.ratee_id, g.rater_type) == (10, "peer"))
    assert (peer_10.count, peer_10.total, peer_10.adjustment) == (3, 13, D("-0.6667") + D("0.3333") * 2)
    superior_10 = next(g for g in groups if (g.ratee_id, g.rater_type) == (10, "superior"))
    assert (superior_10.count, superior_10.total, superior_10.adjustment) == (1, 4, D("0.0000"))


# --- Scoring with the rule on and off -------------------------------------------------------------------------------

PERIOD = scoring.Period(
    starts_on=datetime.date(2026, 7, 1),
    ends_on=datetime.date(2026, 9, 30),
    lookback_starts_on=datetime.date(2024, 7, 1),
    starts_at=datetime.datetime(2026, 6, 30, 16, tzinfo=datetime.UTC),
    ends_before=datetime.datetime(2026, 9, 30, 16, tzinfo=datetime.UTC),
    as_of=datetime.datetime(2026, 10, 5, tzinfo=datetime.UTC),
)
RULE = scoring.ItemRule(code=COMM, weight=D("10"), kind=scoring.RATED)


def score(groups, rule=RULE, calibration_rule=scoring.CALIBRATION_NONE):
    rows = scoring.QuarterRows(period=PERIOD, ratings=groups)
    people = [scoring.Person(p, "lawyer") for p in (10, 11, 12)]
    results = scoring.score_quarter(rows, people, {"lawyer": [rule]}, [], 5, calibration_rule)
    return {result.staff_id: result.line(COMM) for result in results}


def test_without_calibration_the_centring_adjustments_are_ignored():
    lines = score(calibration.centred_groups(GENEROUS))
    assert lines[10].value == D("13") / 3
    assert "calibration" not in lines[10].details


def test_centring_scores_the_centred_average_and_keeps_only_totals_in_the_details():
    # Rater 1 sits 0.6667 above the round mean of 4; the two others 0.3333 below it: person 10 received 5, 4, 4.
    lines = score(calibration.centred_groups(GENEROUS), calibration_rule=scoring.CALIBRATION_CENTRE)
    assert lines[10].value == (D("13") + D("-0.6667") + D("0.3333") * 2) / 3
    assert lines[10].points == D("8.67")  # 10 × 4.3333 ÷ 5 → 8.67 (uncalibrated the same: 13 ÷ 3)
    assert lines[10].details["calibration"] == {"rule": "centre", "received": "4.3333", "adjustment": "0.0000"}
    assert set(lines[10].details) == {"by_rater_type", "calibration", "rule"}  # no rater anywhere


def test_centring_takes_a_lenient_raters_extra_away_from_the_people_only_they_rated():
    # Rater 1 (generous) alone rates person 12; raters 2 and 3 rate 10 and 11.
    ratings = [r(1, 12, 5), r(1, 10, 5), r(2, 10, 3), r(3, 10, 3), r(2, 11, 3), r(3, 11, 3)]
    off = score(calibration.centred_groups(ratings))
    on = score(calibration.centred_groups(ratings), calibration_rule=scoring.CALIBRATION_CENTRE)
    # Round mean 22 ÷ 6 = 3.6667; rater 1 at 5 (+1.3333), raters 2 and 3 at 3 (−0.6667).
    assert off[12].value == D("5")
    assert on[12].value == D("3.6667")
    assert on[12].details["calibration"] == {"rule": "centre", "received": "5.0000", "adjustment": "-1.3333"}
    assert on[11].value == D("3.6667")
    assert on[11].points == D("7.33")


def test_centring_with_rater_weights_uses_the_centred_average_of_each_kind():
    rule = scoring.ItemRule(code=COMM, weight=D("10"), kind=scoring.RATED, rater_weights={"superior": 2, "peer": 1})
    ratings = [r(1, 10, 5, kind="superior"), r(2, 10, 3), r(3, 10, 3), r(1, 11, 5, kind="superior"), r(2, 11, 3)]
    on = score(calibration.centred_groups(ratings), rule=rule, calibration_rule=scoring.CALIBRATION_CENTRE)
    # Round mean 19 ÷ 5 = 3.8: the superior (+1.2) counts 3.8, the peers (−0.8) 3.8 too.
    assert on[10].value == D("3.8")
    assert on[10].details["calibration"]["received"] == "4.3333"  # (2 × 5 + 1 × 3) ÷ 3
    assert on[10].details["calibration"]["adjustment"] == "-0.5333"


# --- Properties -----------------------------------------------------------------------------------------------------


@st.composite
def rating_rounds(draw, max_raters=6, max_ratees=6):
    raters = draw(st.integers(min_value=1, max_value=max_raters))
    ratees = draw(st.integers(min_value=1, max_value=max_ratees))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(1, raters), st.integers(100, 100 + ratees - 1), st.sampled_from([COMM, "collab"])),
            min_size=1,
            max_size=40,
            unique=True,
        )
    )
    return [Rating(rater, ratee, ind, "peer", draw(st.integers(1, 5))) for rater, ratee, ind in pairs]


@given(rating_rounds())
def test_centring_leaves_each_raters_order_of_ratees_unchanged(ratings):
    centred = calibration.centred_scores(ratings)
    by_rater = defaultdict(list)
    for rating, new in zip(ratings, centred, strict=True):
        by_rater[(rating.rater_id, rating.indicator)].append((rating.score, new))
    for pairs in by_rater.values():
        for score_a, new_a in pairs:
            for score_b, new_b in pairs:
                # Strictly: a higher score stays higher, equal scores stay equal.
                assert (score_a > score_b) == (new_a > new_b)
                assert (score_a == score_b) == (new_a == new_b)


@given(st.lists(st.integers(1, 5), min_size=1, max_size=8), st.integers(1, 5))
def test_with_identical_raters_centring_changes_nothing(scores, raters):
    ratings = [Rating(rater, 100 + i, COMM, "peer", s) for rater in range(1, raters + 1) for i, s in enumerate(scores)]
    assert calibration.centred_scores(ratings) == [rating.score for rating in ratings]
    assert all(group.adjustment == 0 for group in calibration.centred_groups(ratings))
    assert all(row.leniency in (None, D("0")) and not row.flagged for row in calibration.leniency_table(ratings, 5))


@given(rating_rounds())
def test_centring_keeps_the_rounds_average_within_rounding(ratings):
    # Each rater's offset is rounded to four places: the round's sum moves by at most half a unit of it per score.
    centred = calibration.centred_scores(ratings)
    for indicator in {rating.indicator for rating in ratings}:
        given_sum = sum(r.score for r in ratings if r.indicator == indicator)
        new_sum = sum(new for r, new in zip(ratings, centred, strict=True) if r.indicator == indicator)
        count = sum(1 for r in ratings if r.indicator == indicator)
        assert abs(new_sum - given_sum) <= D("0.00005") * count


@given(rating_rounds(), st.integers(1, 3))
def test_a_rater_who_adds_points_to_every_score_looks_more_lenient(ratings, extra):
    before = {(row.rater_id, row.indicator): row.leniency for row in calibration.leniency_table(ratings, 5)}
    bumped = [rating._replace(score=rating.score + extra) if rating.rater_id == 1 else rating for rating in ratings]
    after = {(row.rater_id, row.indicator): row.leniency for row in calibration.leniency_table(bumped, 10)}
    for key, leniency in before.items():
        if key[0] == 1 and leniency is not None:
            assert after[key] == leniency + extra


def test_two_generous_raters_are_both_flagged_each_judged_without_the_other():
    # Six raters on the same five people; raters 1 and 2 give two points more than the four others. Judged against
    # everyone, each generous rater has the other in "the rest"; with the first flagged left out, the second stands
    # as far from the remaining four as the first did.
    ratings = [r(rater, p, 5 if rater in (1, 2) else 3) for rater in range(1, 7) for p in (10, 11, 12, 13, 14)]
    rows = calibration.leniency_table(ratings, scale=5)
    assert sorted(row.rater_id for row in rows if row.flagged) == [1, 2]


def test_a_generous_rater_among_three_noisy_colleagues_is_flagged_alone():
    # Rater 1 gives full marks to eight people whom raters 2 and 3 rate around 3–4 with some scatter: rater 1 is far
    # from the rest, and the two others, though they read strict next to rater 1, are not flagged.
    others = {10: (3, 4), 11: (4, 3), 12: (3, 3), 13: (4, 4), 14: (3, 4), 15: (4, 3), 16: (3, 3), 17: (4, 4)}
    ratings = [r(1, p, 5) for p in others] + [
        r(rater, p, pair[rater - 2]) for p, pair in others.items() for rater in (2, 3)
    ]
    rows = calibration.leniency_table(ratings, scale=5)
    assert [row.rater_id for row in rows if row.flagged] == [1]
