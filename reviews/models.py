"""The assessment organisation (regulation 二), quarters (三.1) and the scorecards they produce."""

import datetime
import re

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


class StaffChange(models.Model):
    """One change of a person's groups, data duties, place in the firm, status or e-mail: who, when, before → after.

    Regulation 一.3 (fairness) and 二.1/二.2 (who does what): the groups decide who prepares and who approves
    results, so every change of them is evidence. Rows are written by reviews.staff_changes in the transaction
    of the change itself, whatever path made it, and are never edited.
    """

    class Kind(models.TextChoices):
        GROUPS = "groups", _("Groups")
        CLERK_DUTIES = "clerk_duties", _("Data duties")
        POSITION = "position", _("Position")
        DEPARTMENT = "department", _("Department")
        SUPERIOR = "superior", _("Direct superior")
        ASSESSED = "assessed", _("Assessed")
        ACTIVE = "active", _("Active")
        EMAIL = "email", _("E-mail")

    class Source(models.TextChoices):
        PEOPLE_PAGE = "people_page", _("People page")
        IMPORT = "import", _("Staff import")
        COMMAND = "command", _("Management command")
        ADMIN = "admin", _("Django admin")
        # Nothing told the recorder who acted: a Django shell, a script, a data migration.
        UNATTRIBUTED = "unattributed", _("Shell or script (no signed-in user)")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    source = models.CharField(_("made through"), max_length=20, choices=Source.choices)
    kind = models.CharField(_("kind of change"), max_length=20, choices=Kind.choices)
    before = models.CharField(_("before"), max_length=500, blank=True)
    after = models.CharField(_("after"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("staff change")
        verbose_name_plural = _("staff changes")
        indexes = [
            models.Index(fields=["-at", "-id"], name="staff_change_order_idx"),
            models.Index(fields=["person", "-at"], name="staff_change_person_idx"),
        ]

    def __str__(self):
        return f"{self.person_id} {self.kind}: {self.before} → {self.after}"


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
    # Regulation 二.2: the execution group's written summary heading the report to the leadership group.
    report_summary = models.TextField(_("report summary"), blank=True)
    # Who sent the results to the leadership group: the four-eyes rule keeps them from approving them.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

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


class QuarterEvent(models.Model):
    """One step of a quarter's life: who moved it from which state to which, when, and why."""

    quarter = models.ForeignKey(Quarter, on_delete=models.CASCADE, related_name="events", verbose_name=_("quarter"))
    from_state = models.CharField(_("from"), max_length=20, choices=QuarterState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=QuarterState.choices)
    action = models.CharField(_("action"), max_length=30)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["quarter", "at", "id"]
        verbose_name = _("quarter event")
        verbose_name_plural = _("quarter events")

    def __str__(self):
        return f"{self.quarter} {self.from_state} → {self.to_state}"


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
    keeps each one, reviews.interviewers).
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
        ordering = ["quarter", "staff"]
        verbose_name = _("designated interviewer")
        verbose_name_plural = _("designated interviewers")
        constraints = [
            models.UniqueConstraint(fields=["quarter", "staff"], name="interviewer_one_per_person_quarter"),
            models.CheckConstraint(condition=~Q(interviewer=models.F("staff")), name="interviewer_not_self"),
        ]

    def __str__(self):
        return f"{self.staff} {self.quarter}: {self.interviewer}"
