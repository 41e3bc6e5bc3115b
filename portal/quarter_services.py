"""One service per step of the quarter's life; each goes through lifecycle.quarter_transition (the table)."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from documents.completeness import REMINDABLE_GAPS, completeness_board
from indicators.ratings import rating_round_close_on_submission
from interviews.interviewers import interviewers_of, people_without_interviewer
from interviews.models import Interview
from lawfirm_kpi.text import sentences_join
from notifications.services import notice_write
from results.corrections import open_corrections
from results.drafts import results_store_drafts
from results.evaluation import drafts_fill_evaluations
from results.models import Scorecard
from results.publication import results_publish
from reviews.deadlines import appeal_window_ends_on, local_today
from reviews.lifecycle import (
    STATES_AFTER_SUBMISSION,
    Action,
    Setting,
    TransitionRefused,
    quarter_published,
    quarter_transition,
)
from reviews.models import Quarter, QuarterState, StaffProfile
from reviews.roles import roles_of
from reviews.services import quarter_setting_record

MAX_SUMMARY_LENGTH = 20000


def _approved_scheme(quarter):
    from indicators.models import Scheme

    return Scheme.objects.filter(quarter=quarter, status=Scheme.Status.APPROVED).first()


def _current_scorecards(quarter):
    return Scorecard.objects.filter(quarter=quarter, is_current=True)


@dataclass(frozen=True)
class StaleDrafts:
    """The current drafts were computed with a scheme version that has been superseded since (Scorecard.scheme)."""

    computed_with: int
    approved: int

    def _params(self):
        return {"old": self.computed_with, "new": self.approved}

    @property
    def before_submitting(self) -> str:
        return (
            _(
                "The results were computed with scheme version %(old)s; version %(new)s was approved since: "
                "recompute before submitting."
            )
            % self._params()
        )

    @property
    def before_approving(self) -> str:
        return (
            _(
                "The results were computed with scheme version %(old)s; version %(new)s was approved since: "
                "return them to the execution group to recompute them."
            )
            % self._params()
        )

    def message_for(self, state) -> str:
        """What the quarter page says in this state: recompute (scored) or return them first (submitted)."""
        return self.before_approving if state == QuarterState.SUBMITTED else self.before_submitting


def stale_drafts(quarter) -> StaleDrafts | None:
    """Whether the quarter's current drafts were computed with another scheme version than the approved one.

    Regulation 二.1: the leadership group approves the scheme and then the results; results computed with a scheme
    it has since replaced are not the results of the approved scheme, so they cannot be submitted or approved.
    """
    approved = _approved_scheme(quarter)
    if approved is None:
        return None
    versions = sorted(
        set(
            _current_scorecards(quarter)
            .filter(status=Scorecard.Status.DRAFT)
            .exclude(scheme_id=approved.pk)
            .values_list("scheme__version", flat=True)
        )
    )
    if not versions:
        return None
    return StaleDrafts(computed_with=versions[0], approved=approved.version)


def quarter_start_collecting(*, quarter, by, comment="", expected_state=None, today: datetime.date | None = None):
    """The execution group opens data collection once the quarter is over (regulation 三.1: assessed at its end)."""
    today = today or local_today()

    def guard(locked):
        if today <= locked.ends_on:
            raise TransitionRefused(
                _("The quarter %(quarter)s ends on %(date)s: data collection starts after that.")
                % {"quarter": locked.code, "date": date_format(locked.ends_on)}
            )

    return quarter_transition(
        quarter=quarter,
        action=Action.START_COLLECTING,
        by=by,
        comment=comment,
        expected_state=expected_state,
        guard=guard,
    )


def _store_results(locked, by):
    scheme = _approved_scheme(locked)
    if scheme is None:
        raise TransitionRefused(_("The quarter has no approved scheme to score with."))
    try:
        results_store_drafts(quarter=locked, scheme=scheme, by=by)
    except ValidationError as error:
        raise TransitionRefused(sentences_join(error.messages)) from error
    if not _current_scorecards(locked).exists():
        raise TransitionRefused(_("Nobody is assessed under this scheme: there are no results to store."))


def incomplete_data_gaps(quarter) -> list[str]:
    """What the completeness board says is still missing before scoring (regulation 二.3), one sentence each."""
    return completeness_board(quarter=quarter).notes


def _compute(*, quarter, action, by, comment, expected_state, incomplete_data_reason):
    """Score or recompute. Regulation 二.3: the departments deliver their data before the quarter is scored. Where
    the completeness board still lists gaps, the execution group computes only with a reason that acknowledges
    them; the gaps and the reason are recorded with the step in the quarter's history (who, when, why)."""
    gaps = incomplete_data_gaps(quarter)
    reason = (incomplete_data_reason or "").strip()

    def guard(locked):
        # Checked after the page's state, the table and the group (the engine's order): a stale page or a wrong
        # group hears that first. Nothing is changed when it refuses.
        if gaps and not reason:
            raise TransitionRefused(
                ngettext(
                    "The data of %(quarter)s are incomplete (%(n)d gap): acknowledge it and give a reason to "
                    "compute anyway.",
                    "The data of %(quarter)s are incomplete (%(n)d gaps): acknowledge them and give a reason to "
                    "compute anyway.",
                    len(gaps),
                )
                % {"quarter": locked.code, "n": len(gaps)}
            )

    if gaps and reason:
        record = "\n".join(
            [_("Computed with incomplete data, acknowledged: %(reason)s") % {"reason": reason}]
            + [f"– {gap}" for gap in gaps]
        )
        comment = "\n".join(part for part in ((comment or "").strip(), record) if part)
    return quarter_transition(
        quarter=quarter,
        action=action,
        by=by,
        comment=comment,
        expected_state=expected_state,
        guard=guard,
        effect=lambda locked: _store_results(locked, by),
    )


