"""Feedback documents (regulation 三.5: written feedback), one PDF a scorecard version.

The table keeps the name it had when the documents lived in the notifications app (migrations/0001)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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
        db_table = "notifications_feedbackdocument"
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
