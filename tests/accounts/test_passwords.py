"""Password-reset requests are limited per address and per e-mail address, without telling who has an account."""

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def ask_for_reset(client, email, ip="203.0.113.9"):
    client.cookies["django_language"] = "en"
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_thirty_requests_for_the_lawyers_address_send_at_most_five_emails(firm, client):
    # Given someone asks thirty times for a reset e-mail to the lawyer's address
    responses = [ask_for_reset(client, firm.lawyer.email) for _ in range(30)]
    # Then the lawyer receives five e-mails, not thirty
    assert len(mail.outbox) == 5
    assert all(message.to == [firm.lawyer.email] for message in mail.outbox)
    # And from the sixth request on, the page says that nothing was sent and when to try again
    assert [r.status_code for r in responses[:5]] == [302] * 5
    refused = responses[5]
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Too many password-reset requests" in page and "no e-mail was sent now" in page
    assert "Links in e-mails already sent still work." in page


def test_requests_for_one_address_from_thirty_places_send_at_most_five_emails(firm, client):
    for n in range(30):
        ask_for_reset(client, firm.lawyer.email, ip=f"198.51.100.{n + 1}")
    assert len(mail.outbox) == 5


def test_requests_from_one_address_for_thirty_colleagues_send_at_most_five_emails(firm, client):
    # Given one address asks for reset e-mails for everyone in the firm, again and again
    emails = [user.email for user in firm.personas.values()]
    for n in range(30):
        ask_for_reset(client, emails[n % len(emails)])
    # Then at most five e-mails go out
    assert len(mail.outbox) == 5


def test_the_refusal_reads_the_same_whether_or_not_an_account_has_the_address(firm, client, time_machine):
    time_machine.move_to("2026-10-05 09:00:00+08:00", tick=False)
    # Given both an existing and an unknown e-mail address have used up their requests
    for _ in range(5):
        ask_for_reset(client, firm.lawyer.email, ip="198.51.100.1")
        ask_for_reset(client, "nobody@firm.example", ip="198.51.100.2")
    # When each is asked for once more
    known = ask_for_reset(client, firm.lawyer.email, ip="198.51.100.1")
    unknown = ask_for_reset(client, "nobody@firm.example", ip="198.51.100.2")
    # Then the two answers cannot be told apart
    assert known.status_code == unknown.status_code == 429
    assert page_without_token(known, firm.lawyer.email) == page_without_token(unknown, "nobody@firm.example")


def page_without_token(response, email):
    """The page with the typed address and the (per-request) CSRF token blanked out."""
    page = response.content.decode().replace(email, "EMAIL")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_the_limit_counts_an_address_however_it_is_capitalised(firm, client):
    for n in range(6):
        ask_for_reset(client, firm.lawyer.email.upper() if n % 2 else firm.lawyer.email, ip=f"198.51.100.{n + 1}")
    assert len(mail.outbox) == 5


def test_an_hour_later_the_lawyer_can_ask_again(firm, client, time_machine):
    time_machine.move_to("2026-10-05 09:00:00+08:00", tick=False)
    for _ in range(6):
        ask_for_reset(client, firm.lawyer.email)
    time_machine.move_to("2026-10-05 10:00:01+08:00", tick=False)
    assert ask_for_reset(client, firm.lawyer.email).status_code == 302
    assert len(mail.outbox) == 6


def test_requests_older_than_the_window_are_not_kept(firm, client, time_machine):
    from accounts.models import ThrottleHit

    time_machine.move_to("2026-10-05 09:00:00+08:00", tick=False)
    for n in range(5):
        ask_for_reset(client, f"someone{n}@elsewhere.example", ip=f"198.51.100.{n + 1}")
    time_machine.move_to("2026-10-05 11:00:00+08:00", tick=False)
    ask_for_reset(client, firm.lawyer.email, ip="198.51.100.99")
    assert ThrottleHit.objects.count() == 2  # the new request, by address and by e-mail address
