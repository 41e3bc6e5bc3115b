"""Notifications shown in the app and the outbox of notices (each let out once)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message to one user, listed in the app (the bell) and usually also sent by e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self):
        return self.title

    @property
    def is_read(self):
        """The user has marked it read."""
        return self.read_at is not None


class Notice(models.Model):
    """The outbox (docs/operations.md "Notices"): one notice to one person, written in the same transaction as the
    change that causes it, and the once-only log.

    `key` (kind, object, recipient and, for daily reminders, the day) is unique: a second beat run, a redelivered
    task or a double click finds the row and writes nothing. The in-app notification is created with the row;
    the e-mail is rendered in the recipient's language when the row is written and sent later by the outbox
    sender (notifications.outbox), which retries with backoff until it is accepted.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Not delivered")
        IN_APP = "in_app", _("In the app only")

    key = models.CharField(_("key"), max_length=255, unique=True)
    kind = models.CharField(_("kind"), max_length=40)
    object_key = models.CharField(_("object"), max_length=160)
    day = models.DateField(_("day"), null=True, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    # The quarter the notice is about, when there is one: "Retry what is stuck" on the quarter page finds it.
    quarter = models.ForeignKey(
        "reviews.Quarter",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quarter"),
    )
    notification = models.OneToOneField(
        Notification,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notice",
        verbose_name=_("notification"),
    )
    email_to = models.CharField(_("e-mail address"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    # [{"filename", "mimetype", "content"}], content as text, or base64 with "base64": true.
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    # A password link is worth an account: its text is wiped once the e-mail is accepted.
    secret = models.BooleanField(_("secret"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # A sender that claimed the row owns it until then; after that (the worker died) another sender may take it.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notice_due"),
            models.Index(fields=["quarter", "status"], name="notice_quarter_status"),
        ]

    def __str__(self):
        return self.key

    @property
    def is_undelivered(self):
        """An e-mail that has not been accepted by the mail server yet (waiting or given up)."""
        return self.status in (self.Status.PENDING, self.Status.FAILED)
