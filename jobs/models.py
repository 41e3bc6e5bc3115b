"""One row per piece of long work a person asked for: what, for whom, how far, and how it ended."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=40)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs", verbose_name=_("requested by")
    )
    # What the job is about, as shown (a quarter's code, a file name) and as a key for "one at a time" (kind +
    # subject_key: a second scoring of the same quarter is refused while the first is queued or running).
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    subject_key = models.CharField(max_length=200, blank=True)
    params = models.JSONField(default=dict, blank=True)
    # The language the person was reading in when they asked: what the job makes (a PDF) is in it.
    language = models.CharField(max_length=10, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # Messages are stored as their English msgid and parameters and translated for each reader at display time.
    outcome_key = models.TextField(blank=True)
    outcome_params = models.JSONField(default=dict, blank=True)
    result_url = models.CharField(max_length=500, blank=True)
    result_file = models.FileField(upload_to="jobs/", blank=True)
    # Whatever the handler hands on to the page that shows the result (the what-if figures, an import's report).
    result_data = models.JSONField(default=dict, blank=True)
    error_key = models.TextField(blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    next_step_key = models.TextField(blank=True)
    retry_allowed = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    celery_task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Touched by every progress step: a running job not touched for JOBS_STALE_AFTER is one whose worker died.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [models.Index(fields=["requested_by", "-created_at"]), models.Index(fields=["state", "heartbeat_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_key"],
                condition=Q(state__in=["queued", "running"]) & ~Q(subject_key=""),
                name="jobs_one_unfinished_per_subject",
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.subject} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)
