"""The lawyer's scorecard (regulation 三.5): who sees it, what it says, and how many queries it costs."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interviews.models import ImprovementItem, Interview
from reviews.models import Position
from tests.personas import make_person
from tests.reviews.scorecard_builders import LAWYER_LINES, make_quarter, make_scorecard, published_at

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def quarter(firm):
    return make_quarter(2026, 2, published_at=published_at(2026, 7, 8))


@pytest.fixture
def card(firm, quarter):
    """The lawyer's published 2026Q2 scorecard: 82.5, first of three lawyers."""
    make_scorecard(quarter, firm.colleague, total="75", rank=2, ranked_count=3)
    make_scorecard(quarter, firm.outsider, total="60", rank=3, ranked_count=3)
    return make_scorecard(
        quarter,
        firm.lawyer,
        total="82.5",
        rank=1,
        ranked_count=3,
        evaluation="客户开发表现突出，投诉处理需加强。",
        lines=LAWYER_LINES,
    )


def row_of(html, code):
    match = re.search(rf'<tr data-indicator="{code}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {code}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


@pytest.mark.parametrize("persona", ["lawyer", "superior", "partner", "executor"])
def test_a_published_scorecard_is_shown_to_its_owner_the_superiors_and_the_organisers(firm, card, client_for, persona):
    response = client_for(getattr(firm, persona)).get(reverse("portal:scorecard", args=[card.pk]))
    assert response.status_code == 200
    assert "陈静" in response.content.decode()


@pytest.mark.parametrize(
    "persona", ["colleague", "outsider", "assistant", "business_clerk", "finance_clerk", "admin_clerk"]
)
def test_nobody_else_learns_that_the_scorecard_exists(firm, card, client_for, persona):
    response = client_for(getattr(firm, persona)).get(reverse("portal:scorecard", args=[card.pk]))
    assert response.status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login_page(card, client):
    response = client.get(reverse("portal:scorecard", args=[card.pk]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_draft_is_hidden_from_its_owner_and_superior_but_shown_to_the_execution_group(firm, client_for):
    # Given a scored but unpublished quarter
    draft_quarter = make_quarter(2026, 3)
    draft = make_scorecard(draft_quarter, firm.lawyer, total="90", status="draft", lines=LAWYER_LINES)
    url = reverse("portal:scorecard", args=[draft.pk])

    # Then the person and the superior get 404, and the draft is not in the person's list
    assert client_for(firm.lawyer).get(url).status_code == 404
    assert "2026Q3" not in client_for(firm.lawyer).get(reverse("portal:my_scorecards")).content.decode()
    assert client_for(firm.superior).get(url).status_code == 404
    # while the execution group sees it marked as a draft
    page = english(client_for(firm.executor)).get(url).content.decode()
    assert "Draft: not published yet" in page


def test_the_page_shows_total_grade_rank_evaluation_and_every_indicator_line(firm, card, client_for):
    page = english(client_for(firm.lawyer)).get(reverse("portal:scorecard", args=[card.pk])).content.decode()

    assert re.search(r'id="scorecard-total">\s*82.50<', page)
    assert re.search(r'id="scorecard-grade">\s*Good<', page)
    assert re.search(r'id="scorecard-rank">\s*1 / 3 lawyers<', page)
    assert "客户开发表现突出，投诉处理需加强。" in page
    # Values are shown in their unit; satisfaction also on the 0–100 scale.
    assert row_of(page, "new_clients").startswith("New clients")
    assert "3 clients" in row_of(page, "new_clients") and "18.00" in row_of(page, "new_clients")
    assert "25 %" in row_of(page, "new_client_revenue_share") and "12.50" in row_of(page, "new_client_revenue_share")
    assert "4.36 / 5 (84 / 100)" in row_of(page, "satisfaction") and "16.60" in row_of(page, "satisfaction")
    assert "no data" in row_of(page, "complaint_timeliness")
    for code, _value, _target, weight, points in LAWYER_LINES:
        line = row_of(page, code)
        assert f"{float(points):.2f}" in line, code
        assert f"{float(weight):.2f}" in line, code


def test_each_line_links_to_its_explanation(firm, card, client_for):
    page = client_for(firm.lawyer).get(reverse("portal:scorecard", args=[card.pk])).content.decode()
    for line in card.lines.all():
        assert reverse("portal:explain", args=[line.pk]) in page


def test_the_rank_names_the_position(firm, quarter, client_for):
    assistant_card = make_scorecard(quarter, firm.assistant, total="70", rank=2, ranked_count=5)
    page = english(client_for(firm.assistant)).get(reverse("portal:scorecard", args=[assistant_card.pk]))
    assert re.search(r'id="scorecard-rank">\s*2 / 5 assistants<', page.content.decode())


def test_the_charts_are_inline_svg_with_the_category_points_and_the_trend_against_the_firm(firm, card, client_for):
    # Given an earlier published quarter where the lawyer had 70 and the firm averaged 65
    earlier = make_quarter(2026, 1, published_at=published_at(2026, 4, 8))
    make_scorecard(earlier, firm.lawyer, total="70")
    make_scorecard(earlier, firm.colleague, total="60")

    page = english(client_for(firm.lawyer)).get(reverse("portal:scorecard", args=[card.pk])).content.decode()

    charts = re.findall(r"<svg .*?</svg>", page, re.S)
    assert len(charts) == 2
    category, trend = (ET.fromstring(svg) for svg in charts)  # noqa: S314 — our own markup
    category_text = ["".join(t.itertext()) for t in category.iter("{http://www.w3.org/2000/svg}text")]
    # Client development: 18 + 12.5 of 25 available
    assert "Client development" in category_text and "30.5 / 25" in category_text
    trend_text = ["".join(t.itertext()) for t in trend.iter("{http://www.w3.org/2000/svg}text")]
    assert "2026Q1" in trend_text and "2026Q2" in trend_text
    assert "陈静" in trend_text and "Firm average" in trend_text
    # The person's 70 and 82.5; the firm's 65 and (82.5 + 75 + 60) / 3 = 72.5
    assert {"70", "82.5", "65", "72.5"} <= set(trend_text)


def test_past_quarters_are_listed_and_link_to_their_scorecards(firm, card, client_for):
    earlier = make_quarter(2026, 1, published_at=published_at(2026, 4, 8))
    old = make_scorecard(earlier, firm.lawyer, total="70")
    page = client_for(firm.lawyer).get(reverse("portal:scorecard", args=[card.pk])).content.decode()
    assert reverse("portal:scorecard", args=[old.pk]) in page
    listing = client_for(firm.lawyer).get(reverse("portal:my_scorecards")).content.decode()
    assert "2026Q1" in listing and "2026Q2" in listing


def test_the_previous_quarters_improvement_items_and_goals_are_followed_up(firm, card, client_for):
    # Given the 2026Q1 interview recorded goals and an improvement plan
    earlier = make_quarter(2026, 1, published_at=published_at(2026, 4, 8))
    make_scorecard(earlier, firm.lawyer, total="70")
    interview = Interview.objects.create(
        quarter=earlier,
        staff=firm.lawyer.profile,
        superior=firm.superior.profile,
        scheduled_at=published_at(2026, 4, 10),
        place="3楼会议室",
        scheduled_by=firm.superior,
        held_at=published_at(2026, 4, 10),
        strengths="沟通好",
        weaknesses="回访少",
        goals="本季度新增两位客户",
        recorded_by=firm.superior,
        recorded_at=published_at(2026, 4, 10, 12),
    )
    ImprovementItem.objects.create(
        interview=interview, description="每月回访老客户", owner=firm.lawyer.profile, due_on=datetime.date(2026, 6, 30)
    )

    # When the lawyer opens the 2026Q2 scorecard
    page = english(client_for(firm.lawyer)).get(reverse("portal:scorecard", args=[card.pk])).content.decode()

    # Then the plan and the goals are there to follow up
    assert "Follow-up from the 2026Q1 interview" in page
    assert "本季度新增两位客户" in page
    assert "每月回访老客户" in page
    # but not on the 2026Q1 scorecard itself
    old = earlier.scorecards.get(staff=firm.lawyer.profile)
    old_page = client_for(firm.lawyer).get(reverse("portal:scorecard", args=[old.pk])).content.decode()
    assert "每月回访老客户" not in old_page


def test_the_page_links_to_the_interview_record(firm, card, quarter, client_for):
    interview = Interview.objects.create(
        quarter=quarter,
        staff=firm.lawyer.profile,
        superior=firm.superior.profile,
        scheduled_at=published_at(2026, 7, 10),
        place="会议室",
        scheduled_by=firm.superior,
    )
    page = client_for(firm.lawyer).get(reverse("portal:scorecard", args=[card.pk])).content.decode()
    assert reverse("interviews:interview", args=[interview.pk]) in page


def _firm_of(firm, *, staff, quarters):
    """`staff` extra lawyers with a scorecard in each of `quarters` published quarters; the lawyer in all."""
    people = [firm.lawyer, firm.colleague, firm.outsider] + [
        make_person(f"extra{n}", f"员工{n}", Position.LAWYER, firm.litigation, superior=firm.superior)
        for n in range(staff - 3)
    ]
    cards = []
    for index in range(quarters):
        quarter = make_quarter(
            2025 + (index + 1) // 4,
            (index + 1) % 4 + 1,
            published_at=published_at(2025, 4, 8) + datetime.timedelta(days=91 * index),
        )
        for rank, person in enumerate(people, start=1):
            card = make_scorecard(
                quarter,
                person,
                total=str(90 - rank % 40),
                rank=rank,
                ranked_count=len(people),
                lines=LAWYER_LINES if person == firm.lawyer else None,
            )
            if person == firm.lawyer:
                cards.append(card)
        # Every quarter has an interview with an item, so the follow-up is there in every run.
        interview = Interview.objects.create(
            quarter=quarter,
            staff=firm.lawyer.profile,
            superior=firm.superior.profile,
            scheduled_at=published_at(2025, 4, 10),
            place="会议室",
            scheduled_by=firm.superior,
        )
        ImprovementItem.objects.create(
            interview=interview, description="回访", owner=firm.lawyer.profile, due_on=datetime.date(2026, 1, 1)
        )
    return cards[-1]


def _queries_for(client, card):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("portal:scorecard", args=[card.pk]))
    assert response.status_code == 200
    return len(queries)


# No cache anywhere: every reading is a first reading (docs/benchmarks.md, "pages").
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def _measure(firm, client_for, viewer, *, staff, quarters):
    """Queries of the lawyer's latest scorecard page in a firm of that size, read with no cache at all (a dummy
    backend: nothing kept between or within requests); the firm is rolled back after."""
    with override_settings(CACHES=NO_CACHE), transaction.atomic():
        card = _firm_of(firm, staff=staff, quarters=quarters)
        client = client_for(getattr(firm, viewer))
        count = _queries_for(client, card)
        transaction.set_rollback(True)
    return count


@pytest.mark.parametrize("viewer", ["lawyer", "superior", "executor"])
def test_the_first_reading_costs_the_same_few_queries_whatever_the_firm_size_and_history(firm, client_for, viewer):
    counts = {
        (staff, quarters): _measure(firm, client_for, viewer, staff=staff, quarters=quarters)
        for staff, quarters in [(10, 1), (40, 1), (10, 4), (40, 4)]
    }
    # The previous quarter is found within the interviews' query: a firm's first quarter costs no fewer queries.
    assert len(set(counts.values())) == 1, counts
    assert max(counts.values()) <= 15, counts


def test_a_second_reading_costs_as_much_as_the_first(firm, card, client_for):
    # Nothing is kept between readings: the second reading reads the lines again.
    browser = english(client_for(firm.lawyer))
    url = reverse("portal:scorecard", args=[card.pk])
    with CaptureQueriesContext(connection) as first:
        first_html = browser.get(url).content.decode()
    with CaptureQueriesContext(connection) as second:
        second_html = browser.get(url).content.decode()
    assert any("results_indicatorscore" in query["sql"] for query in second.captured_queries)
    assert len(second) == len(first)
    assert row_of(second_html, "new_clients") == row_of(first_html, "new_clients")


def test_a_newly_published_quarter_reaches_the_trend_and_past_quarters_at_once(firm, card, client_for):
    # Given the lawyer's 2026Q2 page read once
    browser = english(client_for(firm.lawyer))
    url = reverse("portal:scorecard", args=[card.pk])
    assert "2026Q1" not in browser.get(url).content.decode()
    # When the results of 2026Q1 are published (a new scorecard, a new publication)
    earlier = make_scorecard(make_quarter(2026, 1, published_at=published_at(2026, 4, 8)), firm.lawyer, total="71")
    # Then the page lists it among the past quarters and in the trend
    html = browser.get(url).content.decode()
    assert reverse("portal:scorecard", args=[earlier.pk]) in html
    assert "2026Q1" in html and "71.00" in html


def test_a_renamed_person_appears_under_the_new_name_in_the_trend(firm, card, client_for):
    browser = english(client_for(firm.lawyer))
    url = reverse("portal:scorecard", args=[card.pk])
    browser.get(url)
    firm.lawyer.profile.full_name = "陈静怡"
    firm.lawyer.profile.save()
    assert "陈静怡" in browser.get(url).content.decode().split('id="trend-chart"', 1)[1]


def test_the_results_block_follows_the_reader_s_language(firm, card, client_for):
    browser = client_for(firm.lawyer)
    url = reverse("portal:scorecard", args=[card.pk])
    english(browser)
    assert "Points by category" in browser.get(url).content.decode()
    browser.cookies["django_language"] = "zh-hans"
    assert "各类指标得分" in browser.get(url).content.decode()


def test_a_corrected_version_says_its_evaluation_was_written_for_the_first_result(firm, card, client_for):
    from results.models import Scorecard

    browser = english(client_for(firm.lawyer))
    url = reverse("portal:scorecard", args=[card.pk])
    assert 'id="evaluation-version-note"' not in browser.get(url).content.decode()
    # A correction supersedes the first version with a second (as results.corrections writes it)
    Scorecard.objects.filter(pk=card.pk).update(is_current=False)
    second = make_scorecard(
        card.quarter, firm.lawyer, total="84", version=2, lines=LAWYER_LINES, evaluation=card.evaluation
    )
    html = browser.get(reverse("portal:scorecard", args=[second.pk])).content.decode()
    assert "written for the result as first published" in html
