"""The results app's tables: scorecards and lines, the basis they rest on, and the corrections that supersede them.

This app is their one writer (results.drafts, results.publication, results.corrections); other apps read them.
"""

from .basis import Basis, BasisChunk
from .corrections import (
    Correction,
    CorrectionAdjustment,
    CorrectionEvent,
    CorrectionRecordChange,
    CorrectionStatus,
)
from .scorecards import IndicatorScore, PublishedResultChanged, Scorecard

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
