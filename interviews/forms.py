"""Forms of the interview pages: schedule, record (with the improvement-plan formset), acknowledge."""

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from goals.models import Comparator
from goals.services import GoalDraft, applicable_indicators
from indicators.models import Indicator
from interviews.self_assessment import MAX_TEXT, QUESTIONS, categories, field_name
from interviews.services import PlanItem
from reviews.models import StaffProfile

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's own date-and-time picker; values in the configured time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


def _datetime_field(label, help_text=""):
    return forms.DateTimeField(
        label=label,
        help_text=help_text,
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )


class InterviewScheduleForm(forms.Form):
    scheduled_at = _datetime_field(_("Date and time"))
    place = forms.CharField(label=_("Place"), max_length=200)

    def __init__(self, *args, due_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        if due_on is not None:
            # Regulation 三.5: within one week of the result; the form says by when.
            self.fields["scheduled_at"].help_text = _("The interview is due by %(date)s (regulation 3.5).") % {
                "date": formats.date_format(due_on, "DATE_FORMAT")
            }

    def clean_scheduled_at(self):
        value = self.cleaned_data["scheduled_at"]
        if value <= timezone.now():
            raise forms.ValidationError(_("Choose a date and time in the future."))
        return value


class InterviewRecordForm(forms.Form):
    held_at = _datetime_field(_("Held on"), help_text=_("When the interview took place."))
    strengths = forms.CharField(label=_("Strengths"), widget=forms.Textarea(attrs={"rows": 4}))
    weaknesses = forms.CharField(label=_("Weaknesses"), widget=forms.Textarea(attrs={"rows": 4}))
    goals = forms.CharField(
        label=_("Goals for the next quarter"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("In words, as agreed; required unless the goals are listed one by one below."),
    )

    def clean_held_at(self):
        value = self.cleaned_data["held_at"]
        if value > timezone.now():
            raise forms.ValidationError(_("The interview must have taken place already."))
        return value


class ImprovementItemForm(forms.Form):
    description = forms.CharField(label=_("Improvement"), max_length=500)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=StaffProfile.objects.none())
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The plan is agreed between the two people in the room: one of them owns each step.
        self.fields["owner"].queryset = StaffProfile.objects.filter(pk__in=[owner.pk for owner in owners])

    def clean_due_on(self):
        value = self.cleaned_data["due_on"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("The due date cannot be in the past."))
        return value

    def as_item(self):
        data = self.cleaned_data
        return PlanItem(description=data["description"], owner=data["owner"], due_on=data["due_on"])


class BaseImprovementFormSet(forms.BaseFormSet):
    def items(self):
        return [form.as_item() for form in self.forms if form.has_changed() and not self._should_delete_form(form)]


ImprovementFormSet = forms.formset_factory(
    ImprovementItemForm,
    formset=BaseImprovementFormSet,
    extra=2,
    min_num=1,
    validate_min=True,
    max_num=20,
    validate_max=True,
)


def improvement_formset(*, interview, data=None):
    owners = [interview.staff, interview.superior]
    return ImprovementFormSet(
        data=data,
        prefix="items",
        form_kwargs={"owners": owners},
        initial=None if data is not None else [{"owner": interview.staff.pk}],
    )


class GoalForm(forms.Form):
    """One goal for the next quarter: in words, or an indicator with a target number (regulation 三.5)."""

    description = forms.CharField(label=_("Goal"), max_length=300, required=False)
    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=Indicator.objects.all(), required=False)
    comparator = forms.ChoiceField(
        label=_("Comparison"),
        required=False,
        choices=[
            ("", _("As the indicator's direction")),
            (Comparator.AT_LEAST, _("≥ at least")),
            (Comparator.AT_MOST, _("≤ at most")),
        ],
    )
    target = forms.DecimalField(label=_("Target"), required=False, max_digits=14, decimal_places=4)

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Offer the indicators the person is assessed on; any other is refused with the reason by goals.services.
        self.fields["indicator"].widget.choices = [("", _("None: a goal in words"))] + [
            (indicator.pk, indicator.name) for indicator in indicators
        ]

    def as_draft(self):
        data = self.cleaned_data
        return GoalDraft(
            description=data.get("description") or "",
            indicator=data.get("indicator"),
            comparator=data.get("comparator") or "",
            target=data.get("target"),
        )


class BaseGoalFormSet(forms.BaseFormSet):
    def drafts(self):
        return [form.as_draft() for form in self.forms if form.has_changed() and not self._should_delete_form(form)]


GoalFormSet = forms.formset_factory(GoalForm, formset=BaseGoalFormSet, extra=3, max_num=10, validate_max=True)


def goal_formset(*, interview, data=None):
    applicable = applicable_indicators(staff=interview.staff, quarter=interview.quarter)
    formset = GoalFormSet(data=data, prefix="goals", form_kwargs={"indicators": applicable.indicators})
    formset.applicable = applicable
    return formset


class InterviewAcknowledgeForm(forms.Form):
    comment = forms.CharField(
        label=_("Your comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: what you agree with, or what you see differently."),
    )


class SelfAssessmentForm(forms.Form):
    """The person's self-assessment: three questions per indicator category and the goals they propose
    (interviews.self_assessment); which button was pressed says draft or submit."""

    ACTIONS = (("draft", _("Save as draft")), ("submit", _("Submit to my interviewer")))

    action = forms.ChoiceField(choices=ACTIONS, widget=forms.HiddenInput)
    proposed_goals = forms.CharField(
        label=_("Goals I propose for the next quarter"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, assessment=None, **kwargs):
        if assessment is not None and "initial" not in kwargs:
            initial = {"proposed_goals": assessment.proposed_goals}
            for category, _label in categories():
                for question, _question_label in QUESTIONS:
                    initial[field_name(category, question)] = (assessment.answers.get(category) or {}).get(question)
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.groups = []
        for category, label in categories():
            names = []
            for question, question_label in QUESTIONS:
                name = field_name(category, question)
                self.fields[name] = forms.CharField(
                    label=question_label,
                    required=False,
                    max_length=MAX_TEXT,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
                names.append(name)
            self.groups.append({"label": label, "names": names})

    def category_groups(self):
        """The bound fields by category, for the template."""
        return [{"label": group["label"], "fields": [self[name] for name in group["names"]]} for group in self.groups]

    def answers(self) -> dict:
        data = self.cleaned_data
        return {
            category: {question: data.get(field_name(category, question), "") for question, _q in QUESTIONS}
            for category, _label in categories()
        }
