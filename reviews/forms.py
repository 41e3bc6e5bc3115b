"""Forms of the organisation pages: adding and changing a person (regulation 二)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from reviews.governance import staff_change_refusals, staff_snapshot
from reviews.models import (
    EXECUTION_GROUP,
    LEADERSHIP_GROUP,
    Department,
    DepartmentKind,
    Language,
    Position,
    StaffChange,
    StaffProfile,
)


class SuperiorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.user.username}) · {obj.department.name}"


class PersonForm(forms.Form):
    """One person: account, place in the firm, groups and data duties. Without a profile it adds a person."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Used to sign in. Letters, digits and @ . + - _ only."),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), help_text=_("The invitation to set a password is sent here."))
    position = forms.ChoiceField(label=_("Position"), choices=Position.choices)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all())
    superior = SuperiorChoiceField(label=_("Direct superior"), queryset=StaffProfile.objects.none(), required=False)
    language = forms.ChoiceField(label=_("Preferred language"), choices=Language.choices, initial=Language.ZH_HANS)
    assessed = forms.BooleanField(
        label=_("Assessed"), required=False, initial=True, help_text=_("Partners and the director are not assessed.")
    )
    active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        help_text=_("An inactive person cannot sign in and is no longer offered in forms; their records stay."),
    )
    clerk_departments = forms.ModelMultipleChoiceField(
        label=_("Provides data for"),
        queryset=Department.objects.exclude(kind=DepartmentKind.PRACTICE),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Data-provider clerk of these departments (regulation 2.3)."),
    )
    leadership = forms.BooleanField(
        label=_("Leadership group (regulation 2.1)"),
        required=False,
        help_text=_("Only a member of the leadership group grants or revokes this."),
    )
    execution = forms.BooleanField(label=_("Execution group (regulation 2.2)"), required=False)

    def __init__(self, *args, profile=None, by=None, **kwargs):
        self.profile, self.by = profile, by
        if profile is not None:
            user = profile.user
            groups = {group.name for group in user.groups.all()}
            kwargs["initial"] = {
                "username": user.username,
                "full_name": profile.full_name,
                "email": user.email,
                "position": profile.position,
                "department": profile.department_id,
                "superior": profile.superior_id,
                "language": profile.language,
                "assessed": profile.assessed,
                "active": profile.active,
                "clerk_departments": [department.pk for department in user.clerk_departments.all()],
                "leadership": LEADERSHIP_GROUP in groups,
                "execution": EXECUTION_GROUP in groups,
                **kwargs.get("initial", {}),
            }
        super().__init__(*args, **kwargs)
        superiors = StaffProfile.objects.filter(active=True)
        if profile is not None:
            # A person who is no longer active stays selectable where they already are the superior.
            superiors = (superiors | StaffProfile.objects.filter(pk=profile.superior_id)).exclude(pk=profile.pk)
        self.fields["superior"].queryset = superiors.select_related("user", "department").order_by("full_name")
        if profile is None:
            del self.fields["active"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(_("Account"), "username", "full_name", "email", "language"),
            Fieldset(
                _("Place in the firm"),
                "position",
                "department",
                "superior",
                "assessed",
                *(["active"] if profile is not None else []),
            ),
            Fieldset(_("Groups and data duties"), Div("leadership", "execution"), "clerk_departments"),
        )

    def _others(self):
        users = User.objects.all()
        if self.profile is not None:
            users = users.exclude(pk=self.profile.user_id)
        return users

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if self._others().filter(username__iexact=username).exists():
            raise ValidationError(_("Someone already has this username."), code="duplicate")
        return username

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        # Password resets go by e-mail: two accounts on one address would both receive the link.
        if self._others().filter(email__iexact=email).exists():
            raise ValidationError(_("Someone already uses this e-mail address."), code="duplicate")
        return email

    def clean(self):
        cleaned = super().clean()
        superior = cleaned.get("superior")
        if self.profile is not None and superior is not None:
            draft = StaffProfile(pk=self.profile.pk, superior=superior)
            try:
                draft.clean()
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    for message in messages:
                        self.add_error(field if field in self.fields else None, message)
        if self.by is not None:
            # The governed-roles rules, shown beside the fields; the service checks them again under its lock.
            refusals = staff_change_refusals(
                by=self.by,
                person_user_id=self.profile.user_id if self.profile is not None else None,
                before=staff_snapshot(self.profile) if self.profile is not None else None,
                after={name: value for name, value in cleaned.items() if name in self.fields},
            )
            for field, message in refusals.items():
                if field in self.fields:
                    self.add_error(field, message)
        return cleaned


class StaffChangeFilterForm(forms.Form):
    """The filters of the role-change record: person, who, kind of change, date range (all optional)."""

    person = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none(), required=False)
    by = forms.ModelChoiceField(label=_("Changed by"), queryset=User.objects.none(), required=False)
    kind = forms.ChoiceField(
        label=_("Kind of change"), choices=[("", _("All kinds")), *StaffChange.Kind.choices], required=False
    )
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.filter(profile__isnull=False).select_related("profile").order_by("profile__full_name")
        for name in ("person", "by"):
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = lambda user: f"{user.profile.full_name} ({user.username})"
            self.fields[name].empty_label = _("Anyone")
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-control" if name in ("since", "until") else "form-select"

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the range comes before its start."))
        return cleaned
