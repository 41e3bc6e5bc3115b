"""A quarter and its history (regulation 三.1): the states it passes through and who moved it."""

import datetime
import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

_QUARTER_CODE = re.compile(r"^\s*(\d{4})\s*[Qq]\s*([1-4])\s*$")


class QuarterState(models.TextChoices):
    SCHEME_DRAFT = "scheme_draft", _("Scheme draft")
    SCHEME_APPROVED = "scheme_approved", _("Scheme approved")
    COLLECTING = "collecting", _("Collecting data")
    SCORED = "scored", _("Scored")
    SUBMITTED = "submitted", _("Submitted to leadership")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


class Quarter(models.Model):
    """One assessment period (regulation 三.1: the cycle is the calendar quarter)."""

    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("quarter"))
    state = models.CharField(_("state"), max_length=20, choices=QuarterState.choices, default=QuarterState.SCHEME_DRAFT)
    appeal_window_days = models.PositiveSmallIntegerField(_("appeal window (days)"), default=7)
    appeal_decision_days = models.PositiveSmallIntegerField(_("appeal decision time (days)"), default=10)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Regulation 二.2: the execution group's written summary heading the report to the leadership group.
    report_summary = models.TextField(_("report summary"), blank=True)
    # Who sent the results to the leadership group: the four-eyes rule keeps them from approving them.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "-number"]
        verbose_name = _("quarter")
        verbose_name_plural = _("quarters")
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="quarter_unique_year_number"),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=4), name="quarter_number_1_to_4"),
        ]

    def __str__(self):
        return self.code

    @property
    def code(self):
        """The quarter's short name, e.g. 2026Q3."""
        return f"{self.year}Q{self.number}"

    @staticmethod
    def parse_code(code):
        """(year, number) from '2026Q3'; ValueError when it is not a quarter."""
        match = _QUARTER_CODE.match(code or "")
        if not match:
            raise ValueError(f"{code!r} is not a quarter like 2026Q3")
        return int(match.group(1)), int(match.group(2))

    @classmethod
    def bounds(cls, year, number):
        """First and last day of a quarter."""
        start = datetime.date(year, 3 * (number - 1) + 1, 1)
        next_start = datetime.date(year + 1, 1, 1) if number == 4 else datetime.date(year, 3 * number + 1, 1)
        return start, next_start - datetime.timedelta(days=1)

    @classmethod
    def containing(cls, day):
        """(year, number) of the quarter a date falls in."""
        return day.year, (day.month - 1) // 3 + 1

    @property
    def starts_on(self):
        """First day of the quarter."""
        return self.bounds(self.year, self.number)[0]

    @property
    def ends_on(self):
        """Last day of the quarter."""
        return self.bounds(self.year, self.number)[1]

    @property
    def results_due_on(self):
        """Regulation 三.1: results are due by the 10th of the month after the quarter."""
        after = self.ends_on + datetime.timedelta(days=1)
        return after.replace(day=10)

    def previous(self):
        """(year, number) of the quarter before this one."""
        return (self.year - 1, 4) if self.number == 1 else (self.year, self.number - 1)


class QuarterEvent(models.Model):
    """One step of a quarter's life: who moved it from which state to which, when, and why."""

    quarter = models.ForeignKey(Quarter, on_delete=models.CASCADE, related_name="events", verbose_name=_("quarter"))
    from_state = models.CharField(_("from"), max_length=20, choices=QuarterState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=QuarterState.choices)
    action = models.CharField(_("action"), max_length=30)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["quarter", "at", "id"]
        verbose_name = _("quarter event")
        verbose_name_plural = _("quarter events")

    def __str__(self):
        return f"{self.quarter} {self.from_state} → {self.to_state}"