def quarter_score(*, quarter, by, comment="", expected_state=None, incomplete_data_reason=""):
    """Compute and store every person's draft result with the approved scheme (regulation 三.4).

    With gaps on the completeness board, only with `incomplete_data_reason` (see _compute)."""
    return _compute(
        quarter=quarter,
        action=Action.SCORE,
        by=by,
        comment=comment,
        expected_state=expected_state,
        incomplete_data_reason=incomplete_data_reason,
    )


def quarter_recompute(*, quarter, by, comment="", expected_state=None, incomplete_data_reason=""):
    """Recompute the drafts (data corrected, or results returned by the leadership group); published ones stay.

    With gaps on the completeness board, only with `incomplete_data_reason` (see _compute)."""
    return _compute(
        quarter=quarter,
        action=Action.RECOMPUTE,
        by=by,
        comment=comment,
        expected_state=expected_state,
        incomplete_data_reason=incomplete_data_reason,
    )


def quarter_report_summary_update(*, quarter, by, text):
    """The execution group writes the report's summary (regulation 二.2) until the results are submitted."""
    if not roles_of(by).is_execution:
        raise PermissionDenied(_("Only the execution group writes the report."))
    text = (text or "").strip()
    if len(text) > MAX_SUMMARY_LENGTH:
        raise ValidationError({"text": _("At most %(n)d characters, please.") % {"n": MAX_SUMMARY_LENGTH}})
    with transaction.atomic():
        # Lock as quarter_submit does, so a summary saved while another member submits cannot slip in afterwards.
        locked = Quarter.objects.select_for_update().get(pk=quarter.pk)
        if locked.state not in (QuarterState.COLLECTING, QuarterState.SCORED):
            raise ValidationError(
                _(
                    "The report of %(quarter)s can be written while the quarter is being scored, "
                    "not when it is “%(state)s”."
                )
                % {"quarter": locked.code, "state": locked.get_state_display()}
            )
        locked.report_summary = text
        locked.save(update_fields=["report_summary"])
    quarter.report_summary = text
    return locked


def quarter_submit(*, quarter, by, comment="", expected_state=None):
    """Send the results and the report to the leadership group (regulation 二.2); the summary is required.

    Every evaluation still empty receives the system's draft, so each person's written result has one (三.5).
    """

    def guard(locked):
        if not locked.report_summary.strip():
            raise TransitionRefused(_("Write the report's summary before submitting the results."))
        if not _current_scorecards(locked).exists():
            raise TransitionRefused(_("There are no results to submit."))
        stale = stale_drafts(locked)
        if stale is not None:
            raise TransitionRefused(stale.before_submitting)

    def effect(locked):
        locked.submitted_by = by
        locked.submitted_at = timezone.now()
        drafts_fill_evaluations(quarter=locked)
        # The leadership group decides on these results: the ratings behind them close with the submission.
        rating_round_close_on_submission(quarter=locked, by=by, now=locked.submitted_at)

    return quarter_transition(
        quarter=quarter,
        action=Action.SUBMIT,
        by=by,
        comment=comment,
        expected_state=expected_state,
        guard=guard,
        effect=effect,
    )


