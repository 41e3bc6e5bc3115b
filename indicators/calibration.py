"""Rater calibration of the rated indicators (regulation 三.4 多角度评价): pure arithmetic over single ratings.

Two things live here. The leniency table tells the execution and leadership groups how far each rater's scores sit
from what the other raters gave the same people on the same indicator. The centring rule, when a scheme chooses it
(parameter ``rating_calibration``), moves every score a rater gave on an indicator by the difference between that
rater's average and the round's average on the indicator. No ORM and no clock; Decimal throughout. docs/indicators.md
("Rater calibration") states the rules with a worked example.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from indicators.scoring import CALIBRATION_CENTRE, CALIBRATION_NONE, ZERO, RatingGroup, round_half_up

# The scheme's calibration rules: none leaves the scores as given; centre centres each rater on the round's mean.
NONE, CENTRE = CALIBRATION_NONE, CALIBRATION_CENTRE
RULES = (NONE, CENTRE)
DEFAULT_RULE = NONE

# A centring offset is kept to four places (as a scorecard line keeps its raw values): exact enough that no rounded
# two-place average moves, and the same offset on every score of a rater keeps their order of ratees.
OFFSET_PLACES = Decimal("0.0001")

# A rater is flagged when their leniency is at least a tenth of the scale's maximum (half a point on the 1–5 scale,
# the gap between "good" and "very good" for half the people they rated) over at least MIN_RATINGS_FLAGGED ratings
# compared with other raters (one or two scores say too little about a rater), and at least FAR_FROM_TYPICAL times the
# typical distance of the other raters on the indicator, measured without the candidate and without the raters
# already flagged (the median of their absolute leniencies; _flagged). The second test is what "far from the rest"
# needs: one generous rater among three on a person makes the two others read half as strict next to them, and they
# must not be flagged for it, while the generous one must be, however few raters share the indicator. Last, the
# leniency must be at least STEADY_ERRORS standard errors of the rater's differences from the others (score by
# score): a rater whose few scores scatter around the others' is not lenient, one whose scores sit above theirs
# every time is.
FLAG_SHARE_OF_SCALE = Decimal("0.1")
FAR_FROM_TYPICAL = 2
STEADY_ERRORS = 2
MIN_RATINGS_FLAGGED = 3


class Rating(NamedTuple):
    """One score a rater gave a ratee on a rated indicator."""

    rater_id: int
    ratee_id: int
    indicator: str
    rater_type: str
    score: int


def _mean(values) -> Decimal:
    values = list(values)
    return Decimal(sum(values)) / len(values)


# ---------------------------------------------------------------------------------------------------------
# The centring rule.


def centring_offsets(ratings: list[Rating]) -> dict[tuple[int, str], Decimal]:
    """(rater, indicator) → the rater's average on the indicator minus the round's average on it, four places.

    Per indicator, because a rater may be generous on communication and strict on collaboration; over every rating
    of the round on that indicator, whoever the ratee and whatever the kind of rater.
    """
    by_indicator: dict[str, list[int]] = defaultdict(list)
    by_rater: dict[tuple[int, str], list[int]] = defaultdict(list)
    for rating in ratings:
        by_indicator[rating.indicator].append(rating.score)
        by_rater[(rating.rater_id, rating.indicator)].append(rating.score)
    round_mean = {indicator: _mean(scores) for indicator, scores in by_indicator.items()}
    return {
        (rater, indicator): round_half_up(_mean(scores) - round_mean[indicator], OFFSET_PLACES)
        for (rater, indicator), scores in by_rater.items()
    }


def centred_scores(ratings: list[Rating]) -> list[Decimal]:
    """Each rating's score after centring, in the order given. Not clipped to the scale: a rater's scores all move
    by the same amount, so their order of ratees stays exactly as given; the line's points are capped at the
    weight anyway (scoring.rated_points)."""
    offsets = centring_offsets(ratings)
    return [rating.score - offsets[(rating.rater_id, rating.indicator)] for rating in ratings]


def centred_groups(ratings: list[Rating]) -> list[RatingGroup]:
    """The ratings as scoring reads them (one group per ratee, indicator and kind of rater: count and sum of the
    scores given), each with the sum of its centring adjustments. Anonymity: a group holds no rater."""
    offsets = centring_offsets(ratings)
    groups: dict[tuple[int, str, str], list] = {}
    for rating in ratings:
        key = (rating.ratee_id, rating.indicator, rating.rater_type)
        count, total, adjustment = groups.get(key, (0, 0, ZERO))
        groups[key] = (count + 1, total + rating.score, adjustment - offsets[(rating.rater_id, rating.indicator)])
    return [
        RatingGroup(ratee, indicator, kind, count, total, adjustment)
        for (ratee, indicator, kind), (count, total, adjustment) in sorted(groups.items())
    ]


# ---------------------------------------------------------------------------------------------------------
# The leniency table.


@dataclass(frozen=True)
class Leniency:
    """How one rater's scores on one indicator compare with the other raters' on the same people.

    count: every score the rater gave on the indicator; compared: those given to a ratee whom someone else also
    rated on it. average and others_average are over the compared scores only (None when there are none):
    the rater's own average, and the average of the other raters' mean score for each of those ratees.
    """

    rater_id: int
    indicator: str
    count: int
    compared: int
    average: Decimal | None
    others_average: Decimal | None
    leniency: Decimal | None
    flagged: bool
    standard_error: Decimal | None = None

    def _replace_flag(self, flagged: bool) -> Leniency:
        return dataclasses.replace(self, flagged=flagged)


def flag_threshold(scale: int) -> Decimal:
    """The leniency, either way, at which a rater is flagged: a tenth of the scale's maximum (0.5 on 1–5)."""
    return Decimal(scale) * FLAG_SHARE_OF_SCALE


