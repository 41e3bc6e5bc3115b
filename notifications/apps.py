from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from notifications import (
            receivers,  # noqa: F401 — connects to staff_invitation_due
            reminder_tasks,  # noqa: F401 — the beat's reminder tasks (not autodiscovered)
        )
