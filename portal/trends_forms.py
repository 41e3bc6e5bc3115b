"""The trends page's filters (docs/trends.md): a department, a position and how many published quarters to show."""

from django import forms
from django.utils.translation import gettext_lazy as _

from results.trends import DEFAULT_QUARTERS
from reviews.models import Department, Position

QUARTER_CHOICES = (4, 8, 12)


class TrendsFilterForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("All departments"),
        error_messages={"invalid_choice": _("There is no such department. Choose one from the list.")},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    position = forms.ChoiceField(
        label=_("Position"),
        choices=[("", _("All positions")), *Position.choices],
        required=False,
        error_messages={"invalid_choice": _("There is no such position. Choose one from the list.")},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    quarters = forms.TypedChoiceField(
        label=_("Quarters shown"),
        choices=[(count, count) for count in QUARTER_CHOICES],
        coerce=int,
        required=False,
        empty_value=DEFAULT_QUARTERS,
        initial=DEFAULT_QUARTERS,
        error_messages={"invalid_choice": _("Show 4, 8 or 12 quarters.")},
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    @classmethod
    def from_query(cls, query):
        """Bound to the page's query string (defaults when it names no filter), so errors show with the fields."""
        data = {name: query.get(name, "") for name in ("department", "position", "quarters")}
        # Unnamed, the count is the default one, and the list shows it selected.
        return cls(data | {"quarters": data["quarters"] or str(DEFAULT_QUARTERS)})

    def filters(self) -> dict:
        """The keyword arguments of results.trends.firm_trends; only for a valid form."""
        data = self.cleaned_data
        return {
            "count": data["quarters"] or DEFAULT_QUARTERS,
            "department": data["department"],
            "position": data["position"] or None,
        }

    def file_suffix(self) -> str:
        """The filters in a file name: -lit, -lawyer, -lit-lawyer, or nothing."""
        data = self.cleaned_data
        parts = [data["department"].code if data["department"] else "", data["position"] or ""]
        return "".join(f"-{part}" for part in parts if part)
