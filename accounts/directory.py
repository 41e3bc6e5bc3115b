"""Signing in with the firm's directory (docs/operations.md, "Signing in with LDAP").

The directory only vouches for the password. Who the person is in this system is the firm's own record: an
existing user with a staff profile, matched by the username typed or else by the directory's e-mail address. Nothing
is ever created or changed here (no user, no staff profile, no group: the governed groups are joined only through
their own path), and a user who may not sign in locally (inactive) may not sign in through the directory either.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django_auth_ldap.backend import LDAPBackend, _LDAPUser

# Why the directory accepted a password but this system refused the person; the sign-in form says it
# (accounts.forms.SignInForm). Only set after the directory checked the password, so it tells a guesser nothing.
NO_STAFF_PROFILE = "no_staff_profile"


def staff_user_for(*, username: str, emails) -> object | None:
    """The user with a staff profile whose username is `username` (any case), else the one whose e-mail is one of
    `emails`; None when there is none or the e-mail matches several."""
    users = get_user_model().objects.filter(profile__isnull=False)
    user = users.filter(username__iexact=username).first()
    if user is not None:
        return user
    addresses = [address for address in emails if address]
    if not addresses:
        return None
    matches = []
    for address in addresses:
        matches.extend(users.filter(email__iexact=address))
    distinct = {user.pk: user for user in matches}
    return next(iter(distinct.values())) if len(distinct) == 1 else None


class DirectoryBackend(LDAPBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        # Backends are made afresh for each authenticate() call (django.contrib.auth.get_backends), so the request
        # kept here belongs to this sign-in only.
        self._request = request
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_or_build_user(self, username, ldap_user):
        attribute = getattr(settings, "LDAP_EMAIL_ATTRIBUTE", "mail")
        emails = (ldap_user.attrs or {}).get(attribute, [])
        user = staff_user_for(username=username, emails=emails)
        if user is None:
            request = getattr(self, "_request", None)
            if request is not None:
                request.directory_refusal = NO_STAFF_PROFILE
            raise _LDAPUser.AuthenticationFailed("no user with a staff profile matches this directory account")
        if not user.is_active:
            raise _LDAPUser.AuthenticationFailed("the matching user is inactive")
        return user, False
