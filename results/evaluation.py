"""The overall evaluation of each person (regulation 三.5 总体评价): a draft phrased from the scores, then the
execution group's own words, editable until the results go to the leadership group."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from lawfirm_kpi.text import sentences_join
from results.models import Scorecard
from reviews.lifecycle import STATES_AFTER_SUBMISSION
from reviews.models import Quarter
from reviews.roles import roles_of

MAX_EVALUATION_LENGTH = 4000
STRENGTHS_SHOWN = 3
WEAKNESSES_SHOWN = 2


def has_no_data(line) -> bool:
    """The line had nothing to measure (no records, or all of them pending): its points come from the scheme's
    no-data policy (docs/indicators.md, "No data"), not from the person's work."""
    return bool(line.no_data_applied)


def _share(line) -> Decimal | None:
    """Points as a share of the weight the line counted with; None when the line says nothing about the person's
    work: excluded, or scored by the no-data policy (full marks or zero for an empty record are neither a
    strength nor a weakness)."""
    if not line.effective_weight or has_no_data(line):
        return None
    return Decimal(line.points) / Decimal(line.effective_weight)


def strengths_and_weaknesses(lines) -> tuple[list, list]:
    """Strengths: indicators at or above target (full weight or more), best share first; when there is none,
    the best share. Weak indicators: the lowest shares below full weight, worst first."""
    scored = [(line, _share(line)) for line in lines]
    scored = [(line, share) for line, share in scored if share is not None]
    best_first = sorted(scored, key=lambda pair: (-pair[1], -pair[0].effective_weight, pair[0].indicator.order))
    strengths = [line for line, share in best_first if share >= 1][:STRENGTHS_SHOWN]
    if not strengths and best_first:
        strengths = [best_first[0][0]]
    worst_first = sorted(scored, key=lambda pair: (pair[1], -pair[0].effective_weight, pair[0].indicator.order))
    weaknesses = [line for line, share in worst_first if share < 1 and line not in strengths][:WEAKNESSES_SHOWN]
    return strengths, weaknesses


def _points(value) -> str:
    return f"{Decimal(value).quantize(Decimal('0.01'))}".rstrip("0").rstrip(".")


def evaluation_draft(scorecard: Scorecard, lines=None) -> str:
    """The system's draft of the overall evaluation, in the person's preferred language.

    lines: the scorecard's IndicatorScore rows with their indicators (fetched when not given).
    """
    if lines is None:
        lines = list(scorecard.lines.select_related("indicator"))
    strengths, weaknesses = strengths_and_weaknesses(lines)
    with translation.override(scorecard.staff.language):
        separator = _(", ")
        sentences = [
            _(
                "%(name)s scored %(total)s points this quarter, grade %(grade)s, "
                "rank %(rank)d of %(count)d in the same position."
            )
            % {
                "name": scorecard.staff.full_name,
                "total": _points(scorecard.total),
                "grade": scorecard.grade_label,
                "rank": scorecard.rank,
                "count": scorecard.ranked_count,
            }
        ]
        if strengths:
            sentences.append(
                _("Strengths: %(list)s.")
                % {
                    "list": separator.join(
                        _("%(indicator)s (%(points)s of %(weight)s points)")
                        % {
                            "indicator": line.indicator.name,
                            "points": _points(line.points),
                            "weight": _points(line.effective_weight),
                        }
                        for line in strengths
                    )
                }
            )
        if weaknesses:
            sentences.append(
                _("To improve: %(list)s.")
                % {
                    "list": separator.join(
                        _("%(indicator)s (%(points)s of %(weight)s points)")
                        % {
                            "indicator": line.indicator.name,
                            "points": _points(line.points),
                            "weight": _points(line.effective_weight),
                        }
                        for line in weaknesses
                    )
                }
            )
        without_data = [line for line in lines if has_no_data(line)]
        assessed = any(_share(line) is not None for line in lines)
        if assessed and not weaknesses:
            if without_data:
                sentences.append(_("Every indicator with data reached its target."))
            else:
                sentences.append(_("Every indicator reached its target."))
        if without_data:
            sentences.append(
                _("No data this quarter, so not assessed: %(list)s.")
                % {"list": separator.join(line.indicator.name for line in without_data)}
            )
        return sentences_join(sentences)


