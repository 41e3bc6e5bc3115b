"""Storing draft results, the results page and the explanation page, and who may see them."""

from decimal import Decimal as D

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from clients.models import Contract
from indicators.computation import rows_compute
from indicators.models import Scheme
from indicators.scoring import Person, stored_raw
from interviews.access import get_scorecard_for_user
from results.basis import rows_of
from results.drafts import results_store_drafts
from results.explain import line_explanation, line_record_ids
from results.models import IndicatorScore, Scorecard
from tests.indicators.test_selectors import AS_OF, quarter_with_scheme, ratings, scored_firm, survey  # noqa: F401


@pytest.fixture
def stored(scored_firm):  # noqa: F811
    firm, quarter, scheme = scored_firm
    results_store_drafts(quarter=quarter, scheme=scheme, by=firm.executor, as_of=AS_OF)
    return firm, quarter, scheme


def card_of(user, quarter):
    return Scorecard.objects.get(quarter=quarter, staff=user.profile, is_current=True)


def line_of(user, quarter, code):
    return IndicatorScore.objects.get(scorecard=card_of(user, quarter), indicator__code=code)


def test_storing_writes_one_draft_scorecard_per_assessed_person_with_its_lines(stored):
    firm, quarter, scheme = stored
    cards = Scorecard.objects.filter(quarter=quarter)
    assert cards.count() == 9  # the ten personas minus the partner, who is not assessed
    assert set(cards.values_list("status", "version", "is_current", "scheme")) == {("draft", 1, True, scheme.pk)}
    card = card_of(firm.lawyer, quarter)
    # 90 × 100/95 = 94.736…, but the total is the sum of the eight rounded lines shown: 94.73
    assert card.total == D("94.73") and card.grade == "优秀" and card.grade_en == "Excellent"
    assert (card.rank, card.ranked_count, card.department) == (1, 4, firm.litigation)
    assert card.created_by == firm.executor
    assert card.lines.count() == 9
    share = line_of(firm.lawyer, quarter, "new_client_revenue_share")
    assert (share.value, share.numerator, share.denominator, share.target) == (D(30), D(3000), D(10000), D(20))
    assert (share.weight, share.effective_weight, share.points) == (D(10), D("10.53"), D("13.68"))
    # The explanation finds the three entries credited in the quarter, two of them from new clients
    revenue = line_explanation(share)["sources"]["revenue"]
    assert len(revenue) == 3 and sum(row["from_new_client"] for row in revenue) == 2
    timeliness = line_of(firm.lawyer, quarter, "complaint_timeliness")
    assert timeliness.no_data_applied and timeliness.no_data_policy == "exclude" and timeliness.points == 0


def test_recomputing_replaces_the_drafts(stored):
    # Given stored drafts and then a new survey of the lawyer
    firm, quarter, scheme = stored
    first_ids = set(Scorecard.objects.values_list("pk", flat=True))
    survey(firm.lawyer, (1, 1, 1))
    # When the quarter is recomputed
    count = results_store_drafts(quarter=quarter, scheme=scheme, by=firm.executor, as_of=AS_OF)
    # Then the old drafts are gone and the new ones see the survey
    assert count == 9 and Scorecard.objects.count() == 9
    assert not first_ids & set(Scorecard.objects.values_list("pk", flat=True))
    assert line_of(firm.lawyer, quarter, "satisfaction").value == D("3.3333")


def test_recomputing_refuses_once_results_are_published(stored):
    # Given one published scorecard
    firm, quarter, scheme = stored
    Scorecard.objects.filter(staff=firm.lawyer.profile).update(status=Scorecard.Status.PUBLISHED)
    before = list(Scorecard.objects.order_by("pk").values_list("pk", "total", "status"))
    # When the quarter is recomputed, it is refused and nothing changes
    with translation.override("en"), pytest.raises(ValidationError, match="published"):
        results_store_drafts(quarter=quarter, scheme=scheme, by=firm.executor)
    assert list(Scorecard.objects.order_by("pk").values_list("pk", "total", "status")) == before


def test_a_scheme_of_another_quarter_is_refused(stored):
    firm, quarter, _ = stored
    _, other = quarter_with_scheme(firm.executor, number=2)
    with translation.override("en"), pytest.raises(ValidationError, match="not a scheme of 2026Q3"):
        results_store_drafts(quarter=quarter, scheme=other, by=firm.executor)


