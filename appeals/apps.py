from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "appeals"
    verbose_name = _("Appeals")

    def ready(self):
        from django.db.models.signals import post_save

        from appeals.models import AppealEvent
        from appeals.reminders import appeal_reminders
        from lawfirm_kpi.security import on_appeal_event
        from notifications.reminders import reminder_rule_register

        reminder_rule_register("appeals", appeal_reminders)

        # Every step of an appeal (filing, assignment, decisions) goes into the security log too.
        post_save.connect(on_appeal_event, sender=AppealEvent, dispatch_uid="security.appeal_event")
