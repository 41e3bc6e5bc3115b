"""Pages of the rating rounds: the execution group's round pages, a rater's to-do list, a ratee's averages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators import rating_selectors as selectors
from indicators import ratings
from indicators.rating_forms import RatingAssignmentAddForm, RatingGiveForm, RatingRoundOpenForm
from lawfirm_kpi.text import sentences_join
from reviews.roles import require


def _apply(form, error):
    """Put a service's ValidationError next to the fields it names (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _rounds_page(request, open_form, status=200):
    context = selectors.rating_rounds_page()
    context["open_form"] = open_form
    return render(request, "indicators/rating_rounds.html", context, status=status)


@require(lambda roles: roles.is_organiser)
def rating_rounds(request):
    return _rounds_page(request, RatingRoundOpenForm(quarters=selectors.quarters_without_round()))


@require_POST
@require(lambda roles: roles.is_execution)
def rating_round_open(request):
    form = RatingRoundOpenForm(request.POST, quarters=selectors.quarters_without_round())
    if form.is_valid():
        try:
            rating_round = ratings.rating_round_open(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(
                request,
                _("The rating round for %(quarter)s is open with %(count)s assignments.")
                % {"quarter": rating_round.quarter, "count": rating_round.assignments.count()},
            )
            return redirect("indicators:rating_round", pk=rating_round.pk)
    return _rounds_page(request, form, status=400)


def _round_page(request, rating_round, add_form, status=200):
    context = selectors.rating_round_page(rating_round=rating_round, query=request.GET)
    context["add_form"] = add_form
    return render(request, "indicators/rating_round_detail.html", context, status=status)


@require(lambda roles: roles.is_organiser)
def rating_round_detail(request, pk):
    rating_round = selectors.get_rating_round(pk)
    return _round_page(request, rating_round, RatingAssignmentAddForm())


@require(lambda roles: roles.is_organiser)
def rating_round_calibration(request, pk):
    """Regulation 三.4: how far each rater sits from the others on the same people (the two groups only)."""
    rating_round = selectors.get_rating_round(pk)
    context = selectors.rating_calibration_page(rating_round=rating_round, sort=request.GET.get("sort"))
    return render(request, "indicators/rating_round_calibration.html", context)


@require_POST
@require(lambda roles: roles.is_execution)
def rating_assignment_add(request, pk):
    rating_round = selectors.get_rating_round(pk)
    form = RatingAssignmentAddForm(request.POST)
    if form.is_valid():
        try:
            assignment = ratings.rating_assignment_add(rating_round=rating_round, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(
                request,
                _("%(rater)s now rates %(ratee)s on %(indicator)s.")
                % {"rater": assignment.rater, "ratee": assignment.ratee, "indicator": assignment.indicator},
            )
            return redirect("indicators:rating_round", pk=rating_round.pk)
    return _round_page(request, rating_round, form, status=400)


@require_POST
@require(lambda roles: roles.is_execution)
def rating_assignment_remove(request, pk, assignment_pk):
    rating_round = selectors.get_rating_round(pk)
    assignment = selectors.get_assignment_in_round(rating_round, assignment_pk)
    try:
        ratings.rating_assignment_remove(assignment=assignment, by=request.user)
    except ValidationError as error:
        messages.error(request, sentences_join(error.messages))
    else:
        messages.success(
            request,
            _("%(rater)s no longer rates %(ratee)s on %(indicator)s.")
            % {"rater": assignment.rater, "ratee": assignment.ratee, "indicator": assignment.indicator},
        )
    return redirect("indicators:rating_round", pk=rating_round.pk)


@require_POST
@require(lambda roles: roles.is_execution)
def rating_round_close(request, pk):
    rating_round = selectors.get_rating_round(pk)
    try:
        ratings.rating_round_close(rating_round=rating_round, by=request.user)
    except ValidationError as error:
        messages.error(request, sentences_join(error.messages))
    else:
        messages.success(request, _("The rating round for %(quarter)s is closed.") % {"quarter": rating_round.quarter})
    return redirect("indicators:rating_round", pk=rating_round.pk)


@login_required
def ratings_todo(request):
    rounds = selectors.ratings_todo(user=request.user)
    for entry in rounds:
        entry["rows"] = [
            (
                assignment,
                RatingGiveForm(
                    prefix=f"a{assignment.pk}",
                    scale=entry["scale"],
                    initial={"score": assignment.score, "comment": assignment.comment},
                ),
            )
            for assignment in entry["assignments"]
        ]
    context = {"rounds": rounds, "closed_rounds": selectors.rounds_closed_with_submission(user=request.user)}
    return render(request, "indicators/rating_todo.html", context)


@login_required
def rating_give(request, pk):
    assignment = selectors.get_assignment_for_rater(request.user, pk)
    scale = ratings.rating_scale_for(assignment.round.quarter)
    prefix = f"a{assignment.pk}"
    status = 200
    if request.method == "POST":
        form = RatingGiveForm(request.POST, prefix=prefix, scale=scale)
        if form.is_valid():
            try:
                ratings.rating_give(assignment=assignment, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _apply(form, error)
            else:
                messages.success(
                    request,
                    _("Your rating of %(ratee)s on %(indicator)s is saved.")
                    % {"ratee": assignment.ratee, "indicator": assignment.indicator},
                )
                return redirect("indicators:ratings_todo")
        status = 400
    else:
        form = RatingGiveForm(
            prefix=prefix, scale=scale, initial={"score": assignment.score, "comment": assignment.comment}
        )
    context = {
        "assignment": assignment,
        "form": form,
        "scale": scale,
        "is_open": assignment.round.is_open_on(timezone.localdate()),
    }
    return render(request, "indicators/rating_give.html", context, status=status)


@login_required
def my_ratings(request):
    return render(request, "indicators/rating_mine.html", {"rounds": selectors.my_ratings(user=request.user)})
