"""Forms of the quarter page that change the quarter's settings (not its state: that is the lifecycle's buttons)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from interviews.interviewers import MAX_REASON
from reviews.appeal_terms import APPEAL_DAYS_MAX, APPEAL_DAYS_MIN
from reviews.models import StaffProfile

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


class InterviewerDesignationForm(forms.Form):
    """Who interviews one person this quarter (regulation 三.5), typed by username: the firm has 2,000 people."""

    person = forms.CharField(
        label=_("Assessed person (username)"), max_length=150, help_text=_("The person to be interviewed.")
    )
    interviewer = forms.CharField(
        label=_("Interviewer (username)"), max_length=150, help_text=_("An active member of staff.")
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=MAX_REASON)

    def _person(self, field, **conditions):
        username = self.cleaned_data[field].strip()
        person = (
            StaffProfile.objects.select_related("superior", "user")
            .filter(user__username=username, **conditions)
            .first()
        )
        if person is None:
            raise forms.ValidationError(
                _("There is no active staff member with username “%(value)s”."), params={"value": username}
            )
        return person

    def clean_person(self):
        return self._person("person", assessed=True, active=True)

    def clean_interviewer(self):
        return self._person("interviewer", active=True)


MAX_ACKNOWLEDGEMENT = 2000


class ComputeForm(forms.Form):
    """Computing the results (regulation 三.4). With gaps on the completeness board (regulation 二.3: the data are
    delivered before scoring), the execution group ticks that it computes anyway and says why."""

    expected_state = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment (optional)"), max_length=4000, required=False)
    acknowledge = forms.BooleanField(
        label=_("I know the data listed above are missing and compute the results anyway."), required=False
    )
    reason = forms.CharField(
        label=_("Why compute now"),
        help_text=_("Recorded in the quarter's history with the list of what is missing."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_ACKNOWLEDGEMENT,
        required=False,
    )

    def __init__(self, *args, gaps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.gaps = list(gaps)
        if not self.gaps:
            # Nothing missing: nothing to acknowledge.
            del self.fields["acknowledge"]
            del self.fields["reason"]

    def clean(self):
        data = super().clean()
        if self.gaps:
            if not data.get("acknowledge"):
                self.add_error("acknowledge", _("Tick this to compute with the data that are missing."))
            if not (data.get("reason") or "").strip():
                self.add_error("reason", _("Please say why the results are computed before the data are complete."))
        return data
