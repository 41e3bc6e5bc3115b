"""The goals agreed in a feedback interview for the next quarter (regulation 三.5: "the goals for the next period").

A goal is either tied to an indicator and a number (新增客户不少于3家 → new_clients ≥ 3), and then what was reached
is read from the next quarter's published scorecard, or it stays as text and the superior marks it met or not in
the next quarter's interview (docs/goals.md). The interview's own "goals" text stays its narrative.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator
from reviews.models import Department, Quarter, StaffProfile


class Comparator(models.TextChoices):
    AT_LEAST = "gte", "≥"
    AT_MOST = "lte", "≤"


class Goal(models.Model):
    """One goal agreed in a quarter's interview, for the quarter after it."""

    # The interview that agreed it; a string reference, since interviews sit above goals (DEVELOPERS.md, "Layers").
    interview = models.ForeignKey(
        "interviews.Interview", on_delete=models.CASCADE, related_name="agreed_goals", verbose_name=_("interview")
    )
    # Denormalised from the interview, so that the history and the department share never read the layer above.
    quarter = models.ForeignKey(
        Quarter, on_delete=models.PROTECT, related_name="goals_agreed", verbose_name=_("agreed in")
    )
    staff = models.ForeignKey(StaffProfile, on_delete=models.PROTECT, related_name="goals", verbose_name=_("person"))
    # The person's department when the goal was agreed: the execution group's share counts it there.
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("department"))
    description = models.CharField(_("goal"), max_length=300, blank=True)
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("indicator")
    )
    comparator = models.CharField(_("comparison"), max_length=3, choices=Comparator.choices, blank=True)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=4, null=True, blank=True)
    # A text goal's verdict, given by the superior in the next quarter's interview; numeric goals are computed.
    met = models.BooleanField(_("met"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["quarter", "staff", "id"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [
            # Numeric: indicator, comparison and target together; text: a description and none of them.
            models.CheckConstraint(
                condition=(
                    Q(indicator__isnull=False, target__isnull=False, comparator__in=["gte", "lte"])
                    | Q(indicator__isnull=True, target__isnull=True, comparator="")
                ),
                name="goal_numeric_or_text",
            ),
            models.CheckConstraint(
                condition=Q(indicator__isnull=False) | ~Q(description=""), name="goal_text_has_description"
            ),
            # Only a text goal is assessed by a person; a numeric one follows the published result.
            models.CheckConstraint(
                condition=Q(met__isnull=True) | Q(indicator__isnull=True), name="goal_only_text_is_assessed"
            ),
        ]

    def __str__(self):
        return f"{self.staff} {self.quarter}: {self.description or self.indicator_id}"

    @property
    def is_numeric(self):
        """Tied to an indicator and a number: measured, not judged."""
        return self.indicator_id is not None

    @property
    def for_quarter_key(self) -> tuple[int, int]:
        """(year, number) of the quarter the goal is for: the one after the interview's."""
        return next_quarter_key(self.quarter)


def next_quarter_key(quarter) -> tuple[int, int]:
    """(year, number) of the quarter after this one."""
    return (quarter.year + 1, 1) if quarter.number == 4 else (quarter.year, quarter.number + 1)
