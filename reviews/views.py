"""Pages of the assessment organisation: home, sign-in, people."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import translation

from . import selectors
from .roles import require


class LoginView(auth_views.LoginView):
    """Sign in, then switch the interface to the person's preferred language."""

    def form_valid(self, form):
        response = super().form_valid(form)
        profile = getattr(form.get_user(), "profile", None)
        if profile is not None:
            translation.activate(profile.language)
            response.set_cookie("django_language", profile.language, samesite="Lax")
        return response


@login_required
def home(request):
    return render(request, "reviews/home.html", {"tasks": selectors.home_tasks(user=request.user)})


@require(lambda roles: roles.is_organiser)
def people_list(request):
    return render(request, "reviews/people_list.html", selectors.people_page(query=request.GET))
