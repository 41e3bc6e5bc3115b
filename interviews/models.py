"""The interview after publication, its improvement plan, and who holds it when the direct superior cannot
(regulation 三.5).

The tables keep the names they had when the interview lived in the reviews app (migrations/0001)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reviews.models import Quarter, StaffProfile


class Interview(models.Model):
    """Regulation 三.5: the direct superior's feedback interview with one assessed person after publication.

    Keyed by quarter and person rather than by scorecard, so a corrected scorecard version (after an appeal)
    keeps the same interview.
    """

    quarter = models.ForeignKey(Quarter, on_delete=models.PROTECT, related_name="interviews", verbose_name=_("quarter"))
    staff = models.ForeignKey(
        StaffProfile, on_delete=models.PROTECT, related_name="interviews", verbose_name=_("assessed person")
    )
    superior = models.ForeignKey(
        StaffProfile, on_delete=models.PROTECT, related_name="interviews_held", verbose_name=_("superior")
    )
    scheduled_at = models.DateTimeField(_("scheduled for"))
    place = models.CharField(_("place"), max_length=200)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("scheduled by")
    )
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    strengths = models.TextField(_("strengths"), blank=True)
    weaknesses = models.TextField(_("weaknesses"), blank=True)
    goals = models.TextField(_("goals for the next quarter"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledgement_comment = models.TextField(_("acknowledgement comment"), blank=True)

    class Meta:
        db_table = "reviews_interview"
        ordering = ["quarter", "staff"]
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        constraints = [
            models.UniqueConstraint(fields=["quarter", "staff"], name="interview_one_per_person_quarter"),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(recorded_at__isnull=False),
                name="interview_acknowledged_after_recorded",
            ),
            models.CheckConstraint(
                condition=Q(recorded_at__isnull=True) | Q(held_at__isnull=False), name="interview_recorded_is_held"
            ),
        ]

    def __str__(self):
        return f"{self.staff} {self.quarter}"

    @property
    def is_recorded(self):
        """The superior has written the interview down."""
        return self.recorded_at is not None

    @property
    def is_acknowledged(self):
        """The assessed person has read and acknowledged the record."""
        return self.acknowledged_at is not None


class ImprovementItem(models.Model):
    """One step of an interview's improvement plan, followed up on the next quarter's scorecard."""

    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, related_name="improvement_items", verbose_name=_("interview")
    )
    description = models.CharField(_("improvement"), max_length=500)
    owner = models.ForeignKey(StaffProfile, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))
    due_on = models.DateField(_("due on"))
    done = models.BooleanField(_("done"), default=False)

    class Meta:
        db_table = "reviews_improvementitem"
        ordering = ["interview", "due_on", "id"]
        verbose_name = _("improvement item")
        verbose_name_plural = _("improvement items")

    def __str__(self):
        return self.description


class InterviewerDesignation(models.Model):
    """The person who holds one assessed person's interview of a quarter instead of the direct superior.

    Regulation 三.5 gives the interview to the direct superior; a person without one (or whose superior has left)
    would never be interviewed and the quarter could never close, so the execution group designates someone.
    The row records who designated whom, when and why; a later designation replaces it (the quarter's history
    keeps each one, interviews.interviewers).
    """

    quarter = models.ForeignKey(
        Quarter, on_delete=models.PROTECT, related_name="interviewer_designations", verbose_name=_("quarter")
    )
    staff = models.ForeignKey(
        StaffProfile,
        on_delete=models.PROTECT,
        related_name="designated_interviewers",
        verbose_name=_("assessed person"),
    )
    interviewer = models.ForeignKey(
        StaffProfile, on_delete=models.PROTECT, related_name="designated_interviews", verbose_name=_("interviewer")
    )
    reason = models.TextField(_("reason"))
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("designated by")
    )
    designated_at = models.DateTimeField(_("designated at"))

    class Meta:
        db_table = "reviews_interviewerdesignation"
        ordering = ["quarter", "staff"]
        verbose_name = _("designated interviewer")
        verbose_name_plural = _("designated interviewers")
        constraints = [
            models.UniqueConstraint(fields=["quarter", "staff"], name="interviewer_one_per_person_quarter"),
            models.CheckConstraint(condition=~Q(interviewer=models.F("staff")), name="interviewer_not_self"),
        ]

    def __str__(self):
        return f"{self.staff} {self.quarter}: {self.interviewer}"


class SelfAssessment(models.Model):
    """Regulation 三.5: the assessed person's own view before the interview, per indicator category (what went
    well, what got in the way, what they need) and the goals they propose for the next quarter.

    Keyed by quarter and person like the interview, so it can be written before the interview is scheduled and a
    corrected scorecard keeps it. A draft is the person's alone; once submitted the interviewer and the execution
    group read it (interviews.self_assessment), and it is frozen when the interview is recorded.
    """

    quarter = models.ForeignKey(
        Quarter, on_delete=models.PROTECT, related_name="self_assessments", verbose_name=_("quarter")
    )
    staff = models.ForeignKey(
        StaffProfile, on_delete=models.PROTECT, related_name="self_assessments", verbose_name=_("assessed person")
    )
    # {category: {"went_well": str, "obstacles": str, "needs": str}} for the categories of
    # indicators.models.Indicator.Category; the service writes only those keys (interviews.self_assessment).
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    proposed_goals = models.TextField(_("proposed goals for the next quarter"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["quarter", "staff"]
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        constraints = [
            models.UniqueConstraint(fields=["quarter", "staff"], name="self_assessment_one_per_person_quarter"),
        ]

    def __str__(self):
        return f"{self.staff} {self.quarter}"

    @property
    def is_submitted(self):
        """The person has handed it to their interviewer (a draft is theirs alone)."""
        return self.submitted_at is not None


class SelfAssessmentEvent(models.Model):
    """Who submitted or revised a self-assessment, and when (the history shown under it)."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        REVISED = "revised", _("Revised after submission")

    self_assessment = models.ForeignKey(
        SelfAssessment, on_delete=models.CASCADE, related_name="events", verbose_name=_("self-assessment")
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["self_assessment", "at", "pk"]
        verbose_name = _("self-assessment event")
        verbose_name_plural = _("self-assessment events")

    def __str__(self):
        return f"{self.self_assessment} {self.action}"
