"""The assessment organisation (regulation 二), quarters (三.1) and the scorecards they produce."""

import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

LEADERSHIP_GROUP = "leadership"
EXECUTION_GROUP = "execution"


class DepartmentKind(models.TextChoices):
    BUSINESS = "business", _("Business department")
    ADMINISTRATIVE = "administrative", _("Administrative department")
    FINANCE = "finance", _("Finance department")
    PRACTICE = "practice", _("Practice group")


class Department(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=DepartmentKind.choices)
    # Regulation 二.3: data-provider clerks deliver their department's data.
    clerks = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="clerk_departments", verbose_name=_("data clerks")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name

    @property
    def name(self):
        """The name in the active language."""
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class Position(models.TextChoices):
    LAWYER = "lawyer", _("Lawyer")
    ASSISTANT = "assistant", _("Assistant")
    ADMINISTRATIVE = "administrative", _("Administrative staff")


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class StaffProfile(models.Model):
    """One person of the firm; every user who is assessed or works in the system has one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    full_name = models.CharField(_("full name"), max_length=100)
    position = models.CharField(_("position"), max_length=20, choices=Position.choices)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="members", verbose_name=_("department")
    )
    superior = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="direct_reports",
        verbose_name=_("direct superior"),
    )
    active = models.BooleanField(_("active"), default=True)
    # Partners and the director sit in the leadership group but are not assessed themselves.
    assessed = models.BooleanField(_("assessed"), default=True)
    language = models.CharField(_("preferred language"), max_length=10, choices=Language.choices, default="zh-hans")

    class Meta:
        ordering = ["department__code", "full_name"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        constraints = [
            models.CheckConstraint(condition=~Q(superior=models.F("id")), name="staff_not_own_superior"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def username(self):
        return self.user.username

    def clean(self):
        # Regulation 三.5 needs a direct superior for every interview: the chain must end somewhere.
        seen = {self.pk} if self.pk else set()
        boss = self.superior
        while boss is not None:
            if boss.pk in seen or boss is self:
                raise ValidationError({"superior": _("This superior would make the reporting line loop.")})
            seen.add(boss.pk)
            boss = boss.superior


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
    position = models.CharField(max_length=20, choices=Position.choices)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(max_digits=7, decimal_places=2)
    grade = models.CharField(max_length=40)
    rank = models.PositiveIntegerField()
    ranked_count = models.PositiveIntegerField()
    evaluation = models.TextField(_("overall evaluation"), blank=True)
    computed_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    correction_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["quarter", "position", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["quarter", "staff", "version"], name="scorecard_unique_version"),
            models.UniqueConstraint(
                fields=["quarter", "staff"], condition=Q(is_current=True), name="scorecard_one_current"
            ),
            models.CheckConstraint(condition=Q(total__gte=Decimal("0")), name="scorecard_total_not_negative"),
        ]

    def __str__(self):
        return f"{self.staff} {self.quarter} v{self.version}"


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
