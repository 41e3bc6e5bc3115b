"""Notifications shown in the app, the log that lets each reminder out once, and the feedback documents."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message to one user, listed in the app (the bell) and usually also sent by e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self):
        return self.title

    @property
    def is_read(self):
        """The user has marked it read."""
        return self.read_at is not None


class ReminderLog(models.Model):
    """A reminder that went out. The unique constraint is the guard: a reminder is sent only after its row was
    inserted, so a second beat run or a retried task finds the row and sends nothing."""

    kind = models.CharField(max_length=40)
    object_key = models.CharField(max_length=120)
    day = models.DateField()
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day", "kind", "object_key", "recipient"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_key", "day", "recipient"], name="reminder_once_per_day"),
        ]

    def __str__(self):
        return f"{self.day} {self.kind} {self.object_key} → {self.recipient_id}"


class FeedbackDocument(models.Model):
    """A rendered PDF: one person's written feedback (regulation 三.5) or the execution group's report (二.2).

    A feedback document belongs to one scorecard version; a corrected scorecard (upheld appeal) gets its own
    document, and the old one is kept.
    """

    class Kind(models.TextChoices):
        FEEDBACK = "feedback", _("Written feedback")
        REPORT = "report", _("Report to the leadership group")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Rendering")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    quarter = models.ForeignKey(
        "reviews.Quarter", on_delete=models.PROTECT, related_name="feedback_documents", verbose_name=_("quarter")
    )
    scorecard = models.ForeignKey(
        "results.Scorecard",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback_documents",
        verbose_name=_("scorecard"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FEEDBACK)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    file = models.FileField(_("file"), upload_to="feedback/", blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["quarter", "kind", "scorecard", "version"]
        verbose_name = _("feedback document")
        verbose_name_plural = _("feedback documents")
        constraints = [
            # Running the batch twice finds these rows and creates nothing new.
            models.UniqueConstraint(fields=["scorecard", "version"], name="feedback_document_unique_version"),
            models.UniqueConstraint(
                fields=["quarter", "version"], condition=Q(kind="report"), name="report_document_unique_version"
            ),
            models.CheckConstraint(
                condition=Q(kind="report", scorecard__isnull=True) | Q(kind="feedback", scorecard__isnull=False),
                name="feedback_document_kind_matches_scorecard",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.quarter_id}/{self.scorecard_id} v{self.version}"
