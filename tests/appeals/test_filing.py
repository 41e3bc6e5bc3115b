"""Filing an appeal: the window, one open appeal at a time, required fields, withdrawal."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from appeals import services
from appeals.lifecycle import AppealForbidden, AppealRefused
from appeals.models import Appeal, AppealEvent, AppealStatus
from appeals.selectors import filing_window
from indicators.models import Indicator
from tests.appeals.conftest import PDF, file_appeal, publish, satisfaction, under_review, upload


def test_before_publication_the_window_is_closed_and_filing_is_refused(scored):
    # Given draft results (the quarter is approved, not published)
    card = scored.card(scored.firm.lawyer)
    # Then the window says why, the service refuses, and the owner cannot even open the page
    window = filing_window(scorecard=card, today=timezone.localdate())
    assert not window.is_open and "not published yet" in window.reason
    with pytest.raises(ValidationError, match="not published yet"):
        file_appeal(scored)
    assert Appeal.objects.count() == 0


def test_before_publication_the_filing_page_does_not_exist_for_the_owner(scored, client_for):
    response = client_for(scored.firm.lawyer).get(reverse("appeals:file", args=[scored.card(scored.firm.lawyer).pk]))
    assert response.status_code == 404


def test_inside_the_window_the_owner_files_with_evidence(published, client_for, django_capture_on_commit_callbacks):
    # Given a result published yesterday
    firm = published.firm
    card = published.card(firm.lawyer)
    page = client_for(firm.lawyer).get(reverse("appeals:file", args=[card.pk]))
    assert page.status_code == 200 and "File the appeal" in page.content.decode()
    # When the lawyer files against the satisfaction line with a PDF
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(firm.lawyer).post(
            reverse("appeals:file", args=[card.pk]),
            {
                "indicators": [satisfaction().pk],
                "reason": "满意度调查录入错误",
                "expected_correction": "按 5 分计算",
                "attachments": [upload("调查表.pdf", PDF)],
            },
        )
    # Then the appeal exists, submitted, with its evidence, a deadline and a first event
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("appeals:detail", args=[appeal.pk])
    assert (appeal.status, appeal.scorecard, appeal.appellant) == (AppealStatus.SUBMITTED, card, firm.lawyer)
    assert list(appeal.indicators.all()) == [satisfaction()]
    assert appeal.decision_due_on == timezone.localdate() + datetime.timedelta(days=10)
    assert appeal.attachments.get().original_name == "调查表.pdf"
    assert AppealEvent.objects.get(appeal=appeal).to_status == AppealStatus.SUBMITTED
    # And the execution group is told by e-mail
    assert [m.to for m in mail.outbox] == [[firm.executor.email]]
    assert "陈静" in mail.outbox[0].subject


def test_the_last_day_of_the_window_is_still_open(scored):
    publish(scored.quarter, days_ago=7)
    assert filing_window(scorecard=scored.card(scored.firm.lawyer), today=timezone.localdate()).is_open


def test_after_the_window_the_page_says_it_is_closed_and_until_when(scored, client_for):
    # Given results published eight days ago (window of seven days)
    publish(scored.quarter, days_ago=8)
    card = scored.card(scored.firm.lawyer)
    published_on = timezone.localdate(scored.quarter.published_at)
    # When the lawyer opens the filing page
    page = client_for(scored.firm.lawyer).get(reverse("appeals:file", args=[card.pk])).content.decode()
    # Then it says the window is closed, with both dates, and offers no form
    assert "Appeals are closed for this result" in page
    assert published_on.isoformat() in page
    assert (published_on + datetime.timedelta(days=7)).isoformat() in page
    assert 'name="reason"' not in page
    with pytest.raises(ValidationError, match="closed"):
        file_appeal(scored)


def test_the_window_follows_the_quarters_own_setting(scored):
    scored.quarter.appeal_window_days = 10
    scored.quarter.save()
    publish(scored.quarter, days_ago=9)
    assert filing_window(scorecard=scored.card(scored.firm.lawyer), today=timezone.localdate()).is_open


def test_only_one_open_appeal_per_scorecard(published):
    first = file_appeal(published)
    # A second one is refused by the service with a clear message
    with pytest.raises(ValidationError, match="already have an open appeal"):
        file_appeal(published)
    # and by the database if two requests race past the check
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.create(
            quarter=first.quarter,
            scorecard=first.scorecard,
            staff=first.staff,
            appellant=first.appellant,
            reason="again",
            filed_at=timezone.now(),
            decision_due_on=first.decision_due_on,
        )
    assert Appeal.objects.count() == 1


def test_after_withdrawing_a_new_appeal_may_be_filed(published):
    first = file_appeal(published)
    services.appeal_withdraw(appeal=first, by=published.firm.lawyer, comment="已与主任沟通")
    second = file_appeal(published)
    assert {a.status for a in Appeal.objects.all()} == {AppealStatus.WITHDRAWN, AppealStatus.SUBMITTED}
    assert second.pk != first.pk


def test_the_reason_and_an_indicator_are_required(published, client_for):
    card = published.card(published.firm.lawyer)
    response = client_for(published.firm.lawyer).post(reverse("appeals:file", args=[card.pk]), {"reason": " "})
    page = response.content.decode()
    assert response.status_code == 200 and "This field is required." in page
    assert Appeal.objects.count() == 0
    with pytest.raises(ValidationError, match="why you think"):
        file_appeal(published, reason="  ")


def test_an_indicator_not_on_the_scorecard_is_refused(published):
    # The assistant's scorecard has no "new clients" line
    with pytest.raises(ValidationError, match="this scorecard only"):
        file_appeal(published, user=published.firm.assistant, indicators=[Indicator.objects.get(code="new_clients")])
    assert Appeal.objects.count() == 0


def test_nobody_appeals_against_someone_elses_result(published, client_for):
    firm = published.firm
    card = published.card(firm.lawyer)
    # The superior may read the scorecard but not appeal against it; the colleague may not even see it
    for user in (firm.superior, firm.colleague, firm.executor):
        assert client_for(user).get(reverse("appeals:file", args=[card.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.appeal_file(scorecard=card, by=firm.superior, indicators=[satisfaction()], reason="x")


def test_the_appellant_withdraws_before_a_decision_but_not_after(published):
    firm = published.firm
    appeal = under_review(published)
    services.appeal_withdraw(appeal=appeal, by=firm.lawyer)
    assert Appeal.objects.get().status == AppealStatus.WITHDRAWN
    decided = file_appeal(published)
    services.appeal_assign(appeal=decided, handler=firm.executor, by=firm.executor)
    services.appeal_reject(appeal=decided, by=firm.executor, reason="数据无误")
    with pytest.raises(AppealRefused, match="cannot take the step"):
        services.appeal_withdraw(appeal=decided, by=firm.lawyer)


def test_only_the_appellant_withdraws(published):
    appeal = file_appeal(published)
    with pytest.raises(AppealForbidden):
        services.appeal_withdraw(appeal=appeal, by=published.firm.executor)
    assert Appeal.objects.get().status == AppealStatus.SUBMITTED


def test_the_scorecard_page_links_to_filing_while_the_window_is_open(published, client_for):
    card = published.card(published.firm.lawyer)
    page = client_for(published.firm.lawyer).get(reverse("portal:scorecard", args=[card.pk])).content.decode()
    assert reverse("appeals:file", args=[card.pk]) in page