def quarter_approve(*, quarter, by, comment="", expected_state=None):
    """The leadership group approves the submitted results (regulation 二.1)."""

    def guard(locked):
        # Four eyes: whoever submitted the results cannot also approve them.
        if locked.submitted_by_id == by.pk:
            raise TransitionRefused(
                _("You submitted these results, so another member of the leadership group must approve them.")
            )
        stale = stale_drafts(locked)
        if stale is not None:
            raise TransitionRefused(stale.before_approving)

    def effect(locked):
        locked.approved_by = by
        locked.approved_at = timezone.now()

    return quarter_transition(
        quarter=quarter,
        action=Action.APPROVE,
        by=by,
        comment=comment,
        expected_state=expected_state,
        guard=guard,
        effect=effect,
    )


def quarter_return(*, quarter, by, comment, expected_state=None):
    """The leadership group sends the results back to the execution group; the comment says what to change."""

    def effect(locked):
        locked.submitted_by = None
        locked.submitted_at = None

    return quarter_transition(
        quarter=quarter,
        action=Action.RETURN,
        by=by,
        comment=comment,
        expected_state=expected_state,
        effect=effect,
    )


def people_without_interviewer_message(people) -> str:
    """Publication's refusal: who has nobody to interview them and how to fix it (regulation 三.5)."""
    return ngettext(
        "%(n)d person would have nobody to interview them (no active direct superior and no designated "
        "interviewer): %(names)s. Designate their interviewer on the quarter's Interviewers page first.",
        "%(n)d people would have nobody to interview them (no active direct superior and no designated "
        "interviewer): %(names)s. Designate their interviewers on the quarter's Interviewers page first.",
        len(people),
    ) % {"n": len(people), "names": ", ".join(person.full_name for person in people)}


def quarter_publish(*, quarter, by, comment="", expected_state=None):
    """Publish: every current draft result becomes published; the interview and appeal clocks start (三.5).

    Refused while anyone to be published has nobody to interview them: their interview could never be recorded
    and the quarter could never close. Receivers of lifecycle.quarter_published (feedback PDFs, e-mails) run after
    the commit.
    """

    def guard(locked):
        drafts = _current_scorecards(locked).filter(status=Scorecard.Status.DRAFT).values("staff_id")
        people = StaffProfile.objects.filter(pk__in=drafts).select_related("superior")
        missing = people_without_interviewer(locked, people)
        if missing:
            raise TransitionRefused(
                sentences_join([people_without_interviewer_message(missing), _("Nothing was changed.")])
            )

    def effect(locked):
        locked.published_at = timezone.now()
        if not results_publish(quarter=locked):
            raise TransitionRefused(_("There are no draft results to publish."))
        quarter_id = locked.pk
        transaction.on_commit(
            lambda: quarter_published.send(sender=Quarter, quarter=Quarter.objects.get(pk=quarter_id))
        )

    return quarter_transition(
        quarter=quarter,
        action=Action.PUBLISH,
        by=by,
        comment=comment,
        expected_state=expected_state,
        guard=guard,
        effect=effect,
    )


def pending_interviews(quarter) -> int:
    """People with a published result whose interview is not recorded yet."""
    recorded = Interview.objects.filter(quarter=quarter, recorded_at__isnull=False).values("staff_id")
    return _current_scorecards(quarter).filter(status=Scorecard.Status.PUBLISHED).exclude(staff_id__in=recorded).count()


def undecided_appeals(quarter) -> int:
    """Appeals of the quarter still waiting for a decision (a withdrawal also sets decided_at)."""
    from appeals.models import Appeal  # appeals builds on reviews: imported when used

    return Appeal.objects.filter(quarter=quarter, decided_at__isnull=True).count()


@dataclass(frozen=True)
class InterviewWaiting:
    """A published result whose interview is not recorded: the scorecard, the interviewer (or None), the interview."""

    scorecard: Scorecard
    interviewer: StaffProfile | None
    interview: Interview | None

    @property
    def person(self):
        return self.scorecard.staff


