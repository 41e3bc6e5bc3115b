"""Forms of the department-data pages: the list filters and one add/edit form per kind of data."""

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reviews.models import Position, Quarter, StaffProfile

from .models import Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey
from .selectors import KINDS, quarter_choices

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PersonChoiceField(forms.ModelChoiceField):
    """A staff member, shown with their username so that two people of the same name can be told apart."""

    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.user.username})"


def people(*, current=(), lawyers_only=False):
    """Active staff to choose from (only lawyers where the field is a lawyer), plus whoever is set already."""
    condition = Q(active=True)
    if lawyers_only:
        condition &= Q(position=Position.LAWYER)
    current_ids = [pk for pk in current if pk is not None]
    if current_ids:
        condition |= Q(pk__in=current_ids)
    return StaffProfile.objects.filter(condition).select_related("user").order_by("full_name", "user__username")


class DataFilterForm(forms.Form):
    """The filters above a list: free-text search, quarter, person and client (all optional)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    quarter = forms.CharField(label=_("Quarter"), required=False)
    person = PersonChoiceField(label=_("Person"), queryset=StaffProfile.objects.none(), required=False)
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.none(), required=False)

    def __init__(self, data=None, *, kind, **kwargs):
        submitted = None
        if data is not None:
            try:
                submitted = Quarter.parse_code(data.get("quarter", ""))
            except ValueError:
                pass
            else:
                # "2026q3 " and "2026Q3" are the same quarter: keep one spelling so the select shows it.
                data = data.copy()
                data["quarter"] = "{}Q{}".format(*submitted)
        super().__init__(data, **kwargs)
        spec = KINDS[kind]
        # Inactive people stay in the filter: their past records are still listed.
        self.fields["person"].queryset = StaffProfile.objects.select_related("user").order_by("full_name")
        self.fields["person"].label = spec.person_label
        self.fields["client"].queryset = Client.objects.order_by("code")
        self.fields["client"].label = spec.client_label
        self.fields["q"].widget = forms.SearchInput(attrs={"placeholder": spec.search_hint})
        self.fields["quarter"].widget = forms.Select(
            choices=[("", _("All quarters"))] + [(code, code) for code in quarter_choices(extra=submitted)]
        )
        self.fields["person"].empty_label = _("Everyone")
        self.fields["client"].empty_label = _("All clients")
        for name in ("quarter", "person", "client"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["q"].widget.attrs["class"] = "form-control"

    def clean_quarter(self):
        code = self.cleaned_data["quarter"].strip()
        if not code:
            return None
        try:
            return Quarter.parse_code(code)
        except ValueError:
            raise forms.ValidationError(
                _("“%(code)s” is not a quarter like 2026Q3."), params={"code": code}, code="bad_quarter"
            ) from None

    def filters(self):
        """The filters that were valid, as keyword arguments of selectors.records_filtered."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "search": (data.get("q") or "").strip(),
            "quarter": data.get("quarter"),
            "person": data.get("person"),
            "client": data.get("client"),
        }


