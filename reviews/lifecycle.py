"""The quarter's life (docs/regulation.md, "The quarter's life"): the one table of allowed transitions, and the
engine every service uses (lawfirm_kpi.lifecycle, shared with appeals).

scheme draft → scheme approved → collecting → scored ⟲ → submitted → approved → published → closed,
and submitted → scored when the leadership group returns the results with comments.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import models
from django.dispatch import Signal
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lawfirm_kpi import lifecycle
from reviews.models import Quarter, QuarterEvent, QuarterState
from reviews.roles import roles_of

# Sent after the transaction that published a quarter has committed, so receivers (feedback PDFs, e-mails,
# reminders) never see uncommitted rows. Receivers get `quarter` (the published Quarter) as keyword argument.
quarter_published = Signal()


class Action(models.TextChoices):
    APPROVE_SCHEME = "approve_scheme", gettext_lazy("Approve the scheme")
    START_COLLECTING = "start_collecting", gettext_lazy("Start collecting data")
    SCORE = "score", gettext_lazy("Compute the results")
    RECOMPUTE = "recompute", gettext_lazy("Recompute the results")
    SUBMIT = "submit", gettext_lazy("Submit to the leadership group")
    APPROVE = "approve", gettext_lazy("Approve the results")
    RETURN = "return", gettext_lazy("Return with comments")
    PUBLISH = "publish", gettext_lazy("Publish the results")
    CLOSE = "close", gettext_lazy("Close the quarter")


class Setting(models.TextChoices):
    """History entries that change one of the quarter's settings, not its state (their from and to are equal).

    Kept apart from Action: these are not steps of TRANSITIONS and no button of the quarter's life offers them.
    """

    APPEAL_TERMS = "appeal_terms", gettext_lazy("Set the appeal window and decision time")
    # Regulation 三.5: who interviews a person without an active direct superior (interviews.interviewers).
    INTERVIEWER = "interviewer", gettext_lazy("Designate an interviewer")
    # Regulation 二.3: the execution group reminds those who still owe data for the quarter (the completeness page).
    REMINDER = "reminder", gettext_lazy("Remind of missing data")


def action_label(action) -> str:
    """The name of a history entry in the active language: the step taken, or the setting changed.

    The history shows it next to from → to, which alone cannot tell a recompute (scored → scored) from a setting.
    """
    for choices in (Action, Setting):
        if action in choices.values:
            return str(choices(action).label)
    return action


class Actor(models.TextChoices):
    # Regulation 二.1: the leadership group approves the scheme and the results.
    LEADERSHIP = "leadership", gettext_lazy("Leadership group")
    # Regulation 二.2: the execution group runs the assessment and writes the report.
    EXECUTION = "execution", gettext_lazy("Execution group")


class Transition(lifecycle.Transition):
    """One step of the quarter's life: from_state, action, to_state, the actor (a group), and whether it needs a
    comment."""

    @property
    def label(self):
        """The button's text: the action's name in the active language."""
        return Action(self.action).label


S = QuarterState
# THE table. Nothing else moves a quarter: every service goes through quarter_transition(), which looks here.
TRANSITIONS = lifecycle.transition_table(
    (
        Transition(S.SCHEME_DRAFT, Action.APPROVE_SCHEME, S.SCHEME_APPROVED, Actor.LEADERSHIP),
        Transition(S.SCHEME_APPROVED, Action.START_COLLECTING, S.COLLECTING, Actor.EXECUTION),
        Transition(S.COLLECTING, Action.SCORE, S.SCORED, Actor.EXECUTION),
        Transition(S.SCORED, Action.RECOMPUTE, S.SCORED, Actor.EXECUTION),
        Transition(S.SCORED, Action.SUBMIT, S.SUBMITTED, Actor.EXECUTION),
        Transition(S.SUBMITTED, Action.APPROVE, S.APPROVED, Actor.LEADERSHIP),
        Transition(S.SUBMITTED, Action.RETURN, S.SCORED, Actor.LEADERSHIP, comment_required=True),
        Transition(S.APPROVED, Action.PUBLISH, S.PUBLISHED, Actor.EXECUTION),
        Transition(S.PUBLISHED, Action.CLOSE, S.CLOSED, Actor.EXECUTION),
    )
)

# Once results are submitted, the execution group's drafts (evaluations, summary) are frozen.
STATES_AFTER_SUBMISSION = frozenset({S.SUBMITTED, S.APPROVED, S.PUBLISHED, S.CLOSED})


class TransitionRefused(lifecycle.Refused):
    """The quarter may not make this step now; the message says why. Nothing was changed."""


class StaleQuarter(TransitionRefused):
    """The page that asked for the step showed an older state (a double click, or someone acted first)."""


class TransitionForbidden(PermissionDenied):
    """The user is not in the group the table names for this step."""


def actor_allows(user, actor) -> bool:
    roles = roles_of(user)
    return roles.is_leadership if actor == Actor.LEADERSHIP else roles.is_execution


def state_label(state) -> str:
    return str(QuarterState(state).label)


class QuarterLife(lifecycle.Lifecycle):
    """The quarter's life on the shared engine: this table, the quarter row, its QuarterEvent history."""

    # The engine locks the quarter row for every step: without it two requests (a double click, or two members of a
    # group acting at the same moment) would both read the old state, both pass the checks and both write a
    # transition.
    model = Quarter
    state_field = "state"
    transitions = TRANSITIONS
    event_model = QuarterEvent
    event_subject = "quarter"
    refused = TransitionRefused
    stale = StaleQuarter
    forbidden = TransitionForbidden

    def actor_allows(self, user, actor, quarter) -> bool:
        # Every step of a quarter belongs to a group, and belonging does not depend on the quarter.
        return actor_allows(user, actor)

    def stale_message(self, locked):
        return _(
            "The quarter %(quarter)s is already “%(state)s”: the page you used was out of date. Nothing was changed."
        ) % {"quarter": locked.code, "state": state_label(locked.state)}

    def not_in_table_message(self, locked, action):
        return _("A quarter that is “%(state)s” cannot take the step “%(action)s”. Nothing was changed.") % {
            "state": state_label(locked.state),
            "action": Action(action).label,
        }

    def forbidden_message(self, transition):
        return _("Only members of the %(group)s may do this.") % {"group": Actor(transition.actor).label}

    def comment_missing_message(self, transition):
        return _("Please write a comment: it tells the execution group what to change.")


