"""Admin of the assessment organisation; scorecards are read-only here (published results are never edited)."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User

from reviews.appeal_terms import (
    APPEAL_TERM_FIELDS,
    appeal_days_error,
    appeal_terms_editable,
    appeal_terms_record_change,
)
from reviews.lifecycle import STATES_AFTER_SUBMISSION
from reviews.models import Department, Quarter, StaffChange, StaffProfile
from reviews.staff_changes import staff_changes_by


class ReadOnlyAdmin(admin.ModelAdmin):
    """Look, never touch: results change only through the scoring and correction services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RecordedAdmin(admin.ModelAdmin):
    """Whatever this page still changes about people is recorded as made through the admin, by the signed-in user."""

    def changeform_view(self, request, *args, **kwargs):
        with staff_changes_by(request.user, StaffChange.Source.ADMIN):
            return super().changeform_view(request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        with staff_changes_by(request.user, StaffChange.Source.ADMIN):
            return super().delete_view(request, *args, **kwargs)


# Governed roles (docs/regulation.md): groups, data duties, the place in the firm and the sign-in of people change
# on the People page only, where the rules of reviews.governance hold (only leadership grants leadership, nobody
# acts on their own roles, only leadership changes a leadership member's e-mail). The admin shows them read-only.


@admin.register(Department)
class DepartmentAdmin(RecordedAdmin):
    list_display = ["code", "name_zh", "name_en", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name_zh", "name_en"]
    readonly_fields = ["clerks"]


@admin.register(StaffProfile)
class StaffProfileAdmin(RecordedAdmin):
    list_display = ["full_name", "user", "position", "department", "superior", "active", "assessed"]
    list_filter = ["position", "department", "active", "assessed"]
    search_fields = ["full_name", "user__username", "user__email"]
    list_select_related = ["user", "department", "superior"]
    readonly_fields = ["user", "position", "department", "superior", "active", "assessed"]

    def has_add_permission(self, request):
        # A person is added on the People page (or by firm_bootstrap), with their groups and an invitation.
        return False


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class GovernedUserAdmin(RecordedAdmin, UserAdmin):
    """Django's user admin with every field that grants power or controls sign-in read-only once the user exists."""

    GOVERNED = ("email", "is_active", "is_staff", "is_superuser", "groups", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.GOVERNED


@admin.register(Group)
class ReadOnlyGroupAdmin(GroupAdmin):
    """The regulation's two groups exist by migration; renaming one would hand its powers to nobody (or anybody)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StaffChange)
class StaffChangeAdmin(admin.ModelAdmin):
    """The record of role changes is evidence: read, never written or removed."""

    list_display = ["at", "person", "kind", "before", "after", "by", "source"]
    list_filter = ["kind", "source"]
    list_select_related = ["person", "by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class QuarterAdminForm(forms.ModelForm):
    """The appeal terms within the bounds the quarter page's form keeps (portal.quarter_services)."""

    class Meta:
        model = Quarter
        # What may ever be typed in; the admin shows the lifecycle fields beside them, read-only.
        fields = ["year", "number", "appeal_window_days", "appeal_decision_days", "report_summary"]

    def _clean_appeal_days(self, field):
        value = self.cleaned_data[field]
        error = appeal_days_error(value)
        if error:
            raise forms.ValidationError(error)
        return value

    def clean_appeal_window_days(self):
        return self._clean_appeal_days("appeal_window_days")

    def clean_appeal_decision_days(self):
        return self._clean_appeal_days("appeal_decision_days")


@admin.register(Quarter)
class QuarterAdmin(admin.ModelAdmin):
    """The quarter's life moves only through the transition table (reviews.lifecycle), never through this page.

    Its state and every who/when of a step are read-only here; so is the report summary once submitted (what the
    leadership group approved), the year and number once the quarter exists, and the appeal terms once the results
    are published (the appeal clocks have started and the feedback documents state them).
    """

    form = QuarterAdminForm
    list_display = ["code", "state", "appeal_window_days", "appeal_decision_days", "published_at"]
    list_filter = ["state"]
    LIFECYCLE_FIELDS = (
        "state",
        "submitted_by",
        "submitted_at",
        "approved_by",
        "approved_at",
        "published_at",
        "closed_at",
    )

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.LIFECYCLE_FIELDS)
        if obj is None:
            return readonly
        readonly += ["year", "number"]
        if obj.state in STATES_AFTER_SUBMISSION:
            readonly.append("report_summary")
        if not appeal_terms_editable(obj):
            readonly += list(APPEAL_TERM_FIELDS)
        return readonly

    def save_model(self, request, obj, form, change):
        # A change of the appeal terms goes into the quarter's history, as it does from the quarter page.
        # Read-only fields are not in the form: their value is the instance's, unchanged.
        before = {field: form.initial.get(field, getattr(obj, field)) for field in APPEAL_TERM_FIELDS}
        super().save_model(request, obj, form, change)
        if change:
            appeal_terms_record_change(quarter=obj, by=request.user, before=before)
