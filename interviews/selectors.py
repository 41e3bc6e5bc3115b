"""Reads behind the interview pages: each interview's status and lateness, the team page, the quarter's list."""

import datetime
from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from interviews.access import profile_of
from interviews.interviewers import interviewees_q
from interviews.models import Interview
from results.models import Scorecard
from reviews.deadlines import interview_due_on
from reviews.models import Quarter, QuarterState

# Quarters whose results people can read; a closed quarter is read-only.
PUBLISHED_STATES = (QuarterState.PUBLISHED, QuarterState.CLOSED)


def interview_is_overdue(*, quarter, interview, today) -> bool:
    """Not held (recorded) and the deadline has passed."""
    due = interview_due_on(quarter)
    if due is None or today <= due:
        return False
    return interview is None or not interview.is_recorded


def interview_status(interview):
    """A short label for lists: not scheduled, scheduled, recorded, acknowledged."""
    if interview is None:
        return _("Not scheduled")
    if interview.is_acknowledged:
        return _("Acknowledged")
    if interview.is_recorded:
        return _("Recorded")
    return _("Scheduled")


@dataclass
class InterviewRow:
    scorecard: Scorecard
    interview: Interview | None
    due_on: datetime.date | None
    overdue: bool

    @property
    def status(self):
        return interview_status(self.interview)

    @property
    def days_left(self):
        if self.due_on is None:
            return None
        return (self.due_on - timezone.localdate()).days


def _rows(scorecards, quarter_by_pk, *, today):
    scorecards = list(scorecards)
    interviews = {
        (i.quarter_id, i.staff_id): i
        for i in Interview.objects.filter(
            quarter__in=list(quarter_by_pk), staff__in=[s.staff_id for s in scorecards]
        ).select_related("superior")
    }
    rows = []
    for scorecard in scorecards:
        quarter = quarter_by_pk[scorecard.quarter_id]
        interview = interviews.get((scorecard.quarter_id, scorecard.staff_id))
        rows.append(
            InterviewRow(
                scorecard=scorecard,
                interview=interview,
                due_on=interview_due_on(quarter),
                overdue=interview_is_overdue(quarter=quarter, interview=interview, today=today),
            )
        )
    return rows


def published_quarters():
    return Quarter.objects.filter(state__in=PUBLISHED_STATES, published_at__isnull=False)


def team_page(*, user, quarter_pk=None, today=None):
    """The published scorecards of one quarter of the people this user interviews (direct reports, and anyone the
    execution group designated them for), with interview status and deadline."""
    profile = profile_of(user)
    today = today or timezone.localdate()
    quarters = list(published_quarters())
    quarter = next((q for q in quarters if str(q.pk) == str(quarter_pk)), None) if quarter_pk else None
    if quarter_pk and quarter is None:
        raise Http404
    quarter = quarter or (quarters[0] if quarters else None)
    rows = []
    if profile is not None and quarter is not None:
        scorecards = (
            Scorecard.objects.filter(
                interviewees_q(quarter=quarter, profile=profile),
                quarter=quarter,
                status=Scorecard.Status.PUBLISHED,
                is_current=True,
            )
            .select_related("staff", "department")
            .order_by("staff__full_name")
        )
        rows = _rows(scorecards, {quarter.pk: quarter}, today=today)
    return {
        "quarter": quarter,
        "quarters": quarters,
        "rows": rows,
        "due_on": interview_due_on(quarter) if quarter else None,
        "quarter_open": quarter is not None and quarter.state == QuarterState.PUBLISHED,
    }


def quarter_interviews_page(*, quarter_pk=None, overdue_only=False, today=None):
    """The execution group's list of a quarter's interviews; with overdue_only, those not held in time."""
    today = today or timezone.localdate()
    quarters = list(published_quarters())
    if quarter_pk:
        quarter = next((q for q in quarters if str(q.pk) == str(quarter_pk)), None)
        if quarter is None:
            raise Http404
    else:
        quarter = quarters[0] if quarters else None
    rows = []
    if quarter is not None:
        scorecards = (
            Scorecard.objects.filter(quarter=quarter, status=Scorecard.Status.PUBLISHED, is_current=True)
            .select_related("staff__superior", "department")
            .order_by("department__code", "staff__full_name")
        )
        rows = _rows(scorecards, {quarter.pk: quarter}, today=today)
        if overdue_only:
            rows = [row for row in rows if row.overdue]
    return {
        "quarter": quarter,
        "quarters": quarters,
        "rows": rows,
        "overdue_only": overdue_only,
        "due_on": interview_due_on(quarter) if quarter else None,
        "overdue_count": sum(1 for row in rows if row.overdue),
    }


def overdue_interviews(*, today=None):
    """Every published quarter's people whose interview was not held in time (for dashboards and reminders)."""
    today = today or timezone.localdate()
    quarters = {q.pk: q for q in Quarter.objects.filter(state=QuarterState.PUBLISHED, published_at__isnull=False)}
    late = {pk: q for pk, q in quarters.items() if (due := interview_due_on(q)) is not None and today > due}
    if not late:
        return []
    scorecards = (
        Scorecard.objects.filter(quarter__in=list(late), status=Scorecard.Status.PUBLISHED, is_current=True)
        .select_related("staff__superior", "quarter")
        .order_by("quarter", "staff__full_name")
    )
    return [row for row in _rows(scorecards, late, today=today) if row.overdue]
