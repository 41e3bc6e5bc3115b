"""The scorecard says in words what its figures mean: each indicator's rule, and why a weight differs from the
scheme's (docs/indicators.md, "No data": an excluded indicator's weight is shared among the others)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from results.models import IndicatorScore, Scorecard
from tests.reviews.scorecard_builders import LAWYER_LINES, make_quarter, make_scorecard, published_at

pytestmark = pytest.mark.django_db

RULES = {
    # code: the scheme item's parameters as scoring stores them with the line (ItemRule.as_details)
    "new_clients": {"target": "2.0000", "step": "1.0000", "step_mode": "absolute", "points_per_step": "3.00",
                    "bonus_cap": "5.00", "direction": "higher"},
    "new_client_revenue_share": {"target": "20.0000", "step": "10.0000", "step_mode": "relative",
                                 "points_per_step": "1.00", "bonus_cap": "3.00", "direction": "higher"},
    "complaint_rate": {"target": "0.0000", "step": "1.0000", "step_mode": "absolute", "points_per_step": "2.00",
                       "bonus_cap": "0.00", "direction": "lower"},
}  # fmt: skip


@pytest.fixture
def card(firm):
    """The lawyer's published card: complaint timeliness (5) had no data and was excluded, the other 95 rescaled."""
    quarter = make_quarter(2026, 2, published_at=published_at(2026, 7, 8))
    card = make_scorecard(quarter, firm.lawyer, total="82.5", lines=LAWYER_LINES, status=Scorecard.Status.DRAFT)
    lines = IndicatorScore.objects.filter(scorecard=card).select_related("indicator")
    for line in lines:
        # As scoring stores them; then published, as results.publication does.
        excluded = line.indicator.code == "complaint_timeliness"
        details = {"rule": {"kind": line.indicator.kind, **RULES.get(line.indicator.code, RULES["new_clients"])}}
        IndicatorScore.objects.filter(pk=line.pk).update(
            details=details,
            effective_weight=Decimal(0) if excluded else (line.weight * 100 / 95).quantize(Decimal("0.01")),
            no_data_policy="exclude" if excluded else "",
            rule="15.00 + (value − 2.0000) ÷ 1.0000 × 3.00; [0, 20.00]",
        )
    Scorecard.objects.filter(pk=card.pk).update(status=Scorecard.Status.PUBLISHED)
    card.status = Scorecard.Status.PUBLISHED
    return card


def page_of(client_for, user, card, language="en"):
    client = client_for(user)
    client.cookies["django_language"] = language
    return client.get(reverse("portal:scorecard", args=[card.pk])).content.decode()


def row_text(html, code):
    match = re.search(rf'<tr data-indicator="{code}">(.*?)</tr>', html, re.S)
    assert match, code
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def test_each_rule_is_written_in_words_with_its_unit_and_no_trailing_zeros(firm, card, client_for):
    page = page_of(client_for, firm.lawyer, card)
    new_clients = row_text(page, "new_clients")
    assert "15 points at the target of 2 clients; 3 more for each 1 client above it" in new_clients
    assert "never below 0 or above 20 points." in new_clients
    share = row_text(page, "new_client_revenue_share")
    assert "10 points at the target of 20 %; 1 more for each 10 % of the target (2 percentage points)" in share
    assert "Lower is better. 10 points at the target of 0 %" in row_text(page, "complaint_rate")
    assert "10 points × the average rating ÷ 5" in row_text(page, "communication")
    # The stored formula is the record's, never shown
    assert "value −" not in page and "2.0000" not in page and "20.00]" not in page


def test_a_rescaled_weight_says_from_what_and_the_note_says_why(firm, card, client_for):
    page = page_of(client_for, firm.lawyer, card)
    assert "15.79" in row_text(page, "new_clients") and "rescaled from 15" in row_text(page, "new_clients")
    assert "(15.00)" not in page
    assert "left out: no data" in row_text(page, "complaint_timeliness")
    note = re.search(r'id="rescaling-note">(.*?)</p>', page, re.S).group(1)
    assert "Complaint handling timeliness had no data this quarter and is left out" in note
    assert "Its weight of 5 is shared among the other indicators in proportion to their own weights" in note
    assert "multiplied by 100 ÷ 95, so the total is still out of 100." in note


def test_the_rule_and_the_note_read_in_chinese(firm, card, client_for):
    page = page_of(client_for, firm.lawyer, card, language="zh-hans")
    with translation.override("zh-hans"):
        assert "达到目标值2个客户得15分" in row_text(page, "new_clients")
        assert "由15调整" in row_text(page, "new_clients")
    note = re.search(r'id="rescaling-note">(.*?)</p>', page, re.S).group(1)
    assert "投诉处理及时率本季度无数据" in note and "100 ÷ 95" in note


def test_no_note_when_nothing_was_excluded(firm, client_for):
    quarter = make_quarter(2026, 2, published_at=published_at(2026, 7, 8))
    card = make_scorecard(quarter, firm.lawyer, total="82.5", lines=LAWYER_LINES)
    page = page_of(client_for, firm.lawyer, card)
    assert 'id="rescaling-note"' not in page and "rescaled from" not in page


def test_the_written_feedback_explains_the_rescaled_weights_too(firm, card):
    from documents.feedback import feedback_html

    paper = feedback_html(card, language="en")
    assert "rescaled from 15" in paper and "left out: no data" in paper
    assert "(15.00)" not in paper
    assert "multiplied by 100 ÷ 95, so the total is still out of 100." in paper


def test_the_explanation_page_gives_the_weight_used_and_why_it_differs(firm, card, client_for):
    client = client_for(firm.lawyer)
    client.cookies["django_language"] = "en"
    lines = {line.indicator.code: line for line in card.lines.select_related("indicator")}

    def weight_row(code):
        url = reverse("portal:explain", args=[lines[code].pk])
        page = client.get(url).content.decode()
        match = re.search(r"<dt[^>]*>Weight</dt><dd[^>]*>(.*?)</dd>", page, re.S)
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()

    assert weight_row("new_clients").startswith("15.79 Rescaled from the scheme's 15:")
    assert weight_row("complaint_timeliness").startswith("0 Left out: no data this quarter")
    assert "effective weight" not in weight_row("new_clients")
