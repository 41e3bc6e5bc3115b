"""Handling: assigning, asking for information, messages, rejecting, escalating; the transition table."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from appeals import services
from appeals.lifecycle import TRANSITIONS, Action, AppealForbidden, AppealRefused, StaleAppeal
from appeals.models import Appeal, AppealEvent, AppealStatus, Outcome
from appeals.selectors import appeal_statistics
from notifications.outbox import outbox_drain
from results.models import Scorecard
from tests.appeals.conftest import PNG, file_appeal, second_executor, under_review, upload


def test_the_table_lists_every_allowed_step_once():
    # submitted → under review ⇄ information requested → upheld | rejected | escalated → decided → closed
    assert TRANSITIONS[(AppealStatus.SUBMITTED, Action.ASSIGN)].to_status == AppealStatus.UNDER_REVIEW
    assert TRANSITIONS[(AppealStatus.UNDER_REVIEW, Action.REQUEST_INFO)].to_status == "information_requested"
    assert TRANSITIONS[(AppealStatus.INFORMATION_REQUESTED, Action.RESPOND)].to_status == AppealStatus.UNDER_REVIEW
    assert TRANSITIONS[(AppealStatus.ESCALATED, Action.LEADERSHIP_DECIDE)].to_status == "decided_by_leadership"
    withdrawable = {status for (status, action) in TRANSITIONS if action == Action.WITHDRAW}
    assert withdrawable == {"submitted", "under_review", "information_requested", "escalated"}
    assert (AppealStatus.SUBMITTED, Action.REJECT) not in TRANSITIONS  # nobody decides before a handler has it


def test_a_handler_is_an_execution_group_member_and_never_the_appellant(published):
    firm = published.firm
    other = second_executor()
    appeal = file_appeal(published)
    with pytest.raises(ValidationError, match="execution group"):
        services.appeal_assign(appeal=appeal, handler=firm.superior, by=firm.executor)
    with pytest.raises(AppealForbidden):
        services.appeal_assign(appeal=appeal, handler=firm.executor, by=firm.partner)
    # The executor's own appeal goes to another member, and the executor cannot assign it
    own = file_appeal(published, user=firm.executor)
    with pytest.raises(ValidationError, match="own appeal"):
        services.appeal_assign(appeal=own, handler=firm.executor, by=other)
    with pytest.raises(AppealForbidden):
        services.appeal_assign(appeal=own, handler=other, by=firm.executor)
    assert set(Appeal.objects.values_list("status", flat=True)) == {AppealStatus.SUBMITTED}


def test_the_handler_asks_and_the_two_exchange_messages(published, client_for, django_capture_on_commit_callbacks):
    firm = published.firm
    appeal = under_review(published)
    outbox_drain()  # the filing's and the assignment's notices went out before
    mail.outbox.clear()
    # When the handler asks for more information on the page
    with django_capture_on_commit_callbacks(execute=True):
        client_for(firm.executor).post(
            reverse("appeals:detail", args=[appeal.pk]),
            {
                "action": "request_info",
                "request_info-expected_status": "under_review",
                "request_info-comment": "请提供客户的原始问卷扫描件。",
            },
        )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.INFORMATION_REQUESTED
    assert [m.to for m in mail.outbox] == [[firm.lawyer.email]] and "原始问卷" in mail.outbox[0].body
    # And the appellant answers with a scan
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(firm.lawyer).post(
            reverse("appeals:detail", args=[appeal.pk]),
            {"action": "message", "message-body": "扫描件见附件。", "message-attachments": [upload("scan.png", PNG)]},
        )
    appeal.refresh_from_db()
    # Then the appeal is back under review, the handler is told, and the page shows the whole exchange
    assert appeal.status == AppealStatus.UNDER_REVIEW
    assert [m.to for m in mail.outbox] == [[firm.executor.email]] and "scan.png" in mail.outbox[0].body
    page = client_for(firm.partner).get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    for text in ("请提供客户的原始问卷扫描件。", "扫描件见附件。", "scan.png", "赵敏", "陈静", "Information requested"):
        assert text in page
    assert list(AppealEvent.objects.filter(appeal=appeal).values_list("action", flat=True)) == [
        "file",
        "assign",
        "request_info",
        "respond",
    ]


def test_messages_also_appear_in_the_app(published, django_capture_on_commit_callbacks):
    from notifications.models import Notification

    appeal = under_review(published)
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_message_post(appeal=appeal, by=published.firm.executor, body="请补充材料")
    note = Notification.objects.get(user=published.firm.lawyer, kind="appeal_message")
    assert "请补充材料" in note.body and note.url == reverse("appeals:detail", args=[appeal.pk])


def test_rejecting_needs_a_reason(published, client_for):
    firm = published.firm
    appeal = under_review(published)
    with pytest.raises(ValidationError, match="why the appeal is rejected"):
        services.appeal_reject(appeal=appeal, by=firm.executor, reason="  ")
    response = client_for(firm.executor).post(
        reverse("appeals:detail", args=[appeal.pk]),
        {"action": "reject", "reject-expected_status": "under_review", "reject-comment": ""},
    )
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    appeal.refresh_from_db()
    assert (appeal.status, appeal.outcome, appeal.decided_at) == (AppealStatus.UNDER_REVIEW, "", None)


def test_a_rejection_keeps_the_result_and_tells_the_appellant_why(published, django_capture_on_commit_callbacks):
    firm = published.firm
    appeal = under_review(published)
    before = list(Scorecard.objects.order_by("pk").values_list("pk", "total", "rank", "is_current"))
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_reject(appeal=appeal, by=firm.executor, reason="问卷原件显示 4 分，录入无误。")
    appeal.refresh_from_db()
    assert (appeal.status, appeal.outcome, appeal.decided_by) == ("rejected", Outcome.REJECTED, firm.executor)
    assert list(Scorecard.objects.order_by("pk").values_list("pk", "total", "rank", "is_current")) == before
    assert any("录入无误" in m.body and m.to == [firm.lawyer.email] for m in mail.outbox)


def test_the_appellant_and_other_roles_cannot_decide(published):
    firm = published.firm
    appeal = under_review(published)
    for user in (firm.lawyer, firm.partner, firm.superior):
        with pytest.raises(AppealForbidden):
            services.appeal_reject(appeal=appeal, by=user, reason="no")
    assert Appeal.objects.get().status == AppealStatus.UNDER_REVIEW


def test_escalation_and_the_leadership_decision(published, django_capture_on_commit_callbacks):
    firm = published.firm
    appeal = under_review(published)
    outbox_drain()  # the filing's and the assignment's notices went out before
    mail.outbox.clear()
    # Given a major case passed to the leadership group
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_escalate(appeal=appeal, by=firm.executor, reason="涉及排名第一，请领导小组决定。")
    assert {tuple(m.to) for m in mail.outbox} == {(firm.partner.email,), (firm.lawyer.email,)}
    # Then the execution group can no longer decide it
    with pytest.raises(AppealRefused):
        services.appeal_reject(appeal=appeal, by=firm.executor, reason="x")
    with pytest.raises(AppealForbidden):
        services.appeal_leadership_decide(appeal=appeal, by=firm.executor, outcome="rejected", reason="x")
    # When a partner decides it, with a reason
    with pytest.raises(ValidationError, match="reason"):
        services.appeal_leadership_decide(appeal=appeal, by=firm.partner, outcome="rejected", reason="")
    services.appeal_leadership_decide(appeal=appeal, by=firm.partner, outcome="rejected", reason="维持原结果。")
    appeal.refresh_from_db()
    assert (appeal.status, appeal.outcome, appeal.decided_by) == ("decided_by_leadership", "rejected", firm.partner)
    # And the execution group files it away
    services.appeal_close(appeal=appeal, by=firm.executor)
    assert Appeal.objects.get().status == AppealStatus.CLOSED


def test_a_stale_page_changes_nothing_and_says_so(published, client_for):
    firm = published.firm
    appeal = under_review(published)
    services.appeal_reject(appeal=appeal, by=firm.executor, reason="录入无误")
    other = second_executor()
    # When a second handler submits the uphold form from a page loaded before the rejection
    response = client_for(other).post(
        reverse("appeals:detail", args=[appeal.pk]),
        {"action": "uphold", "uphold-expected_status": "under_review", "uphold-comment": "应予支持"},
        follow=True,
    )
    # Then nothing is decided twice and the page says why
    assert "not possible any more" in response.content.decode()
    appeal.refresh_from_db()
    assert (appeal.status, appeal.outcome, appeal.decided_by) == ("rejected", "rejected", firm.executor)
    assert AppealEvent.objects.filter(appeal=appeal, action__in=["uphold", "reject"]).count() == 1
    assert Scorecard.objects.filter(version__gt=1).count() == 0


def test_the_stale_state_check_in_the_service(published):
    firm = published.firm
    appeal = under_review(published)
    stale_copy = Appeal.objects.get(pk=appeal.pk)
    services.appeal_reject(appeal=appeal, by=firm.executor, reason="录入无误", expected_status="under_review")
    with pytest.raises(StaleAppeal, match="already “Rejected”"):
        services.appeal_uphold(
            appeal=stale_copy, by=second_executor(), justification="支持", expected_status="under_review"
        )
    assert AppealEvent.objects.filter(appeal=appeal, action__in=["uphold", "reject"]).count() == 1


def test_statistics_count_each_outcome_and_the_median_days(published):
    firm = published.firm
    rejected = under_review(published)
    services.appeal_reject(appeal=rejected, by=firm.executor, reason="无误")
    withdrawn = file_appeal(published, user=firm.colleague)
    services.appeal_withdraw(appeal=withdrawn, by=firm.colleague)
    file_appeal(published, user=firm.outsider)
    stats = appeal_statistics(quarter=published.quarter)
    assert (stats["filed"], stats["upheld"], stats["rejected"], stats["withdrawn"], stats["open"]) == (3, 0, 1, 1, 1)
    assert stats["median_days_to_decide"] == 0


def test_the_queue_shows_status_deadline_and_handler(published, client_for):
    appeal = under_review(published)
    file_appeal(published, user=published.firm.colleague)
    page = client_for(published.firm.executor).get(reverse("appeals:list")).content.decode()
    assert "Under review" in page and "Submitted" in page and "赵敏" in page and "not assigned" in page
    assert appeal.decision_due_on.isoformat() in page


def test_an_organiser_who_appeals_cannot_take_any_step_on_their_own_appeal(
    published, django_capture_on_commit_callbacks
):
    # Given the execution-group member appealed their own result and a colleague of the group took it on
    firm = published.firm
    other = second_executor()
    own = file_appeal(published, user=firm.executor)
    with pytest.raises(ValidationError, match="Nobody handles their own appeal"):
        services.appeal_assign(appeal=own, handler=firm.executor, by=other)
    services.appeal_assign(appeal=own, handler=other, by=other)
    events = AppealEvent.objects.filter(appeal=own).count()
    # When they try each handler's step themselves, every one is refused with the rule and nothing moves
    steps = [
        lambda: services.appeal_assign(appeal=own, handler=firm.executor, by=firm.executor),
        lambda: services.appeal_request_information(appeal=own, by=firm.executor, question="?"),
        lambda: services.appeal_uphold(appeal=own, by=firm.executor, justification="mine"),
        lambda: services.appeal_reject(appeal=own, by=firm.executor, reason="mine"),
        lambda: services.appeal_escalate(appeal=own, by=firm.executor, reason="mine"),
    ]
    for step in steps:
        with pytest.raises((AppealForbidden, ValidationError)) as refusal:
            step()
        assert "own appeal" in str(refusal.value)
    assert Appeal.objects.get(pk=own.pk).status == AppealStatus.UNDER_REVIEW
    assert Appeal.objects.get(pk=own.pk).handler == other
    # Nor close it once it is decided
    services.appeal_reject(appeal=own, by=other, reason="The survey was entered as the client gave it.")
    with pytest.raises(AppealForbidden, match="own appeal"):
        services.appeal_close(appeal=own, by=firm.executor)
    assert AppealEvent.objects.filter(appeal=own).count() == events + 1