# --- Who sees what ---


@pytest.mark.parametrize("persona", ["executor", "partner"])
def test_organisers_see_the_results_table(stored, client_for, persona):
    firm, quarter, _ = stored
    browser = client_for(getattr(firm, persona))
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = browser.get(reverse("portal:results", args=[quarter.code]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "陈静" in text and "94.73" in text and "1 / 4" in text
    assert reverse("portal:explain", args=[line_of(firm.lawyer, quarter, "new_clients").pk]) in text


@pytest.mark.parametrize("persona", ["lawyer", "superior", "assistant", "business_clerk", "outsider"])
def test_nobody_else_sees_the_results_table(stored, client_for, persona):
    firm, quarter, _ = stored
    response = client_for(getattr(firm, persona)).get(reverse("portal:results", args=[quarter.code]))
    assert response.status_code == 403
    assert "94.73" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(stored, client):
    firm, quarter, _ = stored
    response = client.get(reverse("portal:results", args=[quarter.code]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    line = line_of(firm.lawyer, quarter, "new_clients")
    response = client.get(reverse("portal:explain", args=[line.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_an_unknown_quarter_is_not_found(stored, client_for):
    firm, _, _ = stored
    assert client_for(firm.executor).get(reverse("portal:results", args=["2031Q1"])).status_code == 404
    assert client_for(firm.executor).get(reverse("portal:results", args=["nonsense"])).status_code == 404


def test_the_results_table_says_when_nothing_is_computed_yet(scored_firm, client_for):  # noqa: F811
    firm, quarter, _ = scored_firm
    browser = client_for(firm.executor)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = browser.get(reverse("portal:results", args=[quarter.code]))
    assert "No results have been computed for 2026Q3 yet" in response.content.decode()


@pytest.mark.parametrize("persona", ["lawyer", "superior", "colleague", "outsider", "assistant", "admin_clerk"])
def test_nobody_outside_the_groups_sees_an_unpublished_explanation(stored, client_for, persona):
    # A lawyer cannot see even their own draft; their superior cannot either before publication.
    firm, quarter, _ = stored
    line = line_of(firm.lawyer, quarter, "new_clients")
    response = client_for(getattr(firm, persona)).get(reverse("portal:explain", args=[line.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "persona, sees",
    [
        ("lawyer", True),  # the owner
        ("superior", True),  # direct superior
        ("partner", True),  # organiser (and superior up the chain)
        ("colleague", False),  # same superior, not a superior of the lawyer
        ("assistant", False),
        ("outsider", False),
        ("admin_clerk", False),
    ],
)
def test_a_published_scorecard_is_seen_by_its_owner_and_their_superiors_only(stored, persona, sees):
    firm, quarter, _ = stored
    card = card_of(firm.lawyer, quarter)
    card.status = Scorecard.Status.PUBLISHED
    card.save()
    user = getattr(firm, persona)
    if sees:
        assert get_scorecard_for_user(user, card.pk) == card
    else:
        with pytest.raises(Http404):
            get_scorecard_for_user(user, card.pk)


def test_a_superior_up_the_chain_sees_a_published_scorecard(stored):
    # Given the executor's report (the admin clerk) and a published card of the clerk: the partner is two levels up
    firm, quarter, _ = stored
    card = card_of(firm.admin_clerk, quarter)
    card.status = Scorecard.Status.PUBLISHED
    card.save()
    firm.partner.groups.clear()
    assert get_scorecard_for_user(firm.partner, card.pk) == card
    assert get_scorecard_for_user(firm.admin_clerk, card.pk) == card


def test_an_unknown_scorecard_or_line_is_not_found(stored, client_for):
    firm, _, _ = stored
    with pytest.raises(Http404):
        get_scorecard_for_user(firm.executor, 999999)
    assert client_for(firm.executor).get(reverse("portal:explain", args=[999999])).status_code == 404


# --- The explanation page ---


def explain(client_for, user, line, language="en"):
    browser = client_for(user)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = browser.get(reverse("portal:explain", args=[line.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_revenue_share_explanation_lists_the_entries_and_fills_in_the_formula(stored, client_for):
    firm, quarter, _ = stored
    text = explain(client_for, firm.executor, line_of(firm.lawyer, quarter, "new_client_revenue_share"))
    assert "7000.00" in text and "1000.00" in text and "2000.00" in text
    assert "5000.00" not in text  # received before the quarter
    assert "3000 ÷ 10000 × 100 = 30 %" in text
    assert "One step = 10 % of the target 20 = 2" in text
    assert "Points = weight + deviation ÷ step × points per step = 10 + 10 ÷ 2 × 1 = 15" in text
    assert "Kept within 0 and weight + bonus cap (13): 13" in text
    assert "13 × 100 ÷ 95 = 13.68" in text


def test_the_complaint_explanations_show_in_time_and_late(stored, client_for):
    firm, quarter, _ = stored
    text = explain(client_for, firm.executor, line_of(firm.superior, quarter, "complaint_timeliness"))
    assert text.count("In time") == 1 and text.count(">Late<") == 1
    assert "1 ÷ 2 × 100 = 50 %" in text and "48 hours" in text
    text = explain(client_for, firm.executor, line_of(firm.lawyer, quarter, "complaint_rate"))
    assert "3 clients served in the quarter" in text
    assert "Lower is better: deviation = target − value = 0 − 66.6667 = −66.6667" in text


def test_the_no_data_policy_is_explained(stored, client_for):
    firm, quarter, _ = stored
    text = explain(client_for, firm.executor, line_of(firm.lawyer, quarter, "complaint_timeliness"))
    assert "No data: the scheme excludes this indicator; its 5 points are spread over the others." in text


def test_the_satisfaction_explanation_lists_surveys_and_the_0_to_100_value(stored, client_for):
    firm, quarter, _ = stored
    text = explain(client_for, firm.executor, line_of(firm.lawyer, quarter, "satisfaction"))
    assert "9 ÷ 2 = 4.5" in text and "87.5" in text
    assert text.count('<td class="num">5</td>') == 3


def publish_lawyer_card(firm, quarter):
    card = card_of(firm.lawyer, quarter)
    Scorecard.objects.filter(pk=card.pk).update(status=Scorecard.Status.PUBLISHED)


def test_with_two_peers_the_lawyer_sees_no_averages_by_rater_type(stored, client_for):
    # Given the lawyer's communication was rated by the superior (5) and two colleagues (4 and 3), and published
    firm, quarter, _ = stored
    publish_lawyer_card(firm, quarter)
    # When the lawyer opens the explanation of that line
    text = explain(client_for, firm.lawyer, line_of(firm.lawyer, quarter, "communication"))
    # Then the page says there are not enough colleague ratings, and shows neither the colleagues' average nor the
    # superior's (which, next to the overall 4, would give the colleagues' 3.5 away)
    assert "Not enough colleagues rated this line (fewer than three)" in text
    assert "3.50" not in text and "5.00" not in text and "Peer" not in text
    assert "刘洋" not in text and "杨光" not in text and "周强" not in text
    # And the value and the points are the same as always
    assert "12 ÷ 3 = 4" in text and "10 × 4 ÷ 5 = 8" in text


def test_the_lawyers_superior_sees_no_averages_by_rater_type_either(stored, client_for):
    firm, quarter, _ = stored
    publish_lawyer_card(firm, quarter)
    text = explain(client_for, firm.superior, line_of(firm.lawyer, quarter, "communication"))
    assert "Not enough colleagues rated this line" in text and "3.50" not in text


def test_the_execution_group_sees_the_full_figures(stored, client_for):
    firm, quarter, _ = stored
    text = explain(client_for, firm.executor, line_of(firm.lawyer, quarter, "communication"))
    assert "Peer" in text and "3.50" in text and "Superior" in text and "5.00" in text
    assert "Not enough colleagues" not in text
    assert "刘洋" not in text and "杨光" not in text and "周强" not in text


def test_with_three_peers_the_lawyer_sees_averages_by_rater_type_without_names(stored, client_for):
    # Given a third colleague rated the lawyer's communication too (4, 3 and 5: an average of 4)
    firm, quarter, scheme = stored
    ratings(quarter, firm.executor, [(firm.outsider, firm.lawyer, "peer", "communication", 5)])
    results_store_drafts(quarter=quarter, scheme=scheme, by=firm.executor, as_of=AS_OF)
    publish_lawyer_card(firm, quarter)
    text = explain(client_for, firm.lawyer, line_of(firm.lawyer, quarter, "communication"))
    # Then the averages per rater type show, and no rater's name
    assert "Peer" in text and "4.00" in text and "Superior" in text and "5.00" in text
    assert "Not enough colleagues" not in text
    assert "刘洋" not in text and "杨光" not in text and "周强" not in text
    assert "17 ÷ 4 = 4.25" in text


def test_a_weighted_formula_does_not_give_the_peers_average_away(stored, client_for):
    # Given a scheme that weighs the superior 2 and colleagues 1, two colleagues rated
    firm, quarter, scheme = stored
    line = line_of(firm.lawyer, quarter, "communication")
    details = {**line.details, "weights": {"peer": "1", "superior": "2"}}
    IndicatorScore.objects.filter(pk=line.pk).update(details=details)
    publish_lawyer_card(firm, quarter)
    text = explain(client_for, firm.lawyer, line_of(firm.lawyer, quarter, "communication"))
    assert "1 × 3.50" not in text and "2 × 5.00" not in text
    assert "the averages by kind of rater are not shown: fewer than three colleagues rated" in text


def test_the_explanation_is_in_the_active_language(stored, client_for):
    firm, quarter, _ = stored
    line = line_of(firm.lawyer, quarter, "new_clients")
    text = explain(client_for, firm.executor, line, language="zh-hans")
    assert "新客户数量" in text
    text = explain(client_for, firm.executor, line, language="en")
    assert "New clients" in text and 'How "New clients" was computed' in text.replace("&quot;", '"')


def test_new_clients_explanation_lists_the_first_contracts(stored, client_for):
    firm, quarter, _ = stored
    line = line_of(firm.lawyer, quarter, "new_clients")
    text = explain(client_for, firm.executor, line)
    first_contracts = Contract.objects.filter(originating_lawyer=firm.lawyer.profile, signed_on__gte="2026-07-01")
    assert first_contracts.count() == 2
    for contract in first_contracts:
        assert contract.number in text
    assert "2026-08-03" in text and "2026-09-30" in text


def test_the_repeat_and_referral_explanations_find_the_existing_clients_again(stored):
    # Given the lawyer's existing clients A and B (C is older than the look-back window): A signed again in the
    # quarter, B referred the new client N1
    firm, quarter, _ = stored
    repeat = line_explanation(line_of(firm.lawyer, quarter, "repeat_engagement_rate"))["sources"]
    referral = line_explanation(line_of(firm.lawyer, quarter, "referral_rate"))["sources"]
    a = Contract.objects.get(signed_on="2025-05-01").client
    b = Contract.objects.get(signed_on="2024-09-01").client
    # Then both pages list A and B only, each counting the one that qualifies
    assert [(row["client"].pk, row["counted"]) for row in repeat["existing_clients"]] == [(a.pk, True), (b.pk, False)]
    assert [c.signed_on.isoformat() for c in repeat["contracts"]] == ["2026-07-20"]
    assert [(row["client"].pk, row["counted"]) for row in referral["existing_clients"]] == [(a.pk, False), (b.pk, True)]
    assert [(c.referred_by.pk, c.referred_by.name) for c in referral["referred"]] == [(b.pk, b.name)]


def test_the_records_behind_a_line_are_found_by_kind(stored):
    firm, quarter, _ = stored
    new_clients = line_record_ids(line_of(firm.lawyer, quarter, "new_clients"))
    first_contracts = Contract.objects.filter(originating_lawyer=firm.lawyer.profile, signed_on__gte="2026-07-01")
    assert new_clients == {"contracts": sorted(first_contracts.values_list("pk", flat=True))}
    revenue = line_record_ids(line_of(firm.lawyer, quarter, "new_client_revenue_share"))
    assert list(revenue) == ["revenue"] and len(revenue["revenue"]) == 3
    timeliness = line_record_ids(line_of(firm.superior, quarter, "complaint_timeliness"))
    assert list(timeliness) == ["complaints"] and len(timeliness["complaints"]) == 2


# --- The results table at firm scale (docs/benchmarks.md, the `pages` row) ---


def _many_cards(count, *, quarter=None):
    """A scored quarter with `count` lawyers, each with two indicator lines; ranks follow the totals."""
    from reviews.models import Department
    from tests.personas import make_person
    from tests.reviews.quarter_builders import make_card, make_quarter

    quarter = quarter or make_quarter(2026, 3)
    department = Department.objects.get(code="lit")
    people = [make_person(f"p{i:03d}", f"员工{i:03d}", "lawyer", department) for i in range(count)]
    for i, user in enumerate(people):
        total = 40 + (i * 7) % 60
        make_card(quarter, user, total, rank=i + 1, ranked_count=count,
                  lines=[("new_clients", total // 2, 40), ("satisfaction", total - total // 2, 60)])  # fmt: skip
    return quarter


def _results_queries(browser, quarter, query=None):
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(reverse("portal:results", args=[quarter.code]), query or {})
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.fixture
def restore_language():
    # An English page leaves English active in this thread; later tests read the default language.
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_a_cell_names_its_value_with_the_reader_s_colon(firm, client_for):
    # docs/chinese.md: a full-width colon after Chinese, never an ASCII one
    quarter = _many_cards(3)
    browser = client_for(firm.executor)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    _, page = _results_queries(browser, quarter)
    assert 'title="实际值：' in page and 'title="实际值:' not in page


def test_the_results_table_shows_100_people_a_page_and_keeps_the_filters(firm, client_for, restore_language):
    # Given 130 lawyers with results
    quarter = _many_cards(130)
    browser = client_for(firm.executor)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # When the first page is shown, it holds 100 people by rank, with their points per indicator
    _, first = _results_queries(browser, quarter)
    table = first[first.index('id="results"') :]
    assert table.count("<tr>") == 101  # the header and 100 people
    assert "员工000" in table and "1 / 130" in table and "员工129" not in table
    assert "Page 1 of 2 (130 rows)" in first
    # And the second page holds the other 30, found by sorting and filtering in the same query string
    _, second = _results_queries(browser, quarter, {"page": 2})
    assert "员工129" in second and "130 / 130" in second and "员工000" not in second
    _, searched = _results_queries(browser, quarter, {"q": "员工12", "sort": "name", "dir": "desc"})
    rows = searched[searched.index('id="results"') :]
    assert rows.index("员工129") < rows.index("员工120") and "员工119" not in rows


# No cache anywhere: every reading is a first reading (docs/benchmarks.md, "pages").
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
# Several pages and every sort, as people page through the tables.
TABLE_QUERIES = [
    {},
    {"page": 2},
    {"sort": "name", "dir": "desc", "page": 2},
    {"sort": "total", "dir": "asc"},
    {"sort": "department", "dir": "desc"},
    {"sort": "rank", "dir": "desc", "department": "lit"},
]


def _table_queries(browser, name, quarter):
    counts = []
    for query in TABLE_QUERIES:
        with CaptureQueriesContext(connection) as queries:
            response = browser.get(reverse(name, args=[quarter.code]), query)
        assert response.status_code == 200
        counts.append(len(queries))
    return counts, response.content.decode()


@pytest.mark.parametrize(("name", "viewer"), [("portal:results", "executor"), ("portal:approval", "partner")])
def test_the_ranked_tables_need_the_same_few_queries_cold_for_20_and_150_staff(firm, client_for, name, viewer):
    from reviews.models import Department
    from tests.personas import make_person
    from tests.reviews.quarter_builders import make_card

    with override_settings(CACHES=NO_CACHE):
        quarter = _many_cards(20)
        browser = client_for(getattr(firm, viewer))
        small, _ = _table_queries(browser, name, quarter)
        department = Department.objects.get(code="lit")
        for i in range(130):
            user = make_person(f"q{i:03d}", f"同事{i:03d}", "lawyer", department)
            make_card(quarter, user, 50 + i % 40, rank=21 + i, ranked_count=150, lines=[("satisfaction", 10, 15)])
        large, text = _table_queries(browser, name, quarter)
    # The approval page as the partner opens it carries the whole report: that first view's bound is the report's
    # and the table's together; paging and sorting the table stay within the table's.
    bounds = [20] * len(TABLE_QUERIES) if name == "portal:results" else [40] + [20] * (len(TABLE_QUERIES) - 1)
    assert small == large and all(count <= bound for count, bound in zip(large, bounds, strict=True)), (small, large)
    if name == "portal:results":
        assert text.count("/results/line/") >= 20  # every cell of the page links to its explanation
    else:
        assert 'id="report-elsewhere"' in text and 'id="ranked-table"' in text


def test_the_explanation_agrees_with_its_records_when_nothing_changed(stored, client_for):
    firm, quarter, _ = stored
    for code in ("new_clients", "new_client_revenue_share", "repeat_engagement_rate", "referral_rate",
                 "complaint_rate", "satisfaction"):  # fmt: skip
        line = line_of(firm.lawyer, quarter, code)
        assert not line_explanation(line)["records_changed"], code
    assert not line_explanation(line_of(firm.superior, quarter, "complaint_timeliness"))["records_changed"]
    text = explain(client_for, firm.executor, line_of(firm.lawyer, quarter, "new_clients"))
    assert 'id="records-changed"' not in text


def test_the_explanation_says_when_a_listed_record_was_edited_after_scoring(stored, client_for):
    # Given a revenue entry of the lawyer's corrected after the results were computed (same count, new amount)
    from clients.models import RevenueEntry
    from clients.services import revenue_entry_update

    firm, quarter, _ = stored
    line = line_of(firm.lawyer, quarter, "new_client_revenue_share")
    entry = RevenueEntry.objects.get(pk=line_record_ids(line)["revenue"][0])
    revenue_entry_update(instance=entry, by=firm.finance_clerk, amount=entry.amount + 1)
    # Then the page names the changed entry and keeps the numbers and the list of the result's basis
    text = explain(client_for, firm.executor, line)
    assert 'id="records-changed"' in text
    assert f"Revenue entry {entry.ref}: changed since" in text
    assert "3000 ÷ 10000 × 100 = 30 %" in text
    assert f"{entry.amount:.2f}" in text and f"{entry.amount + 1:.2f}" not in text


def test_the_explanation_lists_the_records_as_they_were_when_one_was_reassigned(stored, client_for):
    # Given one of the lawyer's first contracts of the quarter given another originating lawyer without a change
    # record (she stays its responsible lawyer)
    firm, quarter, _ = stored
    line = line_of(firm.lawyer, quarter, "new_clients")
    moved = Contract.objects.get(pk=line_record_ids(line)["contracts"][0])
    Contract.objects.filter(pk=moved.pk).update(originating_lawyer=firm.colleague.profile)
    # Then the page still lists it, as it counted, and says it changed since
    explanation = line_explanation(line)
    assert moved.pk in [contract.pk for contract in explanation["sources"]["contracts"]]
    assert [(c.reference, c.what) for c in explanation["changes"]] == [(moved.number, "changed")]
    # And once she is on it no more, it no longer counts for her
    Contract.objects.filter(pk=moved.pk).update(responsible_lawyer=firm.colleague.profile)
    assert [(c.reference, c.what) for c in line_explanation(line)["changes"]] == [(moved.number, "removed")]


def test_a_record_added_since_scoring_is_named(stored, client_for):
    # Given a complaint about the lawyer added after scoring by the administrative clerk, dated inside the quarter
    from clients.services import complaint_create
    from tests.indicators.test_selectors import at, client

    firm, quarter, _ = stored
    added = complaint_create(
        by=firm.admin_clerk, ref="TS-LATE", client=client(), about=firm.lawyer.profile, received_at=at(9, 1)
    )
    line = line_of(firm.lawyer, quarter, "complaint_rate")
    text = explain(client_for, firm.executor, line)
    assert f"Complaint {added.ref}: added since" in text
    assert added.ref not in text.split('id="sources"')[1]  # not in the list the result counted


def test_the_results_table_shows_recomputed_points_after_a_first_reading(stored, client_for):
    # Given the results table read once
    firm, quarter, scheme = stored
    browser = client_for(firm.executor)
    url = reverse("portal:results", args=[quarter.code])
    before = line_of(firm.lawyer, quarter, "satisfaction")
    assert f">{before.points}</a>" in browser.get(url).content.decode()
    # When a bad survey arrives and the quarter is recomputed
    survey(firm.lawyer, (1, 1, 1))
    results_store_drafts(quarter=quarter, scheme=scheme, by=firm.executor, as_of=AS_OF)
    # Then the table links the new lines with their new points
    after = line_of(firm.lawyer, quarter, "satisfaction")
    assert after.points != before.points
    html = browser.get(url).content.decode()
    assert reverse("portal:explain", args=[after.pk]) in html
    assert reverse("portal:explain", args=[before.pk]) not in html


def test_the_rule_is_written_out_in_the_reader_s_language(stored, client_for):
    firm, quarter, _ = stored
    line = line_of(firm.lawyer, quarter, "new_client_revenue_share")
    text = explain(client_for, firm.executor, line).replace("&#x27;", "'")
    assert "10 points at the target of 20 %; 1 more for each 10 % of the target (2 percentage points) above it" in text
    assert "never below 0 or above 13 points." in text
    # The rule in words only: the formula stored with the line is the record's, not the reader's.
    assert "(value −" not in text and "20.0000" not in text
    complaints = explain(client_for, firm.executor, line_of(firm.lawyer, quarter, "complaint_rate"))
    assert "Lower is better." in complaints and "below it and" in complaints
    rated = explain(client_for, firm.executor, line_of(firm.lawyer, quarter, "communication"))
    assert "points × the average rating ÷ 5 (the top of the rating scale)" in rated


def test_a_negative_deviation_is_written_in_brackets_with_a_true_minus(stored, client_for):
    firm, quarter, _ = stored
    text = explain(client_for, firm.executor, line_of(firm.lawyer, quarter, "complaint_rate"))
    assert "+ (−66.6667) ÷" in text and "+ -" not in text


def test_the_scorecard_page_and_the_feedback_pdf_show_no_averages_by_rater_type(stored, client_for):
    # The lawyer's published card, with communication rated by the superior and two colleagues: the page and the
    # written feedback show the line's value (the average of all ratings) and points, never a kind of rater's.
    from documents.feedback import feedback_html

    firm, quarter, _ = stored
    publish_lawyer_card(firm, quarter)
    card = card_of(firm.lawyer, quarter)
    client = client_for(firm.lawyer)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("portal:scorecard", args=[card.pk])).content.decode()
    paper = feedback_html(card, language="en")
    for shown in (page, paper):
        assert "Internal communication efficiency" in shown
        assert "Peer" not in shown and "3.50" not in shown and "Superior" not in shown


# --- Finding the table, and what an excluded indicator shows ---


def test_an_excluded_indicator_shows_a_grey_no_data_mark_and_no_number(stored, client_for):
    # Given the lawyer's complaint timeliness: no complaints, so excluded and its weight shared among the others
    firm, quarter, _ = stored
    line = line_of(firm.lawyer, quarter, "complaint_timeliness")
    assert line.no_data_applied and line.no_data_policy == "exclude"
    browser = client_for(firm.executor)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = browser.get(reverse("portal:results", args=[quarter.code])).content.decode()
    # Then its cell is the mark alone, explaining the exclusion, still linking to the explanation
    url = reverse("portal:explain", args=[line.pk])
    at = text.index(f'href="{url}"')
    cell = text[text.rindex("<td", 0, at) : text.index("</td>", at)]
    assert 'class="no-data-mark"' in cell and ">no data</a>" in cell
    assert "excluded and its weight is shared among the other indicators" in cell
    assert "0.00" not in cell


def test_a_scored_indicator_still_shows_its_points(stored, client_for):
    firm, quarter, _ = stored
    line = line_of(firm.lawyer, quarter, "new_client_revenue_share")
    browser = client_for(firm.executor)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = browser.get(reverse("portal:results", args=[quarter.code])).content.decode()
    url = reverse("portal:explain", args=[line.pk])
    assert f'href="{url}" title="Value: 30.00">13.68</a>' in text


def test_the_results_table_keeps_its_status_column_and_names_people_by_full_name_in_chinese(stored, client_for):
    firm, quarter, _ = stored
    browser = client_for(firm.executor)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    text = browser.get(reverse("portal:results", args=[quarter.code])).content.decode()
    assert 'class="results-status"' in text and ">姓名</a>" in text and ">名称</a>" not in text


@pytest.mark.parametrize("persona", ["executor", "partner"])
def test_the_quarter_page_and_the_menu_link_to_the_results_table(stored, client_for, persona):
    # Given the quarter scored (its state says results exist)
    from reviews.models import Quarter

    firm, quarter, _ = stored
    Quarter.objects.filter(pk=quarter.pk).update(state="scored")
    url = reverse("portal:results", args=[quarter.code])
    browser = client_for(getattr(firm, persona))
    # Then both the quarter page and every page's menu lead to the table (the menu through the latest quarter's)
    page = browser.get(reverse("portal:quarter", args=[quarter.code])).content.decode()
    assert f'href="{url}" id="results-link"' in page
    home = browser.get(reverse("home")).content.decode()
    assert f'href="{reverse("portal:results_latest")}" id="nav-results"' in home
    response = browser.get(reverse("portal:results_latest"))
    assert response.status_code == 302 and response["Location"] == url


def test_the_menus_link_picks_the_latest_quarter_with_results_or_says_there_is_none(stored, client_for):
    from reviews.models import Quarter

    firm, quarter, _ = stored
    browser = client_for(firm.executor)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # Before scoring (collecting): nothing to show yet
    Quarter.objects.filter(pk=quarter.pk).update(state="collecting")
    response = browser.get(reverse("portal:results_latest"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:quarters")
    assert "No quarter has results yet." in response.content.decode()
    # A later quarter scored wins over an earlier closed one
    Quarter.objects.filter(pk=quarter.pk).update(state="closed")
    later = Quarter.objects.create(year=2026, number=4, state="scored")
    assert browser.get(reverse("portal:results_latest"))["Location"] == reverse("portal:results", args=[later.code])


@pytest.mark.parametrize("persona", ["lawyer", "superior", "business_clerk", "outsider"])
def test_nobody_else_has_the_results_link_in_the_menu(stored, client_for, persona):
    from reviews.models import Quarter

    firm, quarter, _ = stored
    Quarter.objects.filter(pk=quarter.pk).update(state="scored")
    browser = client_for(getattr(firm, persona))
    home = browser.get(reverse("home")).content.decode()
    assert 'id="nav-results"' not in home and reverse("portal:results", args=[quarter.code]) not in home
    assert browser.get(reverse("portal:results_latest")).status_code == 403


def test_the_quarter_page_has_no_results_link_before_scoring(scored_firm, client_for):  # noqa: F811
    firm, quarter, _ = scored_firm
    page = client_for(firm.executor).get(reverse("portal:quarter", args=[quarter.code])).content.decode()
    assert 'id="results-link"' not in page


# Rater calibration (indicators/calibration.py): the explanation shows the average received and the adjustment only


@pytest.fixture
def centred(stored):
    # Given the superior rates everyone 5 on communication where the outsider gives 4, under a centring scheme
    firm, quarter, scheme = stored
    ratings(
        quarter,
        firm.executor,
        [
            (firm.superior, firm.colleague, "superior", "communication", 5),
            (firm.superior, firm.assistant, "superior", "communication", 5),
            (firm.outsider, firm.colleague, "peer", "communication", 4),
            (firm.outsider, firm.assistant, "peer", "communication", 4),
        ],
    )
    Scheme.objects.filter(pk=scheme.pk).update(parameters={**scheme.parameters, "rating_calibration": "centre"})
    scheme.refresh_from_db()
    results_store_drafts(quarter=quarter, scheme=scheme, by=firm.executor, as_of=AS_OF)
    publish_lawyer_card(firm, quarter)
    return firm, quarter, scheme


def test_a_centred_line_explains_the_average_received_and_the_adjustment_without_raters(centred, client_for):
    # Round average 30 ÷ 7 = 4.2857; the superior (5) moves −0.7143, the colleague (4) +0.2857, the assistant (3)
    # +1.2857: the lawyer's 5, 4 and 3 all count 4.2857.
    firm, quarter, _ = centred
    line = line_of(firm.lawyer, quarter, "communication")
    # 10 × 4.2857 ÷ 5 = 8.57, rescaled by 100/95 as the lawyer's excluded line leaves 95 points: 9.02.
    assert line.value == D("4.2857") and line.points == D("9.02")
    text = explain(client_for, firm.lawyer, line)
    assert "Average score received 4, calibrated +0.29 = 4.29" in text
    assert "刘洋" not in text and "杨光" not in text and "周强" not in text and "黄磊" not in text
    assert "0.71" not in text and "1.29" not in text  # no single rater's adjustment
    chinese = explain(client_for, firm.lawyer, line, language="zh-hans")
    assert "收到的评分平均4，经校准+0.29，计为4.29" in chinese


def test_a_centred_result_recomputed_from_its_basis_gives_the_same_numbers(centred):
    # A correction recomputes from the frozen basis: the rating groups keep their centring adjustments.
    firm, quarter, scheme = centred
    card = card_of(firm.lawyer, quarter)
    people = [Person(firm.lawyer.profile.pk, "lawyer")]
    (result,) = rows_compute(rows=rows_of(card.basis), people=people, scheme=scheme)
    assert stored_raw(result.line("communication").value) == line_of(firm.lawyer, quarter, "communication").value
    assert result.line("communication").details["calibration"]["adjustment"] == "0.2857"
