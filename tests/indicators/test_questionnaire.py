"""Client questionnaires: single-use links the administrative clerks send, answered without login."""

import datetime
import hashlib
import re
import threading
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import translation

from clients.models import ChangeRecord, Client, SatisfactionSurvey
from indicators.models import QuestionnaireLink
from indicators.questionnaire import (
    QuestionnaireLinkUnavailable,
    questionnaire_answer,
    questionnaire_link_create,
)
from notifications.models import Notice

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# 17:30 UTC on 15 August is already 16 August in Shanghai.
NOW = datetime.datetime(2026, 8, 15, 17, 30, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 8, 16)
ANSWERS = {"service_quality": "5", "communication": "4", "outcome": "3", "comment": "Very responsive team"}


@pytest.fixture(autouse=True)
def in_english(client):
    # Clerk pages are asserted in English, whatever the catalogue of the default language holds.
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def customer(db):
    return Client.objects.create(
        code="C-0001", name="华夏科技有限公司", kind="organisation", email="legal@huaxia.example"
    )


def new_link(firm, customer, **kwargs):
    kwargs.setdefault("language", "en")
    return questionnaire_link_create(client=customer, staff=firm.lawyer.profile, by=firm.admin_clerk, **kwargs)


def answer_url(token):
    return reverse("questionnaire:answer", kwargs={"token": token})


def text(response):
    return response.content.decode()


# Creating links


def test_the_administrative_clerk_creates_a_link_and_emails_it_in_the_clients_language(
    firm, customer, client_for, django_capture_on_commit_callbacks
):
    client = client_for(firm.admin_clerk)
    # The e-mail goes once the link is committed
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("indicators:questionnaire_link_create"),
            {
                "client": "C-0001",
                "staff": firm.lawyer.profile.pk,
                "language": "en",
                "expires_on": "",
                "send_email": "on",
            },
            follow=True,
        )
    link = QuestionnaireLink.objects.get()
    # The link is valid for 30 days from today in Shanghai, and was e-mailed once to the client's address
    assert (link.client, link.staff, link.language) == (customer, firm.lawyer.profile, "en")
    assert link.expires_on == TODAY + datetime.timedelta(days=30)
    assert link.emailed_to == "legal@huaxia.example" and link.created_by == firm.admin_clerk
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["legal@huaxia.example"]
    assert "how satisfied are you with our service?" in email.subject
    url = re.search(r"http\S+/q/(\S+)/", email.body)
    assert url and "陈静" in email.body and "2026-09-15" in email.body
    html, mime = email.alternatives[0]
    assert mime == "text/html" and url.group(0) in html
    # Only the hash of the token is stored; the page shows the same link once
    token = url.group(1)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in link.token_hash
    # (the e-mail's text went through the outbox, which keeps none of it once the mail server has it)
    assert not Notice.objects.filter(body_text__contains=token).exists()
    assert not Notice.objects.filter(body_html__contains=token).exists()
    assert url.group(0) in text(response) and "e-mailed to legal@huaxia.example" in text(response)
    again = client.get(reverse("indicators:questionnaire_link_created", args=[link.pk]))
    assert token not in text(again) and "shown only once" in text(again)


def test_a_link_for_a_client_without_email_cannot_be_emailed_and_is_not_created(firm, customer, client_for):
    customer.email = ""
    customer.save()
    response = client_for(firm.admin_clerk).post(
        reverse("indicators:questionnaire_link_create"),
        {"client": "C-0001", "staff": firm.lawyer.profile.pk, "language": "zh-hans", "send_email": "on"},
    )
    assert response.status_code == 400
    assert "This client has no e-mail address" in text(response)
    assert not QuestionnaireLink.objects.exists() and not mail.outbox


def test_the_admin_clerk_issues_a_questionnaire_about_themselves_and_is_refused(firm, customer, client_for):
    # A link is a survey about its staff member: whoever issues it could answer it themselves.
    response = client_for(firm.admin_clerk).post(
        reverse("indicators:questionnaire_link_create"),
        {"client": "C-0001", "staff": firm.admin_clerk.profile.pk, "language": "zh-hans"},
    )
    assert response.status_code == 400
    assert "This record counts towards your own score" in text(response)
    assert not QuestionnaireLink.objects.exists() and not mail.outbox


def test_an_unknown_client_code_or_a_past_expiry_is_refused_next_to_the_field(firm, customer, client_for):
    client = client_for(firm.admin_clerk)
    unknown = client.post(
        reverse("indicators:questionnaire_link_create"),
        {"client": "C-9999", "staff": firm.lawyer.profile.pk, "language": "en"},
    )
    past = client.post(
        reverse("indicators:questionnaire_link_create"),
        {"client": "C-0001", "staff": firm.lawyer.profile.pk, "language": "en", "expires_on": "2026-08-15"},
    )
    assert "No client has this code." in text(unknown)
    assert "The expiry date cannot be in the past." in text(past)
    assert not QuestionnaireLink.objects.exists()


