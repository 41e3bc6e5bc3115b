from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterviewsConfig(AppConfig):
    name = "interviews"
    verbose_name = _("Interviews")

    def ready(self):
        from interviews import receivers  # noqa: F401 — invitations follow the interview's saves
        from interviews.reminders import interview_reminders
        from notifications.reminders import reminder_rule_register

        reminder_rule_register("interviews", interview_reminders)
