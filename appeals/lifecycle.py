"""An appeal's life, written down once: the table of allowed transitions, on the engine every service uses
(lawfirm_kpi.lifecycle, shared with the quarter's life).

submitted → under review ⇄ information requested → upheld | rejected | escalated → decided by leadership → closed;
withdrawn from any state before a decision.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appeals.models import Appeal, AppealEvent, AppealStatus
from lawfirm_kpi import lifecycle
from reviews.roles import roles_of


class Action(models.TextChoices):
    FILE = "file", gettext_lazy("File the appeal")
    ASSIGN = "assign", gettext_lazy("Assign a handler")
    REQUEST_INFO = "request_info", gettext_lazy("Ask for more information")
    RESPOND = "respond", gettext_lazy("Answer the request")
    UPHOLD = "uphold", gettext_lazy("Uphold")
    REJECT = "reject", gettext_lazy("Reject")
    ESCALATE = "escalate", gettext_lazy("Escalate to the leadership group")
    LEADERSHIP_DECIDE = "leadership_decide", gettext_lazy("Decide (leadership group)")
    CLOSE = "close", gettext_lazy("Close")
    WITHDRAW = "withdraw", gettext_lazy("Withdraw")


class Actor(models.TextChoices):
    APPELLANT = "appellant", gettext_lazy("The appellant")
    # Regulation 二.2: the execution group handles appeals.
    EXECUTION = "execution", gettext_lazy("Execution group")
    # Regulation 二.1: the leadership group decides the major matters.
    LEADERSHIP = "leadership", gettext_lazy("Leadership group")


class Transition(lifecycle.Transition):
    """One step of an appeal's life; an appeal has a status, so its ends also read as from_status and to_status."""

    @property
    def from_status(self):
        return self.from_state

    @property
    def to_status(self):
        return self.to_state


S = AppealStatus
_BEFORE_DECISION = (S.SUBMITTED, S.UNDER_REVIEW, S.INFORMATION_REQUESTED, S.ESCALATED)
_IN_HANDS = (S.UNDER_REVIEW, S.INFORMATION_REQUESTED)

# THE table. Nothing else moves an appeal: every service goes through appeal_transition(), which looks here.
TRANSITIONS = lifecycle.transition_table(
    (
        Transition(S.SUBMITTED, Action.ASSIGN, S.UNDER_REVIEW, Actor.EXECUTION),
        Transition(S.UNDER_REVIEW, Action.ASSIGN, S.UNDER_REVIEW, Actor.EXECUTION),
        Transition(S.INFORMATION_REQUESTED, Action.ASSIGN, S.INFORMATION_REQUESTED, Actor.EXECUTION),
        Transition(S.UNDER_REVIEW, Action.REQUEST_INFO, S.INFORMATION_REQUESTED, Actor.EXECUTION, True),
        Transition(S.INFORMATION_REQUESTED, Action.RESPOND, S.UNDER_REVIEW, Actor.APPELLANT, True),
        *(Transition(s, Action.UPHOLD, S.UPHELD, Actor.EXECUTION, True) for s in _IN_HANDS),
        *(Transition(s, Action.REJECT, S.REJECTED, Actor.EXECUTION, True) for s in _IN_HANDS),
        *(Transition(s, Action.ESCALATE, S.ESCALATED, Actor.EXECUTION, True) for s in _IN_HANDS),
        Transition(S.ESCALATED, Action.LEADERSHIP_DECIDE, S.DECIDED_BY_LEADERSHIP, Actor.LEADERSHIP, True),
        *(
            Transition(s, Action.CLOSE, S.CLOSED, Actor.EXECUTION)
            for s in (S.UPHELD, S.REJECTED, S.DECIDED_BY_LEADERSHIP)
        ),
        *(Transition(s, Action.WITHDRAW, S.WITHDRAWN, Actor.APPELLANT) for s in _BEFORE_DECISION),
    )
)


class AppealRefused(lifecycle.Refused):
    """The appeal may not take this step now; the message says why. Nothing was changed."""


class StaleAppeal(AppealRefused):
    """The page that asked for the step showed an older status (a double click, or another handler acted first)."""


class AppealForbidden(PermissionDenied):
    """The user is not the party the table names for this step."""


def status_label(status) -> str:
    return str(AppealStatus(status).label)


def actor_allows(user, actor, appeal) -> bool:
    """The user is the table's actor for this appeal; nobody handles or decides their own appeal."""
    if actor == Actor.APPELLANT:
        return user.pk == appeal.appellant_id
    if user.pk == appeal.appellant_id:
        return False
    roles = roles_of(user)
    return roles.is_leadership if actor == Actor.LEADERSHIP else roles.is_execution


class AppealLife(lifecycle.Lifecycle):
    """An appeal's life on the shared engine: this table, the appeal row, its AppealEvent history."""

    # The engine locks the appeal row for every step: two handlers deciding at the same moment (or a double click)
    # would otherwise both read "under review", both pass the checks and both write a decision.
    model = Appeal
    state_field = "status"
    transitions = TRANSITIONS
    event_model = AppealEvent
    event_subject = "appeal"
    refused = AppealRefused
    stale = StaleAppeal
    forbidden = AppealForbidden

    def actor_allows(self, user, actor, appeal) -> bool:
        return actor_allows(user, actor, appeal)

    def stale_message(self, locked):
        return _(
            "This appeal is already “%(status)s”: someone acted on it after your page was loaded. Nothing was changed."
        ) % {"status": status_label(locked.status)}

    def not_in_table_message(self, locked, action):
        return _("An appeal that is “%(status)s” cannot take the step “%(action)s”. Nothing was changed.") % {
            "status": status_label(locked.status),
            "action": Action(action).label,
        }

    def forbidden_message(self, transition):
        if transition.actor == Actor.APPELLANT:
            return _("Only the person who filed the appeal may do this.")
        return _("Only the %(actor)s may do this, and never on their own appeal.") % {
            "actor": Actor(transition.actor).label
        }

    def comment_missing_message(self, transition):
        return _("Please write the reason: it is part of the appeal's record.")


appeal_life = AppealLife()


def actions_for(*, appeal, user) -> set[str]:
    """The steps this user may take on the appeal in its current status (for the page's forms)."""
    return {transition.action for transition in appeal_life.actions_for(row=appeal, user=user)}


def appeal_transition(
    *,
    appeal: Appeal,
    action: str,
    by,
    comment: str = "",
    expected_status: str | None = None,
    guard: Callable[[Appeal], None] | None = None,
    effect: Callable[[Appeal], None] | None = None,
) -> Appeal:
    """Move the appeal one step along TRANSITIONS, atomically, and record who, when and why in AppealEvent.

    - expected_status: the status the user's page showed; if the appeal has moved on since, StaleAppeal.
    - guard(locked): raises AppealRefused when a precondition does not hold.
    - effect(locked): the step's work, under the lock, after the status is set and before the row is saved.
    Raises AppealRefused (a message for the user) or AppealForbidden (403).
    """
    return appeal_life.move(
        appeal,
        action=action,
        by=by,
        comment=comment,
        expected_state=expected_status,
        guard=guard,
        effect=effect,
    )
