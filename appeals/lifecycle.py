"""An appeal's life, written down once: the table of allowed transitions and the engine every service uses.

submitted → under review ⇄ information requested → upheld | rejected | escalated → decided by leadership → closed;
withdrawn from any state before a decision.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appeals.models import Appeal, AppealEvent, AppealStatus
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


@dataclass(frozen=True)
class Transition:
    from_status: str
    action: str
    to_status: str
    actor: str
    comment_required: bool = False


S = AppealStatus
_BEFORE_DECISION = (S.SUBMITTED, S.UNDER_REVIEW, S.INFORMATION_REQUESTED, S.ESCALATED)
_IN_HANDS = (S.UNDER_REVIEW, S.INFORMATION_REQUESTED)

# THE table. Nothing else moves an appeal: every service goes through appeal_transition(), which looks here.
TRANSITIONS = {
    (t.from_status, t.action): t
    for t in (
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
}


class AppealRefused(Exception):
    """The appeal may not take this step now; the message says why. Nothing was changed."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)


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


def actions_for(*, appeal, user) -> set[str]:
    """The steps this user may take on the appeal in its current status (for the page's forms)."""
    return {
        action
        for (status, action), transition in TRANSITIONS.items()
        if status == appeal.status and actor_allows(user, transition.actor, appeal)
    }


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
    comment = (comment or "").strip()
    with transaction.atomic():
        # Lock the appeal row: two handlers deciding at the same moment (or a double click) would otherwise
        # both read "under review", both pass the checks and both write a decision.
        locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if expected_status is not None and locked.status != expected_status:
            raise StaleAppeal(
                _(
                    "This appeal is already “%(status)s”: someone acted on it after your page was loaded. "
                    "Nothing was changed."
                )
                % {"status": status_label(locked.status)}
            )
        transition = TRANSITIONS.get((locked.status, action))
        if transition is None:
            raise AppealRefused(
                _("An appeal that is “%(status)s” cannot take the step “%(action)s”. Nothing was changed.")
                % {"status": status_label(locked.status), "action": Action(action).label}
            )
        if not actor_allows(by, transition.actor, locked):
            if transition.actor == Actor.APPELLANT:
                raise AppealForbidden(_("Only the person who filed the appeal may do this."))
            raise AppealForbidden(
                _("Only the %(actor)s may do this, and never on their own appeal.")
                % {"actor": Actor(transition.actor).label}
            )
        if transition.comment_required and not comment:
            raise AppealRefused(_("Please write the reason: it is part of the appeal's record."))
        if guard is not None:
            guard(locked)
        from_status = locked.status
        locked.status = transition.to_status
        if effect is not None:
            effect(locked)
        locked.save()
        AppealEvent.objects.create(
            appeal=locked,
            action=action,
            from_status=from_status,
            to_status=transition.to_status,
            by=by,
            at=timezone.now(),
            comment=comment,
        )
    appeal.refresh_from_db()
    return locked
