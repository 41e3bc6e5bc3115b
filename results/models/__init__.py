"""The results app's tables: scorecards and lines, the basis they rest on, and the corrections that supersede them.

This app is their one writer (results.drafts, results.publication, results.corrections); other apps read them.
"""

from results.models.basis import Basis, BasisChunk
from results.models.corrections import (
    Correction,
    CorrectionAdjustment,
    CorrectionEvent,
    CorrectionRecordChange,
    CorrectionStatus,
)
from results.models.scorecards import IndicatorScore, PublishedResultChanged, Scorecard

__all__ = [
    "Basis",
    "BasisChunk",
    "Correction",
    "CorrectionAdjustment",
    "CorrectionEvent",
    "CorrectionRecordChange",
    "CorrectionStatus",
    "IndicatorScore",
    "PublishedResultChanged",
    "Scorecard",
]
