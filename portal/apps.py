from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Pages and the quarter's steps")

    def ready(self):
        from notifications.reminders import reminder_rule_register
        from portal.reminders import data_collection_reminders

        reminder_rule_register("data_collection", data_collection_reminders)
