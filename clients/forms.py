"""Forms of the department-data pages: the list filters and one add/edit form per kind of data."""

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from clients.models import Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey
from clients.selectors import CONTRACT_LAWYER_FIELDS, KINDS, contract_lawyer_refusals, lawyers_q, quarter_choices
from reviews.models import Quarter, StaffProfile

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class FastSelect(forms.Select):
    """A select rendered in one pass: Django's template per option costs about a second for 2,000 staff."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in self.format_value(value)}
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        options = "".join(
            '<option value="{}"{}>{}</option>'.format(
                escape(option_value), " selected" if str(option_value) in selected else "", escape(label)
            )
            for option_value, label in self.choices
        )
        return mark_safe(f"<select{flatatt(final_attrs)}>{options}</select>")  # noqa: S308 - every part escaped


class PersonChoiceField(forms.ModelChoiceField):
    """A staff member, shown with their username so that two people of the same name can be told apart."""

    widget = FastSelect

    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.user.username})"


class CodeChoiceField(forms.ModelChoiceField):
    """A record typed by its code or number (a client's code, a contract's number) instead of picked from a list.

    The firm has 100,000 clients and 150,000 contracts: no select can hold them, and the clerk has the code on
    the paper in front of them. An unknown code is answered next to the field.
    """

    def __init__(self, *, queryset, to_field_name, **kwargs):
        super().__init__(queryset=queryset, to_field_name=to_field_name, widget=forms.TextInput, **kwargs)

    def to_python(self, value):
        return super().to_python(value.strip() if isinstance(value, str) else value)

    def prepare_value(self, value):
        # A bound form shows what was typed; an unbound one the code of the current record (see RecordForm).
        return value.serializable_value(self.to_field_name) if hasattr(value, "_meta") else value


class ClientCodeField(CodeChoiceField):
    default_error_messages = {"invalid_choice": _("There is no client with this code.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("The client's code, e.g. C0001."))
        super().__init__(queryset=Client.objects.all(), to_field_name="code", **kwargs)


def people(*, current=(), lawyers_only=False):
    """Active staff to choose from (only lawyers where the field is a lawyer), plus whoever is set already."""
    condition = Q(active=True)
    if lawyers_only:
        condition &= lawyers_q()
    current_ids = [pk for pk in current if pk is not None]
    if current_ids:
        condition |= Q(pk__in=current_ids)
    return StaffProfile.objects.filter(condition).select_related("user").order_by("full_name", "user__username")


class DataFilterForm(forms.Form):
    """The filters above a list: free-text search, quarter, person and client (all optional)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    quarter = forms.CharField(label=_("Quarter"), required=False)
    person = forms.TypedChoiceField(label=_("Person"), coerce=int, required=False, empty_value=None, widget=FastSelect)
    # Typed, not picked: a select of 100,000 clients took seconds to build and megabytes to send.
    client = forms.CharField(label=_("Client"), required=False, max_length=100)
    # Complaints only: those not handled yet (the completeness board links here, regulation 二.3).
    open = forms.BooleanField(label=_("Open only"), required=False)

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
        if kind != "complaints":
            del self.fields["open"]
        spec = KINDS[kind]
        # Active staff to pick from (one query of plain values: 2,000 model instances cost more than the page);
        # a person who has left stays selectable through a link that names them.
        people_offered = Q(active=True)
        chosen = (data or {}).get("person", "")
        if str(chosen).isdigit():
            people_offered |= Q(pk=int(chosen))
        staff = (
            StaffProfile.objects.filter(people_offered)
            .order_by("full_name", "user__username")
            .values_list("pk", "full_name", "user__username")
        )
        self.fields["person"].choices = [("", _("Everyone"))] + [
            (pk, f"{full_name} ({username})") for pk, full_name, username in staff
        ]
        self.fields["person"].label = spec.person_label
        self.fields["client"].label = spec.client_label
        self.fields["q"].widget = forms.SearchInput(attrs={"placeholder": spec.search_hint})
        self.fields["quarter"].widget = forms.Select(
            choices=[("", _("All quarters"))] + [(code, code) for code in quarter_choices(extra=submitted)]
        )
        self.fields["client"].widget.attrs.update({"placeholder": _("Client code or name"), "class": "form-control"})
        for name in ("quarter", "person"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["q"].widget.attrs["class"] = "form-control"
        if "open" in self.fields:
            self.fields["open"].widget.attrs["class"] = "form-check-input"

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
            "client": (data.get("client") or "").strip(),
            "open_only": bool(data.get("open")),
        }


class RecordForm(forms.ModelForm):
    """Shared behaviour: crispy layout without its own <form> tag, related records typed by their code."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's own <form> carries the token
        if self.instance.pk and not self.is_bound:
            # The model form's initial value is the related row's id; the text field shows its code instead.
            for name, field in self.fields.items():
                if isinstance(field, CodeChoiceField):
                    related = getattr(self.instance, name, None)
                    self.initial[name] = related.serializable_value(field.to_field_name) if related else ""

    def _current(self, *names):
        return [getattr(self.instance, f"{name}_id", None) for name in names]


class ClientForm(RecordForm):
    referred_by = ClientCodeField(
        label=_("Referred by"), required=False, help_text=_("The referring client's code; empty if none.")
    )

    class Meta:
        model = Client
        fields = ["code", "name", "kind", "email", "phone", "referred_by", "created_on"]
        widgets = {"created_on": DATE_WIDGET}

    def clean_referred_by(self):
        referrer = self.cleaned_data.get("referred_by")
        if referrer is not None and self.instance.pk and referrer.pk == self.instance.pk:
            raise forms.ValidationError(_("A client cannot be referred by itself."), code="self_referral")
        return referrer


class ContractForm(RecordForm):
    client = ClientCodeField(label=_("Client code"))
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
        # The same rule as the import's (clients.selectors.contract_lawyer_refusals).
        chosen = {name: cleaned.get(name) for name in CONTRACT_LAWYER_FIELDS}
        before = dict(zip(CONTRACT_LAWYER_FIELDS, self._current(*CONTRACT_LAWYER_FIELDS), strict=True))
        refusals = contract_lawyer_refusals(
            before=before if self.instance.pk else None,
            after={name: person.pk for name, person in chosen.items() if person is not None},
            position_of={person.pk: person.position for person in chosen.values() if person is not None},
        )
        for name, message in refusals.items():
            self.add_error(name, message)
        return cleaned


class ContractNumberField(CodeChoiceField):
    """A contract typed by its number: finance has the number on the receipt, not the contract's row."""

    default_error_messages = {"invalid_choice": _("There is no contract with this number.")}

    def __init__(self, **kwargs):
        super().__init__(queryset=Contract.objects.all(), to_field_name="number", **kwargs)


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

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("The amount must be more than zero."), code="not_positive")
        return amount


class ComplaintForm(RecordForm):
    client = ClientCodeField(label=_("Client code"))

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
    client = ClientCodeField(label=_("Client code"))
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
