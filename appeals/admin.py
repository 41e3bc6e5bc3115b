"""The appeal record in the admin: read-only. Appeals move only through the services (the transition table)."""

from django.contrib import admin

from appeals.models import Appeal, AppealAttachment, AppealEvent, AppealMessage


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = AppealEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_status", "to_status", "by", "at", "comment"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["pk", "staff", "quarter", "status", "outcome", "filed_at", "decision_due_on", "handler"]
    list_filter = ["status", "outcome", "quarter"]
    search_fields = ["staff__full_name", "reason"]
    inlines = [EventInline]


for model in (AppealMessage, AppealAttachment):
    admin.site.register(model, ReadOnlyAdmin)
