"""The engine behind every life in the product (a quarter's, an appeal's): a table of allowed steps, and the one
function that takes a step under a row lock and records who, when and why.

This is the bottom layer: it imports Django and nothing of the apps. An app writes its own table, names its row and
its history, and words its refusals by subclassing Lifecycle (reviews/lifecycle.py, appeals/lifecycle.py).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone


@dataclass(frozen=True)
class Transition:
    """One row of a table: from `from_state`, `action` leads to `to_state`, and only `actor` may take it."""

    from_state: str
    action: str
    to_state: str
    actor: str
    comment_required: bool = False


def transition_table(transitions: Iterable[Transition]) -> dict[tuple[str, str], Transition]:
    """The table keyed by (from state, action). A pair written twice is a mistake in the table, never an override."""
    table = {}
    for transition in transitions:
        key = (transition.from_state, transition.action)
        if key in table:
            raise ValueError(f"The step {transition.action!r} from {transition.from_state!r} is written twice.")
        table[key] = transition
    return table


class Refused(Exception):
    """The row may not take this step now; the message (for the user) says why. Nothing was changed."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)


class Lifecycle:
    """One kind of row's life. A subclass sets

    - model, state_field: the rows that move and the field that holds their state;
    - transitions: the table, {(from_state, action): Transition} (transition_table builds it);
    - event_model, event_subject: the history, one row per step, with the fields <event_subject> (the moved row),
      action, from_<state_field>, to_<state_field>, by, at and comment;
    - refused, stale, forbidden: the exceptions its callers catch (stale is a subclass of refused, forbidden one of
      PermissionDenied: a 403);

    and implements actor_allows() and the four messages, in its own words (they are its catalogue's strings).
    """

    model: type[models.Model]
    state_field: str
    transitions: Mapping[tuple[str, str], Transition]
    event_model: type[models.Model]
    event_subject: str
    refused: type[Refused] = Refused
    stale: type[Refused] = Refused
    forbidden: type[PermissionDenied] = PermissionDenied

    def actor_allows(self, user, actor: str, row) -> bool:
        """The user is the table's `actor` for this row."""
        raise NotImplementedError

    def stale_message(self, locked) -> str:
        """The row has moved on since the user's page was loaded."""
        raise NotImplementedError

    def not_in_table_message(self, locked, action: str) -> str:
        """The table has no step `action` from the row's state."""
        raise NotImplementedError

    def forbidden_message(self, transition: Transition) -> str:
        """The user is not the step's actor."""
        raise NotImplementedError

    def comment_missing_message(self, transition: Transition) -> str:
        """The step needs a comment and got none."""
        raise NotImplementedError

    def actions_for(self, *, row, user) -> list[Transition]:
        """The steps this user may take on the row in its current state, in the table's order."""
        state = getattr(row, self.state_field)
        return [
            transition
            for (from_state, _action), transition in self.transitions.items()
            if from_state == state and self.actor_allows(user, transition.actor, row)
        ]

    def move(
        self,
        row,
        *,
        action: str,
        by,
        comment: str = "",
        expected_state: str | None = None,
        guard: Callable[[models.Model], None] | None = None,
        effect: Callable[[models.Model], None] | None = None,
    ):
        """Move the row one step along the table, atomically, and record the step in the history.

        - expected_state: the state the user's page showed; when the row has moved on since, `stale` is raised
          (a double click or a stale page never makes a step twice).
        - guard(locked): raises `refused` when a precondition of the step does not hold.
        - effect(locked): the step's work (set fields, store results); runs under the lock, after the state is set
          and before the row is saved.
        The checks run in this order: the page's state, the table, the actor, the comment, the guard; the first that
        fails raises and nothing is changed. Returns the locked, updated row; the instance passed in is refreshed too.
        """
        comment = (comment or "").strip()
        with transaction.atomic():
            # Lock the row: without it two requests taking a step at the same moment (a double click, two members of
            # a group, two handlers) would both read the old state, both pass the checks and both write a step.
            locked = self.model.objects.select_for_update().get(pk=row.pk)
            from_state = getattr(locked, self.state_field)
            if expected_state is not None and from_state != expected_state:
                raise self.stale(self.stale_message(locked))
            transition = self.transitions.get((from_state, action))
            if transition is None:
                raise self.refused(self.not_in_table_message(locked, action))
            if not self.actor_allows(by, transition.actor, locked):
                raise self.forbidden(self.forbidden_message(transition))
            if transition.comment_required and not comment:
                raise self.refused(self.comment_missing_message(transition))
            if guard is not None:
                guard(locked)
            setattr(locked, self.state_field, transition.to_state)
            if effect is not None:
                effect(locked)
            locked.save()
            self.event_model.objects.create(
                **{
                    self.event_subject: locked,
                    "action": action,
                    f"from_{self.state_field}": from_state,
                    f"to_{self.state_field}": transition.to_state,
                    "by": by,
                    "at": timezone.now(),
                    "comment": comment,
                }
            )
        row.refresh_from_db()
        return locked
