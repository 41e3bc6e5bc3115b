"""The appeal, its list and its attachments: the appellant and the two groups only; 404 for everyone else."""

import pytest
from django.urls import reverse

from tests.appeals.conftest import PDF, file_appeal, upload

ALLOWED = ("lawyer", "executor", "partner")
REFUSED = ("business_clerk", "finance_clerk", "admin_clerk", "superior", "colleague", "assistant", "outsider")


@pytest.fixture
def appeal(published):
    return file_appeal(published, attachments=[upload("证据.pdf", PDF)], reason="满意度录入错误 XYZ-REASON")


@pytest.mark.parametrize("persona", ALLOWED)
def test_the_appellant_and_the_groups_see_the_whole_appeal(appeal, published, client_for, persona):
    page = client_for(getattr(published.firm, persona)).get(reverse("appeals:detail", args=[appeal.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "XYZ-REASON" in text and "证据.pdf" in text and "陈静" in text


@pytest.mark.parametrize("persona", REFUSED)
def test_for_anyone_else_the_appeal_does_not_exist(appeal, published, client_for, persona):
    client = client_for(getattr(published.firm, persona))
    attachment = appeal.attachments.get()
    assert client.get(reverse("appeals:detail", args=[appeal.pk])).status_code == 404
    assert client.get(reverse("appeals:attachment", args=[appeal.pk, attachment.pk])).status_code == 404
    # Posting a step is no way in either
    response = client.post(reverse("appeals:detail", args=[appeal.pk]), {"action": "withdraw"})
    assert response.status_code == 404
    assert appeal.__class__.objects.get(pk=appeal.pk).status == "submitted"


@pytest.mark.parametrize("persona", REFUSED)
def test_the_list_shows_nobody_elses_appeal(appeal, published, client_for, persona):
    text = client_for(getattr(published.firm, persona)).get(reverse("appeals:list")).content.decode()
    assert reverse("appeals:detail", args=[appeal.pk]) not in text and "陈静" not in text
    assert "No appeals here." in text


@pytest.mark.parametrize("persona", ALLOWED)
def test_the_list_shows_the_appeal_to_the_appellant_and_the_groups(appeal, published, client_for, persona):
    text = client_for(getattr(published.firm, persona)).get(reverse("appeals:list")).content.decode()
    assert reverse("appeals:detail", args=[appeal.pk]) in text
    assert appeal.decision_due_on.isoformat() in text


@pytest.mark.parametrize("persona", ALLOWED)
def test_the_attachment_downloads_for_those_allowed(appeal, published, client_for, persona):
    attachment = appeal.attachments.get()
    response = client_for(getattr(published.firm, persona)).get(
        reverse("appeals:attachment", args=[appeal.pk, attachment.pk])
    )
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"


def test_an_attachment_is_reached_only_through_its_own_appeal(appeal, published, client_for):
    # Given the colleague's own appeal
    other = file_appeal(published, user=published.firm.colleague)
    attachment = appeal.attachments.get()
    # Then the colleague cannot fetch the lawyer's file through it
    client = client_for(published.firm.colleague)
    assert client.get(reverse("appeals:attachment", args=[other.pk, attachment.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(appeal, client):
    attachment = appeal.attachments.get()
    for url in (
        reverse("appeals:list"),
        reverse("appeals:detail", args=[appeal.pk]),
        reverse("appeals:attachment", args=[appeal.pk, attachment.pk]),
        reverse("appeals:file", args=[appeal.scorecard_id]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_an_unknown_appeal_is_404_even_for_the_groups(published, client_for):
    assert client_for(published.firm.executor).get(reverse("appeals:detail", args=[999999])).status_code == 404


def test_an_empty_queue_says_nothing_waits_and_offers_every_appeal(published, client_for):
    text = client_for(published.firm.executor).get(reverse("appeals:list")).content.decode()
    assert "No appeal is waiting for a decision." in text
    assert 'href="?status="' in text
