"""Who must be reminded of what on a given day (the deadlines of regulation 三.1 and 三.5). Each rule returns
Reminders; reminders_send() lets each one out through services.reminder_send, which refuses a second one for the
same kind, object, recipient and day. `today` is always given by the caller (the tasks read timezone.localdate()).
Rules about ratings and appeals live in their apps (indicators/reminders.py, appeals/reminders.py) and are
registered here.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications.services import reminder_send
from results.models import Scorecard
from reviews.deadlines import interview_due_on, local_date
from reviews.models import EXECUTION_GROUP, LEADERSHIP_GROUP, Department, Interview, Quarter, QuarterState
from reviews.roles import DATA_KINDS_BY_DEPARTMENT

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


def _names(profiles) -> str:
    return "、".join(p.full_name for p in profiles)


def ended_quarter(today: datetime.date) -> tuple[int, int, datetime.date]:
    """(year, number, first day after it) of the last quarter that has ended by today."""
    year, number = Quarter.containing(today)
    start, _end = Quarter.bounds(year, number)
    previous = (year - 1, 4) if number == 1 else (year, number - 1)
    return previous[0], previous[1], start


# --- Interviews (regulation 三.5) --------------------------------------------------------------------------


def interview_reminders(today: datetime.date, *, quarter_ids=None) -> list[Reminder]:
    """At publication the superiors are asked to schedule within 7 days; 2 days before the deadline and on the
    day they are reminded of every interview not yet recorded; once overdue the execution group is told."""
    quarters = Quarter.objects.filter(state=QuarterState.PUBLISHED, published_at__isnull=False)
    if quarter_ids is not None:
        quarters = quarters.filter(pk__in=quarter_ids)
    reminders = []
    for quarter in quarters:
        published_on = local_date(quarter.published_at)
        due = interview_due_on(quarter)
        if today < published_on:
            continue
        cards = list(
            Scorecard.objects.filter(quarter=quarter, is_current=True, status=Scorecard.Status.PUBLISHED)
            .select_related("staff__superior__user")
            .order_by("staff__full_name")
        )
        interviews = {i.staff_id: i for i in Interview.objects.filter(quarter=quarter)}
        not_scheduled, not_recorded = defaultdict(list), defaultdict(list)
        late = []
        for card in cards:
            interview = interviews.get(card.staff_id)
            if interview is not None and interview.is_recorded:
                continue
            late.append(card.staff)
            superior = card.staff.superior
            if superior is None:
                continue
            not_recorded[superior].append(card.staff)
            if interview is None:
                not_scheduled[superior].append(card.staff)
        team_url = reverse("reviews:team")

        if today <= due:
            # The ask belongs to the publication day: a run later that week still sends it if it never went.
            for superior, people in not_scheduled.items():
                reminders.append(
                    Reminder(
                        "interview_ask",
                        f"quarter:{quarter.pk}",
                        published_on,
                        superior.user,
                        team_url,
                        _compose_interview_ask(quarter, due, people),
                        quarter=quarter,
                    )
                )
        soon = due - datetime.timedelta(days=DAYS_BEFORE)
        for kind, day in (("interview_due_soon", soon), ("interview_due_today", due)):
            if today != day:
                continue
            for superior, people in not_recorded.items():
                reminders.append(
                    Reminder(
                        kind,
                        f"quarter:{quarter.pk}",
                        today,
                        superior.user,
                        team_url,
                        _compose_interview_due(quarter, due, people, today),
                        quarter=quarter,
                    )
                )
        if today > due and late:
            # Told once: the row's day is the first overdue day, whichever run notices it first.
            for member in group_members(EXECUTION_GROUP):
                reminders.append(
                    Reminder(
                        "interview_overdue",
                        f"quarter:{quarter.pk}",
                        due + datetime.timedelta(days=1),
                        member,
                        reverse("reviews:interviews_overdue"),
                        _compose_interview_overdue(quarter, due, late),
                        quarter=quarter,
                    )
                )
    return reminders


def _compose_interview_ask(quarter, due, people):
    def compose():
        title = _("Please schedule the feedback interviews for %(quarter)s") % {"quarter": quarter.code}
        body = _(
            "The results of %(quarter)s are published. Regulation 三.5 asks you to hold a feedback interview with "
            "each of your direct reports within 7 days, by %(due)s: %(names)s."
        ) % {"quarter": quarter.code, "due": due.isoformat(), "names": _names(people)}
        return title, body

    return compose


def _compose_interview_due(quarter, due, people, today):
    def compose():
        if today == due:
            title = _("Feedback interviews for %(quarter)s are due today") % {"quarter": quarter.code}
        else:
            title = _("Feedback interviews for %(quarter)s are due on %(due)s") % {
                "quarter": quarter.code,
                "due": due.isoformat(),
            }
        body = ngettext(
            "%(n)d interview is not recorded yet: %(names)s.",
            "%(n)d interviews are not recorded yet: %(names)s.",
            len(people),
        ) % {"n": len(people), "names": _names(people)}
        return title, body

    return compose


def _compose_interview_overdue(quarter, due, people):
    def compose():
        title = _("Feedback interviews for %(quarter)s are overdue") % {"quarter": quarter.code}
        body = ngettext(
            "%(n)d interview was not held by %(due)s: %(names)s.",
            "%(n)d interviews were not held by %(due)s: %(names)s.",
            len(people),
        ) % {"n": len(people), "due": due.isoformat(), "names": _names(people)}
        return title, body

    return compose


# --- Data collection (regulation 三.3) ---------------------------------------------------------------------


def _kind_titles():
    from reviews.completeness import KIND_TITLES

    return KIND_TITLES


def _department_status(year, number):
    """Per data department: [(kind, count, gap text or None)] for the quarter (saved or not yet created)."""
    from reviews.completeness import quarter_records
    from reviews.models import StaffProfile

    quarter = Quarter.objects.filter(year=year, number=number).first() or Quarter(year=year, number=number)
    records = quarter_records(quarter)
    counts = {kind: queryset.count() for kind, (queryset, _person) in records.items()}
    open_complaints = records["complaints"][0].filter(handled_at__isnull=True).count()
    without_surveys = (
        StaffProfile.objects.filter(active=True, assessed=True)
        .exclude(pk__in=records["surveys"][0].values("staff_id"))
        .count()
    )

    def gaps(kind):
        if kind == "complaints" and open_complaints:
            return ngettext("%(n)d complaint still open", "%(n)d complaints still open", open_complaints) % {
                "n": open_complaints
            }
        if kind == "surveys" and without_surveys:
            return ngettext(
                "%(n)d assessed person without a satisfaction survey",
                "%(n)d assessed people without a satisfaction survey",
                without_surveys,
            ) % {"n": without_surveys}
        if kind not in ("complaints",) and counts[kind] == 0:
            return _("nothing entered yet")
        return None

    return quarter, counts, gaps


def data_collection_reminders(today: datetime.date) -> list[Reminder]:
    """The day after a quarter ends each data department's clerks get the list of what is due; on the 5th of
    the month they get it again if their department's data is still incomplete."""
    year, number, first_day = ended_quarter(today)
    again = first_day.replace(day=DATA_AGAIN_ON)
    if today not in (first_day, again):
        return []
    quarter, counts, gaps = _department_status(year, number)
    if (
        today == again
        and quarter.pk
        and quarter.state not in (QuarterState.SCHEME_DRAFT, QuarterState.SCHEME_APPROVED, QuarterState.COLLECTING)
    ):
        return []  # already scored: nothing is being collected any more
    code = f"{year}Q{number}"
    kind = "data_due" if today == first_day else "data_incomplete"
    reminders = []
    for department in Department.objects.prefetch_related("clerks__profile").order_by("code"):
        data_kinds = DATA_KINDS_BY_DEPARTMENT.get(department.kind, ())
        if not data_kinds:
            continue
        rows = [(k, counts[k], gaps(k)) for k in data_kinds]
        if kind == "data_incomplete" and not any(gap for _k, _n, gap in rows):
            continue
        for clerk in department.clerks.filter(is_active=True).order_by("pk"):
            reminders.append(
                Reminder(
                    kind,
                    f"{code}:dept:{department.pk}",
                    today,
                    clerk,
                    reverse("clients:index"),
                    _compose_data(code, department, rows, kind),
                )
            )
    return reminders


