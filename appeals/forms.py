"""Forms of the appeal pages; the rules themselves live in services.py and uploads.py."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from appeals import uploads
from appeals.models import AppealStatus, Outcome
from appeals.selectors import contested_lines, execution_members
from indicators.models import Indicator


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by uploads.check_attachments (type by content, size)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": uploads.ACCEPT, "multiple": True}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        cleaned = [super(MultipleFileField, self).clean(item, initial) for item in files]
        if not cleaned and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        uploads.check_attachments(cleaned)
        return cleaned


def _attachments_field():
    return MultipleFileField(
        label=_("Evidence"),
        help_text=_("PDF, PNG or JPEG images, XLSX or DOCX; at most %(size)d MB each, %(n)d files.")
        % {"size": uploads.max_bytes() // (1024 * 1024), "n": uploads.MAX_FILES},
    )


class IndicatorChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class AppealFileForm(forms.Form):
    indicators = IndicatorChoice(
        label=_("Indicators you contest"), queryset=Indicator.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label=_("Why the result is wrong"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10000
    )
    expected_correction = forms.CharField(
        label=_("The correction you expect"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=10000,
    )

    def __init__(self, *args, scorecard, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators"].queryset = Indicator.objects.filter(
            pk__in=contested_lines(scorecard).values("indicator_id")
        ).order_by("order")
        self.fields["attachments"] = _attachments_field()


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = _attachments_field()


class _StepForm(forms.Form):
    """Every step carries the status the page showed, so a stale page never acts twice."""

    expected_status = forms.ChoiceField(choices=AppealStatus.choices, widget=forms.HiddenInput)


class AssignForm(_StepForm):
    handler = forms.ModelChoiceField(label=_("Handler"), queryset=None)

    def __init__(self, *args, appeal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = execution_members(exclude=appeal.appellant)
        self.fields["handler"].label_from_instance = lambda user: getattr(
            getattr(user, "profile", None), "full_name", user.get_username()
        )


class CommentForm(_StepForm):
    comment = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)

    def __init__(self, *args, label=None, required=True, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["comment"].label = label
        self.fields["comment"].required = required


class _AdjustmentsMixin:
    """One optional points field per contested indicator."""

    def add_adjustment_fields(self, appeal):
        self.adjustment_lines = [
            line
            for line in contested_lines(appeal.scorecard)
            if line.indicator_id in set(appeal.indicators.values_list("pk", flat=True))
        ]
        for line in self.adjustment_lines:
            cap = (line.details or {}).get("rule", {}).get("bonus_cap", "0")
            self.fields[f"points_{line.indicator_id}"] = forms.DecimalField(
                label=_("Points adjustment on “%(indicator)s” (now %(points)s of %(weight)s, bonus cap %(cap)s)")
                % {"indicator": line.indicator.name, "points": line.points, "weight": line.weight, "cap": cap},
                required=False,
                max_digits=6,
                decimal_places=2,
                min_value=-100,
                max_value=100,
            )

    def adjustments(self):
        return [
            (line.indicator, self.cleaned_data.get(f"points_{line.indicator_id}"))
            for line in self.adjustment_lines
            if self.cleaned_data.get(f"points_{line.indicator_id}")
        ]


class UpholdForm(_AdjustmentsMixin, _StepForm):
    comment = forms.CharField(
        label=_("Justification"),
        help_text=_("Why the appeal is upheld: which records were corrected, or why the points are adjusted."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10000,
    )

    def __init__(self, *args, appeal, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_adjustment_fields(appeal)


class LeadershipDecisionForm(_AdjustmentsMixin, _StepForm):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Outcome.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)

    def __init__(self, *args, appeal, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_adjustment_fields(appeal)
