"""Admin of the assessment organisation; scorecards are read-only here (published results are never edited)."""

from django import forms
from django.contrib import admin

from .lifecycle import STATES_AFTER_SUBMISSION
from .models import Department, Quarter, StaffProfile
from .quarter_services import APPEAL_TERM_FIELDS, appeal_days_error, appeal_terms_editable, appeal_terms_record_change


class ReadOnlyAdmin(admin.ModelAdmin):
    """Look, never touch: results change only through the scoring and correction services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name_zh", "name_en"]
    filter_horizontal = ["clerks"]


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["full_name", "user", "position", "department", "superior", "active", "assessed"]
    list_filter = ["position", "department", "active", "assessed"]
    search_fields = ["full_name", "user__username", "user__email"]
    list_select_related = ["user", "department", "superior"]
    autocomplete_fields = ["user", "superior"]


class QuarterAdminForm(forms.ModelForm):
    """The appeal terms within the bounds the quarter page's form keeps (reviews.quarter_services)."""

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
