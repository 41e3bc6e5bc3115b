"""The sign-in form: Django's, plus the directory's refusal of a person without a staff profile."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.directory import NO_STAFF_PROFILE


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        NO_STAFF_PROFILE: _(
            "The firm's directory accepted your password, but nobody on this system's staff list has your username "
            "or e-mail address, so you cannot sign in here. Ask the execution group to add you to the staff list "
            "or to record your e-mail address on your staff profile."
        ),
    }

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "directory_refusal", None) == NO_STAFF_PROFILE:
                raise ValidationError(self.error_messages[NO_STAFF_PROFILE], code=NO_STAFF_PROFILE) from None
            raise
