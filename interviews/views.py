"""Pages of the interview (regulation 三.5): the superior's team, scheduling, recording, acknowledging."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from goals import selectors as goal_selectors
from goals import services as goal_services
from goals.models import Goal
from interviews import access, selectors, services
from interviews import self_assessment as self_assessments
from interviews.access import get_scorecard_for_user as scorecard_for_user
from interviews.forms import (
    InterviewAcknowledgeForm,
    InterviewRecordForm,
    InterviewScheduleForm,
    SelfAssessmentForm,
    goal_formset,
    improvement_formset,
)
from interviews.interviewers import may_interview
from interviews.models import ImprovementItem, Interview
from lawfirm_kpi.forms import add_service_errors
from lawfirm_kpi.text import sentences_join
from results.models import Scorecard
from reviews.deadlines import interview_due_on
from reviews.roles import require


def _require_interviewer(user, quarter, staff):
    """Regulation 三.5: the person's interviewer (the direct superior, or the one designated) holds the interview."""
    if not may_interview(user, quarter=quarter, staff=staff):
        raise PermissionDenied


@login_required
def team(request):
    context = selectors.team_page(user=request.user, quarter_pk=request.GET.get("quarter"))
    return render(request, "reviews/team.html", context)


@login_required
def interview_schedule(request, pk):
    scorecard = scorecard_for_user(request.user, pk)
    _require_interviewer(request.user, scorecard.quarter, scorecard.staff)
    existing = Interview.objects.filter(quarter=scorecard.quarter_id, staff=scorecard.staff_id).first()
    if existing is not None and existing.is_recorded:
        messages.info(request, _("This interview has already been recorded."))
        return redirect("interviews:interview", pk=existing.pk)
    if not services.interviews_open(scorecard.quarter):
        messages.error(request, services.interviews_closed_reason(scorecard.quarter))
        return redirect("interviews:interview", pk=existing.pk) if existing else redirect("interviews:team")
    due_on = interview_due_on(scorecard.quarter)
    initial = {"scheduled_at": existing.scheduled_at, "place": existing.place} if existing else None
    form = InterviewScheduleForm(request.POST or None, initial=initial, due_on=due_on)
    if request.method == "POST" and form.is_valid():
        try:
            services.interview_schedule(
                scorecard=scorecard,
                by=request.user,
                scheduled_at=form.cleaned_data["scheduled_at"],
                place=form.cleaned_data["place"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The interview with %(name)s is scheduled.") % {"name": scorecard.staff})
            return redirect("interviews:team")
    return render(
        request,
        "reviews/interview_schedule.html",
        {"form": form, "scorecard": scorecard, "interview": existing, "due_on": due_on},
    )


@login_required
def interview_record(request, pk):
    interview = access.get_interview_for_user(request.user, pk)
    _require_interviewer(request.user, interview.quarter, interview.staff)
    if interview.is_recorded:
        messages.info(request, _("This interview has already been recorded."))
        return redirect("interviews:interview", pk=interview.pk)
    if not services.interviews_open(interview.quarter):
        messages.error(request, services.interviews_closed_reason(interview.quarter))
        return redirect("interviews:interview", pk=interview.pk)
    initial = {"held_at": interview.scheduled_at}
    form = InterviewRecordForm(request.POST or None, initial=initial)
    formset = improvement_formset(interview=interview, data=request.POST if request.method == "POST" else None)
    # A page opened before the goal rows existed posts none: its record then has the goals in words only.
    posted_goals = request.method == "POST" and "goals-TOTAL_FORMS" in request.POST
    goals = goal_formset(interview=interview, data=request.POST if posted_goals else None)
    goals_valid = goals.is_valid() if posted_goals else True
    if request.method == "POST" and form.is_valid() and formset.is_valid() and goals_valid:
        data = form.cleaned_data
        try:
            services.interview_record(
                interview=interview,
                by=request.user,
                held_at=data["held_at"],
                strengths=data["strengths"],
                weaknesses=data["weaknesses"],
                goals=data["goals"],
                items=formset.items(),
                goal_drafts=goals.drafts() if posted_goals else [],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The interview is recorded; %(name)s can now read it.") % {"name": interview.staff}
            )
            return redirect("interviews:interview", pk=interview.pk)
    context = {
        "form": form,
        "formset": formset,
        "goal_formset": goals,
        "interview": interview,
        # Regulation 三.5: the interviewer prepares and records with the person's own view beside the form.
        **_self_assessment_context(request.user, quarter=interview.quarter, staff=interview.staff, interview=interview),
    }
    return render(request, "reviews/interview_record.html", context)


@login_required
def interview_detail(request, pk):
    interview = access.get_interview_for_user(request.user, pk)
    profile = getattr(request.user, "profile", None)
    is_owner = profile is not None and profile.pk == interview.staff_id
    # A closed quarter is read-only: no recording or acknowledging is offered then.
    quarter_open = services.interviews_open(interview.quarter)
    follow_up_open = interview.is_recorded and services.follow_up_is_open(interview.quarter)
    items = list(interview.improvement_items.select_related("owner"))
    for item in items:
        item.may_tick = follow_up_open and services.may_tick_item(item=item, interview=interview, profile=profile)
    # Regulation 三.5: the goals agreed here, and those agreed last quarter that this interview follows up (a goal in
    # words is marked by whoever holds this interview, while its quarter is open).
    goals_followed = goal_selectors.goals_followed_in(staff=interview.staff, quarter=interview.quarter)
    may_mark = quarter_open and may_interview(request.user, quarter=interview.quarter, staff=interview.staff)
    for row in goals_followed:
        if may_mark and goal_services.may_assess(goal=row.goal, interview=interview, profile=profile):
            row.assess_url = reverse("interviews:goal_assess", args=[interview.pk, row.goal.pk])
    return render(
        request,
        "reviews/interview_detail.html",
        {
            "interview": interview,
            "items": items,
            "goals_agreed": goal_selectors.goals_of_interview(interview) if interview.is_recorded else [],
            "goals_followed": goals_followed,
            "status": selectors.interview_status(interview),
            "is_owner": is_owner,
            "is_interviewer": may_interview(request.user, quarter=interview.quarter, staff=interview.staff),
            "quarter_open": quarter_open,
            "follow_up_open": follow_up_open,
            "acknowledge_form": (
                InterviewAcknowledgeForm() if is_owner and interview.is_recorded and quarter_open else None
            ),
            **_self_assessment_context(
                request.user, quarter=interview.quarter, staff=interview.staff, interview=interview
            ),
        },
    )


@require_POST
@login_required
def interview_acknowledge(request, pk):
    interview = access.get_interview_for_user(request.user, pk)
    form = InterviewAcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            services.interview_acknowledge(interview=interview, by=request.user, comment=form.cleaned_data["comment"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Thank you: your acknowledgement is recorded."))
    return redirect("interviews:interview", pk=interview.pk)


@require_POST
@login_required
def improvement_item_done(request, pk, item_pk):
    """The item's owner or the interview's superior marks one step of the improvement plan done or not done."""
    interview = access.get_interview_for_user(request.user, pk)
    item = get_object_or_404(ImprovementItem, pk=item_pk, interview=interview)
    done = request.POST.get("done") == "1"
    try:
        services.improvement_item_set_done(item=item, by=request.user, done=done)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if done:
            messages.success(request, _("“%(item)s” is marked done.") % {"item": item.description})
        else:
            messages.success(request, _("“%(item)s” is marked not done.") % {"item": item.description})
    return redirect(f"{reverse('interviews:interview', args=[interview.pk])}#improvement-plan")


@require(lambda roles: roles.is_organiser)
def interview_list(request):
    context = selectors.quarter_interviews_page(quarter_pk=request.GET.get("quarter"))
    return render(request, "reviews/interview_list.html", context)


@require(lambda roles: roles.is_organiser)
def interviews_overdue(request):
    context = selectors.quarter_interviews_page(quarter_pk=request.GET.get("quarter"), overdue_only=True)
    return render(request, "reviews/interview_list.html", context)


@require_POST
@login_required
def goal_assess(request, pk, goal_pk):
    """The superior holding this interview marks a goal in words, agreed in the previous quarter, met or not met."""
    interview = access.get_interview_for_user(request.user, pk)
    year, number = interview.quarter.previous()
    goal = get_object_or_404(Goal, pk=goal_pk, staff_id=interview.staff_id, quarter__year=year, quarter__number=number)
    _require_interviewer(request.user, interview.quarter, interview.staff)
    met = request.POST.get("met") == "1"
    try:
        goal_services.goal_assess(goal=goal, interview=interview, met=met, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if met:
            messages.success(request, _("“%(goal)s” is marked met.") % {"goal": goal.description})
        else:
            messages.success(request, _("“%(goal)s” is marked not met.") % {"goal": goal.description})
    return redirect(f"{reverse('interviews:interview', args=[interview.pk])}#goals-followed")


def _self_assessment_context(user, *, quarter, staff, interview) -> dict:
    """What the interview pages show of the person's self-assessment, for readers who may see it (nothing for
    the others: they do not learn whether one exists)."""
    allowed, assessment = self_assessments.self_assessment_reading(
        user, quarter=quarter, staff=staff, interview=interview
    )
    if not allowed:
        return {"may_read_self_assessment": False}
    scorecard = Scorecard.objects.filter(
        quarter=quarter, staff=staff, is_current=True, status=Scorecard.Status.PUBLISHED
    ).first()
    return {
        "may_read_self_assessment": True,
        "self_assessment": assessment,
        "self_assessment_sections": self_assessments.sections(assessment),
        "self_assessment_url": reverse("interviews:self_assessment", args=[scorecard.pk]) if scorecard else None,
    }


@login_required
def self_assessment(request, pk):
    """The person writes their self-assessment (regulation 三.5) from publication until the interview is recorded;
    their interviewer and the execution group read it once submitted; everyone else gets a 404."""
    scorecard = scorecard_for_user(request.user, pk)
    quarter, staff = scorecard.quarter, scorecard.staff
    interview = Interview.objects.filter(quarter=quarter, staff=staff).select_related("superior").first()
    allowed, assessment = self_assessments.self_assessment_reading(
        request.user, quarter=quarter, staff=staff, interview=interview
    )
    if not allowed:
        raise Http404
    is_owner = staff.user_id == request.user.pk
    if request.method == "POST" and not is_owner:
        raise PermissionDenied
    closed_reason = self_assessments.self_assessment_closed_reason(quarter=quarter, staff=staff) if is_owner else None
    if request.method == "POST" and closed_reason:
        messages.error(request, sentences_join([closed_reason, _("Nothing was changed.")]))
        return redirect("interviews:self_assessment", pk=scorecard.pk)
    form = None
    if is_owner and not closed_reason:
        form = SelfAssessmentForm(request.POST or None, assessment=assessment)
        if request.method == "POST" and form.is_valid():
            submit = form.cleaned_data["action"] == "submit"
            try:
                saved = self_assessments.self_assessment_save(
                    scorecard=scorecard,
                    by=request.user,
                    answers=form.answers(),
                    proposed_goals=form.cleaned_data["proposed_goals"],
                    submit=submit,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if saved.is_submitted and not (assessment is not None and assessment.is_submitted):
                    messages.success(request, _("Your self-assessment is submitted: your interviewer can read it now."))
                elif saved.is_submitted:
                    messages.success(request, _("Your changes are saved; your interviewer reads the new version."))
                else:
                    messages.success(request, _("Your draft is saved. Only you can read it until you submit it."))
                return redirect("interviews:self_assessment", pk=scorecard.pk)
    events = list(assessment.events.select_related("by__profile")) if assessment is not None else []
    return render(
        request,
        "interviews/self_assessment.html",
        {
            "scorecard": scorecard,
            "quarter": quarter,
            "staff": staff,
            "interview": interview,
            "assessment": assessment,
            "sections": self_assessments.sections(assessment),
            "events": events,
            "form": form,
            "is_owner": is_owner,
            "closed_reason": closed_reason,
        },
        status=400 if request.method == "POST" else 200,
    )
