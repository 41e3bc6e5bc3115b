from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Pages and the quarter's steps")

    def ready(self):
        from notifications.reminders import reminder_rule_register
        from portal.job_handlers import register_quarter_jobs
        from portal.reminders import data_collection_reminders

        register_quarter_jobs()

        reminder_rule_register("data_collection", data_collection_reminders)
