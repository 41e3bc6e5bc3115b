"""Admin of department data; changes made here are logged like those made on the data pages, and the data lock
(clients.locks) holds here too: a record of a submitted or closed quarter cannot be added, changed or deleted."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse

from clients import locks
from clients.audit import change_record_create, diff, snapshot
from clients.models import ChangeRecord, Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey
from clients.services import record_delete
from clients.subjects import SUBJECT_FIELDS, own_record_refusals, subject_ids


class LockedRecordForm:
    """Mixed into the admin's model form: the lock is checked once the form has built the changed instance, so the
    refusal shows on the form above the fields, and nothing is saved."""

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        model = type(self.instance)
        before = locks.values_of(model.objects.get(pk=self.instance.pk)) if self.instance.pk else None
        # The rows are locked for real when the save runs (save_model); here the check only explains the refusal.
        with transaction.atomic():
            try:
                locks.check_write(model, before=before, after=locks.values_of(self.instance))
            except locks.RecordLocked as refusal:
                self.add_error(None, refusal)


class AuditedAdmin(admin.ModelAdmin):
    """Every save through the admin leaves a ChangeRecord, so the history pages stay complete, and the admin
    refuses records about the person using it as the data pages do (clients.subjects)."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        model, by = self.model, request.user

        class OwnRecordsRefused(form_class):
            def clean(self):
                cleaned = super().clean()
                before = subject_ids(self.instance) if self.instance.pk else None
                after = {**(before or {}), **{f: cleaned[f] for f in SUBJECT_FIELDS.get(model, ()) if f in cleaned}}
                for field, message in own_record_refusals(model=model, by=by, before=before, after=after).items():
                    self.add_error(field if field in self.fields else None, message)
                return cleaned

        # The data lock is checked after the form has built the changed instance (LockedRecordForm).
        return type(form_class.__name__, (LockedRecordForm, OwnRecordsRefused), {})

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else {}
            stored = locks.values_of(type(obj).objects.get(pk=obj.pk)) if change else None
            # Checked again under the quarters' row locks: a submission between the form and the save still wins.
            locks.check_write(type(obj), before=stored, after=locks.values_of(obj))
            super().save_model(request, obj, form, change)
            obj.refresh_from_db()
            changes = diff(before, snapshot(obj))
            if changes:
                action = ChangeRecord.Action.UPDATE if change else ChangeRecord.Action.CREATE
                change_record_create(instance=obj, action=action, by=request.user, changes=changes, note="admin")

    def _refusal(self, objects):
        """The lock's message for the first of these records that may not be deleted, or None."""
        for obj in objects:
            with transaction.atomic():
                try:
                    locks.check_write(type(obj), before=locks.values_of(obj), after=None)
                except locks.RecordLocked as refusal:
                    return f"{obj}: {' '.join(refusal.messages)}"
        return None

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        refusal = self._refusal([obj]) if obj is not None else None
        if refusal:
            self.message_user(request, refusal, messages.ERROR)
            opts = self.model._meta
            return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            delete_selected, name, description = actions["delete_selected"]

            def delete_selected_unless_locked(modeladmin, request, queryset):
                refusal = modeladmin._refusal(queryset)
                if refusal:
                    modeladmin.message_user(request, refusal, messages.ERROR)
                    return None
                return delete_selected(modeladmin, request, queryset)

            actions["delete_selected"] = (delete_selected_unless_locked, name, description)
        return actions

    def delete_model(self, request, obj):
        # Through the service: the lock is checked under the quarters' row locks and the deletion is logged.
        record_delete(instance=obj, by=request.user, note="admin")

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


@admin.register(Client)
class ClientAdmin(AuditedAdmin):
    list_display = ["code", "name", "kind", "referred_by", "created_on"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "email", "phone"]
    autocomplete_fields = ["referred_by"]
    list_select_related = ["referred_by"]


@admin.register(Contract)
class ContractAdmin(AuditedAdmin):
    list_display = ["number", "client", "signed_on", "originating_lawyer", "responsible_lawyer", "fee", "status"]
    list_filter = ["status"]
    search_fields = ["number", "matter", "client__code", "client__name"]
    autocomplete_fields = ["client", "originating_lawyer", "responsible_lawyer"]
    list_select_related = ["client", "originating_lawyer", "responsible_lawyer"]
    date_hierarchy = "signed_on"


@admin.register(RevenueEntry)
class RevenueEntryAdmin(AuditedAdmin):
    list_display = ["ref", "contract", "received_on", "amount", "credited_to"]
    search_fields = ["ref", "contract__number"]
    autocomplete_fields = ["contract", "credited_to"]
    list_select_related = ["contract", "credited_to"]
    date_hierarchy = "received_on"


@admin.register(Complaint)
class ComplaintAdmin(AuditedAdmin):
    list_display = ["ref", "client", "about", "received_at", "handler", "handled_at", "channel"]
    list_filter = ["channel"]
    search_fields = ["ref", "client__code", "client__name"]
    autocomplete_fields = ["client", "about", "handler"]
    list_select_related = ["client", "about", "handler"]
    date_hierarchy = "received_at"


@admin.register(SatisfactionSurvey)
class SatisfactionSurveyAdmin(AuditedAdmin):
    list_display = ["ref", "client", "staff", "surveyed_on", "channel", "service_quality", "communication", "outcome"]
    list_filter = ["channel"]
    search_fields = ["ref", "client__code", "client__name"]
    autocomplete_fields = ["client", "staff"]
    list_select_related = ["client", "staff"]
    date_hierarchy = "surveyed_on"


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):
    """The change log is evidence: it can be read, never written or removed."""

    list_display = ["at", "by", "action", "content_type", "object_repr", "note"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "note"]
    list_select_related = ["by", "content_type"]
    readonly_fields = ["content_type", "object_id", "object_repr", "action", "changes", "by", "at", "note"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
