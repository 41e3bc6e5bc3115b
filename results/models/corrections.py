"""Corrections of published results: what a correction declares, who prepared and who approved it, and its history.

Regulation 一.3 and 二.1 (docs/results.md "Corrections"): a published result changes only through a correction that
says exactly what it changes (records added, changed or removed; points adjustments); a correction that moves
anyone but the appellant takes effect only once a leadership member who did not prepare it approves it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CorrectionStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting the leadership group's approval")
    APPLIED = "applied", _("Applied")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Correction(models.Model):
    """One correction of a published quarter: declared changes, recomputed from the basis, applied as new versions."""

    class Origin(models.TextChoices):
        APPEAL = "appeal", _("An upheld appeal")
        EXECUTION = "execution", _("The execution group")

    quarter = models.ForeignKey(
        "reviews.Quarter", on_delete=models.PROTECT, related_name="corrections", verbose_name=_("quarter")
    )
    origin = models.CharField(_("raised by"), max_length=12, choices=Origin.choices)
    # The appellant when an appeal raised it: the one person whose result may move without the leadership group.
    subject = models.ForeignKey(
        "reviews.StaffProfile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("appellant"),
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=20, choices=CorrectionStatus.choices, default=CorrectionStatus.DRAFT
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("prepared by")
    )
    prepared_at = models.DateTimeField(_("prepared at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # What the preview said when it was submitted (results.corrections.Preview.fingerprint): the approver confirms
    # the same outcome or is told it changed.
    fingerprint = models.CharField(max_length=64, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    # The basis the corrected versions rest on: the quarter's basis with exactly these changes.
    basis = models.OneToOneField(
        "results.Basis", on_delete=models.PROTECT, null=True, blank=True, related_name="correction"
    )

    class Meta:
        ordering = ["quarter", "-prepared_at", "-id"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="correction_reason_required"),
            models.CheckConstraint(
                condition=Q(origin="execution") | Q(subject__isnull=False), name="correction_appeal_has_subject"
            ),
        ]

    def __str__(self):
        return f"{self.quarter} #{self.pk}"

    @property
    def is_open(self):
        """Still being prepared or waiting for approval."""
        return self.status in (CorrectionStatus.DRAFT, CorrectionStatus.AWAITING_APPROVAL)


class CorrectionRecordChange(models.Model):
    """One department record the correction adds, changes or removes, with the values it declares."""

    class Kind(models.TextChoices):
        CONTRACT = "contract", _("Engagement contract")
        CLIENT = "client", _("Client")
        REVENUE = "revenue", _("Revenue entry")
        COMPLAINT = "complaint", _("Complaint")
        SURVEY = "survey", _("Satisfaction survey")

    class Operation(models.TextChoices):
        ADD = "add", _("Add")
        CHANGE = "change", _("Change")
        REMOVE = "remove", _("Remove")

    correction = models.ForeignKey(Correction, on_delete=models.CASCADE, related_name="record_changes")
    kind = models.CharField(_("kind of record"), max_length=12, choices=Kind.choices)
    operation = models.CharField(_("change"), max_length=8, choices=Operation.choices)
    # The record changed or removed; for an addition, the record created when the correction is applied.
    record_id = models.BigIntegerField(null=True, blank=True)
    reference = models.CharField(_("reference"), max_length=60)
    # The declared field values (department model field names; foreign keys as ids), and the values before.
    values = models.JSONField(default=dict, blank=True)
    before = models.JSONField(default=dict, blank=True)
    note = models.CharField(_("why"), max_length=500, blank=True)

    class Meta:
        ordering = ["correction", "id"]
        verbose_name = _("record change")
        verbose_name_plural = _("record changes")
        constraints = [
            models.CheckConstraint(
                condition=Q(operation="add") | Q(record_id__isnull=False), name="correction_change_names_its_record"
            ),
        ]

    def __str__(self):
        return f"{self.get_operation_display()} {self.get_kind_display()} {self.reference}"


class CorrectionAdjustment(models.Model):
    """A points adjustment on one person's indicator, applied on top of the computed points (clamped to its range)."""

    correction = models.ForeignKey(Correction, on_delete=models.CASCADE, related_name="adjustments")
    staff = models.ForeignKey("reviews.StaffProfile", on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(
        "indicators.Indicator", on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
    points = models.DecimalField(_("points adjustment"), max_digits=6, decimal_places=2)
    justification = models.TextField(_("justification"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["correction", "staff", "indicator__order"]
        verbose_name = _("points adjustment")
        verbose_name_plural = _("points adjustments")
        constraints = [
            models.UniqueConstraint(
                fields=["correction", "staff", "indicator"], name="correction_adjustment_one_per_line"
            ),
            models.CheckConstraint(condition=~Q(points=0), name="correction_adjustment_not_zero"),
            models.CheckConstraint(condition=~Q(justification=""), name="correction_adjustment_justified"),
        ]

    def __str__(self):
        return f"{self.correction} {self.staff_id} {self.indicator_id} {self.points:+}"


class CorrectionEvent(models.Model):
    """One step of a correction's life: who, when, from which status to which, and why."""

    correction = models.ForeignKey(Correction, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=20, choices=CorrectionStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CorrectionStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["correction", "at", "id"]

    def __str__(self):
        return f"{self.correction} {self.from_status} → {self.to_status}"
