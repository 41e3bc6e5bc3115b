"""The execution group's appeal card on the home page (portal.home.appeals_awaiting): the appeals waiting for it,
each with its decision deadline and a link; nobody else has the card."""

import datetime

import pytest
from django.urls import reverse

from appeals import services
from appeals.models import Appeal
from portal.home import appeals_awaiting
from tests.appeals.conftest import file_appeal, second_executor, under_review


def test_a_new_appeal_appears_on_the_execution_groups_home_with_its_deadline_and_link(published, client_for):
    # Given the lawyer's appeal just filed
    appeal = file_appeal(published)
    # When the execution group opens the home page
    text = client_for(published.firm.executor).get(reverse("home")).content.decode()
    # Then the card lists it with its decision deadline, linking to it
    assert 'id="appeals-awaiting"' in text
    assert f'href="{reverse("appeals:detail", args=[appeal.pk])}"' in text
    assert "陈静's appeal on 2026Q3" in text
    assert "Decide by" in text and "days left" in text
    # Above the task list: it is the first thing the group sees
    assert text.index('id="appeals-awaiting"') < text.index("What to do now")


def test_the_card_orders_by_deadline_and_marks_an_overdue_appeal(published):
    firm = published.firm
    late = under_review(published)
    soon = file_appeal(published, user=firm.colleague)
    Appeal.objects.filter(pk=late.pk).update(decision_due_on=datetime.date(2026, 1, 5))
    Appeal.objects.filter(pk=soon.pk).update(decision_due_on=datetime.date(2026, 1, 20))
    card = appeals_awaiting(user=firm.executor, today=datetime.date(2026, 1, 10))
    assert [a.pk for a in card["appeals"]] == [late.pk, soon.pk] and card["total"] == 2
    assert card["appeals"][0].overdue and card["appeals"][0].days_left == -5
    assert not card["appeals"][1].overdue and card["appeals"][1].days_left == 10


def test_appeals_waiting_for_someone_else_are_not_on_the_card(published):
    # Given an appeal waiting for the appellant's answer and one escalated to the leadership group
    firm = published.firm
    asked = under_review(published)
    services.appeal_request_information(appeal=asked, by=firm.executor, question="请补充问卷原件。")
    escalated = under_review(published, user=firm.colleague)
    services.appeal_escalate(appeal=escalated, by=firm.executor, reason="涉及重大分歧，提请领导小组决定。")
    # Then neither waits for the execution group
    assert appeals_awaiting(user=firm.executor)["appeals"] == []


def test_an_executors_own_appeal_is_not_on_their_card(published):
    # Given a second member of the execution group who is assessed and appeals
    other = second_executor()
    assert appeals_awaiting(user=other)["total"] == 0
    appeal = file_appeal(published)
    assert [a.pk for a in appeals_awaiting(user=other)["appeals"]] == [appeal.pk]
    assert appeal.appellant_id != other.pk


@pytest.mark.parametrize("persona", ["partner", "lawyer", "superior", "business_clerk", "assistant"])
def test_nobody_outside_the_execution_group_has_the_card(published, client_for, persona):
    file_appeal(published)
    user = getattr(published.firm, persona)
    assert appeals_awaiting(user=user) is None
    assert 'id="appeals-awaiting"' not in client_for(user).get(reverse("home")).content.decode()


def test_with_nothing_waiting_the_card_says_so(published, client_for):
    text = client_for(published.firm.executor).get(reverse("home")).content.decode()
    assert "No appeal is waiting for the execution group." in text
    # With nothing waiting, the card comes after the task list
    assert text.index('id="appeals-awaiting"') > text.index("What to do now")
