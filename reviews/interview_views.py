"""Pages of the interview (regulation 三.5): the superior's team, scheduling, recording, acknowledging."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import interviews
from .interview_forms import (
    InterviewAcknowledgeForm,
    InterviewRecordForm,
    InterviewScheduleForm,
    improvement_formset,
)
from .models import Interview
from .roles import require
from .scorecards import scorecard_for_user


def _add_errors(form, error):
    """Put a service's ValidationError next to the fields it names, the rest at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)


def _require_direct_superior(user, staff):
    profile = getattr(user, "profile", None)
    if profile is None or staff.superior_id != profile.pk:
        raise PermissionDenied


@login_required
def team(request):
    context = interviews.team_page(user=request.user, quarter_pk=request.GET.get("quarter"))
    return render(request, "reviews/team.html", context)


@login_required
def interview_schedule(request, pk):
    scorecard = scorecard_for_user(request.user, pk)
    _require_direct_superior(request.user, scorecard.staff)
    existing = Interview.objects.filter(quarter=scorecard.quarter_id, staff=scorecard.staff_id).first()
    if existing is not None and existing.is_recorded:
        messages.info(request, _("This interview has already been recorded."))
        return redirect("reviews:interview", pk=existing.pk)
    due_on = interviews.interview_due_on(scorecard.quarter)
    initial = {"scheduled_at": existing.scheduled_at, "place": existing.place} if existing else None
    form = InterviewScheduleForm(request.POST or None, initial=initial, due_on=due_on)
    if request.method == "POST" and form.is_valid():
        try:
            interviews.interview_schedule(
                scorecard=scorecard,
                by=request.user,
                scheduled_at=form.cleaned_data["scheduled_at"],
                place=form.cleaned_data["place"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The interview with %(name)s is scheduled.") % {"name": scorecard.staff})
            return redirect("reviews:team")
    return render(
        request,
        "reviews/interview_schedule.html",
        {"form": form, "scorecard": scorecard, "interview": existing, "due_on": due_on},
    )


@login_required
def interview_record(request, pk):
    interview = interviews.get_interview_for_user(request.user, pk)
    _require_direct_superior(request.user, interview.staff)
    if interview.is_recorded:
        messages.info(request, _("This interview has already been recorded."))
        return redirect("reviews:interview", pk=interview.pk)
    initial = {"held_at": interview.scheduled_at}
    form = InterviewRecordForm(request.POST or None, initial=initial)
    formset = improvement_formset(interview=interview, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            interviews.interview_record(
                interview=interview,
                by=request.user,
                held_at=data["held_at"],
                strengths=data["strengths"],
                weaknesses=data["weaknesses"],
                goals=data["goals"],
                items=formset.items(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The interview is recorded; %(name)s can now read it.") % {
                "name": interview.staff
            })
            return redirect("reviews:interview", pk=interview.pk)
    return render(
        request, "reviews/interview_record.html", {"form": form, "formset": formset, "interview": interview}
    )


@login_required
def interview_detail(request, pk):
    interview = interviews.get_interview_for_user(request.user, pk)
    profile = getattr(request.user, "profile", None)
    is_owner = profile is not None and profile.pk == interview.staff_id
    return render(
        request,
        "reviews/interview_detail.html",
        {
            "interview": interview,
            "items": interview.improvement_items.select_related("owner"),
            "status": interviews.interview_status(interview),
            "is_owner": is_owner,
            "is_direct_superior": profile is not None and interview.staff.superior_id == profile.pk,
            "acknowledge_form": InterviewAcknowledgeForm() if is_owner and interview.is_recorded else None,
        },
    )


@require_POST
@login_required
def interview_acknowledge(request, pk):
    interview = interviews.get_interview_for_user(request.user, pk)
    form = InterviewAcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            interviews.interview_acknowledge(interview=interview, by=request.user, comment=form.cleaned_data["comment"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Thank you: your acknowledgement is recorded."))
    return redirect("reviews:interview", pk=interview.pk)


@require(lambda roles: roles.is_organiser)
def interview_list(request):
    context = interviews.quarter_interviews_page(quarter_pk=request.GET.get("quarter"))
    return render(request, "reviews/interview_list.html", context)


@require(lambda roles: roles.is_organiser)
def interviews_overdue(request):
    context = interviews.quarter_interviews_page(quarter_pk=request.GET.get("quarter"), overdue_only=True)
    return render(request, "reviews/interview_list.html", context)
