"""The log of every change of a person's groups, duties or place (regulation 二.1, 二.2; docs/regulation.md,
"Governed roles")."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
