"""Admin of the assessment organisation; scorecards are read-only here (published results are never edited)."""

from django.contrib import admin

from .models import Department, IndicatorScore, Quarter, Scorecard, StaffProfile


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


@admin.register(Quarter)
class QuarterAdmin(admin.ModelAdmin):
    list_display = ["code", "state", "appeal_window_days", "appeal_decision_days", "published_at"]
    list_filter = ["state"]


class IndicatorScoreInline(admin.TabularInline):
    model = IndicatorScore
    extra = 0
    can_delete = False
    fields = ["indicator", "value", "target", "weight", "effective_weight", "points", "rule", "no_data_applied"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyAdmin):
    list_display = ["staff", "quarter", "version", "is_current", "status", "total", "grade", "rank"]
    list_filter = ["quarter", "status", "is_current", "position"]
    search_fields = ["staff__full_name"]
    list_select_related = ["staff", "quarter"]
    inlines = [IndicatorScoreInline]


@admin.register(IndicatorScore)
class IndicatorScoreAdmin(ReadOnlyAdmin):
    list_display = ["scorecard", "indicator", "value", "target", "points"]
    list_select_related = ["scorecard__staff", "scorecard__quarter", "indicator"]
