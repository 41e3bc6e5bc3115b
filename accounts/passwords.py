"""Password-reset requests are limited per address and per e-mail address (docs/operations.md, "Sign-in and
password-reset limits"): nobody can flood a colleague's inbox or probe the site with reset e-mails."""

from django.conf import settings
from django.utils import timezone

from accounts import throttle

ADDRESS_BUCKET = "reset.address"
ACCOUNT_BUCKET = "reset.account"


def limits():
    window = settings.PASSWORD_RESET_WINDOW
    return (
        throttle.Limit(ADDRESS_BUCKET, settings.PASSWORD_RESET_LIMIT_PER_ADDRESS, window),
        throttle.Limit(ACCOUNT_BUCKET, settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT, window),
    )


def account_key(email: str) -> str:
    # Keyed by the address typed, not by an account: the answer is then the same whether an account has it.
    return (email or "").strip().casefold()


def password_reset_request_admit(*, address: str, email: str, now=None) -> throttle.Pause | None:
    """Count one reset request, or return the pause that refuses it (and count nothing)."""
    now = now or timezone.now()
    by_address, by_account = limits()
    key = account_key(email)
    pauses = [
        pause
        for pause in (
            throttle.pause_for(by_address, address, kind="address", now=now),
            throttle.pause_for(by_account, key, kind="account", now=now),
        )
        if pause is not None
    ]
    if pauses:
        return max(pauses, key=lambda pause: pause.until)
    throttle.record(by_address, address, now=now)
    throttle.record(by_account, key, now=now)
    return None
