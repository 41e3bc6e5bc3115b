"""The home page's task list: what each person must do now, with the deadline and the days left."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from appeals.models import Appeal, AppealStatus
from clients.access import clerk_departments
from clients.selectors import standing_deliveries
from interviews.interviewers import interviewees_q
from interviews.models import Interview, SelfAssessment
from results.models import Scorecard
from reviews.deadlines import days_left, days_phrase, interview_due_on, local_date, local_today
from reviews.models import Quarter, QuarterState
from reviews.roles import DATA_KINDS_BY_DEPARTMENT, roles_of

DATA_TITLES = {
    "clients": gettext_lazy("Clients"),
    "contracts": gettext_lazy("Engagement contracts"),
    "revenue": gettext_lazy("Revenue entries"),
    "complaints": gettext_lazy("Complaints"),
    "surveys": gettext_lazy("Satisfaction surveys"),
}

# What the execution group does next in each state of a quarter.
EXECUTION_STEPS = {
    QuarterState.SCHEME_APPROVED: gettext_lazy("Start collecting the data of %(quarter)s once it has ended"),
    QuarterState.COLLECTING: gettext_lazy("Check the data of %(quarter)s and compute the results"),
    QuarterState.SCORED: gettext_lazy("Write the evaluations and the report of %(quarter)s, then submit them"),
    QuarterState.APPROVED: gettext_lazy("Publish the approved results of %(quarter)s"),
    QuarterState.PUBLISHED: gettext_lazy("Follow the interviews and appeals of %(quarter)s, then close it"),
}


def _task(title, text, url, *, due_on: datetime.date | None = None, today: datetime.date):
    task = {"title": str(title), "text": str(text), "url": url, "due_on": due_on, "days_left": None, "overdue": False}
    if due_on is not None:
        task["days_left"] = days_left(due_on, today)
        task["overdue"] = task["days_left"] < 0
        due = _("Due %(date)s (%(left)s).") % {"date": date_format(due_on), "left": days_phrase(due_on, today)}
        task["text"] = f"{task['text']} {due}"
    return task


def _person(user):
    profile = getattr(user, "profile", None)
    return profile.full_name if profile is not None else user.get_username()


def home_tasks(*, user, today: datetime.date | None = None) -> list[dict]:
    """Cards {title, text, url, due_on, days_left, overdue} for this person, the most urgent first."""
    today = today or local_today()
    roles = roles_of(user)
    profile = roles.profile
    tasks = []
    open_quarters = list(Quarter.objects.exclude(state=QuarterState.CLOSED).order_by("year", "number"))

    # Partners (regulation 二.1): approve the scheme and the results.
    if roles.is_leadership:
        for quarter in open_quarters:
            if quarter.state == QuarterState.SUBMITTED:
                tasks.append(
                    _task(
                        _("Approve the results of %(quarter)s") % {"quarter": quarter.code},
                        _("The execution group has submitted the results and the report."),
                        reverse("portal:approval", args=[quarter.code]),
                        due_on=quarter.results_due_on,
                        today=today,
                    )
                )
        from indicators.models import Scheme  # indicators builds on reviews: imported when used

        # A scheme is decided once the execution group has submitted it (regulation 二.1/二.2).
        for scheme in Scheme.objects.filter(
            status=Scheme.Status.SUBMITTED, quarter__in=[quarter.pk for quarter in open_quarters]
        ).select_related("quarter"):
            tasks.append(
                _task(
                    _("Approve the scheme of %(quarter)s") % {"quarter": scheme.quarter.code},
                    _("Version %(version)s was submitted: approve it, or return it with comments.")
                    % {"version": scheme.version},
                    reverse("indicators:scheme_detail", args=[scheme.pk]),
                    today=today,
                )
            )

    # Data clerks (regulation 二.3, 三.3): their department's data for the quarter being collected.
    if roles.is_clerk:
        collecting = next(
            (
                q
                for q in open_quarters
                if q.state in (QuarterState.SCHEME_APPROVED, QuarterState.COLLECTING) and q.ends_on < today
            ),
            None,
        )
        # Once the department has marked its delivery done (clients.services.data_delivery_mark) its cards stop
        # counting down: the data is in, nothing is overdue.
        departments = list(clerk_departments(user))
        marks = standing_deliveries(collecting) if collecting else {}
        for kind in ("clients", "contracts", "revenue", "complaints", "surveys"):
            if roles.can_edit_data(kind):
                delivering = [d for d in departments if kind in DATA_KINDS_BY_DEPARTMENT.get(d.kind, ())]
                mark = next((marks[d.pk] for d in delivering if d.pk in marks), None)
                if mark is not None:
                    text = _("Delivered for %(quarter)s: marked complete by %(name)s on %(date)s.") % {
                        "quarter": collecting.code,
                        "name": _person(mark.marked_by),
                        "date": date_format(timezone.localtime(mark.marked_at), "DATE_FORMAT"),
                    }
                else:
                    text = _("Your department delivers this data for the quarter (regulation 3.3).")
                tasks.append(
                    _task(
                        _("Enter or import: %(what)s") % {"what": DATA_TITLES[kind]},
                        text,
                        reverse(f"clients:{kind}_list"),
                        due_on=collecting.results_due_on if collecting and mark is None else None,
                        today=today,
                    )
                )
        if collecting:
            for department in departments:
                if department.pk not in marks:
                    tasks.append(
                        _task(
                            _("Mark the delivery of %(department)s for %(quarter)s done")
                            % {"department": department.name, "quarter": collecting.code},
                            _(
                                "When the department's data for the quarter is complete, say so: the execution group "
                                "sees it on the completeness board."
                            ),
                            reverse("clients:delivery"),
                            due_on=collecting.results_due_on,
                            today=today,
                        )
                    )

    # Raters: the colleagues they still have to rate (regulation 三.4).
    if profile is not None:
        from indicators.models import RatingAssignment  # indicators builds on reviews: imported when used

        open_ratings = RatingAssignment.objects.filter(
            rater=profile, score__isnull=True, round__closed_at__isnull=True
        ).select_related("round")
        waiting = open_ratings.count()
        if waiting:
            closes_on = (
                open_ratings.exclude(round__closes_on=None)
                .order_by("round__closes_on")
                .values_list("round__closes_on", flat=True)
                .first()
            )
            tasks.append(
                _task(
                    _("Rate your colleagues"),
                    ngettext("%(n)d rating is waiting for you.", "%(n)d ratings are waiting for you.", waiting)
                    % {"n": waiting},
                    reverse("indicators:ratings_todo"),
                    due_on=closes_on,
                    today=today,
                )
            )

    # The execution group (regulation 二.2): drive each open quarter to its next step.
    if roles.is_execution:
        from indicators.models import Scheme  # indicators builds on reviews: imported when used

        for scheme in Scheme.objects.filter(
            status=Scheme.Status.DRAFT,
            returned_at__isnull=False,
            quarter__in=[quarter.pk for quarter in open_quarters],
        ).select_related("quarter"):
            tasks.append(
                _task(
                    _("Rework the scheme of %(quarter)s") % {"quarter": scheme.quarter.code},
                    _("The leadership group returned version %(version)s with comments.") % {"version": scheme.version},
                    reverse("indicators:scheme_detail", args=[scheme.pk]),
                    today=today,
                )
            )
        for quarter in open_quarters:
            step = EXECUTION_STEPS.get(quarter.state)
            if step is None or (quarter.state == QuarterState.SCHEME_APPROVED and quarter.ends_on >= today):
                continue
            due = interview_due_on(quarter) if quarter.state == QuarterState.PUBLISHED else quarter.results_due_on
            tasks.append(
                _task(
                    step % {"quarter": quarter.code},
                    _("State: %(state)s.") % {"state": quarter.get_state_display()},
                    reverse("portal:quarter", args=[quarter.code]),
                    due_on=due,
                    today=today,
                )
            )
        tasks.append(
            _task(
                _("People and reporting lines"),
                _("Add people, fix superiors, invite new colleagues."),
                reverse("reviews:people"),
                today=today,
            )
        )

    published = [q for q in open_quarters if q.state == QuarterState.PUBLISHED]
    if profile is not None and published:
        # Superiors (regulation 三.5): an interview with each direct report within 7 days of publication.
        for quarter in published:
            reports = Scorecard.objects.filter(
                interviewees_q(quarter=quarter, profile=profile),
                quarter=quarter,
                is_current=True,
                status=Scorecard.Status.PUBLISHED,
            )
            recorded = Interview.objects.filter(quarter=quarter, recorded_at__isnull=False)
            reports = reports.exclude(staff_id__in=recorded.values("staff_id"))
            waiting = reports.count()
            if waiting:
                tasks.append(
                    _task(
                        _("Interviews for %(quarter)s") % {"quarter": quarter.code},
                        ngettext(
                            "Schedule and record the interview with %(n)d direct report.",
                            "Schedule and record the interviews with %(n)d direct reports.",
                            waiting,
                        )
                        % {"n": waiting},
                        reverse("interviews:team"),
                        due_on=interview_due_on(quarter),
                        today=today,
                    )
                )

        # Everyone assessed: read the result, then acknowledge the interview.
        own = Scorecard.objects.filter(
            quarter__in=published, staff=profile, is_current=True, status=Scorecard.Status.PUBLISHED
        ).select_related("quarter")
        for card in own:
            tasks.append(
                _task(
                    _("Your result for %(quarter)s") % {"quarter": card.quarter.code},
                    _("Read your scorecard: every indicator, your total, grade and rank."),
                    reverse("portal:scorecard", args=[card.pk]),
                    today=today,
                )
            )
            # Regulation 三.5: until the interview is recorded, the person may bring their own view to it.
            upcoming = Interview.objects.filter(quarter=card.quarter, staff=profile).first()
            submitted = SelfAssessment.objects.filter(
                quarter=card.quarter, staff=profile, submitted_at__isnull=False
            ).exists()
            if not submitted and (upcoming is None or not upcoming.is_recorded):
                tasks.append(
                    _task(
                        _("Write your self-assessment for %(quarter)s") % {"quarter": card.quarter.code},
                        _("Before your feedback interview: how the quarter went and the goals you propose."),
                        reverse("interviews:self_assessment", args=[card.pk]),
                        due_on=local_date(upcoming.scheduled_at) if upcoming else None,
                        today=today,
                    )
                )
            interview = Interview.objects.filter(
                quarter=card.quarter, staff=profile, recorded_at__isnull=False, acknowledged_at__isnull=True
            ).first()
            if interview is not None:
                tasks.append(
                    _task(
                        _("Acknowledge your interview for %(quarter)s") % {"quarter": card.quarter.code},
                        _("Your superior has recorded the interview: read it and acknowledge it."),
                        reverse("interviews:interview", args=[interview.pk]),
                        today=today,
                    )
                )

    # Most urgent first: dated tasks by days left, then the others in the order above.
    return sorted(tasks, key=lambda t: (t["days_left"] is None, t["days_left"] if t["days_left"] is not None else 0))


# The appeals that wait for the execution group itself (regulation 二.2: it handles them): to be taken in hand, or
# in hand and to be decided. Those waiting for the appellant's answer or the leadership group are not its move.
APPEALS_AWAITING_EXECUTION = (AppealStatus.SUBMITTED, AppealStatus.UNDER_REVIEW)
APPEALS_SHOWN = 10


def appeals_awaiting(*, user, today: datetime.date | None = None) -> dict | None:
    """The home page's appeal card for the execution group: {appeals, more}, the nearest decision deadline first.

    Each appeal carries days_left / overdue against its decision deadline (Appeal.decision_due_on, set from the
    quarter's appeal terms when it was filed). None for anyone outside the group; one's own appeal is left out
    (nobody handles their own appeal)."""
    if not roles_of(user).is_execution:
        return None
    today = today or local_today()
    waiting = (
        Appeal.objects.filter(status__in=APPEALS_AWAITING_EXECUTION)
        .exclude(appellant=user)
        .select_related("quarter", "staff", "handler__profile")
        .order_by("decision_due_on", "filed_at", "pk")
    )
    total = waiting.count()
    appeals = list(waiting[:APPEALS_SHOWN])
    for appeal in appeals:
        appeal.days_left = days_left(appeal.decision_due_on, today)
        appeal.overdue = appeal.days_left < 0
        appeal.left_phrase = days_phrase(appeal.decision_due_on, today)
    return {"appeals": appeals, "total": total, "more": total - len(appeals)}
