"""The assessment organisation (regulation 二) and its quarters (三.1), one module per aggregate."""

from reviews.models.organisation import (
    EXECUTION_GROUP,
    LEADERSHIP_GROUP,
    Department,
    DepartmentKind,
    Language,
    Position,
    StaffProfile,
)
from reviews.models.quarters import Quarter, QuarterEvent, QuarterState
from reviews.models.staff_changes import StaffChange

__all__ = [
    "EXECUTION_GROUP",
    "LEADERSHIP_GROUP",
    "Department",
    "DepartmentKind",
    "Language",
    "Position",
    "Quarter",
    "QuarterEvent",
    "QuarterState",
    "StaffChange",
    "StaffProfile",
]
