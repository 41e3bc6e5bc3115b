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
# typical rater's distance on the indicator (the median of every compared rater's absolute leniency). The second test
# is what "far from the rest" needs: one generous rater among three on a person makes the two others read half as
# strict, and they must not be flagged for it. Last, the leniency must be at least STEADY_ERRORS standard errors of
# the rater's differences from the others (score by score): a rater whose few scores scatter around the others' is
# not lenient, one whose scores sit above theirs every time is.
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


def _flagged(rows: list[Leniency], threshold: Decimal) -> list[Leniency]:
    """The rows with the flag set on the raters far from the rest (see FLAG_SHARE_OF_SCALE)."""
    judged = [row for row in rows if row.leniency is not None and row.compared >= MIN_RATINGS_FLAGGED]
    typical = {
        indicator: _median([abs(row.leniency) for row in judged if row.indicator == indicator])
        for indicator in {row.indicator for row in judged}
    }
    return [
        row._replace_flag(
            row in judged
            and abs(row.leniency) >= threshold
            and abs(row.leniency) >= FAR_FROM_TYPICAL * typical[row.indicator]
            and abs(row.leniency) >= STEADY_ERRORS * row.standard_error
        )
        for row in rows
    ]


def leniency_table(ratings: list[Rating], scale: int) -> list[Leniency]:
    """One row per rater and indicator, most lenient first (None last), then by rater and indicator.

    Leniency = the rater's average − the others' average, over the ratees both rated: positive is generous,
    negative strict. Comparing on the same people keeps a rater who happens to rate strong colleagues from
    looking lenient.
    """
    scores_of_pair: dict[tuple[int, str], list[Rating]] = defaultdict(list)
    for rating in ratings:
        scores_of_pair[(rating.ratee_id, rating.indicator)].append(rating)
    given: dict[tuple[int, str], list[Rating]] = defaultdict(list)
    for rating in ratings:
        given[(rating.rater_id, rating.indicator)].append(rating)

    rows = []
    for (rater, indicator), mine in given.items():
        own, others = [], []
        for rating in mine:
            rest = [r.score for r in scores_of_pair[(rating.ratee_id, indicator)] if r.rater_id != rater]
            if rest:
                own.append(rating.score)
                others.append(_mean(rest))
        average = others_average = leniency = error = None
        if own:
            average, others_average = _mean(own), _mean(others)
            leniency = round_half_up(average - others_average)
            error = _standard_error([score - other for score, other in zip(own, others, strict=True)])
            average, others_average = round_half_up(average), round_half_up(others_average)
        rows.append(Leniency(rater, indicator, len(mine), len(own), average, others_average, leniency, False, error))
    rows = _flagged(rows, flag_threshold(scale))
    rows.sort(key=lambda row: (row.leniency is None, -(row.leniency or ZERO), row.rater_id, row.indicator))
    return rows
