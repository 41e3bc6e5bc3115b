"""Reads behind the results pages that the services do not already return."""

from dataclasses import dataclass

from results.models import CorrectionStatus, Scorecard


@dataclass(frozen=True)
class AppliedVersion:
    """One result an applied correction changed: the version it superseded and the one it made."""

    old: Scorecard
    new: Scorecard


def correction_applied_versions(correction) -> list[AppliedVersion]:
    """What an applied correction changed (docs/results.md, "Corrections"): each new version it made, which rests on
    the correction's own basis, beside the version before it. Two queries, however many people moved."""
    if correction.status != CorrectionStatus.APPLIED or correction.basis_id is None:
        return []
    new_versions = list(
        Scorecard.objects.filter(quarter_id=correction.quarter_id, basis_id=correction.basis_id)
        .select_related("staff")
        .order_by("staff__full_name", "staff_id")
    )
    wanted = {(card.staff_id, card.version - 1) for card in new_versions}
    previous = {
        (card.staff_id, card.version): card
        for card in Scorecard.objects.filter(
            quarter_id=correction.quarter_id, staff_id__in={staff for staff, _version in wanted}
        )
        if (card.staff_id, card.version) in wanted
    }
    return [
        AppliedVersion(old=previous[(card.staff_id, card.version - 1)], new=card)
        for card in new_versions
        if (card.staff_id, card.version - 1) in previous
    ]
