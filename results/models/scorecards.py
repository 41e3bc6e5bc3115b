"""Each person's scorecard for a quarter and its indicator lines (regulation 三.4 scoring, 三.5 written result).

A published version is never changed in place: the model refuses it, and so do database triggers
(results/migrations/0003), whatever the path; a correction makes a new version (results.corrections).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from reviews.models import Department, Position, Quarter, StaffProfile


class PublishedResultChanged(Exception):
    """Raised when code tries to edit or delete a published result instead of making a new version."""

    def __init__(self, scorecard):
        super().__init__(f"Scorecard {scorecard.pk} is published and cannot be changed; make a new version.")


class Scorecard(models.Model):
    """One person's result for one quarter; published versions are never edited, only superseded."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    quarter = models.ForeignKey(Quarter, on_delete=models.PROTECT, related_name="scorecards")
    staff = models.ForeignKey(StaffProfile, on_delete=models.PROTECT, related_name="scorecards")
    version = models.PositiveSmallIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    scheme = models.ForeignKey("indicators.Scheme", on_delete=models.PROTECT, related_name="scorecards")
    # The records the result was computed from (results.basis); empty for results computed before bases were kept.
    basis = models.ForeignKey(
        "results.Basis", on_delete=models.PROTECT, null=True, blank=True, related_name="scorecards"
    )
    position = models.CharField(max_length=20, choices=Position.choices)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(max_digits=7, decimal_places=2)
    grade = models.CharField(max_length=40)  # the grade band's Chinese label, as the firm's regulation names it
    grade_en = models.CharField(max_length=40, blank=True)
    rank = models.PositiveIntegerField()
    ranked_count = models.PositiveIntegerField()
    evaluation = models.TextField(_("overall evaluation"), blank=True)
    computed_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    correction_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["quarter", "position", "rank"]
        # The ranked tables' default orders (by rank within position, by total), read from an index.
        indexes = [
            models.Index(
                fields=["quarter", "position", "rank"], condition=Q(is_current=True), name="scorecard_rank_order_idx"
            ),
            models.Index(fields=["quarter", "-total"], condition=Q(is_current=True), name="scorecard_total_order_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["quarter", "staff", "version"], name="scorecard_unique_version"),
            models.UniqueConstraint(
                fields=["quarter", "staff"], condition=Q(is_current=True), name="scorecard_one_current"
            ),
            models.CheckConstraint(condition=Q(total__gte=Decimal("0")), name="scorecard_total_not_negative"),
        ]

    def __str__(self):
        return f"{self.staff} {self.quarter} v{self.version}"

    # A published result is never changed in place; a correction is a new version. Only the
    # is_current flag of a superseded version may still change.
    MUTABLE_AFTER_PUBLICATION = frozenset({"is_current"})

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            update_fields = kwargs.get("update_fields")
            if stored == self.Status.PUBLISHED and (
                update_fields is None or not set(update_fields) <= self.MUTABLE_AFTER_PUBLICATION
            ):
                raise PublishedResultChanged(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED:
            raise PublishedResultChanged(self)
        return super().delete(*args, **kwargs)

    @property
    def grade_label(self):
        """The grade in the active language."""
        return self.grade_en if (get_language() or "").startswith("en") and self.grade_en else self.grade


class IndicatorScore(models.Model):
    """One indicator's line on a scorecard: raw value, target, points and how they were reached."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="lines")
    indicator = models.ForeignKey("indicators.Indicator", on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    numerator = models.DecimalField(max_digits=16, decimal_places=4, null=True)
    denominator = models.DecimalField(max_digits=16, decimal_places=4, null=True)
    target = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    weight = models.DecimalField(max_digits=6, decimal_places=2)
    effective_weight = models.DecimalField(max_digits=6, decimal_places=2)
    points = models.DecimalField(max_digits=6, decimal_places=2)
    rule = models.CharField(max_length=200)
    no_data_policy = models.CharField(max_length=20, blank=True)
    no_data_applied = models.BooleanField(default=False)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["scorecard", "indicator__order"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "indicator"], name="indicator_score_unique"),
        ]

    def __str__(self):
        return f"{self.scorecard} {self.indicator_id}: {self.points}"

    def save(self, *args, **kwargs):
        # A line belongs to its scorecard's version: once that is published, the line is frozen too.
        if (
            self.scorecard_id
            and Scorecard.objects.filter(pk=self.scorecard_id, status=Scorecard.Status.PUBLISHED).exists()
        ):
            raise PublishedResultChanged(self.scorecard)
        super().save(*args, **kwargs)