def _compose_data(code, department, rows, kind):
    def compose():
        titles = _kind_titles()
        if kind == "data_due":
            title = _("%(quarter)s has ended: please deliver %(department)s's data") % {
                "quarter": code,
                "department": department.name,
            }
        else:
            title = _("%(quarter)s: %(department)s's data is still incomplete") % {
                "quarter": code,
                "department": department.name,
            }
        lines = []
        for data_kind, count, gap in rows:
            line = _("%(kind)s: %(n)d entered") % {"kind": titles[data_kind], "n": count}
            if gap:
                line += f" ({gap})"
            lines.append("- " + line)
        body = _("Due for %(quarter)s (regulation 三.3):") % {"quarter": code} + "\n" + "\n".join(lines)
        return title, body

    return compose


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
            url = reverse("reviews:quarter", args=[code]) if quarter else reverse("reviews:quarters")
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
                    reverse("reviews:approval", args=[quarter.code]),
                    _compose_approval(quarter),
                    quarter=quarter,
                )
            )
    return reminders


def _compose_results(code, due, quarter):
    def compose():
        title = _("The results of %(quarter)s are due on %(due)s") % {"quarter": code, "due": due.isoformat()}
        state = quarter.get_state_display() if quarter else _("not created yet")
        body = _(
            "Regulation 三.1: results and feedback are due by the 10th. The quarter %(quarter)s is “%(state)s” and "
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
        ) % {"quarter": quarter.code, "due": quarter.results_due_on.isoformat()}
        return title, body

    return compose


# The rules by name. Apps above this one (ratings in indicators, appeals) add theirs with reminder_rule_register
# from their AppConfig.ready(): the reminders know nothing of them.
RULES: dict[str, Callable[..., list[Reminder]]] = {
    "interviews": interview_reminders,
    "data_collection": data_collection_reminders,
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
