"""The overall evaluation (三.5 总体评价): drafted from the scores, edited by the execution group until submission."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from results.evaluation import evaluation_draft, scorecard_evaluation_update
from results.models import Scorecard
from reviews.models import QuarterState
from tests.reviews.quarter_builders import make_card, make_quarter


@pytest.fixture(autouse=True)
def in_english(client):
    # These tests read the English source texts; Simplified Chinese is the site's default language.
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


LINES = [("satisfaction", 16, 15), ("new_clients", 15, 15), ("collaboration", 6, 15), ("communication", 8, 10)]


def test_the_draft_names_strengths_and_weak_indicators_in_english(firm):
    # The colleague prefers English: the grade is in English too (the card keeps both labels).
    card = make_card(make_quarter(), firm.colleague, 82.5, rank=2, ranked_count=4, lines=LINES)
    draft = evaluation_draft(card)
    assert draft.startswith("刘洋 scored 82.5 points this quarter, grade Good, rank 2 of 4")
    assert "Strengths: Client satisfaction (16 of 15 points), New clients (15 of 15 points)." in draft
    assert "To improve: Cross-department collaboration satisfaction (6 of 15 points)" in draft


def test_the_draft_is_in_chinese_for_a_chinese_speaker(firm):
    card = make_card(make_quarter(), firm.lawyer, 82.5, lines=LINES)
    draft = evaluation_draft(card)
    assert "客户满意度" in draft
    assert "Client satisfaction" not in draft


def test_a_person_with_every_target_reached_has_no_weak_indicator(firm):
    card = make_card(make_quarter(), firm.colleague, 100, lines=[("satisfaction", 15, 15)])
    assert "Every indicator reached its target." in evaluation_draft(card)


def test_the_execution_group_edits_until_submission_and_not_after(firm):
    quarter = make_quarter(state=QuarterState.SCORED)
    card = make_card(quarter, firm.lawyer, 85)
    scorecard_evaluation_update(scorecard=card, by=firm.executor, text="  进步明显。 ")
    card.refresh_from_db()
    assert card.evaluation == "进步明显。"
    with pytest.raises(ValidationError):
        scorecard_evaluation_update(scorecard=card, by=firm.executor, text="   ")
    with pytest.raises(PermissionDenied):
        scorecard_evaluation_update(scorecard=card, by=firm.partner, text="Mine")
    quarter.state = QuarterState.SUBMITTED
    quarter.save()
    with pytest.raises(ValidationError, match="already submitted"):
        scorecard_evaluation_update(scorecard=card, by=firm.executor, text="Later")
    card.refresh_from_db()
    assert card.evaluation == "进步明显。"


def test_the_evaluations_page_starts_from_the_draft_and_saves_the_edit(firm, client_for):
    quarter = make_quarter(state=QuarterState.SCORED)
    card = make_card(quarter, firm.colleague, 82.5, lines=LINES)
    url = reverse("portal:evaluations", args=[quarter.code])
    page = client_for(firm.executor).get(url).content.decode()
    assert "刘洋 scored 82.5 points this quarter" in page
    draft = evaluation_draft(card)
    response = client_for(firm.executor).post(url, {f"text-{card.pk}": "", f"shown-{card.pk}": draft})
    assert response.status_code == 400
    assert "Please write the overall evaluation." in response.content.decode()
    client_for(firm.executor).post(url, {f"text-{card.pk}": "A strong, steady quarter.", f"shown-{card.pk}": draft})
    assert Scorecard.objects.get(pk=card.pk).evaluation == "A strong, steady quarter."
    # Leadership reads, but may not write; others may not see the page
    assert client_for(firm.partner).post(url, {f"text-{card.pk}": "x", f"shown-{card.pk}": ""}).status_code == 403
    assert client_for(firm.lawyer).get(url).status_code == 403
    assert Scorecard.objects.get(pk=card.pk).evaluation == "A strong, steady quarter."


def test_the_organiser_writes_their_own_evaluation_and_is_refused(firm, client_for):
    # Given the execution-group member is assessed too and has a draft result this quarter
    quarter = make_quarter(state=QuarterState.SCORED)
    own = make_card(quarter, firm.executor, 70, lines=LINES)
    url = reverse("portal:evaluations", args=[quarter.code])
    browser = client_for(firm.executor)
    # The page offers no form for their own card and says who writes it
    page = browser.get(url).content.decode()
    assert "Your own overall evaluation is written by another member of the execution group." in page
    # When they post one anyway, it is refused with the rule and nothing is saved
    response = browser.post(url, {f"text-{own.pk}": "An excellent quarter.", f"shown-{own.pk}": ""})
    assert response.status_code == 400
    assert "Nobody writes their own overall evaluation" in response.content.decode()
    assert Scorecard.objects.get(pk=own.pk).evaluation == ""
    with pytest.raises(ValidationError, match="Nobody writes their own overall evaluation"):
        scorecard_evaluation_update(scorecard=own, by=firm.executor, text="An excellent quarter.")


def _without_data(card, *codes):
    """The card's lines for these indicators had no records: scored by the no-data policy, as scoring stores it."""
    card.lines.filter(indicator__code__in=codes).update(value=None, no_data_applied=True, no_data_policy="full")


