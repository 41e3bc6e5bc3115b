"""The indicator catalogue (regulation 三.2), quarterly schemes (三.4) and people's ratings."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from reviews.models import Position, Quarter, QuarterState, StaffProfile

RESULTS_SUBMITTED_STATES = (QuarterState.SUBMITTED, QuarterState.APPROVED, QuarterState.PUBLISHED, QuarterState.CLOSED)


def _in_language(zh, en):
    return en if (get_language() or "").startswith("en") else zh


class Indicator(models.Model):
    class Category(models.TextChoices):
        DEVELOPMENT = "development", _("Client development")
        MAINTENANCE = "maintenance", _("Client maintenance")
        FEEDBACK = "feedback", _("Feedback handling")
        COLLABORATION = "collaboration", _("Communication and collaboration")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    class Kind(models.TextChoices):
        COMPUTED = "computed", _("Computed from department data")
        RATED = "rated", _("Rated by people")

    code = models.SlugField(max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    category = models.CharField(max_length=20, choices=Category.choices)
    name_zh = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    definition_zh = models.TextField()
    definition_en = models.TextField()
    unit = models.CharField(max_length=20)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta:
        ordering = ["order"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self):
        return self.name

    @property
    def name(self):
        """The name in the active language."""
        return _in_language(self.name_zh, self.name_en)

    @property
    def definition(self):
        """The definition in the active language."""
        return _in_language(self.definition_zh, self.definition_en)


class Scheme(models.Model):
    """A quarter's indicators, weights and targets; approved by the leadership group, then frozen."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        # Regulation 二.1/二.2: handed to the leadership group, frozen until it approves or returns it.
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approved")
        SUPERSEDED = "superseded", _("Superseded")

    quarter = models.ForeignKey(Quarter, on_delete=models.PROTECT, related_name="schemes")
    version = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    # Tunable definition parameters (look-back quarters, complaint deadline hours, rating scale…).
    parameters = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Who last changed the draft's items, grade bands or parameters: with created_by, the people who may not
    # approve it (regulation 二.1/二.2: one group drafts, another approves; principle 一.3: not one's own work).
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_comment = models.TextField(blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The leadership group's last return: what the execution group must change before submitting again.
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    return_comment = models.TextField(blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    # The scheme this one was copied from (the previous quarter's, or the version it replaces).
    based_on = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["quarter", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["quarter", "version"], name="scheme_unique_version"),
            models.UniqueConstraint(
                fields=["quarter"], condition=Q(status="approved"), name="scheme_one_approved_per_quarter"
            ),
            # One change at a time: a second draft (or submitted draft) of the same quarter would fork the scheme.
            models.UniqueConstraint(
                fields=["quarter"], condition=Q(status__in=["draft", "submitted"]), name="scheme_one_draft_per_quarter"
            ),
        ]

    def __str__(self):
        return f"{self.quarter} v{self.version}"

    @property
    def is_editable(self):
        """Only drafts change; a submitted one waits for the decision, an approved one is changed by a new version."""
        return self.status == self.Status.DRAFT

    @property
    def is_pending(self):
        """Not yet decided: a draft, or submitted and waiting for the leadership group."""
        return self.status in (self.Status.DRAFT, self.Status.SUBMITTED)


class SchemeEvent(models.Model):
    """One step of a scheme version's review: submitted, returned with comments, approved (who, when, why)."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("Submitted for approval")
        RETURN = "return", _("Returned with comments")
        APPROVE = "approve", _("Approved")

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["scheme", "at", "id"]

    def __str__(self):
        return f"{self.scheme} {self.action} {self.at:%Y-%m-%d %H:%M}"


class SchemeItem(models.Model):
    """One indicator's weight, target and rule for one position (regulation 三.4)."""

    class StepMode(models.TextChoices):
        RELATIVE = "relative", _("Relative to target (%)")
        ABSOLUTE = "absolute", _("Absolute units")

    class NoDataPolicy(models.TextChoices):
        FULL = "full", _("Full marks")
        ZERO = "zero", _("Zero")
        EXCLUDE = "exclude", _("Exclude and rescale the other weights")

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="items")
    position = models.CharField(max_length=20, choices=Position.choices)
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(max_digits=6, decimal_places=2)
    target = models.DecimalField(max_digits=14, decimal_places=4, default=Decimal("0"))
    step = models.DecimalField(max_digits=14, decimal_places=4, default=Decimal("10"))
    step_mode = models.CharField(max_length=10, choices=StepMode.choices, default=StepMode.RELATIVE)
    points_per_step = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("1"))
    bonus_cap = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("0"))
    no_data_policy = models.CharField(max_length=10, choices=NoDataPolicy.choices, default=NoDataPolicy.EXCLUDE)
    # Weights per rater type for rated indicators; empty means every rater counts the same.
    rater_weights = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["scheme", "position", "indicator__order"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "position", "indicator"], name="scheme_item_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="scheme_item_weight_positive"),
            models.CheckConstraint(condition=Q(step__gt=0), name="scheme_item_step_positive"),
            models.CheckConstraint(condition=Q(bonus_cap__gte=0), name="scheme_item_cap_not_negative"),
            models.CheckConstraint(condition=Q(points_per_step__gte=0), name="scheme_item_pps_not_negative"),
        ]

    def __str__(self):
        return f"{self.scheme} {self.position} {self.indicator_id}: {self.weight}"