@dataclass
class CloseBlockers:
    """Everything that keeps a published quarter from closing, by name (quarter_close refuses while any is left)."""

    # The appeal window's last day while people may still appeal, else None.
    window_open_until: datetime.date | None
    # An InterviewWaiting for each published result without a recorded interview, by name.
    interviews: list
    # The appeals still waiting for a decision, oldest first.
    appeals: list
    # Corrections still being prepared or awaiting the leadership group's approval.
    corrections: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.window_open_until or self.interviews or self.appeals or self.corrections)

    def messages(self) -> list[str]:
        problems = []
        if self.window_open_until:
            problems.append(
                _("The appeal window is open until %(date)s.") % {"date": date_format(self.window_open_until)}
            )
        if self.interviews:
            names = [
                waiting.person.full_name
                if waiting.interviewer
                else _("%(name)s (nobody to interview them)") % {"name": waiting.person.full_name}
                for waiting in self.interviews
            ]
            problems.append(
                ngettext(
                    "%(n)d interview is not recorded yet: %(names)s.",
                    "%(n)d interviews are not recorded yet: %(names)s.",
                    len(names),
                )
                % {"n": len(names), "names": ", ".join(names)}
            )
        if self.appeals:
            names = [appeal.staff.full_name for appeal in self.appeals]
            problems.append(
                ngettext(
                    "%(n)d appeal is not decided yet: %(names)s.",
                    "%(n)d appeals are not decided yet: %(names)s.",
                    len(names),
                )
                % {"n": len(names), "names": ", ".join(names)}
            )
        if self.corrections:
            numbers = ", ".join(f"#{correction.pk}" for correction in self.corrections)
            problems.append(
                ngettext(
                    "%(n)d correction is not applied or withdrawn yet: %(numbers)s.",
                    "%(n)d corrections are not applied or withdrawn yet: %(numbers)s.",
                    len(self.corrections),
                )
                % {"n": len(self.corrections), "numbers": numbers}
            )
        return problems


def quarter_close_blockers(quarter, *, today: datetime.date) -> CloseBlockers:
    """What keeps the published quarter from closing on `today`: the open appeal window, each person without a
    recorded interview (with their interviewer, interviews.interviewers) and each undecided appeal."""
    from appeals.models import Appeal  # appeals builds on reviews: imported when used, as undecided_appeals does

    appeals_until = appeal_window_ends_on(quarter)
    recorded = Interview.objects.filter(quarter=quarter, recorded_at__isnull=False).values("staff_id")
    waiting = (
        _current_scorecards(quarter)
        .filter(status=Scorecard.Status.PUBLISHED)
        .exclude(staff_id__in=recorded)
        .select_related("staff__superior")
        .order_by("staff__full_name")
    )
    waiting = list(waiting)
    found = interviewers_of(quarter, [card.staff for card in waiting])
    interviews = {
        i.staff_id: i for i in Interview.objects.filter(quarter=quarter, staff__in=[c.staff_id for c in waiting])
    }
    undecided = list(
        Appeal.objects.filter(quarter=quarter, decided_at__isnull=True).select_related("staff").order_by("filed_at")
    )
    return CloseBlockers(
        window_open_until=appeals_until if appeals_until is not None and today <= appeals_until else None,
        interviews=[InterviewWaiting(card, found[card.staff_id], interviews.get(card.staff_id)) for card in waiting],
        appeals=undecided,
        corrections=list(open_corrections(quarter)),
    )


def quarter_close(*, quarter, by, comment="", expected_state=None, today: datetime.date | None = None):
    """Close the quarter once the appeal window has ended, every interview is recorded and every appeal decided.

    It is read-only after. The window counts: closing while people may still appeal would cut short the time the
    regulation gives them (the window's last day is included, as appeals.selectors.filing_window counts it). The
    refusal names every person and appeal still in the way (quarter_close_blockers; the quarter page lists them).
    """
    today = today or local_today()

    def guard(locked):
        blockers = quarter_close_blockers(locked, today=today)
        if blockers:
            raise TransitionRefused(sentences_join([_("The quarter cannot be closed yet:"), *blockers.messages()]))

    def effect(locked):
        locked.closed_at = timezone.now()

    return quarter_transition(
        quarter=quarter,
        action=Action.CLOSE,
        by=by,
        comment=comment,
        expected_state=expected_state,
        guard=guard,
        effect=effect,
    )


# What the quarter page's buttons call, by action (the scheme is approved on the scheme's own page).
QUARTER_SERVICES = {
    Action.START_COLLECTING: quarter_start_collecting,
    Action.SCORE: quarter_score,
    Action.RECOMPUTE: quarter_recompute,
    Action.SUBMIT: quarter_submit,
    Action.APPROVE: quarter_approve,
    Action.RETURN: quarter_return,
    Action.PUBLISH: quarter_publish,
    Action.CLOSE: quarter_close,
}


