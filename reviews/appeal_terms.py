"""A quarter's appeal terms (regulation 二.2: the appeal window and the time to decide), set by the execution group
until publication; every change goes into the quarter's history."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reviews.lifecycle import Setting
from reviews.models import Quarter, QuarterState
from reviews.roles import roles_of
from reviews.services import quarter_setting_record

APPEAL_TERM_FIELDS = ("appeal_window_days", "appeal_decision_days")

# Bounds of the per-quarter appeal window and decision time: at least a day, and no longer than a month, so the
# quarter can still close before the next one's results are due.
APPEAL_DAYS_MIN, APPEAL_DAYS_MAX = 1, 30


# Publication starts the appeal clocks (and the feedback documents state the terms): from then on they are fixed.
APPEAL_TERMS_FROZEN_STATES = frozenset({QuarterState.PUBLISHED, QuarterState.CLOSED})


def appeal_terms_editable(quarter) -> bool:
    """The appeal window and decision time may change until the results are published."""
    return quarter.state not in APPEAL_TERMS_FROZEN_STATES and quarter.published_at is None


def appeal_days_error(value):
    """Why a number of days is not acceptable as an appeal term, or None when it is."""
    if not isinstance(value, int) or isinstance(value, bool) or not APPEAL_DAYS_MIN <= value <= APPEAL_DAYS_MAX:
        return _("Between %(min)d and %(max)d days, please.") % {"min": APPEAL_DAYS_MIN, "max": APPEAL_DAYS_MAX}
    return None


def appeal_terms_record_change(*, quarter, by, before: dict, at=None):
    """Write a change of the appeal terms into the quarter's history (who, when, old → new); nothing if unchanged.

    The description is written in the firm's language (settings.LANGUAGE_CODE), like the record it belongs to,
    whatever the language of whoever made the change.
    """
    changed = [field for field in APPEAL_TERM_FIELDS if before[field] != getattr(quarter, field)]
    if not changed:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        labels = {
            "appeal_window_days": _("Appeal window: %(old)d → %(new)d days"),
            "appeal_decision_days": _("Appeal decision time: %(old)d → %(new)d days"),
        }
        comment = "; ".join(labels[field] % {"old": before[field], "new": getattr(quarter, field)} for field in changed)
    return quarter_setting_record(
        quarter=quarter, action=Setting.APPEAL_TERMS, by=by, at=at or timezone.now(), comment=comment
    )


def quarter_appeal_terms_update(*, quarter, by, appeal_window_days, appeal_decision_days):
    """The execution group sets the quarter's appeal window and decision time, until publication.

    Raises PermissionDenied (not the execution group) or ValidationError: keyed by field for a value out of bounds,
    without a field once the quarter is published. The change goes into the quarter's history.
    """
    if not roles_of(by).is_execution:
        raise PermissionDenied(_("Only the execution group sets the appeal terms."))
    wanted = {"appeal_window_days": appeal_window_days, "appeal_decision_days": appeal_decision_days}
    errors = {field: error for field, value in wanted.items() if (error := appeal_days_error(value))}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock as quarter_publish does: terms saved while another member publishes cannot slip in afterwards.
        locked = Quarter.objects.select_for_update().get(pk=quarter.pk)
        if not appeal_terms_editable(locked):
            raise ValidationError(
                _(
                    "The results of %(quarter)s are published: its appeal window and decision time can no longer "
                    "change. Nothing was changed."
                )
                % {"quarter": locked.code}
            )
        before = {field: getattr(locked, field) for field in APPEAL_TERM_FIELDS}
        for field, value in wanted.items():
            setattr(locked, field, value)
        locked.save(update_fields=list(APPEAL_TERM_FIELDS))
        appeal_terms_record_change(quarter=locked, by=by, before=before)
    for field, value in wanted.items():
        setattr(quarter, field, value)
    return locked
