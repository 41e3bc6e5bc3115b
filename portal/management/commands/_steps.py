"""What the quarter-step commands share (docs/first-quarter.md): who acts (--by) and how a refusal reads.

Each command takes the same step as a button on the Quarters or Schemes page, through the same service, so the
step is recorded under the named person exactly as if they had clicked it (regulation 二.1, 二.2)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from lawfirm_kpi.text import sentences_join
from reviews.roles import roles_of


def acting_user(username, *, missing):
    """The active user named by --by; the step is recorded under their name. `missing`: what to say without --by."""
    if not username:
        raise CommandError(missing)
    user_model = get_user_model()
    user = user_model.objects.filter(**{user_model.USERNAME_FIELD: username}, is_active=True).first()
    if user is None:
        raise CommandError(_("There is no active user “%(username)s”.") % {"username": username})
    return user


def require_group(user, *, leadership):
    """Refuse early, with the group named, when --by is not in the group that takes this step."""
    roles = roles_of(user)
    if leadership and not roles.is_leadership:
        raise CommandError(
            _("%(username)s is not a member of the leadership group, which alone takes this step. Nothing was changed.")
            % {"username": user.get_username()}
        )
    if not leadership and not roles.is_execution:
        raise CommandError(
            _("%(username)s is not a member of the execution group, which alone takes this step. Nothing was changed.")
            % {"username": user.get_username()}
        )


def refusal_text(error):
    """A service's refusal as one sentence list, ending with the fact that nothing changed."""
    if isinstance(error, ValidationError):
        text = sentences_join(error.messages)
    elif isinstance(error, PermissionDenied):
        text = str(error) or _("You may not take this step.")
    else:
        text = getattr(error, "message", None) or str(error)
    nothing = _("Nothing was changed.")
    return text if nothing in text else sentences_join([text, nothing])
