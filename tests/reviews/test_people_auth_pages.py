"""Sign-in, sign-out, password change and reset work in both languages."""

import re

import pytest
from django.core import mail
from django.urls import reverse

# Django's own catalogue translates the auth forms' labels, so each language shows its own words.
LANGUAGES = {
    "en": {"lang": 'lang="en"', "username": "Username", "old_password": "Old password", "email": "Email"},
    "zh-hans": {"lang": 'lang="zh-hans"', "username": "用户名", "old_password": "旧密码", "email": "电子邮件"},
}


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_sign_in_page_speaks_the_chosen_language(db, client, language):
    client.cookies["django_language"] = language
    text = client.get(reverse("login")).content.decode()
    assert LANGUAGES[language]["lang"] in text
    assert LANGUAGES[language]["username"] in text
    assert reverse("password_reset") in text


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_password_pages_speak_the_chosen_language(firm, client_for, language):
    browser = client_for(firm.lawyer)
    browser.cookies["django_language"] = language
    change = browser.get(reverse("password_change")).content.decode()
    assert LANGUAGES[language]["lang"] in change and LANGUAGES[language]["old_password"] in change
    assert LANGUAGES[language]["lang"] in browser.get(reverse("password_change_done")).content.decode()
    browser.logout()
    browser.cookies["django_language"] = language
    for name in ("password_reset", "password_reset_done", "password_reset_complete"):
        text = browser.get(reverse(name)).content.decode()
        assert LANGUAGES[language]["lang"] in text, name
    assert LANGUAGES[language]["email"] in browser.get(reverse("password_reset")).content.decode()


def test_signing_in_switches_to_the_persons_language_and_signing_out_returns_to_the_sign_in(firm, client):
    # The colleague prefers English.
    response = client.post(reverse("login"), {"username": "colleague", "password": "pw-for-tests-1"})
    assert response.status_code == 302 and client.cookies["django_language"].value == "en"
    assert 'lang="en"' in client.get(reverse("home")).content.decode()
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_a_wrong_password_is_refused_with_a_message(firm, client):
    client.cookies["django_language"] = "en"
    response = client.post(reverse("login"), {"username": "lawyer", "password": "wrong"})
    assert response.status_code == 200 and "Please enter a correct username and password" in response.content.decode()


def test_a_password_change_takes_effect(firm, client_for, client):
    browser = client_for(firm.lawyer)
    response = browser.post(
        reverse("password_change"),
        {
            "old_password": "pw-for-tests-1",
            "new_password1": "another-long-pass-42",
            "new_password2": "another-long-pass-42",
        },
    )
    assert response["Location"] == reverse("password_change_done")
    browser.logout()
    assert client.login(username="lawyer", password="another-long-pass-42")


def test_a_password_reset_e_mails_a_link_that_sets_a_new_password(firm, client):
    # When the lawyer asks for a reset with their address
    response = client.post(reverse("password_reset"), {"email": "lawyer@firm.example"})
    assert response["Location"] == reverse("password_reset_done")
    # Then one e-mail goes to them with their username and a link
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lawyer@firm.example"] and "lawyer" in message.body
    link = re.search(r"https?://\S+(/accounts/reset/\S+/)", message.body).group(1)
    # And the link leads to a form that sets the new password
    form_page = client.get(link, follow=True)
    assert 'name="new_password1"' in form_page.content.decode()
    client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "reset-pass-9876x", "new_password2": "reset-pass-9876x"}
    )
    assert client.login(username="lawyer", password="reset-pass-9876x")


def test_a_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(firm, client):
    response = client.post(reverse("password_reset"), {"email": "nobody@elsewhere.example"})
    assert response["Location"] == reverse("password_reset_done")
    assert not mail.outbox
