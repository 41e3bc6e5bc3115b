"""Forms of the rating pages: opening a round, editing its assignments, giving a score."""

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator, RaterType
from indicators.ratings import MAX_PEERS_PER_PERSON
from reviews.models import StaffProfile


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.user.username}, {obj.department.name})"


class RatingRoundOpenForm(forms.Form):
    quarter = forms.ModelChoiceField(label=_("Quarter"), queryset=None, empty_label=None)
    peers_per_person = forms.IntegerField(
        label=_("Peers per person"),
        min_value=0,
        max_value=MAX_PEERS_PER_PERSON,
        initial=3,
        help_text=_("How many colleagues of the same department rate each person's communication."),
    )
    closes_on = forms.DateField(
        label=_("Closes on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional: after this day raters can no longer answer."),
    )

    def __init__(self, *args, quarters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].queryset = quarters


class RatingAssignmentAddForm(forms.Form):
    rater = StaffChoiceField(label=_("Rater"), queryset=None)
    ratee = StaffChoiceField(label=_("Person rated"), queryset=None)
    rater_type = forms.ChoiceField(label=_("Rater type"), choices=RaterType.choices)
    indicator = forms.ModelChoiceField(
        label=_("Indicator"), queryset=Indicator.objects.filter(kind=Indicator.Kind.RATED), empty_label=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = StaffProfile.objects.filter(active=True).select_related("user", "department").order_by("full_name")
        self.fields["rater"].queryset = people
        self.fields["ratee"].queryset = people.filter(assessed=True)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("rater") and cleaned.get("ratee") and cleaned["rater"] == cleaned["ratee"]:
            self.add_error("ratee", _("Nobody rates themselves."))
        return cleaned


class RatingGiveForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Score"), coerce=int, widget=forms.RadioSelect(attrs={"class": "form-check-input"})
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, scale, **kwargs):
        super().__init__(*args, **kwargs)
        self.scale = scale
        self.fields["score"].choices = [(value, str(value)) for value in range(1, scale + 1)]
        self.fields["score"].error_messages["required"] = _("Choose a score from 1 to %(max)s.") % {"max": scale}
        self.fields["score"].error_messages["invalid_choice"] = _("Choose a score from 1 to %(max)s.") % {"max": scale}
