"""Forms of the client questionnaire: the clerk's new link, and the client's three answers."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from indicators.rating_forms import StaffChoiceField
from reviews.models import Language, StaffProfile

SCORES = [(value, str(value)) for value in range(1, 6)]


class QuestionnaireLinkForm(forms.Form):
    client = forms.ModelChoiceField(
        label=_("Client code"),
        queryset=Client.objects.all(),
        to_field_name="code",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"invalid_choice": _("No client has this code.")},
    )
    staff = StaffChoiceField(label=_("Staff member rated"), queryset=None)
    language = forms.ChoiceField(label=_("Language of the questionnaire"), choices=Language.choices)
    expires_on = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for 30 days from today."),
    )
    send_email = forms.BooleanField(
        label=_("E-mail the link to the client's contact address"), required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = (
            StaffProfile.objects.filter(active=True, assessed=True)
            .select_related("user", "department")
            .order_by("full_name")
        )


class QuestionnaireAnswerForm(forms.Form):
    service_quality = forms.TypedChoiceField(
        label=_("How satisfied are you with the quality of our service?"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    communication = forms.TypedChoiceField(
        label=_("How satisfied are you with how efficiently we communicated with you?"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    outcome = forms.TypedChoiceField(
        label=_("How satisfied are you with the outcome of your matter?"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything else you would like to tell us (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("service_quality", "communication", "outcome"):
            self.fields[name].error_messages["required"] = _("Please choose a score from 1 to 5.")
            self.fields[name].error_messages["invalid_choice"] = _("Please choose a score from 1 to 5.")
