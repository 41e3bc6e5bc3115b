"""The regulation's deadlines for a quarter, and how many days are left, on a `today` given by the caller.

Dates are calendar days in settings.TIME_ZONE (Asia/Shanghai by default): a publication at 23:30 on the 5th in
Shanghai counts from the 5th, whatever the server's clock says.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reviews.models import QuarterState

INTERVIEW_DAYS = 7  # Regulation 三.5: the interview within one week of receiving the result.

_RESULTS_DONE = frozenset({QuarterState.PUBLISHED, QuarterState.CLOSED})


def local_today() -> datetime.date:
    """Today's date in the configured time zone (the default `today` of every page and service)."""
    return timezone.localdate()


def local_date(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment is not None else None


def results_due_on(quarter) -> datetime.date:
    """Regulation 三.1: statistics and feedback by the 10th day of the month after the quarter."""
    return quarter.results_due_on


def interview_due_on(quarter) -> datetime.date | None:
    """Regulation 三.5: the superior's interview within 7 days of publication (None before publication)."""
    published = local_date(quarter.published_at)
    return published + datetime.timedelta(days=INTERVIEW_DAYS) if published else None


def appeal_window_ends_on(quarter) -> datetime.date | None:
    """The last day to file an appeal: publication + the quarter's appeal window (None before publication)."""
    published = local_date(quarter.published_at)
    return published + datetime.timedelta(days=quarter.appeal_window_days) if published else None


def days_left(due_on: datetime.date, today: datetime.date) -> int:
    """Days from today to the due date: 0 on the day itself, negative once overdue."""
    return (due_on - today).days


def days_phrase(due_on: datetime.date, today: datetime.date) -> str:
    """'3 days left', 'due today' or '2 days overdue'."""
    return _left(days_left(due_on, today))


def _left(left: int) -> str:
    if left > 0:
        return ngettext("%(n)d day left", "%(n)d days left", left) % {"n": left}
    if left == 0:
        return _("due today")
    return ngettext("%(n)d day overdue", "%(n)d days overdue", -left) % {"n": -left}


@dataclass(frozen=True)
class Deadline:
    key: str
    label: str
    due_on: datetime.date
    done: bool
    days_left: int
    # A window (appeals) closes rather than becoming overdue.
    is_window: bool = False

    @property
    def overdue(self) -> bool:
        return not self.done and not self.is_window and self.days_left < 0

    @property
    def status(self) -> str:
        """What a dashboard shows next to the date."""
        if self.done:
            return _("done")
        if self.is_window:
            if self.days_left < 0:
                return _("closed")
            return _("open") + " · " + _left(self.days_left)
        return _left(self.days_left)


def quarter_deadlines(quarter, *, today: datetime.date, pending_interviews: int | None = None) -> list[Deadline]:
    """The quarter's deadlines with days left on `today`.

    pending_interviews: how many published people still wait for their interview record (None: not known,
    then the interview deadline counts as met only once the quarter is closed).
    """
    due = results_due_on(quarter)
    deadlines = [
        Deadline(
            key="results",
            label=_("Results and feedback (regulation 3.1)"),
            due_on=due,
            done=quarter.state in _RESULTS_DONE,
            days_left=days_left(due, today),
        )
    ]
    interviews = interview_due_on(quarter)
    if interviews is not None:
        interviews_done = quarter.state == QuarterState.CLOSED or pending_interviews == 0
        deadlines.append(
            Deadline(
                key="interviews",
                label=_("Interviews (regulation 3.5)"),
                due_on=interviews,
                done=interviews_done,
                days_left=days_left(interviews, today),
            )
        )
    appeals = appeal_window_ends_on(quarter)
    if appeals is not None:
        deadlines.append(
            Deadline(
                key="appeals",
                label=_("Appeal window"),
                due_on=appeals,
                done=False,
                days_left=days_left(appeals, today),
                is_window=True,
            )
        )
    return deadlines
