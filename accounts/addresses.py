"""The client's address, as the sign-in and password-reset limits and the security log count it."""

from django.conf import settings


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the first one saw.

    Only the right-most entries of X-Forwarded-For were written by proxies we trust; anything left of them was
    sent by the client and is ignored, so nobody can pick the address their failures are counted against.
    What a wrong count does: docs/operations.md, "The reverse proxy and TRUSTED_PROXY_COUNT".
    """
    if request is None:
        return ""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or ""
