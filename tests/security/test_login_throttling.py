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


# --- Password spraying from one address, guessing one username from many (docs/operations.md) --------------

USERNAMES = ("partner", "executor", "superior", "lawyer", "colleague", "assistant", "outsider", "admclerk")


def spray(client, ip, count, usernames=USERNAMES):
    """`count` failed sign-ins from one address, a few tries per username so no (username, address) pair locks."""
    for n in range(count):
        sign_in(client, usernames[n % len(usernames)], f"guess-{n}", ip)


def test_password_spraying_from_one_address_is_paused_after_twenty_failures(firm, client):
    # Given an outsider at one address tries one password after another across the firm's usernames: 20 failures,
    # never more than three per username (the (username, address) limit of five is never reached)
    spray(client, "203.0.113.66", 20)
    # When the sprayer then tries the lawyer's real password from the same address
    response = sign_in(client, "lawyer", PASSWORD, "203.0.113.66")
    # Then the address is paused: nobody is signed in and the page says why and until when
    page = response.content.decode()
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "20 failed sign-ins from your address" in page
    assert "signing in from this address is paused until" in page


def test_nineteen_failures_from_one_address_still_let_a_right_password_in(firm, client):
    spray(client, "203.0.113.66", 19)
    response = sign_in(client, "lawyer", PASSWORD, "203.0.113.66")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(firm.lawyer.pk)


def test_the_address_pause_does_not_touch_people_at_other_addresses(firm, client):
    # Given a sprayer's address is paused
    spray(client, "203.0.113.66", 20)
    # When the partner signs in from the office
    response = sign_in(client, "partner", PASSWORD, "10.0.0.5")
    # Then the partner gets in
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(firm.partner.pk)


def test_the_address_pause_ends_fifteen_minutes_after_the_oldest_counted_failure(firm, client, time_machine):
    time_machine.move_to("2026-10-05 09:00:00+08:00", tick=False)
    spray(client, "203.0.113.66", 20)
    time_machine.move_to("2026-10-05 09:14:00+08:00", tick=False)
    assert sign_in(client, "lawyer", PASSWORD, "203.0.113.66").status_code == 429
    time_machine.move_to("2026-10-05 09:15:01+08:00", tick=False)
    response = sign_in(client, "lawyer", PASSWORD, "203.0.113.66")
    assert response.status_code == 302


def test_guessing_the_partners_password_from_many_addresses_is_paused(firm, client):
    # Given a botnet tries the partner's username once from each of ten addresses
    for n in range(10):
        sign_in(client, "partner", f"guess-{n}", f"198.51.100.{n + 1}")
    # When an eleventh address tries, even with the right password
    response = sign_in(client, "partner", PASSWORD, "198.51.100.99")
    # Then the username is paused on addresses it never signed in from
    page = response.content.decode()
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "10 failed sign-ins for this username" in page
    assert "on computers it has not signed in from before" in page


def test_the_partner_still_signs_in_at_their_usual_computer_while_their_username_is_paused(firm, client):
    # Given the partner signed in at the office computer last week
    assert sign_in(client, "partner", PASSWORD, "10.0.0.5").status_code == 302
    client.logout()
    # And someone then types wrong passwords for the partner from ten other addresses (a deliberate lock-out)
    for n in range(10):
        sign_in(client, "partner", f"guess-{n}", f"198.51.100.{n + 1}")
    assert sign_in(client, "partner", PASSWORD, "198.51.100.99").status_code == 429
    # When the partner signs in at the office computer
    response = sign_in(client, "partner", PASSWORD, "10.0.0.5")
    # Then it works: nobody can lock the partner out of their own computer
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(firm.partner.pk)


def test_the_username_pause_does_not_touch_other_usernames(firm, client):
    for n in range(10):
        sign_in(client, "partner", f"guess-{n}", f"198.51.100.{n + 1}")
    response = sign_in(client, "lawyer", PASSWORD, "198.51.100.99")
    assert response.status_code == 302


