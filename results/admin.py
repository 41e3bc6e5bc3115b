"""Admin of the results: read-only (published results are never edited; a correction makes a new version)."""

from django.contrib import admin

from results.models import Correction, CorrectionAdjustment, CorrectionRecordChange, IndicatorScore, Scorecard
from reviews.admin import ReadOnlyAdmin


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


class RecordChangeInline(admin.TabularInline):
    model = CorrectionRecordChange
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "operation", "record_id", "reference", "values", "before", "note"]

    def has_add_permission(self, request, obj=None):
        return False


class AdjustmentInline(admin.TabularInline):
    model = CorrectionAdjustment
    extra = 0
    can_delete = False
    readonly_fields = ["staff", "indicator", "points", "justification", "created_by", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Correction)
class CorrectionAdmin(ReadOnlyAdmin):
    """Corrections move only through results.corrections (declared, previewed, approved, applied)."""

    list_display = ["pk", "quarter", "origin", "subject", "status", "prepared_by", "approved_by", "applied_at"]
    list_filter = ["status", "origin", "quarter"]
    inlines = [RecordChangeInline, AdjustmentInline]
