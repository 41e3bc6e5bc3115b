"""Security headers on every page, and sessions that end."""

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_page_carries_the_security_headers(firm, client_for):
    # When a signed-in lawyer opens the home page
    response = client_for(firm.lawyer).get(reverse("home"))
    # Then the browser is told to run only this site's own scripts and to keep the page to itself
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "img-src 'self' data:" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_the_sign_in_page_and_error_pages_carry_them_too(client):
    for response in (client.get(reverse("login")), client.get("/no-such-page/")):
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"


def test_the_base_page_has_no_inline_script(firm, client_for):
    # The policy forbids inline scripts, so the layout every page extends must not need one.
    page = client_for(firm.lawyer).get(reverse("home")).content.decode()
    for chunk in page.split("<script")[1:]:
        assert chunk.split(">", 1)[0].strip().startswith("src="), chunk[:80]


@override_settings(AXES_ENABLED=False)
def test_a_session_lasts_a_working_day_at_most_and_ends_with_the_browser(firm, client):
    # When the lawyer signs in through the form
    response = client.post(reverse("login"), {"username": "lawyer", "password": "pw-for-tests-1"})
    assert response.status_code == 302
    # Then the session expires after eight hours on the server
    assert client.session.get_expiry_age() == 8 * 60 * 60
    # And its cookie lives only as long as the browser, out of scripts' reach, not sent by other sites' forms
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_cookie_and_password_settings():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.CSRF_COOKIE_SAMESITE == "Lax"
    validators = [v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert validators == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_a_short_password_is_refused_when_changing_it(firm, client_for):
    client = client_for(firm.lawyer)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw-for-tests-1", "new_password1": "short-1", "new_password2": "short-1"},
    )
    assert response.status_code == 200
    assert "at least 10 characters" in response.content.decode()
    firm.lawyer.refresh_from_db()
    assert firm.lawyer.check_password("pw-for-tests-1")
