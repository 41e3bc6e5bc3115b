"""Pages of the assessment organisation: the people, their groups and the log of changes."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from reviews import selectors, services
from reviews.forms import PersonForm
from reviews.roles import require, roles_of


@require(lambda roles: roles.is_organiser)
def people_list(request):
    context = _people_context(request, **selectors.people_page(query=request.GET))
    return render(request, "reviews/people_list.html", context)


def _people_context(request, **extra):
    roles = roles_of(request.user)
    return {"can_manage": roles.can_manage_people, "can_audit": roles.is_leadership, **extra}


@require(lambda roles: roles.can_manage_people)
@require_http_methods(["GET", "POST"])
def person_add(request):
    form = PersonForm(request.POST or None, by=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.staff_add(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s was added; an invitation to set a password goes to %(email)s.")
                % {"name": profile.full_name, "email": profile.user.email},
            )
            return redirect("reviews:people")
    return render(request, "reviews/people_form.html", _people_context(request, form=form))


@require(lambda roles: roles.can_manage_people)
@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    profile = selectors.get_person_for_user(request.user, pk, manage=True)
    form = PersonForm(request.POST or None, profile=profile, by=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.staff_update(profile=profile, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": profile.full_name})
            return redirect("reviews:people")
    return render(request, "reviews/people_form.html", _people_context(request, form=form, profile=profile))


@require(lambda roles: roles.can_manage_people)
@require_POST
def person_invite(request, pk):
    profile = selectors.get_person_for_user(request.user, pk, manage=True)
    if not profile.active:
        messages.error(request, _("%(name)s is inactive: activate them before inviting.") % {"name": profile.full_name})
        return redirect("reviews:people")
    try:
        sent = services.staff_reinvite(profile=profile, by=request.user)
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
    else:
        if sent:
            messages.success(
                request,
                _("A new invitation was sent to %(name)s (%(email)s).")
                % {"name": profile.full_name, "email": profile.user.email},
            )
        else:
            messages.error(request, _("%(name)s has no e-mail address: add one first.") % {"name": profile.full_name})
    return redirect("reviews:people")


@require(lambda roles: roles.is_leadership)
def staff_changes(request):
    """The record of role changes (regulation 二.1): the leadership group reads who changed whose roles."""
    return render(request, "reviews/staff_changes.html", selectors.staff_changes_page(query=request.GET))