def test_the_username_pause_ends_ten_minutes_after_the_oldest_counted_failure(firm, client, time_machine):
    time_machine.move_to("2026-10-05 09:00:00+08:00", tick=False)
    for n in range(10):
        sign_in(client, "partner", f"guess-{n}", f"198.51.100.{n + 1}")
    time_machine.move_to("2026-10-05 09:10:01+08:00", tick=False)
    assert sign_in(client, "partner", PASSWORD, "198.51.100.99").status_code == 302


def test_refused_attempts_during_a_pause_do_not_make_it_longer(firm, client, time_machine):
    # Given the address was paused at 09:00
    time_machine.move_to("2026-10-05 09:00:00+08:00", tick=False)
    spray(client, "203.0.113.66", 20)
    # When the sprayer keeps trying every minute
    for minute in range(1, 15):
        time_machine.move_to(f"2026-10-05 09:{minute:02d}:00+08:00", tick=False)
        assert sign_in(client, "lawyer", "still-guessing", "203.0.113.66").status_code == 429
    # Then the pause still ends when announced
    time_machine.move_to("2026-10-05 09:15:01+08:00", tick=False)
    assert sign_in(client, "lawyer", PASSWORD, "203.0.113.66").status_code == 302


@pytest.mark.parametrize(
    "command, args",
    [("axes_reset_ip", ["203.0.113.66"]), ("axes_reset", [])],
)
def test_an_administrator_lifts_an_address_pause_with_the_axes_commands(firm, client, command, args):
    from django.core.management import call_command

    spray(client, "203.0.113.66", 20)
    call_command(command, *args, stdout=__import__("io").StringIO())
    assert sign_in(client, "lawyer", PASSWORD, "203.0.113.66").status_code == 302


def test_an_administrator_lifts_a_username_pause_with_axes_reset_username(firm, client):
    from django.core.management import call_command

    for n in range(10):
        sign_in(client, "partner", f"guess-{n}", f"198.51.100.{n + 1}")
    call_command("axes_reset_username", "partner", stdout=__import__("io").StringIO())
    assert sign_in(client, "partner", PASSWORD, "198.51.100.99").status_code == 302


# --- Behind the documented reverse proxy (deploy.env.example) ------------------------------------------------

PROXY = "172.18.0.1"  # what REMOTE_ADDR is for every request that comes through the proxy


def sign_in_via_proxy(client, username, password, client_address):
    client.cookies["django_language"] = "en"
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=client_address,
    )


def test_the_deployment_example_trusts_exactly_the_one_documented_proxy():
    from django.conf import settings as django_settings

    example = (django_settings.BASE_DIR / "deploy.env.example").read_text()
    values = dict(line.split("=", 1) for line in example.splitlines() if line and not line.startswith("#"))
    assert values["TRUSTED_PROXY_COUNT"] == "1"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_one_users_failures_from_one_address_do_not_lock_another_user(firm, client):
    # Given someone at one address fails five times for the lawyer and sprays the rest of the firm, all through
    # the proxy
    for _ in range(5):
        sign_in_via_proxy(client, "lawyer", "wrong-password", "203.0.113.66")
    for n in range(15):
        sign_in_via_proxy(client, USERNAMES[n % 3], f"guess-{n}", "203.0.113.66")
    assert sign_in_via_proxy(client, "partner", PASSWORD, "203.0.113.66").status_code == 429
    # When the partner and the lawyer sign in from their own computers, through the same proxy
    partner = sign_in_via_proxy(client, "partner", PASSWORD, "10.0.0.5")
    assert partner.status_code == 302 and client.session["_auth_user_id"] == str(firm.partner.pk)
    client.logout()
    lawyer = sign_in_via_proxy(client, "lawyer", PASSWORD, "10.0.0.7")
    # Then both get in: the failures were counted against the address the proxy saw
    assert lawyer.status_code == 302 and client.session["_auth_user_id"] == str(firm.lawyer.pk)


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_with_a_count_of_zero_behind_a_proxy_anyone_locks_anyone_out(firm, client):
    # What docs/operations.md warns of: every request seems to come from the proxy, so five wrong passwords for
    # the partner from anywhere lock the partner out everywhere.
    for _ in range(5):
        sign_in_via_proxy(client, "partner", "wrong-password", "203.0.113.66")
    response = sign_in_via_proxy(client, "partner", PASSWORD, "10.0.0.5")
    assert response.status_code == 429
