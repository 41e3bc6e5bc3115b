"""Counted events for the sign-in and password-reset limits (docs/operations.md, "Sign-in and password-reset
limits"). Kept in the database so every web process counts the same events."""

from django.db import models
from django.utils import timezone


class ThrottleHit(models.Model):
    """One counted event in one bucket: a failed sign-in from an address, for a username; a reset request."""

    bucket = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["bucket", "key", "at"], name="accounts_hit_bucket_key_at")]

    def __str__(self):
        return f"{self.bucket} {self.key} {self.at:%Y-%m-%d %H:%M:%S}"
