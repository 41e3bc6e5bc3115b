"""The rating pages: who may open and edit rounds, who sees which assignment, what a ratee sees."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from indicators.models import Indicator, RatingAssignment, RatingRound
from indicators.ratings import rating_give, rating_round_close, rating_round_open
from reviews.models import Quarter, QuarterState

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english(client):
    # Pages are asserted in English, whatever the catalogue of the default language holds.
    client.cookies["django_language"] = "en"


@pytest.fixture
def quarter():
    return Quarter.objects.create(year=2026, number=3, state=QuarterState.COLLECTING)


@pytest.fixture
def rating_round(firm, quarter):
    return rating_round_open(quarter=quarter, by=firm.executor, peers_per_person=3)


def assignment_of(rating_round, rater, ratee, code="communication"):
    return rating_round.assignments.get(rater=rater.profile, ratee=ratee.profile, indicator__code=code)


def text(response):
    return response.content.decode()


# Opening a round and editing its list


def test_the_execution_group_opens_a_round_from_the_rounds_page(firm, quarter, client_for):
    client = client_for(firm.executor)
    page = client.get(reverse("indicators:rating_rounds"))
    assert "2026Q3" in text(page) and "Open and generate the assignments" in text(page)
    response = client.post(
        reverse("indicators:rating_round_open"), {"quarter": quarter.pk, "peers_per_person": 2, "closes_on": ""}
    )
    rating_round = RatingRound.objects.get(quarter=quarter)
    assert response.status_code == 302
    assert rating_round.peers_per_person == 2 and rating_round.opened_by == firm.executor
    detail = client.get(response["Location"])
    total = rating_round.assignments.count()
    assert f"0 of {total} answered" in text(detail)


@pytest.mark.parametrize("persona", ["partner", "admin_clerk", "lawyer", "superior", "outsider"])
def test_nobody_outside_the_execution_group_opens_a_round(firm, quarter, client_for, persona):
    response = client_for(getattr(firm, persona)).post(
        reverse("indicators:rating_round_open"), {"quarter": quarter.pk, "peers_per_person": 3}
    )
    assert response.status_code == 403
    assert not RatingRound.objects.exists()


def test_a_bad_peer_count_is_shown_next_to_the_field_and_opens_nothing(firm, quarter, client_for):
    response = client_for(firm.executor).post(
        reverse("indicators:rating_round_open"), {"quarter": quarter.pk, "peers_per_person": 99}
    )
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 20" in text(response)
    assert not RatingRound.objects.exists()


@pytest.mark.parametrize("persona", ["lawyer", "admin_clerk", "assistant"])
def test_the_round_pages_are_for_the_organisers_only(firm, rating_round, client_for, persona):
    client = client_for(getattr(firm, persona))
    assert client.get(reverse("indicators:rating_rounds")).status_code == 403
    assert client.get(reverse("indicators:rating_round", args=[rating_round.pk])).status_code == 403


def test_anonymous_visitors_are_sent_to_login_from_the_rating_pages(rating_round, client):
    for url in (
        reverse("indicators:rating_rounds"),
        reverse("indicators:rating_round", args=[rating_round.pk]),
        reverse("indicators:ratings_todo"),
        reverse("indicators:my_ratings"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_leadership_sees_progress_but_cannot_edit_the_list(firm, rating_round, client_for):
    client = client_for(firm.partner)
    page = client.get(reverse("indicators:rating_round", args=[rating_round.pk]))
    assert page.status_code == 200
    assert "answered" in text(page) and "Add an assignment" not in text(page) and "Remove" not in text(page)
    target = assignment_of(rating_round, firm.colleague, firm.lawyer)
    communication = Indicator.objects.get(code="communication")
    add = client.post(
        reverse("indicators:rating_assignment_add", args=[rating_round.pk]),
        {
            "rater": firm.outsider.profile.pk,
            "ratee": firm.lawyer.profile.pk,
            "rater_type": "peer",
            "indicator": communication.pk,
        },
    )
    remove = client.post(reverse("indicators:rating_assignment_remove", args=[rating_round.pk, target.pk]))
    close = client.post(reverse("indicators:rating_round_close", args=[rating_round.pk]))
    assert (add.status_code, remove.status_code, close.status_code) == (403, 403, 403)
    assert RatingAssignment.objects.filter(pk=target.pk).exists()
    assert not rating_round.assignments.filter(rater=firm.outsider.profile).exists()
    rating_round.refresh_from_db()
    assert rating_round.closed_at is None


def test_the_round_page_shows_progress_per_rater(firm, rating_round, client_for):
    # Given the superior has answered one of his assignments
    rating_give(assignment=assignment_of(rating_round, firm.superior, firm.lawyer), by=firm.superior, score=4)
    superior_total = rating_round.assignments.filter(rater=firm.superior.profile).count()
    page = client_for(firm.executor).get(reverse("indicators:rating_round", args=[rating_round.pk]))
    body = text(page)
    # Then the page shows the overall count and the superior's row with 1 of his assignments
    assert f"1 of {rating_round.assignments.count()} answered" in body
    row = body.split("周强</td>", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">1</td>' in row and f'<td class="num">{superior_total}</td>' in row


def test_the_execution_group_adds_and_removes_assignments_on_the_round_page(firm, rating_round, client_for):
    client = client_for(firm.executor)
    communication = Indicator.objects.get(code="communication")
    response = client.post(
        reverse("indicators:rating_assignment_add", args=[rating_round.pk]),
        {
            "rater": firm.outsider.profile.pk,
            "ratee": firm.lawyer.profile.pk,
            "rater_type": "peer",
            "indicator": communication.pk,
        },
        follow=True,
    )
    assert "黄磊 now rates 陈静 on" in text(response)
    added = assignment_of(rating_round, firm.outsider, firm.lawyer)
    response = client.post(
        reverse("indicators:rating_assignment_remove", args=[rating_round.pk, added.pk]), follow=True
    )
    assert "黄磊 no longer rates 陈静" in text(response)
    assert not RatingAssignment.objects.filter(pk=added.pk).exists()


def test_a_self_rating_added_by_hand_is_refused_next_to_the_field(firm, rating_round, client_for):
    before = RatingAssignment.objects.count()
    response = client_for(firm.executor).post(
        reverse("indicators:rating_assignment_add", args=[rating_round.pk]),
        {
            "rater": firm.lawyer.profile.pk,
            "ratee": firm.lawyer.profile.pk,
            "rater_type": "peer",
            "indicator": Indicator.objects.get(code="communication").pk,
        },
    )
    assert response.status_code == 400
    assert "Nobody rates themselves." in text(response)
    assert RatingAssignment.objects.count() == before


def test_removing_an_answered_assignment_is_refused_with_a_message(firm, rating_round, client_for):
    answered = assignment_of(rating_round, firm.colleague, firm.lawyer)
    rating_give(assignment=answered, by=firm.colleague, score=5)
    response = client_for(firm.executor).post(
        reverse("indicators:rating_assignment_remove", args=[rating_round.pk, answered.pk]), follow=True
    )
    assert "has been answered and cannot be removed" in text(response)
    assert RatingAssignment.objects.filter(pk=answered.pk, score=5).exists()


# The rater's to-do list


def test_a_rater_sees_their_to_do_list_with_names_and_definitions(firm, rating_round, client_for):
    page = client_for(firm.colleague).get(reverse("indicators:ratings_todo"))
    body = text(page)
    communication = Indicator.objects.get(code="communication")
    assert "陈静" in body and "杨光" in body  # the lawyer and the assistant, whom the colleague rates
    assert communication.name in body and escape(communication.definition) in body
    # Scale 1–5 by default
    assert 'value="5"' in body and 'value="6"' not in body
    # Not the assignments of other raters: the colleague does not rate the outsider
    assert "黄磊" not in body.split("</nav>", 1)[1]


def test_a_rater_answers_and_changes_the_answer_from_the_list(firm, rating_round, client_for):
    assignment = assignment_of(rating_round, firm.colleague, firm.lawyer)
    client = client_for(firm.colleague)
    url = reverse("indicators:rating_give", args=[assignment.pk])
    response = client.post(url, {f"a{assignment.pk}-score": "4", f"a{assignment.pk}-comment": "Helpful"}, follow=True)
    assert "Your rating of 陈静" in text(response) and "Your answer: 4" in text(response)
    client.post(url, {f"a{assignment.pk}-score": "2", f"a{assignment.pk}-comment": ""})
    assignment.refresh_from_db()
    assert (assignment.score, assignment.comment) == (2, "")


def test_a_score_outside_the_scale_is_shown_next_to_the_field_and_saves_nothing(firm, rating_round, client_for):
    assignment = assignment_of(rating_round, firm.colleague, firm.lawyer)
    response = client_for(firm.colleague).post(
        reverse("indicators:rating_give", args=[assignment.pk]), {f"a{assignment.pk}-score": "6"}
    )
    assert response.status_code == 400
    assert "Choose a score from 1 to 5." in text(response)
    assignment.refresh_from_db()
    assert assignment.score is None


@pytest.mark.parametrize("persona", ["lawyer", "assistant", "executor", "partner"])
def test_only_the_rater_can_open_or_answer_an_assignment(firm, rating_round, client_for, persona):
    # The colleague's assignment to rate the lawyer is unknown to everyone else, the ratee and organisers included
    assignment = assignment_of(rating_round, firm.colleague, firm.lawyer)
    client = client_for(getattr(firm, persona))
    url = reverse("indicators:rating_give", args=[assignment.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {f"a{assignment.pk}-score": "1"}).status_code == 404
    assignment.refresh_from_db()
    assert assignment.score is None


def test_a_closed_round_leaves_the_to_do_list_and_refuses_answers(firm, rating_round, client_for):
    assignment = assignment_of(rating_round, firm.colleague, firm.lawyer)
    rating_round_close(rating_round=rating_round, by=firm.executor)
    client = client_for(firm.colleague)
    assert "You have no ratings to give right now." in text(client.get(reverse("indicators:ratings_todo")))
    url = reverse("indicators:rating_give", args=[assignment.pk])
    assert "This rating round is closed." in text(client.get(url))
    response = client.post(url, {f"a{assignment.pk}-score": "3"})
    assert response.status_code == 400 and "is closed" in text(response)
    assignment.refresh_from_db()
    assert assignment.score is None


# What the ratee sees


def _answer_for_lawyer(firm, rating_round, *, peers):
    rating_give(
        assignment=assignment_of(rating_round, firm.superior, firm.lawyer),
        by=firm.superior,
        score=5,
        comment="Superior's remark",
    )
    answers = [(firm.colleague, 4, "Always replies the same day"), (firm.assistant, 3, "Could share files earlier")]
    for rater, score, comment in answers[:peers]:
        rating_give(assignment=assignment_of(rating_round, rater, firm.lawyer), by=rater, score=score, comment=comment)
    rating_give(
        assignment=assignment_of(rating_round, firm.business_clerk, firm.lawyer, "collaboration"),
        by=firm.business_clerk,
        score=2,
        comment="Late contract data",
    )


def _third_peer(firm, rating_round, score=5, comment="Explains the file clearly"):
    """The outsider rates the lawyer as a third colleague (the firm has two in the lawyer's group)."""
    assignment = RatingAssignment.objects.create(
        round=rating_round,
        rater=firm.outsider.profile,
        ratee=firm.lawyer.profile,
        rater_type="peer",
        indicator=Indicator.objects.get(code="communication"),
    )
    rating_give(assignment=assignment, by=firm.outsider, score=score, comment=comment)


def test_a_ratee_sees_averages_per_rater_type_but_never_the_names_of_raters(firm, rating_round, client_for):
    # Given the superior, three peers and a clerk have rated the lawyer, and the round is closed
    _answer_for_lawyer(firm, rating_round, peers=2)
    _third_peer(firm, rating_round)
    rating_round_close(rating_round=rating_round, by=firm.executor)
    page = client_for(firm.lawyer).get(reverse("indicators:my_ratings"))
    body = text(page)
    # Then the averages per rater type are shown: superior 5, peers (4 + 3 + 5) / 3, all four together 4.25
    assert "Superior" in body and "5.00" in body
    assert "Peer" in body and "4.00" in body
    assert "Average 4.25" in body
    assert "Other department" in body and "2.00" in body
    # and the peers' comments appear, but no rater's name and not the superior's or the clerk's comment
    assert "Always replies the same day" in body and "Could share files earlier" in body
    assert "Explains the file clearly" in body
    for name in ("周强", "刘洋", "杨光", "钱芳", firm.outsider.profile.full_name):
        assert name not in body
    assert "Superior's remark" not in body and "Late contract data" not in body


def test_with_two_peers_the_ratee_sees_no_averages_by_rater_type_and_is_told_why(firm, rating_round, client_for):
    # Given the superior (5) and two peers (4 and 3) rated the lawyer's communication, and the round is closed
    _answer_for_lawyer(firm, rating_round, peers=2)
    rating_round_close(rating_round=rating_round, by=firm.executor)
    body = text(client_for(firm.lawyer).get(reverse("indicators:my_ratings")))
    # Then the communication line shows only the overall average, and says why nothing more
    communication = body.split("Internal communication efficiency")[1].split("card-body")[0]
    assert "Average 4.00" in communication
    assert "Not enough colleagues rated this (fewer than three)" in communication
    assert "3.50" not in communication and "5.00" not in communication and "Peer" not in communication
    # And the two colleagues' comments stay hidden too
    assert "Always replies the same day" not in body and "Could share files earlier" not in body
    # The collaboration line, which no colleague rates, still shows its average by kind of rater
    assert "Other department" in body and "2.00" in body


def test_a_single_peers_rating_and_comment_are_not_shown_to_the_ratee(firm, rating_round, client_for):
    _answer_for_lawyer(firm, rating_round, peers=1)
    rating_round_close(rating_round=rating_round, by=firm.executor)
    body = text(client_for(firm.lawyer).get(reverse("indicators:my_ratings")))
    assert "Not enough colleagues rated this" in body
    assert "4.00" not in body and "5.00" not in body
    assert "Always replies the same day" not in body and "刘洋" not in body


def test_a_ratee_sees_nothing_while_the_round_is_open(firm, rating_round, client_for):
    _answer_for_lawyer(firm, rating_round, peers=2)
    body = text(client_for(firm.lawyer).get(reverse("indicators:my_ratings")))
    assert "No closed rating round has ratings of you yet." in body
    assert "Always replies the same day" not in body


def test_the_execution_group_closes_the_round_and_the_page_says_so(firm, rating_round, client_for):
    client = client_for(firm.executor)
    response = client.post(reverse("indicators:rating_round_close", args=[rating_round.pk]), follow=True)
    body = text(response)
    assert "The rating round for 2026Q3 is closed." in body and "Closed on" in body and "赵敏" in body
    # Nothing can be added or removed any more
    assert "Add an assignment" not in body and ">Remove<" not in body
    rating_round.refresh_from_db()
    assert rating_round.closed_by == firm.executor


def test_the_organiser_adds_or_removes_their_own_raters_and_is_refused(firm, rating_round, client_for):
    # Given the execution-group member is assessed and rated by colleagues in this round
    browser = client_for(firm.executor)
    communication = Indicator.objects.get(code="communication")
    before = sorted(RatingAssignment.objects.values_list("pk", "rater", "ratee"))
    # When they add a friendly rater for themselves
    response = browser.post(
        reverse("indicators:rating_assignment_add", args=[rating_round.pk]),
        {
            "rater": firm.outsider.profile.pk,
            "ratee": firm.executor.profile.pk,
            "rater_type": "peer",
            "indicator": communication.pk,
        },
    )
    assert response.status_code == 400
    assert "Nobody adds or removes their own raters" in text(response)
    # Or remove one of their raters
    own = rating_round.assignments.filter(ratee=firm.executor.profile).first()
    assert own is not None
    response = browser.post(reverse("indicators:rating_assignment_remove", args=[rating_round.pk, own.pk]), follow=True)
    assert "Nobody adds or removes their own raters" in text(response)
    # Then the list is as it was
    assert sorted(RatingAssignment.objects.values_list("pk", "rater", "ratee")) == before


# Rater calibration (regulation 三.4): each rater against the others on the same people


def give_everything(rating_round, generous):
    """Every assignment answered: the generous rater gives 5, everyone else 3."""
    for assignment in rating_round.assignments.select_related("rater__user"):
        score = 5 if assignment.rater == generous.profile else 3
        rating_give(assignment=assignment, by=assignment.rater.user, score=score)


@pytest.mark.parametrize("persona", ["partner", "executor"])
def test_the_calibration_page_flags_the_rater_far_from_the_rest(firm, rating_round, client_for, persona):
    # Given a round in which the superior gives every colleague two points more than the others do
    give_everything(rating_round, firm.superior)
    # When an organiser opens the round's calibration page
    page = text(
        client_for(getattr(firm, persona)).get(reverse("indicators:rating_round_calibration", args=[rating_round.pk]))
    )
    # Then the superior is listed first, with a leniency of +2 and flagged as lenient
    rows = page.split("<tbody>")[1].split("</tr>")
    assert firm.superior.profile.full_name in rows[0]
    assert "+2" in rows[0] and "Lenient" in rows[0]
    # The colleagues who rated the same people read strict next to them, but not far enough from the rest to flag
    assert not any(">Lenient<" in row or ">Strict<" in row for row in rows[1:])
    assert "1 rater flagged" in page


def test_the_calibration_page_sorts_the_strictest_first_on_request(firm, rating_round, client_for):
    give_everything(rating_round, firm.superior)
    url = reverse("indicators:rating_round_calibration", args=[rating_round.pk])
    page = text(client_for(firm.executor).get(url, {"sort": "strict"}))
    rows = page.split("<tbody>")[1].split("</tr>")
    assert firm.superior.profile.full_name not in rows[0]
    assert firm.superior.profile.full_name in [row for row in rows if "Lenient" in row][0]


def test_a_round_without_answers_has_an_empty_calibration_table(firm, rating_round, client_for):
    page = text(client_for(firm.executor).get(reverse("indicators:rating_round_calibration", args=[rating_round.pk])))
    assert "No rating has been given in this round yet." in page
    assert "No rater is far from the rest." in page


@pytest.mark.parametrize("persona", ["lawyer", "superior", "assistant", "admin_clerk", "outsider"])
def test_nobody_outside_the_two_groups_sees_the_calibration_page(firm, rating_round, client_for, persona):
    give_everything(rating_round, firm.superior)
    response = client_for(getattr(firm, persona)).get(
        reverse("indicators:rating_round_calibration", args=[rating_round.pk])
    )
    # Role pages are refused with 403, as the round's own pages are (reviews.roles.require).
    assert response.status_code == 403
    assert 'id="calibration"' not in text(response)


def test_the_calibration_page_of_an_unknown_round_is_not_found(firm, client_for):
    assert client_for(firm.executor).get(reverse("indicators:rating_round_calibration", args=[999])).status_code == 404
