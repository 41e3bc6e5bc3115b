"""The rating rounds' services: generating who rates whom, editing the list, giving and closing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from indicators.models import Indicator, RaterType, RatingAssignment, Scheme, SchemeItem
from indicators.ratings import (
    rating_assignment_add,
    rating_assignment_remove,
    rating_assignments_plan,
    rating_give,
    rating_round_close,
    rating_round_open,
    rating_scale_for,
)
from reviews.models import Quarter, QuarterState

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    # Messages are asserted in English, whatever the catalogue of the default language holds.
    with translation.override("en"):
        yield


TODAY = datetime.date(2026, 8, 10)


@pytest.fixture
def quarter():
    return Quarter.objects.create(year=2026, number=3, state=QuarterState.COLLECTING)


def open_round(firm, quarter, **kwargs):
    return rating_round_open(quarter=quarter, by=firm.executor, today=TODAY, **kwargs)


def raters_of(rating_round, user):
    """{(rater username, rater type, indicator code)} for one ratee."""
    return set(
        rating_round.assignments.filter(ratee=user.profile).values_list(
            "rater__user__username", "rater_type", "indicator__code"
        )
    )


def test_a_lawyer_is_rated_by_their_superior_their_peers_and_the_clerks_of_the_data_departments(firm, quarter):
    # When the execution group opens the round
    rating_round = open_round(firm, quarter, peers_per_person=3)
    # Then the lawyer's superior and the two other assessed colleagues of the litigation group (not the superior
    # twice) rate communication, and the business, finance and administrative clerks rate collaboration.
    assert raters_of(rating_round, firm.lawyer) == {
        ("senior", "superior", "communication"),
        ("colleague", "peer", "communication"),
        ("assistant", "peer", "communication"),
        ("bizclerk", "other_department", "collaboration"),
        ("finclerk", "other_department", "collaboration"),
        ("admclerk", "other_department", "collaboration"),
    }


def test_clerks_do_not_rate_collaboration_of_their_own_department(firm, quarter):
    rating_round = open_round(firm, quarter)
    # The administrative clerk's own department's clerk is herself; the executor is in the same department.
    assert raters_of(rating_round, firm.admin_clerk) == {
        ("executor", "superior", "communication"),
        ("bizclerk", "other_department", "collaboration"),
        ("finclerk", "other_department", "collaboration"),
    }
    assert raters_of(rating_round, firm.executor) == {
        ("partner", "superior", "communication"),
        ("admclerk", "peer", "communication"),
        ("bizclerk", "other_department", "collaboration"),
        ("finclerk", "other_department", "collaboration"),
    }


def test_nobody_rates_themselves_and_the_unassessed_partner_is_never_rated(firm, quarter):
    rating_round = open_round(firm, quarter)
    assignments = list(rating_round.assignments.values_list("rater_id", "ratee_id"))
    assert assignments
    assert all(rater != ratee for rater, ratee in assignments)
    assert not rating_round.assignments.filter(ratee=firm.partner.profile).exists()


def test_peers_are_chosen_by_rotating_through_the_department_in_id_order(firm, quarter):
    # With one peer each, every litigation lawyer is rated by the next colleague in id order, skipping their
    # own superior: senior → lawyer, lawyer → colleague, colleague → assistant, assistant → lawyer.
    rating_round = open_round(firm, quarter, peers_per_person=1)
    peers = {
        ratee: rater
        for rater, ratee in rating_round.assignments.filter(rater_type=RaterType.PEER).values_list(
            "rater__user__username", "ratee__user__username"
        )
        if ratee in {"senior", "lawyer", "colleague", "assistant"}
    }
    assert peers == {"senior": "lawyer", "lawyer": "colleague", "colleague": "assistant", "assistant": "lawyer"}


def test_inactive_people_neither_rate_nor_are_rated(firm, quarter):
    firm.colleague.profile.active = False
    firm.colleague.profile.save()
    rating_round = open_round(firm, quarter)
    colleague = firm.colleague.profile
    assert not rating_round.assignments.filter(rater=colleague).exists()
    assert not rating_round.assignments.filter(ratee=colleague).exists()


def test_the_plan_spreads_peer_ratings_evenly_in_a_department():
    # Given a department of five with no superiors, two peers each
    people = [
        {"id": i, "department_id": 1, "superior_id": None, "position": "lawyer", "active": True, "assessed": True}
        for i in (4, 9, 2, 7, 5)
    ]
    plan = rating_assignments_plan(people=people, clerks_by_department={}, peers_per_person=2)
    # Then everyone gives two ratings and receives two, and nobody rates themselves
    given = {i: sum(1 for rater, *_ in plan if rater == i) for i in (2, 4, 5, 7, 9)}
    received = {i: sum(1 for _, ratee, *_ in plan if ratee == i) for i in (2, 4, 5, 7, 9)}
    assert given == received == {2: 2, 4: 2, 5: 2, 7: 2, 9: 2}
    assert all(rater != ratee for rater, ratee, *_ in plan)
    # and the choice is the same whichever order the rows came in
    assert plan == rating_assignments_plan(people=people[::-1], clerks_by_department={}, peers_per_person=2)


def test_an_approved_scheme_limits_the_rated_indicators_per_position(firm, quarter):
    # Given an approved scheme where assistants are not rated on communication
    scheme = Scheme.objects.create(quarter=quarter, status=Scheme.Status.APPROVED, created_by=firm.partner)
    communication = Indicator.objects.get(code="communication")
    collaboration = Indicator.objects.get(code="collaboration")
    SchemeItem.objects.create(scheme=scheme, position="lawyer", indicator=communication, weight=50)
    SchemeItem.objects.create(scheme=scheme, position="lawyer", indicator=collaboration, weight=50)
    SchemeItem.objects.create(scheme=scheme, position="assistant", indicator=collaboration, weight=100)
    rating_round = open_round(firm, quarter)
    # Then the assistant is rated on collaboration only, the lawyer on both
    assert {code for _, _, code in raters_of(rating_round, firm.assistant)} == {"collaboration"}
    assert {code for _, _, code in raters_of(rating_round, firm.lawyer)} == {"communication", "collaboration"}


def test_only_the_execution_group_opens_a_round(firm, quarter):
    for user in (firm.partner, firm.admin_clerk, firm.lawyer):
        with pytest.raises(PermissionDenied):
            rating_round_open(quarter=quarter, by=user, today=TODAY)
    assert not RatingAssignment.objects.exists()


def test_a_quarter_gets_one_round_only(firm, quarter):
    open_round(firm, quarter)
    count = RatingAssignment.objects.count()
    with pytest.raises(ValidationError) as error:
        open_round(firm, quarter)
    assert "already has a rating round" in str(error.value)
    assert RatingAssignment.objects.count() == count


def test_a_round_cannot_open_once_results_are_with_the_leadership(firm, quarter):
    quarter.state = QuarterState.PUBLISHED
    quarter.save()
    with pytest.raises(ValidationError) as error:
        open_round(firm, quarter)
    assert "quarter" in error.value.message_dict


def test_the_database_refuses_a_self_rating(firm, quarter):
    rating_round = open_round(firm, quarter)
    with pytest.raises(IntegrityError), transaction.atomic():
        RatingAssignment.objects.create(
            round=rating_round,
            rater=firm.lawyer.profile,
            ratee=firm.lawyer.profile,
            rater_type=RaterType.PEER,
            indicator=Indicator.objects.get(code="communication"),
        )


def test_the_execution_group_adds_an_assignment_but_not_a_self_rating_or_a_duplicate(firm, quarter):
    rating_round = open_round(firm, quarter)
    communication = Indicator.objects.get(code="communication")
    # When the outsider is added as a rater of the lawyer
    added = rating_assignment_add(
        rating_round=rating_round,
        by=firm.executor,
        rater=firm.outsider.profile,
        ratee=firm.lawyer.profile,
        rater_type=RaterType.PEER,
        indicator=communication,
        today=TODAY,
    )
    assert added.pk and ("outsider", "peer", "communication") in raters_of(rating_round, firm.lawyer)
    # Then the same pair again, a self-rating and a computed indicator are refused
    for rater, ratee, indicator, field in [
        (firm.outsider, firm.lawyer, communication, "rater"),
        (firm.lawyer, firm.lawyer, communication, "rater"),
        (firm.outsider, firm.lawyer, Indicator.objects.get(code="new_clients"), "indicator"),
    ]:
        with pytest.raises(ValidationError) as error:
            rating_assignment_add(
                rating_round=rating_round,
                by=firm.executor,
                rater=rater.profile,
                ratee=ratee.profile,
                rater_type=RaterType.PEER,
                indicator=indicator,
                today=TODAY,
            )
        assert field in error.value.message_dict
    with pytest.raises(PermissionDenied):
        rating_assignment_add(
            rating_round=rating_round,
            by=firm.partner,
            rater=firm.partner.profile,
            ratee=firm.outsider.profile,
            rater_type=RaterType.SUPERIOR,
            indicator=communication,
            today=TODAY,
        )


def _assignment(rating_round, rater, ratee, code="communication"):
    return rating_round.assignments.get(rater=rater.profile, ratee=ratee.profile, indicator__code=code)


def test_an_answered_assignment_cannot_be_removed_but_an_unanswered_one_can(firm, quarter):
    rating_round = open_round(firm, quarter)
    answered = _assignment(rating_round, firm.colleague, firm.lawyer)
    rating_give(assignment=answered, by=firm.colleague, score=4, today=TODAY)
    with pytest.raises(ValidationError):
        rating_assignment_remove(assignment=answered, by=firm.executor, today=TODAY)
    assert RatingAssignment.objects.filter(pk=answered.pk, score=4).exists()
    unanswered = _assignment(rating_round, firm.assistant, firm.lawyer)
    rating_assignment_remove(assignment=unanswered, by=firm.executor, today=TODAY)
    assert not RatingAssignment.objects.filter(pk=unanswered.pk).exists()


def test_a_rater_gives_and_changes_a_score_until_the_round_closes(firm, quarter):
    rating_round = open_round(firm, quarter)
    assignment = _assignment(rating_round, firm.superior, firm.lawyer)
    rating_give(assignment=assignment, by=firm.superior, score=3, comment=" Clear and prompt. ", today=TODAY)
    rating_give(assignment=assignment, by=firm.superior, score=5, comment="Clear and prompt.", today=TODAY)
    assignment.refresh_from_db()
    assert (assignment.score, assignment.comment) == (5, "Clear and prompt.")
    assert assignment.rated_at is not None
    # When the round is closed, the score can no longer change
    rating_round_close(rating_round=rating_round, by=firm.executor)
    with pytest.raises(ValidationError):
        rating_give(assignment=assignment, by=firm.superior, score=1, today=TODAY)
    assignment.refresh_from_db()
    assert assignment.score == 5


def test_only_the_rater_may_answer_and_only_within_the_scale(firm, quarter):
    rating_round = open_round(firm, quarter)
    assignment = _assignment(rating_round, firm.superior, firm.lawyer)
    with pytest.raises(PermissionDenied):
        rating_give(assignment=assignment, by=firm.lawyer, score=5, today=TODAY)
    for bad in (0, 6, None, "x"):
        with pytest.raises(ValidationError) as error:
            rating_give(assignment=assignment, by=firm.superior, score=bad, today=TODAY)
        assert "score" in error.value.message_dict
    assignment.refresh_from_db()
    assert assignment.score is None


def test_no_answer_is_taken_after_the_closing_date(firm, quarter):
    rating_round = open_round(firm, quarter, closes_on=TODAY)
    assignment = _assignment(rating_round, firm.superior, firm.lawyer)
    rating_give(assignment=assignment, by=firm.superior, score=4, today=TODAY)
    with pytest.raises(ValidationError):
        rating_give(assignment=assignment, by=firm.superior, score=2, today=TODAY + datetime.timedelta(days=1))
    assignment.refresh_from_db()
    assert assignment.score == 4


def test_the_scale_comes_from_the_approved_scheme_or_defaults_to_five(firm, quarter):
    assert rating_scale_for(quarter) == 5
    Scheme.objects.create(
        quarter=quarter, status=Scheme.Status.APPROVED, parameters={"rating_scale": 10}, created_by=firm.partner
    )
    assert rating_scale_for(quarter) == 10
    rating_round = open_round(firm, quarter)
    assignment = _assignment(rating_round, firm.superior, firm.lawyer)
    rating_give(assignment=assignment, by=firm.superior, score=9, today=TODAY)
    assert RatingAssignment.objects.get(pk=assignment.pk).score == 9


def test_a_round_closes_once(firm, quarter):
    rating_round = open_round(firm, quarter)
    with pytest.raises(PermissionDenied):
        rating_round_close(rating_round=rating_round, by=firm.partner)
    closed = rating_round_close(rating_round=rating_round, by=firm.executor)
    assert closed.closed_at is not None and closed.closed_by == firm.executor
    with pytest.raises(ValidationError):
        rating_round_close(rating_round=rating_round, by=firm.executor)
