"""Forms of the quarterly scheme: one row per indicator and position, grade bands, parameters, approval."""

from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator, RaterType, SchemeItem
from indicators.schemes import (
    CALIBRATION_CHOICES,
    CALIBRATION_PARAMETER,
    PARAMETER_LIMITS,
    grade_band_problems,
    item_problems,
    weight_problems,
)
from reviews.models import Quarter

RATER_WEIGHT_PREFIX = "rw_"


def _decimal(label, *, max_digits, places, minimum=None, required=False):
    validators = [MinValueValidator(Decimal(minimum))] if minimum is not None else []
    return forms.DecimalField(
        label=label,
        max_digits=max_digits,
        decimal_places=places,
        required=required,
        validators=validators,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )


class SchemeItemForm(forms.Form):
    """One indicator's rule for one position (regulation 三.4); unticked means it does not apply."""

    applies = forms.BooleanField(label=_("Applies"), required=False)
    weight = _decimal(_("Weight (points)"), max_digits=6, places=2, minimum="0.01")
    target = _decimal(_("Target"), max_digits=14, places=4)
    step = _decimal(_("Step"), max_digits=14, places=4, minimum="0.0001")
    step_mode = forms.ChoiceField(label=_("Step mode"), choices=SchemeItem.StepMode.choices)
    points_per_step = _decimal(_("Points per step"), max_digits=6, places=2, minimum="0")
    bonus_cap = _decimal(_("Bonus cap"), max_digits=6, places=2, minimum="0")
    no_data_policy = forms.ChoiceField(label=_("When no data"), choices=SchemeItem.NoDataPolicy.choices)

    def __init__(self, *args, indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        if indicator.kind == Indicator.Kind.RATED:
            # Regulation 三.4: the plain average of all raters unless the scheme weights rater types.
            for value, label in RaterType.choices:
                field = _decimal(label, max_digits=6, places=2, minimum="0")
                field.widget.attrs["placeholder"] = _("equal")
                self.fields[RATER_WEIGHT_PREFIX + value] = field
            for name in ("target", "step", "step_mode", "points_per_step", "bonus_cap"):
                # Rated points are weight × average ÷ scale maximum; target and steps do not take part.
                self.fields[name].widget = forms.HiddenInput()

    @property
    def rater_weight_fields(self):
        return [
            self[RATER_WEIGHT_PREFIX + value]
            for value in RaterType.values
            if RATER_WEIGHT_PREFIX + value in self.fields
        ]

    def clean(self):
        data = super().clean()
        if not data.get("applies"):
            return data
        for name in ("weight", "target", "step", "points_per_step", "bonus_cap"):
            if data.get(name) is None and name not in self.errors:
                self.add_error(name, _("Needed when the indicator applies."))
        rater_weights = {
            value: data[RATER_WEIGHT_PREFIX + value]
            for value in RaterType.values
            if data.get(RATER_WEIGHT_PREFIX + value) is not None
        }
        data["rater_weights"] = rater_weights
        if data.get("target") is not None and data.get("step_mode"):
            for field, message in item_problems(
                kind=self.indicator.kind,
                target=data["target"],
                step_mode=data["step_mode"],
                rater_weights=rater_weights,
            ).items():
                if field == "rater_weights":
                    # Shown next to the first rater-weight box of the row.
                    field = RATER_WEIGHT_PREFIX + RaterType.SUPERIOR
                self.add_error(field if field in self.fields else None, message)
        return data

    def item(self):
        """The cleaned row as the dict the scheme service takes."""
        data = self.cleaned_data
        return {
            "indicator": self.indicator,
            "weight": data["weight"],
            "target": data["target"],
            "step": data["step"],
            "step_mode": data["step_mode"],
            "points_per_step": data["points_per_step"],
            "bonus_cap": data["bonus_cap"],
            "no_data_policy": data["no_data_policy"],
            "rater_weights": data.get("rater_weights") or {},
        }


class BaseSchemePositionFormSet(forms.BaseFormSet):
    """The nine indicators for one position; the weights of those that apply must add up to 100."""

    def __init__(self, *args, position, indicators, **kwargs):
        self.position = position
        self.indicators = list(indicators)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"indicator": self.indicators[index]}

    def total_form_count(self):
        return len(self.indicators)

    def _construct_form(self, i, **kwargs):
        # Every row is validated, changed or not: an unchanged row still states whether its indicator applies.
        form = super()._construct_form(i, **kwargs)
        form.empty_permitted = False
        return form

    def clean(self):
        if any(self.errors):
            return
        weights = [form.cleaned_data["weight"] for form in self.forms if form.cleaned_data.get("applies")]
        problem = weight_problems({self.position: weights}).get(self.position)
        if problem:
            raise forms.ValidationError(problem)

    def items(self):
        return [form.item() for form in self.forms if form.cleaned_data.get("applies")]