def _standard_error(differences: list[Decimal]) -> Decimal:
    """The standard error of the mean of the differences (sample standard deviation ÷ √n); zero for one."""
    count = len(differences)
    if count < 2:
        return ZERO
    mean = sum(differences, ZERO) / count
    variance = sum(((d - mean) ** 2 for d in differences), ZERO) / (count - 1)
    return (variance / count).sqrt()


def _median(values: list[Decimal]) -> Decimal:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


class _Index(NamedTuple):
    """The ratings by (rater, indicator) and by (ratee, indicator)."""

    given: dict[tuple[int, str], list[Rating]]
    received: dict[tuple[int, str], list[Rating]]


def _index(ratings: list[Rating]) -> _Index:
    given, received = defaultdict(list), defaultdict(list)
    for rating in ratings:
        given[(rating.rater_id, rating.indicator)].append(rating)
        received[(rating.ratee_id, rating.indicator)].append(rating)
    return _Index(given, received)


def _compared(index: _Index, rater: int, indicator: str, left_out: set[int]):
    """(own scores, the others' mean score for the same ratee) over the rater's ratees whom someone else, not left
    out, also rated on the indicator."""
    own, others = [], []
    for rating in index.given[(rater, indicator)]:
        rest = [
            r.score
            for r in index.received[(rating.ratee_id, indicator)]
            if r.rater_id != rater and r.rater_id not in left_out
        ]
        if rest:
            own.append(rating.score)
            others.append(_mean(rest))
    return own, others


def _steady_leniency(own: list, others: list, threshold: Decimal) -> Decimal | None:
    """The leniency of a rater's compared scores when it passes tests (1) and (3) of FLAG_SHARE_OF_SCALE: enough
    ratings, at least the threshold, at least STEADY_ERRORS standard errors. None when it does not."""
    if len(own) < MIN_RATINGS_FLAGGED:
        return None
    leniency = _mean(own) - _mean(others)
    error = _standard_error([score - other for score, other in zip(own, others, strict=True)])
    if abs(leniency) < threshold or abs(leniency) < STEADY_ERRORS * error:
        return None
    return leniency


def _flagged(rows: list[Leniency], index: _Index, threshold: Decimal) -> list[Leniency]:
    """The rows with the flag set on the raters far from the rest (see FLAG_SHARE_OF_SCALE).

    One indicator at a time, the most distant candidate is judged against "the rest" with every rater already
    flagged left out, so that a generous rater does not make the colleagues who rated the same people look strict
    (and keep a second generous rater from looking ordinary): the candidate is flagged when it is at least
    FAR_FROM_TYPICAL times the typical distance of the raters that remain, measured without it. The next candidate
    is then judged without the flagged ones, until none is far enough. When nobody else is left to compare with (two
    raters who disagree on everyone), nobody is flagged: which of them is off cannot be told.
    """
    flagged: set[tuple[int, str]] = set()
    for indicator in sorted({row.indicator for row in rows}):
        raters = sorted({row.rater_id for row in rows if row.indicator == indicator})
        left_out: set[int] = set()
        while True:
            candidates = []
            for rater in raters:
                if rater in left_out:
                    continue
                leniency = _steady_leniency(*_compared(index, rater, indicator, left_out), threshold)
                if leniency is not None:
                    candidates.append((-abs(leniency), rater))
            if not candidates:
                break
            _, candidate = min(candidates)
            rest = left_out | {candidate}
            distances = []
            for rater in raters:
                if rater in rest:
                    continue
                own, others = _compared(index, rater, indicator, rest)
                if own:
                    distances.append(abs(_mean(own) - _mean(others)))
            own, others = _compared(index, candidate, indicator, left_out)
            distance = abs(_mean(own) - _mean(others))
            if not distances or distance < FAR_FROM_TYPICAL * _median(distances):
                break
            flagged.add((candidate, indicator))
            left_out.add(candidate)
    return [row._replace_flag((row.rater_id, row.indicator) in flagged) for row in rows]


def leniency_table(ratings: list[Rating], scale: int) -> list[Leniency]:
    """One row per rater and indicator, most lenient first (None last), then by rater and indicator.

    Leniency = the rater's average − the others' average, over the ratees both rated: positive is generous,
    negative strict. Comparing on the same people keeps a rater who happens to rate strong colleagues from
    looking lenient.
    """
    index = _index(ratings)
    rows = []
    for (rater, indicator), mine in index.given.items():
        own, others = _compared(index, rater, indicator, set())
        average = others_average = leniency = error = None
        if own:
            average, others_average = _mean(own), _mean(others)
            leniency = round_half_up(average - others_average)
            error = _standard_error([score - other for score, other in zip(own, others, strict=True)])
            average, others_average = round_half_up(average), round_half_up(others_average)
        rows.append(Leniency(rater, indicator, len(mine), len(own), average, others_average, leniency, False, error))
    rows = _flagged(rows, index, flag_threshold(scale))
    rows.sort(key=lambda row: (row.leniency is None, -(row.leniency or ZERO), row.rater_id, row.indicator))
    return rows
