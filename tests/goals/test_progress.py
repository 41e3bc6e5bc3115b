"""What a goal reached is read from the next quarter's published scorecard (the frozen basis): a later data edit does
not move it, a corrected version does, and a quarter without data or results says why nothing is known."""

import datetime
from decimal import Decimal

import pytest

from goals.models import Goal
from goals.selectors import Status, department_share, goal_history, goals_followed_in, progress_of
from results.models import IndicatorScore, Scorecard
from tests.appeals.conftest import survey
from tests.goals.conftest import numeric, publish_quarter, record, text
from tests.reviews.scorecard_builders import make_scorecard

pytestmark = pytest.mark.django_db


def _progress(firm):
    return {row.goal.indicator.code if row.goal.is_numeric else "text": row for row in progress_of(_goals(firm))}


def _goals(firm):
    return Goal.objects.filter(staff=firm.lawyer.profile).select_related("indicator", "quarter")


@pytest.fixture
def agreed(firm, quarter):
    # The lawyer's 2026Q2 interview: satisfaction ≥ 3.8, repeat engagement ≥ 40 %, complaint timeliness ≥ 90 %
    # (no complaints in 2026Q3)
    record(
        firm,
        quarter,
        firm.lawyer,
        [
            numeric("satisfaction", "3.8"),
            numeric("repeat_engagement_rate", "40"),
            numeric("complaint_timeliness", "90"),
        ],
    )


def test_before_the_next_quarter_is_published_nothing_is_measured(firm, agreed, next_quarter):
    # The 2026Q3 results exist as drafts only
    rows = _progress(firm)
    assert {row.status for row in rows.values()} == {Status.PENDING}
    assert rows["satisfaction"].explanation == "Measured once the results of 2026Q3 are published."
    assert rows["satisfaction"].reached is None


def test_the_reached_value_is_the_raw_value_on_the_published_scorecard(firm, agreed, next_quarter):
    publish_quarter(next_quarter)
    rows = _progress(firm)
    card = Scorecard.objects.get(quarter=next_quarter, staff=firm.lawyer.profile, is_current=True)
    line = card.lines.get(indicator__code="satisfaction")
    assert rows["satisfaction"].reached == line.value == Decimal("4")
    assert rows["satisfaction"].status == Status.MET
    assert rows["satisfaction"].scorecard_id == card.pk
    assert rows["satisfaction"].explanation == "Reached 4 / 5 on the published 2026Q3 scorecard."


def test_an_indicator_without_data_is_neither_met_nor_not_met_and_says_so(firm, agreed, next_quarter):
    publish_quarter(next_quarter)
    row = _progress(firm)["complaint_timeliness"]
    assert row.status == Status.UNKNOWN and not row.is_known and row.reached is None
    assert "had no data in 2026Q3" in row.explanation


def test_a_later_data_edit_does_not_move_a_published_reached_value(firm, agreed, next_quarter):
    publish_quarter(next_quarter)
    before = _progress(firm)["satisfaction"]

    # When a glowing survey of the lawyer is entered in 2026Q3 after publication
    survey(firm.lawyer, (5, 5, 5), surveyed_on=datetime.date(2026, 8, 20))
    survey(firm.lawyer, (5, 5, 5), surveyed_on=datetime.date(2026, 9, 1))

    # Then the goal still reads the frozen result
    after = _progress(firm)["satisfaction"]
    assert after.reached == before.reached == Decimal("4")
    assert after.status == before.status == Status.MET