def scorecard_evaluation_update(*, scorecard: Scorecard, by, text: str) -> Scorecard:
    """The execution group writes a person's overall evaluation; refused once the results are submitted."""
    if not roles_of(by).is_execution:
        raise PermissionDenied(_("Only the execution group writes overall evaluations."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Please write the overall evaluation.")})
    if len(text) > MAX_EVALUATION_LENGTH:
        raise ValidationError({"text": _("At most %(n)d characters, please.") % {"n": MAX_EVALUATION_LENGTH}})
    with transaction.atomic():
        # Lock the quarter row as quarter_submit does: an edit racing the submission would otherwise change an
        # evaluation the leadership group is already reading.
        quarter = Quarter.objects.select_for_update().get(pk=scorecard.quarter_id)
        if quarter.state in STATES_AFTER_SUBMISSION:
            raise ValidationError(
                _("The %(quarter)s results are already submitted: the evaluations can no longer change.")
                % {"quarter": quarter.code}
            )
        current = Scorecard.objects.select_for_update().select_related("staff").get(pk=scorecard.pk)
        if not current.is_current or current.status != Scorecard.Status.DRAFT:
            raise ValidationError(_("Only the current draft result can be edited."))
        if current.staff.user_id == by.pk:
            # Principle 一.3 (fairness): nobody writes the assessment of themselves.
            raise ValidationError(
                _(
                    "Nobody writes their own overall evaluation (regulation 1.3, fairness): another member of the "
                    "execution group writes it."
                )
            )
        current.evaluation = text
        current.save(update_fields=["evaluation"])
    scorecard.evaluation = text
    return current


def scorecards_evaluations_update(*, quarter, by, texts: dict[int, str]) -> list[Scorecard]:
    """Several overall evaluations at once (the evaluations page's "save all"): all saved, or none.

    texts: {scorecard id: the new text}, only the rows that changed. Every row is checked as
    scorecard_evaluation_update checks one; when any fails, a ValidationError maps each failing id (as a string)
    to its message and nothing is saved.
    """
    if not roles_of(by).is_execution:
        raise PermissionDenied(_("Only the execution group writes overall evaluations."))
    if not texts:
        return []
    with transaction.atomic():
        # The quarter's lock first, as quarter_submit takes it: a save racing the submission would otherwise change
        # evaluations the leadership group is already reading.
        locked = Quarter.objects.select_for_update().get(pk=quarter.pk)
        if locked.state in STATES_AFTER_SUBMISSION:
            raise ValidationError(
                _("The %(quarter)s results are already submitted: the evaluations can no longer change.")
                % {"quarter": locked.code}
            )
        cards = {
            card.pk: card
            for card in Scorecard.objects.select_for_update()
            .select_related("staff")
            .filter(quarter=locked, pk__in=list(texts))
            .order_by("pk")
        }
        errors, cleaned = {}, {}
        for pk, raw in texts.items():
            card = cards.get(pk)
            text = (raw or "").strip()
            if card is None or not card.is_current or card.status != Scorecard.Status.DRAFT:
                errors[str(pk)] = _("Only the current draft result can be edited.")
            elif card.staff.user_id == by.pk:
                # Principle 一.3 (fairness): nobody writes the assessment of themselves.
                errors[str(pk)] = _(
                    "Nobody writes their own overall evaluation (regulation 1.3, fairness): another member of the "
                    "execution group writes it."
                )
            elif not text:
                errors[str(pk)] = _("Please write the overall evaluation.")
            elif len(text) > MAX_EVALUATION_LENGTH:
                errors[str(pk)] = _("At most %(n)d characters, please.") % {"n": MAX_EVALUATION_LENGTH}
            else:
                cleaned[pk] = text
        if errors:
            raise ValidationError(errors)
        for pk, text in cleaned.items():
            # save(), not bulk_update: Scorecard.save() is the guard that refuses to touch a published result.
            cards[pk].evaluation = text
            cards[pk].save(update_fields=["evaluation"])
    return [cards[pk] for pk in cleaned]


def drafts_fill_evaluations(*, quarter) -> int:
    """Every current draft still without an overall evaluation receives the system's draft (regulation 三.5: each
    person's written result has one). Runs under the quarter's lock, as the results are submitted."""
    empty = (
        Scorecard.objects.filter(quarter=quarter, is_current=True, status=Scorecard.Status.DRAFT, evaluation="")
        .select_related("staff")
        .prefetch_related("lines__indicator")
    )
    filled = 0
    for scorecard in empty:
        scorecard.evaluation = evaluation_draft(scorecard, list(scorecard.lines.all()))
        scorecard.save(update_fields=["evaluation"])
        filled += 1
    return filled
