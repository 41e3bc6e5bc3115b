"""The frozen basis of results (results.basis explains it): the records a computation read, kept per person."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Basis(models.Model):
    """One computation's inputs: a quarter's scoring, or a correction's (then only the parts that changed, over the
    parent's). Never changed once written; a basis a published result rests on is never deleted (triggers)."""

    quarter = models.ForeignKey("reviews.Quarter", on_delete=models.PROTECT, related_name="bases")
    scheme = models.ForeignKey("indicators.Scheme", on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    # The parent, its parent and so on, nearest first: a person's part is read from the lineage in one query.
    ancestry = models.JSONField(default=list, blank=True)
    # The period's parameters as the computation used them.
    as_of = models.DateTimeField(_("open complaints judged at"))
    lookback_starts_on = models.DateField()
    complaint_deadline_hours = models.DecimalField(max_digits=8, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    # Results computed before bases were kept get one built from the records as they were when it was built.
    reconstructed = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["quarter", "id"]
        verbose_name = _("basis of results")
        verbose_name_plural = _("bases of results")

    def __str__(self):
        return f"{self.quarter} basis {self.pk}"


class BasisPart(models.Model):
    """One person's records in a basis, as compact JSON by kind (results.basis.encode_part)."""

    basis = models.ForeignKey(Basis, on_delete=models.CASCADE, related_name="parts")
    staff_id = models.BigIntegerField()
    # JSON text, not a JSONField: the database never looks inside, and a quarter writes thousands of them at once.
    records = models.TextField()

    class Meta:
        ordering = ["basis", "staff_id"]
        constraints = [models.UniqueConstraint(fields=["basis", "staff_id"], name="basis_part_one_per_person")]

    def __str__(self):
        return f"{self.basis} · {self.staff_id}"