def test_a_corrected_scorecard_moves_the_goal_to_the_current_version(firm, agreed, next_quarter):
    publish_quarter(next_quarter)
    first = Scorecard.objects.get(quarter=next_quarter, staff=firm.lawyer.profile, is_current=True)
    # When a correction publishes version 2, where satisfaction is 3.5
    first.is_current = False
    first.save(update_fields=["is_current"])
    second = make_scorecard(
        next_quarter,
        firm.lawyer,
        total="50",
        version=2,
        scheme=first.scheme,
        lines=[("satisfaction", "3.5", "4.2", "15", "8"), ("repeat_engagement_rate", "45", "30", "10", "12")],
    )

    rows = _progress(firm)
    assert rows["satisfaction"].reached == Decimal("3.5") and rows["satisfaction"].status == Status.NOT_MET
    assert rows["satisfaction"].scorecard_id == second.pk
    assert rows["repeat_engagement_rate"].status == Status.MET
    # The first version's line is unchanged: only which version counts moved
    assert IndicatorScore.objects.get(scorecard=first, indicator__code="satisfaction").value == Decimal("4")


def test_an_indicator_missing_from_the_scorecard_is_explained(firm, agreed, next_quarter):
    publish_quarter(next_quarter)
    card = Scorecard.objects.get(quarter=next_quarter, staff=firm.lawyer.profile, is_current=True)
    card.is_current = False
    card.save(update_fields=["is_current"])
    make_scorecard(next_quarter, firm.lawyer, total="50", version=2, scheme=card.scheme, lines=[])
    row = _progress(firm)["satisfaction"]
    assert row.status == Status.UNKNOWN
    assert row.explanation == "Client satisfaction is not on the 2026Q3 scorecard: the goal could not be measured."


def test_goals_in_words_wait_for_the_superior_and_count_once_marked(firm, quarter, next_quarter):
    record(firm, quarter, firm.lawyer, [text("完成两次客户回访培训")])
    publish_quarter(next_quarter)
    row = progress_of(_goals(firm))[0]
    assert row.status == Status.AWAITING and "in the 2026Q3 interview" in row.explanation
    Goal.objects.update(met=True)
    assert progress_of(_goals(firm))[0].status == Status.MET


def test_the_history_and_the_follow_up_read_the_same_progress(firm, agreed, next_quarter):
    publish_quarter(next_quarter)
    history = goal_history(staff=firm.lawyer.profile)
    assert [group.for_code for group in history] == ["2026Q3"]
    assert len(history[0].rows) == 3
    followed = goals_followed_in(staff=firm.lawyer.profile, quarter=next_quarter)
    assert {row.goal.pk for row in followed} == {row.goal.pk for row in history[0].rows}


def test_progress_costs_the_same_few_queries_for_any_number_of_goals(
    firm, quarter, agreed, next_quarter, django_assert_max_num_queries
):
    publish_quarter(next_quarter)
    record(firm, quarter, firm.colleague, [numeric("satisfaction", "4")])
    goals = list(Goal.objects.select_related("indicator", "quarter"))
    assert len(goals) == 4
    with django_assert_max_num_queries(3):
        progress_of(goals)


# --- The share of goals met per department --------------------------------------------------------------


def test_the_department_share_counts_met_goals_among_those_known(firm, quarter, next_quarter):
    # Given the lawyer (met satisfaction, no-data timeliness, a text goal marked not met) and the colleague (met)
    record(
        firm,
        quarter,
        firm.lawyer,
        [numeric("satisfaction", "3.8"), numeric("complaint_timeliness", "90"), text("完成培训")],
    )
    record(firm, quarter, firm.colleague, [numeric("satisfaction", "4.5")])
    publish_quarter(next_quarter)
    Goal.objects.filter(indicator__isnull=True).update(met=False)

    share = department_share()

    assert share["codes"] == ["2026Q2", "2026Q3"]
    (row,) = share["rows"]
    assert row["department"] == firm.lawyer.profile.department
    agreed_in_q2, measured_in_q3 = row["cells"]
    assert agreed_in_q2.total == 0
    # colleague 4.33 ≥ 4.5 is not met; lawyer 4 ≥ 3.8 met; text not met; timeliness not known
    assert (measured_in_q3.met, measured_in_q3.known, measured_in_q3.total) == (1, 3, 4)
    assert measured_in_q3.share == Decimal("33")
    assert share["totals"][1].met == 1
