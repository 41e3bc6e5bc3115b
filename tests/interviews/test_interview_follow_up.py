"""A closed quarter's interviews are read-only, and the improvement plan (regulation 三.5) is followed up: the
item's owner or the interview's superior marks each step done while the next quarter is not closed."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from interviews.models import ImprovementItem, Interview
from interviews.services import (
    PlanItem,
    follow_up_is_open,
    improvement_item_set_done,
    interview_acknowledge,
    interview_record,
    interview_schedule,
)
from reviews.models import QuarterState
from tests.reviews.scorecard_builders import make_quarter, make_scorecard, published_at

pytestmark = pytest.mark.django_db

S = QuarterState


def local(text):
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def quarter(firm):
    # 2026Q2, published on 8 July 2026: long enough ago that every date below is in the past.
    return make_quarter(2026, 2, published_at=published_at(2026, 7, 8))


@pytest.fixture
def card(firm, quarter):
    return make_scorecard(quarter, firm.lawyer, total="82.5")


def scheduled(firm, quarter):
    return Interview.objects.create(
        quarter=quarter,
        staff=firm.lawyer.profile,
        superior=firm.superior.profile,
        scheduled_at=local("2026-07-10 15:00"),
        place="3楼小会议室",
        scheduled_by=firm.superior,
    )


def recorded(firm, quarter, *, acknowledged=False):
    """The lawyer's interview written down, with one item she owns and one her superior owns."""
    interview = scheduled(firm, quarter)
    Interview.objects.filter(pk=interview.pk).update(
        held_at=local("2026-07-10 15:00"),
        strengths="s",
        weaknesses="w",
        goals="g",
        recorded_by=firm.superior,
        recorded_at=local("2026-07-10 17:00"),
        acknowledged_at=local("2026-07-11 09:00") if acknowledged else None,
    )
    interview.refresh_from_db()
    for description, owner in (("每周检查投诉台账", firm.lawyer), ("每月一次辅导", firm.superior)):
        ImprovementItem.objects.create(
            interview=interview, description=description, owner=owner.profile, due_on=datetime.date(2026, 9, 30)
        )
    return interview


def close(quarter):
    quarter.state = S.CLOSED
    quarter.save(update_fields=["state"])


def items(interview):
    lawyers = interview.improvement_items.get(owner__user__username="lawyer")
    superiors = interview.improvement_items.get(owner__user__username="senior")
    return lawyers, superiors


# --- A closed quarter is read-only ---------------------------------------------------------------------------


def test_a_closed_quarter_refuses_to_schedule_or_move_an_interview_with_a_clear_message(firm, card, quarter):
    scheduled(firm, quarter)
    close(quarter)
    soon = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="2026Q2 is closed: its interviews are read-only"):
        interview_schedule(scorecard=card, by=firm.superior, scheduled_at=soon, place="别处")
    assert Interview.objects.get().place == "3楼小会议室"


def test_a_closed_quarter_refuses_to_record_an_interview(firm, card, quarter):
    interview = scheduled(firm, quarter)
    close(quarter)
    item = PlanItem(description="x", owner=firm.lawyer.profile, due_on=timezone.localdate())
    with pytest.raises(ValidationError, match="is closed"):
        interview_record(
            interview=interview,
            by=firm.superior,
            held_at=local("2026-07-10 15:00"),
            strengths="a",
            weaknesses="b",
            goals="c",
            items=[item],
        )
    interview.refresh_from_db()
    assert not interview.is_recorded
    assert not ImprovementItem.objects.exists()


def test_a_closed_quarter_refuses_an_acknowledgement(firm, card, quarter):
    interview = recorded(firm, quarter)
    close(quarter)
    with pytest.raises(ValidationError, match="is closed"):
        interview_acknowledge(interview=interview, by=firm.lawyer, comment="同意")
    interview.refresh_from_db()
    assert not interview.is_acknowledged


def test_the_refusal_is_translated(firm, card, quarter):
    interview = recorded(firm, quarter)
    close(quarter)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refusal:
        interview_acknowledge(interview=interview, by=firm.lawyer, comment="同意")
    assert "2026Q2" in refusal.value.messages[0]
    assert "closed" not in refusal.value.messages[0]


