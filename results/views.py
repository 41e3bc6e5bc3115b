"""Correction pages (docs/results.md "Corrections"): a quarter's corrections, one correction with what it declares
and its preview, and the page where a record change is declared."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from clients.forms import RECORD_FORMS
from lawfirm_kpi.forms import add_service_errors
from lawfirm_kpi.text import sentences_join
from results import corrections as service
from results.access import get_correction_for_user
from results.forms import AdjustmentForm, CorrectionStartForm, DecisionCommentForm, RecordChoiceForm
from results.models import Correction, CorrectionStatus
from results.selectors import correction_applied_versions
from reviews.models import Quarter, QuarterState, StaffProfile
from reviews.roles import require, roles_of


def _quarter_or_404(code):
    try:
        year, number = Quarter.parse_code(code)
    except ValueError:
        raise Http404 from None
    return get_object_or_404(Quarter, year=year, number=number)


@require(lambda roles: roles.is_organiser)
@require_http_methods(["GET", "POST"])
def correction_list(request, code):
    """The quarter's corrections; the execution group starts one here while the quarter is published."""
    quarter = _quarter_or_404(code)
    can_start = roles_of(request.user).is_execution and quarter.state == QuarterState.PUBLISHED
    form = CorrectionStartForm(request.POST or None) if can_start else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                correction = service.correction_start(
                    quarter=quarter, by=request.user, reason=form.cleaned_data["reason"]
                )
            except service.CorrectionRefused as refused:
                messages.error(request, refused.message)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("results:correction", pk=correction.pk)
    corrections = (
        Correction.objects.filter(quarter=quarter)
        .select_related("subject", "prepared_by__profile", "approved_by__profile", "appeal")
        .order_by("-prepared_at", "-pk")
    )
    return render(
        request,
        "results/correction_list.html",
        {"quarter": quarter, "corrections": corrections, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _page(request, correction, *, adjustment_form=None, decision_form=None):
    roles = roles_of(request.user)
    preview, preview_error, applied = None, None, []
    if correction.status == CorrectionStatus.APPLIED:
        # Applied: the page shows the versions it made, not a preview recomputed from today's state.
        applied = correction_applied_versions(correction)
    else:
        try:
            preview = service.correction_preview(correction)
        except service.CorrectionRefused as refused:
            preview_error = refused.message
    draft = correction.status == CorrectionStatus.DRAFT
    can_prepare = roles.is_execution and draft and correction.quarter.state == QuarterState.PUBLISHED
    people = StaffProfile.objects.filter(
        scorecards__quarter=correction.quarter, scorecards__is_current=True, scorecards__status="published"
    ).order_by("full_name")
    if correction.subject_id is not None:
        people = people.filter(pk=correction.subject_id)
    appeal = getattr(correction, "appeal", None)
    context = {
        "correction": correction,
        "quarter": correction.quarter,
        "appeal": appeal,
        "preview": preview,
        "preview_error": preview_error,
        "applied_versions": applied,
        "record_changes": list(correction.record_changes.all()),
        "adjustments": list(correction.adjustments.select_related("staff", "indicator", "created_by__profile")),
        "events": list(correction.events.select_related("by__profile")),
        "can_prepare": can_prepare,
        "can_submit": can_prepare and (appeal is None or appeal.outcome == "upheld"),
        "can_decide": roles.is_leadership and correction.status == CorrectionStatus.AWAITING_APPROVAL,
        "can_withdraw": roles.is_execution and correction.is_open,
        "adjustment_form": adjustment_form or (AdjustmentForm(people=people, prefix="adj") if can_prepare else None),
        "decision_form": decision_form
        or DecisionCommentForm(
            initial={"expected_status": correction.status, "fingerprint": preview.fingerprint if preview else ""}
        ),
        "record_choice_form": RecordChoiceForm() if can_prepare else None,
    }
    return context, people


@require(lambda roles: roles.is_organiser)
@require_http_methods(["GET", "POST"])
def correction_detail(request, pk):
    correction = get_correction_for_user(request.user, pk)
    if request.method == "GET":
        context, _people = _page(request, correction)
        return render(request, "results/correction_detail.html", context)
    action = request.POST.get("action")
    context, people = _page(request, correction)
    try:
        if action == "add_adjustment":
            form = AdjustmentForm(request.POST, people=people, prefix="adj")
            if not form.is_valid():
                context["adjustment_form"] = form
                return render(request, "results/correction_detail.html", context, status=400)
            allowed = None
            if appeal := getattr(correction, "appeal", None):
                allowed = set(appeal.indicators.values_list("pk", flat=True))
            try:
                service.correction_adjustment_add(correction=correction, by=request.user, allowed_indicators=allowed,
                                                  **form.cleaned_data)  # fmt: skip
            except ValidationError as error:
                add_service_errors(form, error)
                context["adjustment_form"] = form
                return render(request, "results/correction_detail.html", context, status=400)
            messages.success(request, _("The points adjustment is added; the preview below includes it."))
        elif action == "remove_change":
            service.correction_record_change_remove(correction=correction, by=request.user,
                                                    change_id=request.POST.get("change"))  # fmt: skip
            messages.success(request, _("The record change is removed from the correction."))
        elif action == "remove_adjustment":
            service.correction_adjustment_remove(correction=correction, by=request.user,
                                                 adjustment_id=request.POST.get("adjustment"))  # fmt: skip
            messages.success(request, _("The points adjustment is removed from the correction."))
        elif action in ("submit", "approve", "return", "withdraw"):
            form = DecisionCommentForm(request.POST)
            if not form.is_valid():
                raise Http404
            data = form.cleaned_data
            if action == "submit":
                correction, versions = service.correction_submit(
                    correction=correction, by=request.user, fingerprint=data["fingerprint"],
                    expected_status=data["expected_status"],
                )  # fmt: skip
                if correction.status == CorrectionStatus.AWAITING_APPROVAL:
                    messages.success(
                        request,
                        _(
                            "The correction changes other people's results: it now waits for the approval of a "
                            "leadership-group member who did not prepare it."
                        ),  # fmt: skip
                    )
                else:
                    messages.success(request, _applied_message(versions))
            elif action == "approve":
                _correction, versions = service.correction_approve(
                    correction=correction, by=request.user, fingerprint=data["fingerprint"], comment=data["comment"]
                )
                messages.success(request, _applied_message(versions))
            elif action == "return":
                try:
                    service.correction_return(correction=correction, by=request.user, comment=data["comment"])
                except ValidationError as error:
                    add_service_errors(form, error)
                    context["decision_form"] = form
                    return render(request, "results/correction_detail.html", context, status=400)
                messages.success(request, _("The correction is returned to the execution group with your comment."))
            else:
                service.correction_withdraw(correction=correction, by=request.user, comment=data["comment"])
                messages.success(request, _("The correction is withdrawn; nothing was changed."))
        else:
            raise Http404
    except service.CorrectionRefused as refused:
        messages.error(request, refused.message)
    except ValidationError as error:
        messages.error(request, sentences_join(error.messages))
    return redirect("results:correction", pk=correction.pk)


def _applied_message(versions):
    return ngettext(
        "The correction is applied: %(n)d result has a new version.",
        "The correction is applied: %(n)d results have a new version.",
        len(versions),
    ) % {"n": len(versions)}


@require(lambda roles: roles.is_execution)
@require_http_methods(["GET", "POST"])
def correction_change(request, pk):
    """Declare one record change: which record (step one), then its new values as the data pages ask for them."""
    correction = get_correction_for_user(request.user, pk)
    if correction.status != CorrectionStatus.DRAFT:
        messages.error(request, _("This correction can no longer be changed."))
        return redirect("results:correction", pk=correction.pk)
    choice = RecordChoiceForm(request.GET or None)
    if not choice.is_bound or not choice.is_valid():
        return render(request, "results/correction_change.html", {"correction": correction, "choice": choice},
                      status=400 if choice.is_bound else 200)  # fmt: skip
    kind, operation, record = (choice.cleaned_data[name] for name in ("kind", "operation", "record"))
    record_form = None
    if operation != "remove":
        form_class = RECORD_FORMS[service.PLURAL[kind]]
        instance = record if operation == "change" else None
        record_form = form_class(request.POST or None, instance=instance)
    note = request.POST.get("note", "") if request.method == "POST" else ""
    if request.method == "POST":
        try:
            service.correction_record_change_add(
                correction=correction,
                by=request.user,
                kind=kind,
                operation=operation,
                data=request.POST if operation != "remove" else None,
                record=record,
                note=note,
            )
        except ValidationError as error:
            if record_form is not None:
                add_service_errors(record_form, error)
                record_form.is_valid()
            else:
                messages.error(request, sentences_join(error.messages))
        except service.CorrectionRefused as refused:
            messages.error(request, refused.message)
            return redirect("results:correction", pk=correction.pk)
        else:
            messages.success(request, _("The record change is declared; the preview shows what it changes."))
            return redirect("results:correction", pk=correction.pk)
    return render(
        request,
        "results/correction_change.html",
        {
            "correction": correction,
            "choice": choice,
            "kind": kind,
            "operation": operation,
            "record": record,
            "record_form": record_form,
            "note": note,
        },  # fmt: skip
        status=400 if request.method == "POST" else 200,
    )
