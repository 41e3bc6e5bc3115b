"""The frozen basis of results (results.basis explains it): the records a computation read, one row each."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Basis(models.Model):
    """One computation's inputs: a quarter's scoring, or a correction's (then only the records that changed, over
    the parent's). Never changed once written; a basis a published result rests on is never deleted (triggers)."""

    quarter = models.ForeignKey("reviews.Quarter", on_delete=models.PROTECT, related_name="bases")
    scheme = models.ForeignKey("indicators.Scheme", on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    # The parent, its parent and so on, nearest first: a record is read from the lineage in one query.
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


class BasisChunk(models.Model):
    """The records of one kind whose ids fall in one range (results.basis.CHUNK_SIZE ids), as a compact JSON array of
    their value arrays. A person's explanation reads the few chunks holding their records; a correction's basis holds
    only the chunks it changed, which supersede the parent's (a record it removed is simply absent)."""

    basis = models.ForeignKey(Basis, on_delete=models.CASCADE, related_name="chunks", db_index=False)
    kind = models.CharField(max_length=10)
    bucket = models.BigIntegerField()
    # JSON text, not a JSONField: the database never looks inside it.
    data = models.TextField()

    class Meta:
        ordering = ["basis", "kind", "bucket"]
        constraints = [models.UniqueConstraint(fields=["basis", "kind", "bucket"], name="basis_chunk_once")]

    def __str__(self):
        return f"{self.basis} · {self.kind} {self.bucket}"
