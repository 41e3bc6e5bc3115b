"""The password-reset page with its limits; Django's own view does the rest."""

from django.contrib.auth import views as auth_views
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.addresses import client_ip
from accounts.passwords import password_reset_request_admit


class PasswordResetView(auth_views.PasswordResetView):
    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"

    def form_valid(self, form):
        pause = password_reset_request_admit(address=client_ip(self.request), email=form.cleaned_data["email"])
        if pause is None:
            return super().form_valid(form)
        # The same words whichever limit holds and whether or not an account has this address.
        form.add_error(
            None,
            _(
                "Too many password-reset requests were made from your address or for this e-mail address in the "
                "last %(minutes)s minutes, so no e-mail was sent now. Please try again after %(time)s. Links in "
                "e-mails already sent still work."
            )
            % {"minutes": pause.window_minutes, "time": timezone.localtime(pause.until).strftime("%H:%M")},
        )
        return self.render_to_response(self.get_context_data(form=form), status=429)