@dataclass(frozen=True)
class RemindersSent:
    """Who was reminded of one gap: the recipients, and how many of them had not been reminded of it today."""

    gap: str
    recipients: list
    written: int


def _gap_recipients(quarter, board, gap: str, by) -> list:
    """The people who can put the gap right: the clerks of the departments that deliver the data (regulation
    二.3), or the raters who still owe a rating (三.4). Never the person sending the reminder."""
    from indicators.models import RatingAssignment  # indicators builds on reviews: imported when used
    from reviews.models import Department
    from reviews.roles import DATA_KINDS_BY_DEPARTMENT

    User = get_user_model()
    if gap == "ratings":
        users = User.objects.filter(
            profile__in=RatingAssignment.objects.filter(round=board.rating_round, score__isnull=True).values("rater")
        )
    else:
        kinds = [kind for kind, data in DATA_KINDS_BY_DEPARTMENT.items() if gap in data]
        users = User.objects.filter(clerk_departments__in=Department.objects.filter(kind__in=kinds))
    return list(users.filter(is_active=True).exclude(pk=by.pk).select_related("profile").distinct().order_by("pk"))


def _reminder_compose(*, quarter_code, gap, user, quarter):
    def compose():
        title = _("%(quarter)s: the execution group reminds you of missing data") % {"quarter": quarter_code}
        if gap == "ratings":
            from indicators.models import RatingAssignment

            n = RatingAssignment.objects.filter(round__quarter=quarter, rater__user=user, score__isnull=True).count()
            body = ngettext(
                "You still have %(n)d rating to give for %(quarter)s (regulation 3.4).",
                "You still have %(n)d ratings to give for %(quarter)s (regulation 3.4).",
                n,
            ) % {"n": n, "quarter": quarter_code}
        elif gap == "complaints":
            body = _(
                "Complaints of %(quarter)s are still open: please record how each was handled, so the quarter can "
                "be scored (regulation 2.3)."
            ) % {"quarter": quarter_code}
        else:
            body = _(
                "Assessed people still have no satisfaction survey for %(quarter)s: please enter the surveys, so "
                "the quarter can be scored (regulation 2.3)."
            ) % {"quarter": quarter_code}
        return title, body

    return compose


def completeness_remind(*, quarter, gap: str, by, today: datetime.date | None = None) -> RemindersSent:
    """The execution group reminds those responsible for one gap of the completeness board (regulation 二.2: it
    organises the assessment; 二.3: the departments deliver the data). Each gets a notice (in-app and e-mail
    through the outbox), once a day at most; the reminder is recorded in the quarter's history."""
    if not roles_of(by).is_execution:
        raise PermissionDenied(_("Only the execution group sends these reminders."))
    if gap not in REMINDABLE_GAPS:
        raise ValidationError(_("There is nobody to remind of this."))
    today = today or local_today()
    with transaction.atomic():
        # The quarter's row lock, as the other settings of its history take it: a reminder recorded while the
        # quarter is being submitted would otherwise land after the results had left the execution group.
        locked = Quarter.objects.select_for_update().get(pk=quarter.pk)
        if locked.state in STATES_AFTER_SUBMISSION:
            raise ValidationError(
                _("The results of %(quarter)s are submitted: the data are no longer collected.")
                % {"quarter": locked.code}
            )
        board = completeness_board(quarter=locked)
        found = next((g for g in board.gaps if g.kind == gap), None)
        if found is None:
            raise ValidationError(_("Nothing is missing there any more: nobody was reminded."))
        recipients = _gap_recipients(locked, board, gap, by)
        if not recipients:
            raise ValidationError(_("Nobody is responsible for this yet: nobody was reminded."))
        url = reverse("indicators:ratings_todo") if gap == "ratings" else found.url
        written = 0
        for user in recipients:
            notice = notice_write(
                user=user,
                kind="completeness_reminder",
                object_key=f"{locked.code}:{gap}",
                compose=_reminder_compose(quarter_code=locked.code, gap=gap, user=user, quarter=locked),
                url=url,
                day=today,
                quarter=locked,
            )
            written += notice is not None
        names = _(", ").join(u.profile.full_name if hasattr(u, "profile") else u.username for u in recipients)
        quarter_setting_record(
            quarter=locked,
            action=Setting.REMINDER,
            by=by,
            at=timezone.now(),
            comment=_("%(gap)s Reminded: %(names)s.") % {"gap": found.text, "names": names},
        )
    return RemindersSent(gap=gap, recipients=recipients, written=written)
