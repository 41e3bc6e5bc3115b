"""Who must be reminded of what on a given day (the deadlines of regulation 三.1). Each rule returns
Reminders; reminders_send() lets each one out through services.reminder_send, which refuses a second one for the
same kind, object, recipient and day. `today` is always given by the caller (the tasks read timezone.localdate()).
The results rule lives here; the others live in their apps (indicators/reminders.py for ratings,
interviews/reminders.py, appeals/reminders.py, portal/reminders.py for data collection) and are registered here.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from notifications.services import reminder_send
from reviews.deadlines import local_date
from reviews.models import EXECUTION_GROUP, LEADERSHIP_GROUP, Quarter, QuarterState

DAYS_BEFORE = 2  # reminders go 2 days before a deadline and on the day itself
DATA_AGAIN_ON = 5  # data collection again on the 5th if still incomplete (docs/regulation.md, 三.1)
RESULTS_CHECK_ON = 7  # … and the results three days before they are due on the 10th (regulation 三.1)

_NOT_SUBMITTED = (QuarterState.SCHEME_DRAFT, QuarterState.SCHEME_APPROVED, QuarterState.COLLECTING, QuarterState.SCORED)


@dataclass
class Reminder:
    kind: str
    object_key: str
    day: datetime.date
    user: object
    url: str
    compose: Callable[[], tuple[str, str]]
    extra: dict = field(default_factory=dict)
    quarter: object = None  # the Quarter it is about, if any ("Retry what is stuck" on its page)


def group_members(group):
    """The active members of a group, with their profiles (their language), in a stable order."""
    return list(
        get_user_model().objects.filter(groups__name=group, is_active=True).select_related("profile").order_by("pk")
    )


def names_listed(profiles) -> str:
    return "、".join(p.full_name for p in profiles)


def ended_quarter(today: datetime.date) -> tuple[int, int, datetime.date]:
    """(year, number, first day after it) of the last quarter that has ended by today."""
    year, number = Quarter.containing(today)
    start, _end = Quarter.bounds(year, number)
    previous = (year - 1, 4) if number == 1 else (year, number - 1)
    return previous[0], previous[1], start


# --- Results deadline (regulation 三.1) --------------------------------------------------------------------


def results_reminders(today: datetime.date) -> list[Reminder]:
    """On the 7th the execution group, if the ended quarter's results are not submitted yet (due on the 10th);
    every day an approval waits, the leadership group."""
    reminders = []
    year, number, first_day = ended_quarter(today)
    if today == first_day.replace(day=RESULTS_CHECK_ON):
        quarter = Quarter.objects.filter(year=year, number=number).first()
        if quarter is None or quarter.state in _NOT_SUBMITTED:
            code = f"{year}Q{number}"
            due = Quarter(year=year, number=number).results_due_on
            url = reverse("portal:quarter", args=[code]) if quarter else reverse("portal:quarters")
            for member in group_members(EXECUTION_GROUP):
                reminders.append(
                    Reminder(
                        "results_not_submitted",
                        f"quarter:{code}",
                        today,
                        member,
                        url,
                        _compose_results(code, due, quarter),
                        quarter=quarter,
                    )
                )
    for quarter in Quarter.objects.filter(state=QuarterState.SUBMITTED):
        if quarter.submitted_at is not None and local_date(quarter.submitted_at) >= today:
            continue  # submitted today: the partners are reminded from tomorrow
        for member in group_members(LEADERSHIP_GROUP):
            if member.pk == quarter.submitted_by_id:
                continue  # four eyes: the submitter cannot approve, so reminding them is noise
            reminders.append(
                Reminder(
                    "approval_waiting",
                    f"quarter:{quarter.code}",
                    today,
                    member,
                    reverse("portal:approval", args=[quarter.code]),
                    _compose_approval(quarter),
                    quarter=quarter,
                )
            )
    return reminders


def _compose_results(code, due, quarter):
    def compose():
        title = _("The results of %(quarter)s are due on %(due)s") % {"quarter": code, "due": date_format(due)}
        state = quarter.get_state_display() if quarter else _("not created yet")
        body = _(
            "Regulation 3.1: results and feedback are due by the 10th. The quarter %(quarter)s is “%(state)s” and "
            "has not been submitted to the leadership group."
        ) % {"quarter": code, "state": state}
        return title, body

    return compose


def _compose_approval(quarter):
    def compose():
        title = _("The results of %(quarter)s wait for your approval") % {"quarter": quarter.code}
        body = _(
            "The execution group submitted the results of %(quarter)s; they are due on %(due)s. Approve them or "
            "return them with comments."
        ) % {"quarter": quarter.code, "due": date_format(quarter.results_due_on)}
        return title, body

    return compose


# The rules by name. Apps above this one (data collection and ratings in indicators, interviews, appeals) add
# theirs with reminder_rule_register from their AppConfig.ready(): the reminders know nothing of them.
RULES: dict[str, Callable[..., list[Reminder]]] = {
    "results": results_reminders,
}


def reminder_rule_register(name: str, rule: Callable[..., list[Reminder]]) -> None:
    """Add a rule: rule(today, **options) -> [Reminder]. The beat task of the same name runs it."""
    RULES[name] = rule


def reminders_send(*, rule: str, today: datetime.date, **options) -> int:
    """Send the rule's reminders of the day; returns how many went out (the others already had)."""
    sent = 0
    for reminder in RULES[rule](today, **options):
        sent += reminder_send(
            kind=reminder.kind,
            object_key=reminder.object_key,
            day=reminder.day,
            user=reminder.user,
            compose=reminder.compose,
            url=reminder.url,
            quarter=reminder.quarter,
        )
    return sent
