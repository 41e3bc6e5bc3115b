"""Appeals against published results (regulation 二.2: the execution group handles them; 二.1: the leadership
group decides the major cases). Every step leaves an AppealEvent; nothing here is ever deleted."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AppealStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    INFORMATION_REQUESTED = "information_requested", _("Information requested")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")
    ESCALATED = "escalated", _("Escalated to the leadership group")
    DECIDED_BY_LEADERSHIP = "decided_by_leadership", _("Decided by the leadership group")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Waiting for a decision: at most one of these per person and quarter (see the constraint below).
OPEN_STATUSES = (
    AppealStatus.SUBMITTED,
    AppealStatus.UNDER_REVIEW,
    AppealStatus.INFORMATION_REQUESTED,
    AppealStatus.ESCALATED,
)


class Outcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class Appeal(models.Model):
    """One person's objection to their published result of a quarter."""

    quarter = models.ForeignKey(
        "reviews.Quarter", on_delete=models.PROTECT, related_name="appeals", verbose_name=_("quarter")
    )
    # The version the person appealed against; a correction makes newer versions, this one stays as filed.
    scorecard = models.ForeignKey(
        "results.Scorecard", on_delete=models.PROTECT, related_name="appeals", verbose_name=_("scorecard")
    )
    staff = models.ForeignKey(
        "reviews.StaffProfile", on_delete=models.PROTECT, related_name="appeals", verbose_name=_("appellant")
    )
    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appeals_filed", verbose_name=_("filed by")
    )
    indicators = models.ManyToManyField(
        "indicators.Indicator", related_name="+", verbose_name=_("contested indicators")
    )
    reason = models.TextField(_("reason"))
    expected_correction = models.TextField(_("expected correction"), blank=True)
    status = models.CharField(_("status"), max_length=24, choices=AppealStatus.choices, default=AppealStatus.SUBMITTED)
    filed_at = models.DateTimeField(_("filed at"))
    decision_due_on = models.DateField(_("decision due on"))
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals_handled",
        verbose_name=_("handler"),
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    decision = models.TextField(_("decision"), blank=True)
    # When the appeal stopped waiting for a decision: the decision, or the withdrawal (which has no outcome).
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # What an upheld appeal changes in the results: declared record changes and points adjustments (results app).
    correction = models.OneToOneField(
        "results.Correction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeal",
        verbose_name=_("correction"),
    )

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            # One open appeal per person and quarter, whichever version of the scorecard it names.
            models.UniqueConstraint(
                fields=["quarter", "staff"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="appeal_one_open_per_scorecard",
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(decided_at__isnull=False), name="appeal_outcome_has_decision_time"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="appeal_reason_required"),
        ]

    def __str__(self):
        return f"{self.staff} {self.quarter} #{self.pk}"

    @property
    def is_open(self):
        """Still waiting for a decision (and so still open to withdrawal and messages)."""
        return self.status in OPEN_STATUSES

    @property
    def status_summary(self):
        """The status, with the outcome where the status alone does not say it ("Closed · Upheld"); an upheld
        appeal reads "Upheld", not "Upheld · Upheld"."""
        status = self.get_status_display()
        if not self.outcome or self.status == self.outcome:
            return status
        return f"{status} · {self.get_outcome_display()}"


class AppealEvent(models.Model):
    """One step of an appeal's life: who, when, from which status to which, and why."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events", verbose_name=_("appeal"))
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=24, choices=AppealStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=24, choices=AppealStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["appeal", "at", "id"]
        verbose_name = _("appeal event")
        verbose_name_plural = _("appeal events")

    def __str__(self):
        return f"{self.appeal} {self.from_status} → {self.to_status}"


class AppealMessage(models.Model):
    """A message between the appellant and the people handling the appeal."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="messages", verbose_name=_("appeal"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    body = models.TextField(_("message"))
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["appeal", "at", "id"]
        verbose_name = _("appeal message")
        verbose_name_plural = _("appeal messages")

    def __str__(self):
        return f"{self.appeal} · {self.author}"


def attachment_path(instance, filename):
    """Where an attachment is stored: a generated name only (uploads.py makes it); the user's name never."""
    return f"appeals/{instance.appeal_id}/{filename}"


class AppealAttachment(models.Model):
    """Evidence: stored privately under a generated name; the original name is display text only."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("appeal"))
    message = models.ForeignKey(
        AppealMessage, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        ordering = ["appeal", "uploaded_at", "id"]
        verbose_name = _("appeal attachment")
        verbose_name_plural = _("appeal attachments")

    def __str__(self):
        return self.original_name
