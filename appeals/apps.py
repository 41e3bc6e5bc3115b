from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "appeals"
    verbose_name = _("Appeals")

    def ready(self):
        from appeals.reminders import appeal_reminders
        from notifications.reminders import reminder_rule_register

        reminder_rule_register("appeals", appeal_reminders)