def test_on_a_closed_quarter_the_pages_offer_no_interview_buttons(firm, card, quarter, client_for):
    # Given a scheduled (not recorded) interview of a quarter that is then closed
    interview = scheduled(firm, quarter)
    close(quarter)
    # Then the superior's pages offer neither moving nor recording it
    superior = english(client_for(firm.superior))
    team = superior.get(reverse("interviews:team")).content.decode()
    assert reverse("interviews:interview_schedule", args=[card.pk]) not in team
    assert reverse("interviews:interview_record", args=[interview.pk]) not in team
    page = superior.get(reverse("interviews:interview", args=[interview.pk])).content.decode()
    assert reverse("interviews:interview_record", args=[interview.pk]) not in page
    assert "is closed: this interview record is read-only" in page
    # And the forms, reached by an old link, send back with the reason instead of showing
    response = superior.get(reverse("interviews:interview_schedule", args=[card.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("interviews:interview", args=[interview.pk])
    assert "its interviews are read-only" in response.content.decode()
    response = superior.get(reverse("interviews:interview_record", args=[interview.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("interviews:interview", args=[interview.pk])
    assert "its interviews are read-only" in response.content.decode()


def test_on_a_closed_quarter_the_person_is_not_offered_the_acknowledgement(firm, card, quarter, client_for):
    interview = recorded(firm, quarter)
    lawyer = english(client_for(firm.lawyer))
    url = reverse("interviews:interview", args=[interview.pk])
    assert reverse("interviews:interview_acknowledge", args=[interview.pk]) in lawyer.get(url).content.decode()
    close(quarter)
    page = lawyer.get(url).content.decode()
    assert reverse("interviews:interview_acknowledge", args=[interview.pk]) not in page
    response = lawyer.post(
        reverse("interviews:interview_acknowledge", args=[interview.pk]), {"comment": "x"}, follow=True
    )
    assert "its interviews are read-only" in response.content.decode()
    interview.refresh_from_db()
    assert not interview.is_acknowledged


# --- Following the improvement plan up -----------------------------------------------------------------------


def test_the_owner_marks_her_item_done_and_not_done_again(firm, card, quarter):
    interview = recorded(firm, quarter, acknowledged=True)
    lawyers, _superiors = items(interview)
    improvement_item_set_done(item=lawyers, by=firm.lawyer, done=True)
    lawyers.refresh_from_db()
    assert lawyers.done
    improvement_item_set_done(item=lawyers, by=firm.lawyer, done=False)
    lawyers.refresh_from_db()
    assert not lawyers.done


def test_the_superior_marks_any_item_of_the_plan(firm, card, quarter):
    interview = recorded(firm, quarter)
    for item in items(interview):
        improvement_item_set_done(item=item, by=firm.superior, done=True)
    assert set(interview.improvement_items.values_list("done", flat=True)) == {True}


def test_the_person_cannot_tick_the_superiors_item(firm, card, quarter):
    interview = recorded(firm, quarter)
    _lawyers, superiors = items(interview)
    with pytest.raises(PermissionDenied):
        improvement_item_set_done(item=superiors, by=firm.lawyer, done=True)
    superiors.refresh_from_db()
    assert not superiors.done


@pytest.mark.parametrize("persona", ["executor", "partner", "colleague", "outsider"])
def test_nobody_else_ticks_an_item(firm, card, quarter, persona):
    interview = recorded(firm, quarter)
    lawyers, _superiors = items(interview)
    with pytest.raises(PermissionDenied):
        improvement_item_set_done(item=lawyers, by=getattr(firm, persona), done=True)
    lawyers.refresh_from_db()
    assert not lawyers.done


def test_a_double_click_sets_the_state_the_button_showed_rather_than_flipping_twice(firm, card, quarter, client_for):
    interview = recorded(firm, quarter)
    lawyers, _superiors = items(interview)
    url = reverse("interviews:improvement_item_done", args=[interview.pk, lawyers.pk])
    client = client_for(firm.lawyer)
    client.post(url, {"done": "1"})
    client.post(url, {"done": "1"})
    lawyers.refresh_from_db()
    assert lawyers.done


def test_the_follow_up_runs_through_the_next_quarter_after_this_one_is_closed(firm, card, quarter):
    # Given quarter N closed, and N+1 still running (or not even created yet)
    interview = recorded(firm, quarter, acknowledged=True)
    close(quarter)
    lawyers, _superiors = items(interview)
    assert follow_up_is_open(quarter)
    improvement_item_set_done(item=lawyers, by=firm.lawyer, done=True)
    following = make_quarter(2026, 3, published_at=published_at(2026, 10, 8))
    improvement_item_set_done(item=lawyers, by=firm.superior, done=False)
    # When N+1 is closed too, the follow-up is over
    close(following)
    assert not follow_up_is_open(quarter)
    with pytest.raises(ValidationError, match="ended when 2026Q3 was closed"):
        improvement_item_set_done(item=lawyers, by=firm.lawyer, done=True)
    lawyers.refresh_from_db()
    assert not lawyers.done


def test_the_next_quarter_of_a_fourth_quarter_is_the_first_of_the_next_year(firm):
    q4 = make_quarter(2026, 4, published_at=published_at(2027, 1, 8))
    assert follow_up_is_open(q4)
    make_quarter(2027, 1, state=S.CLOSED)
    assert not follow_up_is_open(q4)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("lawyer", 302), ("superior", 302), ("executor", 403), ("partner", 403), ("colleague", 404), ("outsider", 404)],
)
def test_the_button_per_role(firm, card, quarter, client_for, persona, status):
    interview = recorded(firm, quarter)
    lawyers, _superiors = items(interview)
    response = client_for(getattr(firm, persona)).post(
        reverse("interviews:improvement_item_done", args=[interview.pk, lawyers.pk]), {"done": "1"}
    )
    assert response.status_code == status
    lawyers.refresh_from_db()
    assert lawyers.done == (status == 302)
    if status == 302:
        assert response["Location"].startswith(reverse("interviews:interview", args=[interview.pk]))


def test_an_item_of_another_interview_is_not_found(firm, card, quarter, client_for):
    interview = recorded(firm, quarter)
    lawyers, _superiors = items(interview)
    other = Interview.objects.create(
        quarter=quarter,
        staff=firm.colleague.profile,
        superior=firm.superior.profile,
        scheduled_at=local("2026-07-10 16:00"),
        place="x",
        scheduled_by=firm.superior,
    )
    response = client_for(firm.superior).post(
        reverse("interviews:improvement_item_done", args=[other.pk, lawyers.pk]), {"done": "1"}
    )
    assert response.status_code == 404


def test_the_interview_page_offers_the_buttons_only_to_those_who_may_tick(firm, card, quarter, client_for):
    interview = recorded(firm, quarter)
    lawyers, superiors = items(interview)
    url = reverse("interviews:interview", args=[interview.pk])

    def tick_urls(user):
        page = english(client_for(user)).get(url).content.decode()
        return {
            item: reverse("interviews:improvement_item_done", args=[interview.pk, item.pk]) in page
            for item in (lawyers, superiors)
        }, page

    # The owner sees the button of her own item only; the superior of both; the execution group of none
    assert tick_urls(firm.lawyer)[0] == {lawyers: True, superiors: False}
    assert tick_urls(firm.superior)[0] == {lawyers: True, superiors: True}
    offered, page = tick_urls(firm.executor)
    assert offered == {lawyers: False, superiors: False}
    assert "Not done" in page and "每月一次辅导" in page
    # And once ticked the page says so and offers the way back
    improvement_item_set_done(item=lawyers, by=firm.lawyer, done=True)
    page = english(client_for(firm.lawyer)).get(url).content.decode()
    assert "Mark not done" in page


def test_the_page_tells_when_the_follow_up_is_over(firm, card, quarter, client_for):
    interview = recorded(firm, quarter)
    lawyers, _superiors = items(interview)
    close(quarter)
    make_quarter(2026, 3, state=S.CLOSED)
    page = english(client_for(firm.superior)).get(reverse("interviews:interview", args=[interview.pk])).content.decode()
    assert reverse("interviews:improvement_item_done", args=[interview.pk, lawyers.pk]) not in page
    assert "The follow-up of this plan ended when the next quarter was closed." in page
    response = english(client_for(firm.superior)).post(
        reverse("interviews:improvement_item_done", args=[interview.pk, lawyers.pk]), {"done": "1"}, follow=True
    )
    assert "the improvement plan can no longer change" in response.content.decode()
    lawyers.refresh_from_db()
    assert not lawyers.done