SchemePositionFormSet = forms.formset_factory(SchemeItemForm, formset=BaseSchemePositionFormSet, extra=0)


def _trimmed(value):
    """A stored decimal as the field shows it: 4.2, not 4.2000 (the column keeps four decimals)."""
    if isinstance(value, Decimal):
        return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return value


def position_formset(*, scheme, position, indicators, data=None):
    """The formset for one position, filled from the scheme's current items."""
    items = {item.indicator_id: item for item in scheme.items.filter(position=position)}
    initial = []
    for indicator in indicators:
        item = items.get(indicator.pk)
        if item is None:
            initial.append(
                {
                    "applies": False,
                    "target": Decimal("0"),
                    "step": Decimal("10"),
                    "step_mode": SchemeItem.StepMode.ABSOLUTE,
                    "points_per_step": Decimal("1"),
                    "bonus_cap": Decimal("0"),
                    "no_data_policy": SchemeItem.NoDataPolicy.EXCLUDE,
                }
            )
            continue
        row = {"applies": True}
        row.update(
            {field: _trimmed(getattr(item, field)) for field in SchemeItemForm.base_fields if field != "applies"}
        )
        for rater_type, weight in (item.rater_weights or {}).items():
            row[RATER_WEIGHT_PREFIX + rater_type] = Decimal(str(weight))
        initial.append(row)
    return SchemePositionFormSet(
        data, initial=initial, position=position, indicators=indicators, prefix=f"items-{position}"
    )


class GradeBandForm(forms.Form):
    min_total = _decimal(_("From total"), max_digits=6, places=2, minimum="0")
    label_zh = forms.CharField(label=_("Grade (Chinese)"), max_length=40, required=False)
    label_en = forms.CharField(label=_("Grade (English)"), max_length=40, required=False)

    def clean(self):
        data = super().clean()
        if self.has_changed() or data.get("min_total") is not None:
            if data.get("min_total") is None and "min_total" not in self.errors:
                self.add_error("min_total", _("Enter the lowest total of this grade."))
            for name in ("label_zh", "label_en"):
                if not (data.get(name) or "").strip():
                    self.add_error(name, _("Enter the grade's name."))
        return data


class BaseGradeBandFormSet(forms.BaseFormSet):
    """Grade bands from the lowest up; the first starts at 0, each next floor is higher."""

    def _construct_form(self, i, **kwargs):
        # An unchanged band is still a band: validate every row, whatever the posted INITIAL_FORMS says.
        form = super()._construct_form(i, **kwargs)
        form.empty_permitted = False
        return form

    def clean(self):
        if any(self.errors):
            return
        rows = [
            form
            for form in self.forms
            if form.cleaned_data.get("min_total") is not None and not self._should_delete_form(form)
        ]
        problems = grade_band_problems([form.cleaned_data["min_total"] for form in rows])
        if not rows:
            raise forms.ValidationError(problems[0])
        for row, message in problems.items():
            rows[row].add_error("min_total", message)
        if problems:
            raise forms.ValidationError(_("Please correct the grade bands below."))

    def bands(self):
        return [
            {
                "min_total": form.cleaned_data["min_total"],
                "label_zh": form.cleaned_data["label_zh"],
                "label_en": form.cleaned_data["label_en"],
            }
            for form in self.forms
            if form.cleaned_data.get("min_total") is not None and not self._should_delete_form(form)
        ]