quarter_life = QuarterLife()


def actions_for(*, quarter, user) -> list[Transition]:
    """The steps this user may take on the quarter in its current state (for the buttons on the quarter page)."""
    return quarter_life.actions_for(row=quarter, user=user)


def quarter_transition(
    *,
    quarter: Quarter,
    action: str,
    by,
    comment: str = "",
    expected_state: str | None = None,
    guard: Callable[[Quarter], None] | None = None,
    effect: Callable[[Quarter], None] | None = None,
) -> Quarter:
    """Move the quarter one step along TRANSITIONS, atomically, and record who, when and why in QuarterEvent.

    Call this for every state change of a quarter; e.g. the scheme approval does, inside its own atomic block:
        quarter_transition(quarter=scheme.quarter, action=Action.APPROVE_SCHEME, by=by, comment=comment)

    - expected_state: the state the user's page showed; when the quarter has moved on since, StaleQuarter is raised
      (a double click or a stale page never makes a transition twice).
    - guard(locked_quarter): raises TransitionRefused when a precondition does not hold.
    - effect(locked_quarter): the step's work (set fields, store results); runs under the lock, after the state is
      set and before the row is saved.
    Raises TransitionRefused (a message for the user) or TransitionForbidden (the wrong group: 403).
    Returns the updated quarter; the instance passed in is refreshed too.
    """
    return quarter_life.move(
        quarter,
        action=action,
        by=by,
        comment=comment,
        expected_state=expected_state,
        guard=guard,
        effect=effect,
    )