@pytest.mark.parametrize("persona", ["lawyer", "business_clerk", "finance_clerk", "executor", "partner"])
def test_only_the_administrative_clerks_create_links(firm, customer, client_for, persona):
    client = client_for(getattr(firm, persona))
    assert client.get(reverse("indicators:questionnaire_link_create")).status_code == 403
    response = client.post(
        reverse("indicators:questionnaire_link_create"),
        {"client": "C-0001", "staff": firm.lawyer.profile.pk, "language": "en"},
    )
    assert response.status_code == 403
    assert not QuestionnaireLink.objects.exists()


def test_the_link_list_is_hidden_from_lawyers_and_other_clerks(firm, client_for):
    for persona in (firm.lawyer, firm.business_clerk, firm.assistant):
        assert client_for(persona).get(reverse("indicators:questionnaire_links")).status_code == 403


def test_anonymous_visitors_are_sent_to_login_from_the_clerk_pages(client):
    for url in (reverse("indicators:questionnaire_links"), reverse("indicators:questionnaire_link_create")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_clerk_sees_each_link_as_open_used_or_expired(firm, customer, client_for):
    # Given three links: one answered, one past its date, one still open
    _, used_token = new_link(firm, customer)
    questionnaire_answer(token=used_token, service_quality=5, communication=5, outcome=5)
    expired, _ = new_link(firm, customer)
    QuestionnaireLink.objects.filter(pk=expired.pk).update(expires_on=TODAY - datetime.timedelta(days=1))
    new_link(firm, customer)
    # Then the list shows one of each, with the answered link's survey reference
    body = text(client_for(firm.admin_clerk).get(reverse("indicators:questionnaire_links")))
    table = body.split('id="links"', 1)[1]
    assert table.count(">Answered</span>") == 1
    assert table.count(">Expired</span>") == 1
    assert table.count(">Open</span>") == 1
    assert SatisfactionSurvey.objects.get().ref in table
    only_open = text(client_for(firm.admin_clerk).get(reverse("indicators:questionnaire_links") + "?status=open"))
    assert only_open.split('id="links"', 1)[1].count("华夏科技有限公司") == 1


# Answering


def test_anyone_with_a_valid_link_sees_the_three_questions_without_logging_in(firm, customer, client):
    _, token = new_link(firm, customer, language="en")
    page = client.get(answer_url(token))
    body = text(page)
    assert page.status_code == 200
    assert 'lang="en"' in body and "陈静" in body and "华夏科技有限公司" in body
    for question in ("quality of our service", "efficiently we communicated", "outcome of your matter"):
        assert question in body
    assert body.count('type="radio"') == 15


def test_a_chinese_link_opens_in_chinese_and_the_client_can_switch(firm, customer, client):
    _, token = new_link(firm, customer, language="zh-hans")
    assert '<html lang="zh-hans">' in text(client.get(answer_url(token)))
    assert '<html lang="en">' in text(client.get(answer_url(token) + "?lang=en"))


def language_switch(body):
    """The language the page's switch offers (its ?lang= link), or None without a switch."""
    match = re.search(r'<a [^>]*href="\?lang=([\w-]+)"', body)
    return match.group(1) if match else None


def assert_switches_language(client, url, *, status, first, then):
    """The page at `url` is in `first` and offers `then`; following the switch shows it in `then`, offering `first`."""
    page = client.get(url)
    body = text(page)
    assert page.status_code == status
    assert f'<html lang="{first[0]}">' in body and first[1] in body
    assert language_switch(body) == then[0]
    switched = client.get(url.split("?")[0] + f"?lang={then[0]}")
    body = text(switched)
    assert switched.status_code == status
    assert f'<html lang="{then[0]}">' in body and then[1] in body and first[1] not in body
    assert language_switch(body) == first[0]


def test_the_thanks_page_offers_the_other_language(client):
    url = reverse("questionnaire:thanks") + "?lang=zh-hans"
    chinese, english = ("zh-hans", "您的答案已记录。"), ("en", "Your answers have been recorded.")
    assert_switches_language(client, url, status=200, first=chinese, then=english)
    assert_switches_language(
        client, reverse("questionnaire:thanks") + "?lang=en", status=200, first=english, then=chinese
    )


def test_the_thanks_page_after_answering_keeps_the_clients_language_and_offers_the_other(firm, customer, client):
    _, token = new_link(firm, customer, language="zh-hans")
    thanks = client.post(answer_url(token), ANSWERS, follow=True)
    assert '<html lang="zh-hans">' in text(thanks) and language_switch(text(thanks)) == "en"


def test_the_page_of_a_used_link_offers_the_other_language(firm, customer, client):
    _, token = new_link(firm, customer, language="zh-hans")
    client.post(answer_url(token), ANSWERS)
    assert_switches_language(
        client,
        answer_url(token),
        status=410,
        first=("zh-hans", "该问卷已填写完毕。"),
        then=("en", "This questionnaire has already been answered."),
    )
    assert SatisfactionSurvey.objects.count() == 1


def test_the_page_of_an_expired_link_offers_the_other_language(firm, customer, client):
    _, token = new_link(firm, customer, language="en", expires_on=TODAY)
    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        assert_switches_language(
            client,
            answer_url(token),
            status=410,
            first=("en", "This questionnaire link has expired."),
            then=("zh-hans", "该问卷链接已过期。"),
        )


def test_the_page_of_an_unknown_link_offers_the_other_language(client):
    assert_switches_language(
        client,
        answer_url("not-a-real-token"),
        status=404,
        first=("zh-hans", "该问卷链接无效"),
        then=("en", "This questionnaire link is not valid."),
    )


def test_an_answer_becomes_a_web_survey_dated_today_in_shanghai_and_uses_the_link_up(firm, customer, client):
    link, token = new_link(firm, customer)
    response = client.post(answer_url(token), ANSWERS, follow=True)
    assert "Your answers have been recorded." in text(response)
    survey = SatisfactionSurvey.objects.get()
    assert survey.channel == SatisfactionSurvey.Channel.WEB
    assert survey.surveyed_on == TODAY
    assert survey.ref == f"Q-20260816-{link.pk}"
    assert (survey.client, survey.staff) == (customer, firm.lawyer.profile)
    assert (survey.service_quality, survey.communication, survey.outcome) == (5, 4, 3)
    assert survey.comment == "Very responsive team"
    link.refresh_from_db()
    assert link.used_at == NOW and link.survey == survey
    # The change log records where the survey came from
    assert ChangeRecord.objects.filter(object_id=str(survey.pk), note="web questionnaire").exists()


def test_a_link_works_only_once(firm, customer, client):
    _, token = new_link(firm, customer)
    client.post(answer_url(token), ANSWERS)
    again = client.get(answer_url(token))
    assert again.status_code == 410
    assert "This questionnaire has already been answered." in text(again)
    resubmit = client.post(answer_url(token), {**ANSWERS, "service_quality": "1"})
    assert resubmit.status_code == 410
    assert SatisfactionSurvey.objects.count() == 1
    assert SatisfactionSurvey.objects.get().service_quality == 5


def test_an_expired_link_shows_a_clear_page_and_records_nothing(firm, customer, client):
    link, token = new_link(firm, customer, expires_on=TODAY)
    # The link is still good on its last day
    assert client.get(answer_url(token)).status_code == 200
    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        page = client.get(answer_url(token))
        post = client.post(answer_url(token), ANSWERS)
    assert page.status_code == 410 and "This questionnaire link has expired." in text(page)
    assert post.status_code == 410
    assert not SatisfactionSurvey.objects.exists()
    link.refresh_from_db()
    assert link.used_at is None


def test_an_unknown_link_is_not_found_and_records_nothing(client):
    # The public page speaks Chinese unless the link asks for English (?lang=en).
    page = client.post(answer_url("not-a-real-token") + "?lang=en", ANSWERS)
    assert page.status_code == 404
    assert "This questionnaire link is not valid." in text(page)
    assert not SatisfactionSurvey.objects.exists()


def test_a_missing_answer_is_shown_next_to_the_question_and_keeps_the_link_open(firm, customer, client):
    link, token = new_link(firm, customer)
    response = client.post(answer_url(token), {"service_quality": "5", "communication": "9", "comment": "x"})
    assert response.status_code == 400
    assert text(response).count("Please choose a score from 1 to 5.") == 2
    assert not SatisfactionSurvey.objects.exists()
    link.refresh_from_db()
    assert link.used_at is None


def test_the_service_refuses_a_used_link(firm, customer):
    _, token = new_link(firm, customer)
    questionnaire_answer(token=token, service_quality=4, communication=4, outcome=4)
    with pytest.raises(QuestionnaireLinkUnavailable) as unavailable:
        questionnaire_answer(token=token, service_quality=1, communication=1, outcome=1)
    assert unavailable.value.reason == "used"
    assert SatisfactionSurvey.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks (PostgreSQL)")
# The flush after this test removes reference data; indicators.reference_data puts it back on post_migrate.
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_make_one_survey(firm, customer):
    # Given one link, when two requests submit it at the same moment
    _, token = new_link(firm, customer)
    start = threading.Barrier(2)
    outcomes = []

    def submit():
        start.wait()
        try:
            questionnaire_answer(token=token, service_quality=5, communication=5, outcome=5)
            outcomes.append("recorded")
        except QuestionnaireLinkUnavailable as unavailable:
            outcomes.append(unavailable.reason)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then one is recorded and the other finds the link used
    assert sorted(outcomes) == ["recorded", "used"]
    assert SatisfactionSurvey.objects.count() == 1
