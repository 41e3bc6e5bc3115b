"""The interview reminder rule (regulation 三.5: the interview within a week of publication), registered with
notifications.reminders from InterviewsConfig.ready()."""

import datetime
from collections import defaultdict

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from interviews.models import Interview, SelfAssessment
from notifications.reminders import DAYS_BEFORE, Reminder, group_members, names_listed
from results.models import Scorecard
from reviews.deadlines import interview_due_on, local_date
from reviews.models import EXECUTION_GROUP, Quarter, QuarterState


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
            .select_related("staff__user", "staff__superior__user")
            .order_by("staff__full_name")
        )
        interviews = {i.staff_id: i for i in Interview.objects.filter(quarter=quarter).select_related("superior")}
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
        team_url = reverse("interviews:team")

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
                        reverse("interviews:interviews_overdue"),
                        _compose_interview_overdue(quarter, due, late),
                        quarter=quarter,
                    )
                )
        reminders += _self_assessment_reminders(quarter, cards, interviews, today)
    return reminders


def _self_assessment_reminders(quarter, cards, interviews, today) -> list[Reminder]:
    """Regulation 三.5: the person comes to the interview with their own view. Whoever has not submitted a
    self-assessment is reminded once per interview date: two days before it, or on the first run after it is
    scheduled when it is sooner; no reminder once the interview is recorded."""
    submitted = set(
        SelfAssessment.objects.filter(quarter=quarter, submitted_at__isnull=False).values_list("staff_id", flat=True)
    )
    reminders = []
    for card in cards:
        interview = interviews.get(card.staff_id)
        if interview is None or interview.is_recorded or card.staff_id in submitted:
            continue
        on = local_date(interview.scheduled_at)
        first_day = on - datetime.timedelta(days=DAYS_BEFORE)
        if not first_day <= today <= on:
            continue
        reminders.append(
            Reminder(
                "self_assessment_due",
                f"interview:{interview.pk}:{on.isoformat()}",
                first_day,
                card.staff.user,
                reverse("interviews:self_assessment", args=[card.pk]),
                _compose_self_assessment_due(quarter, interview),
                quarter=quarter,
            )
        )
    return reminders


def _compose_self_assessment_due(quarter, interview):
    def compose():
        when = date_format(timezone.localtime(interview.scheduled_at), "DATETIME_FORMAT")
        title = _("Your self-assessment for %(quarter)s, before the interview on %(when)s") % {
            "quarter": quarter.code,
            "when": when,
        }
        body = _(
            "Regulation 3.5: before your feedback interview with %(name)s, write how the quarter went for you and "
            "the goals you propose, so that your interviewer can prepare."
        ) % {"name": interview.superior.full_name}
        return title, body

    return compose


def _compose_interview_ask(quarter, due, people):
    def compose():
        title = _("Please schedule the feedback interviews for %(quarter)s") % {"quarter": quarter.code}
        body = _(
            "The results of %(quarter)s are published. Regulation 3.5 asks you to hold a feedback interview with "
            "each of your direct reports within 7 days, by %(due)s: %(names)s."
        ) % {"quarter": quarter.code, "due": date_format(due), "names": names_listed(people)}
        return title, body

    return compose


def _compose_interview_due(quarter, due, people, today):
    def compose():
        if today == due:
            title = _("Feedback interviews for %(quarter)s are due today") % {"quarter": quarter.code}
        else:
            title = _("Feedback interviews for %(quarter)s are due on %(due)s") % {
                "quarter": quarter.code,
                "due": date_format(due),
            }
        body = ngettext(
            "%(n)d interview is not recorded yet: %(names)s.",
            "%(n)d interviews are not recorded yet: %(names)s.",
            len(people),
        ) % {"n": len(people), "names": names_listed(people)}
        return title, body

    return compose


def _compose_interview_overdue(quarter, due, people):
    def compose():
        title = _("Feedback interviews for %(quarter)s are overdue") % {"quarter": quarter.code}
        body = ngettext(
            "%(n)d interview was not held by %(due)s: %(names)s.",
            "%(n)d interviews were not held by %(due)s: %(names)s.",
            len(people),
        ) % {"n": len(people), "due": date_format(due), "names": names_listed(people)}
        return title, body

    return compose