GradeBandFormSet = forms.formset_factory(GradeBandForm, formset=BaseGradeBandFormSet, extra=2, can_delete=True)


def grade_band_formset(*, scheme, data=None):
    initial = [
        {"min_total": _trimmed(band.min_total), "label_zh": band.label_zh, "label_en": band.label_en}
        for band in scheme.grade_bands.order_by("min_total")
    ]
    return GradeBandFormSet(data, initial=initial, prefix="bands")


class SchemeParametersForm(forms.Form):
    lookback_quarters = forms.IntegerField(
        label=_("Look-back window (quarters)"),
        min_value=PARAMETER_LIMITS["lookback_quarters"][0],
        max_value=PARAMETER_LIMITS["lookback_quarters"][1],
        help_text=_("How far back a contract makes a client an existing client of the person."),
    )
    complaint_deadline_hours = forms.IntegerField(
        label=_("Complaint deadline (hours)"),
        min_value=PARAMETER_LIMITS["complaint_deadline_hours"][0],
        max_value=PARAMETER_LIMITS["complaint_deadline_hours"][1],
        help_text=_("A complaint handled later than this counts as late."),
    )
    rating_scale = forms.IntegerField(
        label=_("Rating scale maximum"),
        min_value=PARAMETER_LIMITS["rating_scale"][0],
        max_value=PARAMETER_LIMITS["rating_scale"][1],
        help_text=_("Raters score from 1 to this number; rated points are weight × average ÷ this number."),
    )
    rating_calibration = forms.ChoiceField(
        label=_("Rater calibration"),
        choices=CALIBRATION_CHOICES,
        # Left out of a post (a form saved before the rule existed) it means none, the default.
        required=False,
        help_text=_(
            "Centring moves every score a rater gave on an indicator by the gap between that rater's average and the "
            "round's average, so a generous or strict rater weighs no more than another. Try it in the what-if "
            "preview first."
        ),
    )
    note = forms.CharField(
        label=_("What changes in this version"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    @property
    def parameters(self):
        chosen = {name: self.cleaned_data[name] for name in PARAMETER_LIMITS}
        chosen[CALIBRATION_PARAMETER] = self.cleaned_data[CALIBRATION_PARAMETER] or CALIBRATION_CHOICES[0][0]
        return chosen


class SchemeApproveForm(forms.Form):
    comment = forms.CharField(label=_("Comment (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SchemeReturnForm(forms.Form):
    """Regulation 二.1: the leadership group sends a submitted scheme back and says what must change."""

    comment = forms.CharField(
        label=_("What should the execution group change?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write what the execution group should change.")},
    )


class QuarterStartForm(forms.Form):
    """Start the scheme of a quarter, creating the quarter if it is new."""

    code = forms.CharField(label=_("Quarter"), max_length=7, help_text=_("For example 2026Q4."))

    def clean_code(self):
        code = self.cleaned_data["code"]
        try:
            year, number = Quarter.parse_code(code)
        except ValueError as error:
            raise forms.ValidationError(_("Enter a quarter like 2026Q4.")) from error
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(_("Enter a year between 2000 and 2100."))
        if Quarter.objects.filter(year=year, number=number, schemes__isnull=False).exists():
            raise forms.ValidationError(
                _("%(quarter)s already has a scheme; open it from the list.") % {"quarter": f"{year}Q{number}"}
            )
        self.year, self.number = year, number
        return f"{year}Q{number}"


class WhatIfForm(forms.Form):
    """On which quarter's data a draft is tried."""

    on = forms.ChoiceField(label=_("Data of quarter"), required=False)

    def __init__(self, *args, quarters, **kwargs):
        super().__init__(*args, **kwargs)
        self.quarters = {quarter.code: quarter for quarter in quarters}
        self.fields["on"].choices = [(code, code) for code in self.quarters]