class GradeBand(models.Model):
    """Totals at or above min_total get this grade (default 90 / 80 / 60 / below)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="grade_bands")
    min_total = models.DecimalField(max_digits=6, decimal_places=2)
    label_zh = models.CharField(max_length=40)
    label_en = models.CharField(max_length=40)

    class Meta:
        ordering = ["scheme", "-min_total"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "min_total"], name="grade_band_unique_floor"),
            models.CheckConstraint(condition=Q(min_total__gte=0), name="grade_band_floor_not_negative"),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self):
        """The grade's name in the active language."""
        return _in_language(self.label_zh, self.label_en)


class RatingRound(models.Model):
    """The quarter's ratings of the qualitative indicators (regulation 三.4 多角度评价)."""

    quarter = models.OneToOneField(Quarter, on_delete=models.PROTECT, related_name="rating_round")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    # How many same-department peers were drawn for each person when the round was generated.
    peers_per_person = models.PositiveSmallIntegerField(default=3)
    closes_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-quarter__year", "-quarter__number"]

    def __str__(self):
        return str(self.quarter)

    def is_open_on(self, day):
        """Raters may still answer on this day: not closed, and the closing date not yet passed."""
        return self.closed_at is None and (self.closes_on is None or day <= self.closes_on)

    @property
    def closed_with_submission(self):
        """Closed, and the quarter's results have gone to the leadership group (regulation 二.2)."""
        return self.closed_at is not None and self.quarter.state in RESULTS_SUBMITTED_STATES


class RaterType(models.TextChoices):
    SUPERIOR = "superior", _("Superior")
    PEER = "peer", _("Peer")
    CLIENT = "client", _("Client")
    OTHER_DEPARTMENT = "other_department", _("Other department")


class RatingAssignment(models.Model):
    round = models.ForeignKey(RatingRound, on_delete=models.CASCADE, related_name="assignments")
    rater = models.ForeignKey(StaffProfile, on_delete=models.PROTECT, related_name="ratings_to_give")
    ratee = models.ForeignKey(StaffProfile, on_delete=models.PROTECT, related_name="ratings_received")
    rater_type = models.CharField(max_length=20, choices=RaterType.choices)
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "rater", "ratee"]
        constraints = [
            models.UniqueConstraint(fields=["round", "rater", "ratee", "indicator"], name="rating_unique_assignment"),
            models.CheckConstraint(condition=~Q(rater=F("ratee")), name="rating_not_self"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=1), name="rating_score_positive"),
        ]

    def __str__(self):
        return f"{self.rater} → {self.ratee} ({self.get_rater_type_display()}, {self.indicator})"


class QuestionnaireLink(models.Model):
    """A single-use link a client answers without logging in (regulation 三.3 external collection)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        USED = "used", _("Answered")
        EXPIRED = "expired", _("Expired")

    # SHA-256 of the token in the link: the token itself is only ever in the client's URL.
    token_hash = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="questionnaire_links")
    staff = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=10, default="zh-hans")
    expires_on = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_to = models.EmailField(blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    survey = models.OneToOneField(
        "clients.SatisfactionSurvey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.client} / {self.staff}"

    def status_on(self, day):
        """Open, used or expired on the given day (a link is valid through its expiry date)."""
        if self.used_at is not None:
            return self.Status.USED
        if day > self.expires_on:
            return self.Status.EXPIRED
        return self.Status.OPEN
