"""Login throttling (django-axes): five failures lock one username from one address for fifteen minutes."""

import pytest
from axes.models import AccessAttempt
from django.test import override_settings
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("axes_on")]

PASSWORD = "pw-for-tests-1"  # tests/personas.py


@pytest.fixture
def axes_on():
    # The test settings switch axes off for Client.login(); here we sign in through the real form.
    with override_settings(AXES_ENABLED=True):
        yield


def sign_in(client, username, password, ip):
    client.cookies["django_language"] = "en"
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail_five_times(client, username, ip):
    for _ in range(5):
        response = sign_in(client, username, "wrong-password", ip)
    return response


def test_five_bad_passwords_lock_that_username_from_that_address(firm, client):
    # Given five wrong passwords for the lawyer from one address
    last = fail_five_times(client, "lawyer", "10.0.0.1")
    # Then the fifth answer is already the lockout page, in the user's language, with status 429
    assert last.status_code == 429
    assert "Sign-in paused" in last.content.decode()
    # When the right password is then typed from the same address
    response = sign_in(client, "lawyer", PASSWORD, "10.0.0.1")
    # Then the lawyer is still not signed in and sees how long the pause lasts
    page = response.content.decode()
    assert response.status_code == 429
    assert "paused for 15 minutes" in page
    assert "_auth_user_id" not in client.session
    attempt = AccessAttempt.objects.get(username="lawyer", ip_address="10.0.0.1")
    assert attempt.failures_since_start >= 5


def test_four_bad_passwords_do_not_lock(firm, client):
    # Given four wrong passwords
    for _ in range(4):
        sign_in(client, "lawyer", "wrong-password", "10.0.0.1")
    # When the right one follows
    response = sign_in(client, "lawyer", PASSWORD, "10.0.0.1")
    # Then the lawyer is signed in
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(firm.lawyer.pk)


def test_the_same_username_from_another_address_is_not_locked(firm, client):
    # Given someone locked the lawyer's username from their own machine
    fail_five_times(client, "lawyer", "10.0.0.66")
    # When the lawyer signs in from their desk
    response = sign_in(client, "lawyer", PASSWORD, "10.0.0.7")
    # Then it works: nobody can lock a colleague out just by typing their username
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(firm.lawyer.pk)


def test_another_user_at_the_locked_address_is_not_locked(firm, client):
    # Given the lawyer's username is locked from one address (a shared office computer)
    fail_five_times(client, "lawyer", "10.0.0.1")
    # When a colleague signs in from the same address
    response = sign_in(client, "colleague", PASSWORD, "10.0.0.1")
    # Then the colleague gets in
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(firm.colleague.pk)


def test_the_lock_ends_after_the_cool_off(firm, client, time_machine):
    # Given the lawyer's username was locked from one address
    time_machine.move_to("2026-10-05 09:00:00+08:00", tick=False)
    fail_five_times(client, "lawyer", "10.0.0.1")
    # When sixteen minutes have passed
    time_machine.move_to("2026-10-05 09:16:00+08:00", tick=False)
    response = sign_in(client, "lawyer", PASSWORD, "10.0.0.1")
    # Then the right password works again
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(firm.lawyer.pk)


def test_a_successful_sign_in_resets_the_count(firm, client):
    # Given four failures, then a success, then four more failures from the same address
    for _ in range(4):
        sign_in(client, "lawyer", "wrong-password", "10.0.0.1")
    assert sign_in(client, "lawyer", PASSWORD, "10.0.0.1").status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, "lawyer", "wrong-password", "10.0.0.1")
    # When the right password is typed
    response = sign_in(client, "lawyer", PASSWORD, "10.0.0.1")
    # Then it works: the failures before the success no longer count
    assert response.status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_address_the_proxy_saw_counts_not_what_the_client_claims(firm, client):
    # Given the app sits behind one proxy, and an attacker sends a forged X-Forwarded-For each time
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5"):
        client.post(
            reverse("login"),
            {"username": "lawyer", "password": "wrong-password"},
            REMOTE_ADDR="10.9.9.9",
            HTTP_X_FORWARDED_FOR=f"{forged}, 203.0.113.5",
        )
    # When the attacker tries again with yet another forged address
    response = client.post(
        reverse("login"),
        {"username": "lawyer", "password": PASSWORD},
        REMOTE_ADDR="10.9.9.9",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5",
    )
    # Then the failures were all counted against the address the proxy saw, which is locked
    assert response.status_code == 429
    assert AccessAttempt.objects.get(username="lawyer").ip_address == "203.0.113.5"