class RecordForm(forms.ModelForm):
    """Shared behaviour: crispy layout without its own <form> tag, ordered client choices."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's own <form> carries the token
        if "client" in self.fields:
            self.fields["client"].queryset = Client.objects.order_by("code")

    def _current(self, *names):
        return [getattr(self.instance, f"{name}_id", None) for name in names]


class ClientForm(RecordForm):
    class Meta:
        model = Client
        fields = ["code", "name", "kind", "email", "phone", "referred_by", "created_on"]
        widgets = {"created_on": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        referrers = Client.objects.order_by("code")
        if self.instance.pk:
            referrers = referrers.exclude(pk=self.instance.pk)
        self.fields["referred_by"].queryset = referrers

    def clean_referred_by(self):
        referrer = self.cleaned_data.get("referred_by")
        if referrer is not None and self.instance.pk and referrer.pk == self.instance.pk:
            raise forms.ValidationError(_("A client cannot be referred by itself."), code="self_referral")
        return referrer


class ContractForm(RecordForm):
    fee = forms.DecimalField(label=_("Fee"), min_value=0, max_digits=14, decimal_places=2)

    class Meta:
        model = Contract
        fields = [
            "number",
            "client",
            "signed_on",
            "originating_lawyer",
            "responsible_lawyer",
            "matter",
            "fee",
            "status",
            "closed_on",
        ]
        widgets = {"signed_on": DATE_WIDGET, "closed_on": DATE_WIDGET}
        field_classes = {"originating_lawyer": PersonChoiceField, "responsible_lawyer": PersonChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lawyers = people(current=self._current("originating_lawyer", "responsible_lawyer"), lawyers_only=True)
        self.fields["originating_lawyer"].queryset = lawyers
        self.fields["responsible_lawyer"].queryset = lawyers

    def clean(self):
        cleaned = super().clean()
        signed, closed = cleaned.get("signed_on"), cleaned.get("closed_on")
        if signed and closed and closed < signed:
            self.add_error("closed_on", _("A contract cannot close before it was signed."))
        return cleaned


class ContractNumberField(forms.ModelChoiceField):
    """A contract typed by its number: finance has the number on the receipt, not the contract's row."""

    default_error_messages = {"invalid_choice": _("There is no contract with this number.")}

    def __init__(self, **kwargs):
        super().__init__(queryset=Contract.objects.all(), to_field_name="number", widget=forms.TextInput, **kwargs)

    def to_python(self, value):
        return super().to_python(value.strip() if isinstance(value, str) else value)


class RevenueEntryForm(RecordForm):
    contract = ContractNumberField(label=_("Contract number"))
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2)

    class Meta:
        model = RevenueEntry
        fields = ["ref", "contract", "received_on", "amount", "credited_to"]
        widgets = {"received_on": DATE_WIDGET}
        field_classes = {"credited_to": PersonChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["credited_to"].queryset = people(current=self._current("credited_to"))
        if self.instance.pk and not self.is_bound:
            self.initial["contract"] = self.instance.contract.number

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("The amount must be more than zero."), code="not_positive")
        return amount


class ComplaintForm(RecordForm):
    class Meta:
        model = Complaint
        fields = ["ref", "client", "about", "channel", "received_at", "handler", "handled_at", "resolution"]
        widgets = {
            "received_at": DATETIME_WIDGET,
            "handled_at": DATETIME_WIDGET,
            "resolution": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"about": PersonChoiceField, "handler": PersonChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["about"].queryset = people(current=self._current("about"))
        self.fields["handler"].queryset = people(current=self._current("handler"))
        self.fields["handled_at"].help_text = _("Leave empty while the complaint is open.")

    def clean(self):
        cleaned = super().clean()
        received, handled = cleaned.get("received_at"), cleaned.get("handled_at")
        if received and handled and handled < received:
            self.add_error("handled_at", _("A complaint cannot be handled before it was received."))
        return cleaned


SCORE_HELP = _("1 (very poor) to 5 (excellent)")


def score_field(label):
    return forms.IntegerField(label=label, min_value=1, max_value=5, help_text=SCORE_HELP)


class SurveyForm(RecordForm):
    service_quality = score_field(_("Service quality"))
    communication = score_field(_("Communication efficiency"))
    outcome = score_field(_("Case outcome"))

    class Meta:
        model = SatisfactionSurvey
        fields = [
            "ref",
            "client",
            "staff",
            "surveyed_on",
            "channel",
            "service_quality",
            "communication",
            "outcome",
            "comment",
        ]
        widgets = {"surveyed_on": DATE_WIDGET, "comment": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"staff": PersonChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = people(current=self._current("staff"))


RECORD_FORMS = {
    "clients": ClientForm,
    "contracts": ContractForm,
    "revenue": RevenueEntryForm,
    "complaints": ComplaintForm,
    "surveys": SurveyForm,
}
