"""The appeal deadline reminder rule (regulation 二.2), registered with notifications.reminders from
AppealsConfig.ready()."""

import datetime

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from appeals.models import Appeal, AppealStatus
from notifications.reminders import Reminder, group_members
from reviews.models import EXECUTION_GROUP, LEADERSHIP_GROUP

APPEAL_DAYS_BEFORE = 2


def appeal_reminders(today: datetime.date) -> list[Reminder]:
    """2 days before an undecided appeal's decision deadline and on the day: its handler, or the execution group
    when it has none (or the handler has left); an escalated appeal waits for the leadership group (二.1)."""
    appeals = Appeal.objects.filter(
        decision_due_on__in=[today + datetime.timedelta(days=APPEAL_DAYS_BEFORE), today],
        decided_at__isnull=True,  # a withdrawal also sets decided_at
    ).select_related("handler", "quarter")
    executors, leaders = group_members(EXECUTION_GROUP), group_members(LEADERSHIP_GROUP)
    reminders = []
    for appeal in appeals:
        if appeal.status == AppealStatus.ESCALATED:
            recipients = leaders
        elif appeal.handler is not None and appeal.handler.is_active:
            recipients = [appeal.handler]
        else:
            recipients = executors
        url = reverse("appeals:detail", args=[appeal.pk])
        for user in recipients:
            reminders.append(
                Reminder(
                    "appeal_due",
                    f"appeal:{appeal.pk}",
                    today,
                    user,
                    url,
                    _compose_appeal(appeal, appeal.decision_due_on, today),
                    quarter=appeal.quarter,
                )
            )
    return reminders


def _compose_appeal(appeal, due, today):
    def compose():
        if due == today:
            title = _("An appeal must be decided today")
        else:
            title = _("An appeal must be decided by %(due)s") % {"due": date_format(due)}
        body = _("Appeal no. %(pk)s is still waiting for a decision (regulation 2.2).") % {"pk": appeal.pk}
        return title, body

    return compose
