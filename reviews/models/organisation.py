"""The assessment organisation (regulation 二): departments, people and their reporting line, the two groups."""

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
