"""Forms of the quarter page that change the quarter's settings (not its state: that is the lifecycle's buttons)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .quarter_services import APPEAL_DAYS_MAX, APPEAL_DAYS_MIN

_BOUNDS_ERRORS = {
    "min_value": _("At least %(limit_value)s day, please."),
    "max_value": _("At most %(limit_value)s days, please."),
}


def _days_field(label, help_text):
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=APPEAL_DAYS_MIN,
        max_value=APPEAL_DAYS_MAX,
        error_messages=_BOUNDS_ERRORS,
    )


class AppealTermsForm(forms.Form):
    """The quarter's appeal window and decision time, set by the execution group until publication."""

    appeal_window_days = _days_field(_("Appeal window (days)"), _("How many days after publication people may appeal."))
    appeal_decision_days = _days_field(
        _("Appeal decision time (days)"), _("How many days the execution group has to decide an appeal.")
    )

    @classmethod
    def for_quarter(cls, quarter, data=None):
        return cls(
            data,
            initial={
                "appeal_window_days": quarter.appeal_window_days,
                "appeal_decision_days": quarter.appeal_decision_days,
            },
        )
