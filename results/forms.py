"""Forms of the correction pages: starting one, naming a record to change, an adjustment, a leadership comment."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clients.models import Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey
from indicators.models import Indicator
from results.models import CorrectionRecordChange, CorrectionStatus
from reviews.models import StaffProfile

# How a record is named on the page: its reference, as the departments know it.
RECORD_LOOKUP = {
    CorrectionRecordChange.Kind.CONTRACT: (Contract, "number"),
    CorrectionRecordChange.Kind.CLIENT: (Client, "code"),
    CorrectionRecordChange.Kind.REVENUE: (RevenueEntry, "ref"),
    CorrectionRecordChange.Kind.COMPLAINT: (Complaint, "ref"),
    CorrectionRecordChange.Kind.SURVEY: (SatisfactionSurvey, "ref"),
}


class CorrectionStartForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong, and why it is corrected"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10000
    )


class RecordChoiceForm(forms.Form):
    """Step one of a record change: what kind of record, what happens to it, and which one."""

    kind = forms.ChoiceField(label=_("Kind of record"), choices=CorrectionRecordChange.Kind.choices)
    operation = forms.ChoiceField(label=_("Change"), choices=CorrectionRecordChange.Operation.choices)
    reference = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=60,
        help_text=_("The contract number, client code, or the revenue entry's, complaint's or survey's reference."),
    )

    def clean(self):
        cleaned = super().clean()
        kind, operation, reference = cleaned.get("kind"), cleaned.get("operation"), cleaned.get("reference", "")
        cleaned["record"] = None
        if kind and operation and operation != CorrectionRecordChange.Operation.ADD:
            if not reference:
                self.add_error("reference", _("Name the record to change or remove."))
                return cleaned
            model, field = RECORD_LOOKUP[kind]
            record = model.objects.filter(**{field: reference.strip()}).first()
            if record is None:
                self.add_error("reference", _("There is no such record."))
            cleaned["record"] = record
        return cleaned


class AdjustmentForm(forms.Form):
    staff = forms.ModelChoiceField(label=_("Person"), queryset=StaffProfile.objects.none())
    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=Indicator.objects.order_by("order"))
    points = forms.DecimalField(label=_("Points adjustment"), max_digits=6, decimal_places=2, min_value=-100,
                                max_value=100)  # fmt: skip
    justification = forms.CharField(label=_("Justification"), widget=forms.Textarea(attrs={"rows": 2}),
                                    max_length=10000)  # fmt: skip

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = people
        self.fields["staff"].label_from_instance = lambda profile: profile.full_name


class DecisionCommentForm(forms.Form):
    expected_status = forms.ChoiceField(choices=CorrectionStatus.choices, widget=forms.HiddenInput)
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                              max_length=10000)  # fmt: skip