def test_an_indicator_without_data_scored_full_is_never_praised(firm):
    # Given complaint timeliness had no complaints to judge: the "full" policy gave it 20 of 20
    lines = [("complaint_timeliness", 20, 20), ("new_clients", 15, 15), ("satisfaction", 9, 15)]
    card = make_card(make_quarter(), firm.colleague, 44, lines=lines)
    _without_data(card, "complaint_timeliness")
    draft = evaluation_draft(card)
    # Then it is neither a strength nor a weakness, and the draft says why it is left out
    assert "Strengths: New clients (15 of 15 points)." in draft
    assert "20 of 20" not in draft
    assert "To improve: Client satisfaction (9 of 15 points)." in draft
    assert "No data this quarter, so not assessed: Complaint handling timeliness." in draft


def test_an_indicator_without_data_scored_zero_is_never_blamed(firm):
    lines = [("complaint_timeliness", 0, 20), ("new_clients", 15, 15)]
    card = make_card(make_quarter(), firm.colleague, 15, lines=lines)
    _without_data(card, "complaint_timeliness")
    draft = evaluation_draft(card)
    assert "To improve" not in draft and "0 of 20" not in draft
    assert "Every indicator with data reached its target." in draft
    assert "No data this quarter, so not assessed: Complaint handling timeliness." in draft


def test_a_person_without_any_data_gets_neither_praise_nor_blame(firm):
    card = make_card(
        make_quarter(), firm.colleague, 35, lines=[("complaint_timeliness", 20, 20), ("satisfaction", 15, 15)]
    )
    _without_data(card, "complaint_timeliness", "satisfaction")
    draft = evaluation_draft(card)
    assert "Strengths" not in draft and "To improve" not in draft and "reached its target" not in draft
    assert "No data this quarter, so not assessed: Client satisfaction, Complaint handling timeliness." in draft


def test_the_chinese_draft_leaves_an_indicator_without_data_out_of_the_praise(firm):
    lines = [("complaint_timeliness", 20, 20), ("new_clients", 15, 15)]
    card = make_card(make_quarter(), firm.lawyer, 35, lines=lines)
    _without_data(card, "complaint_timeliness")
    draft = evaluation_draft(card)
    strengths = draft.split("。")[1]
    assert "新客户数量" in strengths and "投诉处理及时率" not in strengths
    assert "投诉处理及时率" in draft


# --- The page's filters and "save all" (results.evaluation.scorecards_evaluations_update) ---


@pytest.fixture
def three_cards(firm):
    quarter = make_quarter(state=QuarterState.SCORED)
    cards = {
        "lawyer": make_card(quarter, firm.lawyer, 85, lines=LINES),
        "colleague": make_card(quarter, firm.colleague, 82.5, lines=LINES),
        "assistant": make_card(quarter, firm.assistant, 70, lines=LINES, evaluation="已写好的评价。"),
    }
    return quarter, cards


def names_shown(page):
    return {name for name in ("陈静", "刘洋", "杨光") if f"{name} <small" in page}


