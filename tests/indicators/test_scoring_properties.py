"""Properties of the scoring rules that hold for any numbers (hypothesis)."""

import datetime
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from indicators import scoring
from indicators.defaults import DEFAULT_ITEMS
from indicators.scoring import ContractRow, ItemRule, RawValue

decimals = st.decimals(min_value=D("0"), max_value=D("1000"), places=4, allow_nan=False, allow_infinity=False)
positive = st.decimals(min_value=D("0.01"), max_value=D("100"), places=2, allow_nan=False, allow_infinity=False)


@st.composite
def rules(draw):
    mode = draw(st.sampled_from(["relative", "absolute"]))
    target = draw(positive if mode == "relative" else decimals)
    return ItemRule(
        code="x",
        weight=draw(positive),
        direction=draw(st.sampled_from(["higher", "lower"])),
        target=target,
        step=draw(positive),
        step_mode=mode,
        points_per_step=draw(st.decimals(min_value=D("0"), max_value=D("20"), places=2)),
        bonus_cap=draw(st.decimals(min_value=D("0"), max_value=D("20"), places=2)),
    )


@given(rules(), decimals)
def test_points_stay_within_zero_and_weight_plus_cap(rule, value):
    points = scoring.computed_points(value, rule)
    assert D(0) <= points <= rule.weight + rule.bonus_cap


@given(rules(), decimals, decimals)
def test_a_better_value_never_scores_fewer_points(rule, a, b):
    low, high = sorted([a, b])
    better, worse = (high, low) if rule.direction == "higher" else (low, high)
    assert scoring.computed_points(better, rule) >= scoring.computed_points(worse, rule)


# The default lawyer items, with the catalogue's kind and direction of each indicator.
KINDS = {"communication": "rated", "collaboration": "rated"}
LAWYER_RULES = [
    ItemRule(
        code=e["indicator"],
        kind=KINDS.get(e["indicator"], "computed"),
        direction="lower" if e["indicator"] == "complaint_rate" else "higher",
        **{k: v for k, v in e.items() if k != "indicator"},
    )
    for e in DEFAULT_ITEMS["lawyer"]
]
PERIOD = scoring.Period(
    starts_on=datetime.date(2026, 7, 1),
    ends_on=datetime.date(2026, 9, 30),
    lookback_starts_on=datetime.date(2024, 7, 1),
    starts_at=datetime.datetime(2026, 7, 1, tzinfo=datetime.UTC),
    ends_before=datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC),
    as_of=datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC),
)


def _lawyer_total(new_clients: int, existing: int) -> D:
    contracts = [ContractRow(i, 1000 + i, 1, 2, datetime.date(2025, 1, 1)) for i in range(existing)]
    contracts += [ContractRow(500 + i, i, 1, 1, datetime.date(2026, 8, 1)) for i in range(new_clients)]
    rows = scoring.QuarterRows(period=PERIOD, contracts=contracts)
    (result,) = scoring.score_quarter(rows, [scoring.Person(1, "lawyer")], {"lawyer": LAWYER_RULES}, [])
    return result.total


@given(st.integers(0, 8), st.integers(0, 8), st.integers(0, 5))
def test_more_new_clients_never_lower_a_lawyers_total(fewer, extra, existing):
    assert _lawyer_total(fewer + extra, existing) >= _lawyer_total(fewer, existing)


@given(st.dictionaries(st.integers(1, 500), st.decimals(min_value=D(0), max_value=D(120), places=2), min_size=1))
def test_rank_order_agrees_with_totals(totals):
    ranks = scoring.rank_competition(totals)
    for a in totals:
        for b in totals:
            if totals[a] > totals[b]:
                assert ranks[a] < ranks[b]
            elif totals[a] == totals[b]:
                assert ranks[a] == ranks[b]
    # A rank is one more than the number of people strictly ahead.
    for a in totals:
        assert ranks[a] == 1 + sum(1 for b in totals if totals[b] > totals[a])


@given(st.lists(st.one_of(st.none(), decimals), min_size=3, max_size=3), st.sampled_from(["full", "zero", "exclude"]))
def test_line_points_never_exceed_the_rescaled_maximum(values, policy):
    rules = [
        ItemRule(code=c, weight=w, target=D(10), step=D(1), step_mode="absolute", bonus_cap=D(2), no_data_policy=policy)
        for c, w in zip("abc", [D(50), D(30), D(20)], strict=True)
    ]
    raw = {c: RawValue(v) for c, v in zip("abc", values, strict=True)}
    lines, total = scoring.score_lines(raw, rules)
    for line, rule in zip(lines, rules, strict=True):
        factor = line.effective_weight / rule.weight
        assert D(0) <= line.points <= scoring.round_half_up((rule.weight + rule.bonus_cap) * factor) + D("0.01")
    assert total == sum(line.points for line in lines)
