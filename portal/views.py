"""Sign-in and the home page: what each person has to do next, whatever app it belongs to."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import translation

from accounts.forms import SignInForm
from portal.home import appeals_awaiting, home_tasks


class LoginView(auth_views.LoginView):
    """Sign in, then switch the interface to the person's preferred language."""

    # Says why the firm's directory accepted a password but the person may not sign in (accounts.directory).
    authentication_form = SignInForm

    def form_valid(self, form):
        response = super().form_valid(form)
        profile = getattr(form.get_user(), "profile", None)
        if profile is not None:
            translation.activate(profile.language)
            response.set_cookie("django_language", profile.language, samesite="Lax")
        return response


@login_required
def home(request):
    context = {"tasks": home_tasks(user=request.user), "awaiting_appeals": appeals_awaiting(user=request.user)}
    return render(request, "reviews/home.html", context)