def test_the_evaluations_page_filters_and_counts_who_is_done(firm, client_for, three_cards):
    quarter, cards = three_cards
    url = reverse("portal:evaluations", args=[quarter.code])
    browser = client_for(firm.executor)
    page = browser.get(url).content.decode()
    assert "1 written" in page and "2 system drafts" in page and "1 of 3 evaluations written." in page
    assert page.count('name="text-') == 3 and page.count('type="submit" id="save-all"') == 1
    assert names_shown(page) == {"陈静", "刘洋", "杨光"}
    assert names_shown(browser.get(url, {"state": "done"}).content.decode()) == {"杨光"}
    assert names_shown(browser.get(url, {"state": "todo"}).content.decode()) == {"陈静", "刘洋"}
    assert names_shown(browser.get(url, {"q": "刘"}).content.decode()) == {"刘洋"}
    assert names_shown(browser.get(url, {"position": "assistant"}).content.decode()) == {"杨光"}
    department = cards["lawyer"].department.code
    shown = names_shown(browser.get(url, {"department": department}).content.decode())
    assert shown == {card.staff.full_name for card in cards.values() if card.department.code == department}


def test_save_all_saves_only_the_changed_rows_together(firm, client_for, three_cards):
    quarter, cards = three_cards
    url = reverse("portal:evaluations", args=[quarter.code])
    lawyer, colleague, assistant = cards["lawyer"], cards["colleague"], cards["assistant"]
    data = {
        f"shown-{lawyer.pk}": evaluation_draft(lawyer),
        f"text-{lawyer.pk}": "客户开发突出。",
        # The colleague's draft left as shown: not saved as if written
        f"shown-{colleague.pk}": evaluation_draft(colleague),
        f"text-{colleague.pk}": evaluation_draft(colleague),
        f"shown-{assistant.pk}": "已写好的评价。",
        f"text-{assistant.pk}": "评价已改写。",
    }
    response = client_for(firm.executor).post(f"{url}?state=todo", data)
    assert response.status_code == 302 and response["Location"].endswith("?state=todo")
    saved = dict(Scorecard.objects.filter(quarter=quarter).values_list("staff__full_name", "evaluation"))
    assert saved == {"陈静": "客户开发突出。", "刘洋": "", "杨光": "评价已改写。"}
    page = client_for(firm.executor).get(url).content.decode()
    assert "2 written" in page and "2 of 3 evaluations written." in page


def test_one_bad_row_saves_nothing_and_says_which(firm, client_for, three_cards):
    quarter, cards = three_cards
    url = reverse("portal:evaluations", args=[quarter.code])
    lawyer, colleague = cards["lawyer"], cards["colleague"]
    data = {
        f"shown-{lawyer.pk}": evaluation_draft(lawyer),
        f"text-{lawyer.pk}": "客户开发突出。",
        f"shown-{colleague.pk}": evaluation_draft(colleague),
        f"text-{colleague.pk}": "   ",
    }
    response = client_for(firm.executor).post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    # The bad row is marked with its error; the good row keeps what was typed; nothing was saved
    assert f'id="error-{colleague.pk}">Please write the overall evaluation.' in page
    assert f'id="error-{lawyer.pk}"' not in page and "客户开发突出。" in page
    assert "1 evaluation could not be saved: nothing was saved." in page
    assert set(Scorecard.objects.filter(quarter=quarter).values_list("evaluation", flat=True)) == {"", "已写好的评价。"}


def test_save_all_is_refused_to_the_leadership_group_and_after_submission(firm, three_cards):
    quarter, cards = three_cards
    from results.evaluation import scorecards_evaluations_update

    with pytest.raises(PermissionDenied):
        scorecards_evaluations_update(quarter=quarter, by=firm.partner, texts={cards["lawyer"].pk: "x"})
    quarter.state = QuarterState.SUBMITTED
    quarter.save()
    with pytest.raises(ValidationError, match="already submitted"):
        scorecards_evaluations_update(quarter=quarter, by=firm.executor, texts={cards["lawyer"].pk: "x"})
    assert Scorecard.objects.get(pk=cards["lawyer"].pk).evaluation == ""
