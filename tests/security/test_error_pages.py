"""Error pages in production: friendly, in the user's language, never a stack trace."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.security.urls_for_errors")]


def english_client(**kwargs):
    client = Client(raise_request_exception=False, **kwargs)
    client.cookies["django_language"] = "en"
    return client


@override_settings(DEBUG=False)
def test_a_view_that_fails_shows_the_friendly_500_page_without_a_traceback():
    # When a view raises
    response = english_client().get("/test-boom/")
    page = response.content.decode()
    # Then the user sees our page, and nothing of the error
    assert response.status_code == 500
    assert "Something went wrong" in page
    assert "Back to the home page" in page
    for leak in ("Traceback", "SecretError", "hunter2", "/srv/secret", "settings.py"):
        assert leak not in page


@override_settings(DEBUG=False)
def test_the_500_page_is_in_chinese_by_default():
    client = Client(raise_request_exception=False)
    response = client.get("/test-boom/")
    page = response.content.decode()
    assert response.status_code == 500
    assert 'lang="zh-hans"' in page
    assert "Traceback" not in page


@override_settings(DEBUG=False)
def test_a_refusal_shows_the_403_page_with_its_reason(firm):
    client = english_client()
    client.force_login(firm.lawyer)
    response = client.get("/test-refuse/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "Access refused" in page
    assert "Only members of the execution group may do this." in page


@override_settings(DEBUG=False)
def test_a_wrong_role_gets_the_403_page(firm):
    client = english_client()
    client.force_login(firm.lawyer)
    response = client.get(reverse("reviews:people"))
    assert response.status_code == 403
    assert "Your role does not allow you to open this page" in response.content.decode()


@override_settings(DEBUG=False)
def test_an_unknown_address_gets_the_404_page(firm):
    client = english_client()
    client.force_login(firm.lawyer)
    response = client.get("/people/scorecards/999999/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page
    assert "Back to the home page" in page


@override_settings(DEBUG=False)
def test_a_bad_request_gets_the_400_page():
    response = english_client().get("/test-suspicious/")
    page = response.content.decode()
    assert response.status_code == 400
    assert "Bad request" in page
    assert "tampered" not in page


@override_settings(DEBUG=False, ALLOWED_HOSTS=["kpi.firm.example"])
def test_an_unknown_host_gets_the_400_page_not_an_error():
    response = english_client(HTTP_HOST="evil.example").get("/")
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()
