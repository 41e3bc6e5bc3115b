"""The scorecard page after an appeal: it shows the appeal's status and leads to it instead of offering a second
one (appeals.selectors.filing_window allows one open appeal per person and quarter)."""

import re

import pytest
from django.urls import reverse

from appeals import services
from tests.appeals.conftest import file_appeal

pytestmark = pytest.mark.django_db


def scorecard_page(client_for, user, card):
    client = client_for(user)
    client.cookies["django_language"] = "en"
    return client.get(reverse("portal:scorecard", args=[card.pk])).content.decode()


def test_before_any_appeal_the_person_is_offered_to_file_one(published, client_for):
    firm = published.firm
    card = published.card(firm.lawyer)
    page = scorecard_page(client_for, firm.lawyer, card)
    assert reverse("appeals:file", args=[card.pk]) in page
    assert "Appeal filed on" not in page


def test_after_filing_the_page_shows_the_status_and_links_to_the_appeal_instead_of_filing_again(published, client_for):
    firm = published.firm
    card = published.card(firm.lawyer)
    appeal = file_appeal(published)

    page = scorecard_page(client_for, firm.lawyer, card)

    assert reverse("appeals:file", args=[card.pk]) not in page
    assert "File an appeal" not in page
    detail = reverse("appeals:detail", args=[appeal.pk])
    assert re.search(rf'href="{detail}" id="open-appeal-link">.*Appeal: Submitted', page, re.S)
    assert re.search(rf'id="appeal-{appeal.pk}">Appeal filed on [^<]+: Submitted · <a href="{detail}">', page)


def test_a_decided_appeal_shows_its_outcome_and_the_window_may_take_another(published, client_for):
    firm = published.firm
    card = published.card(firm.lawyer)
    appeal = file_appeal(published)
    appeal = services.appeal_assign(appeal=appeal, handler=firm.executor, by=firm.executor)
    services.appeal_reject(appeal=appeal, by=firm.executor, reason="问卷录入无误。")

    page = scorecard_page(client_for, firm.lawyer, card)

    assert re.search(rf'id="appeal-{appeal.pk}">Appeal filed on [^<]+: Rejected', page)
    assert 'id="open-appeal-link"' not in page
    # Nothing is open any more: filing_window accepts a new appeal while the window lasts, and the page offers it.
    assert reverse("appeals:file", args=[card.pk]) in page


def test_the_superior_reads_the_scorecard_but_not_the_appeal(published, client_for):
    # appeals.access: only the appellant and the two groups see an appeal; the superior is neither.
    firm = published.firm
    appeal = file_appeal(published)
    page = scorecard_page(client_for, firm.superior, published.card(firm.lawyer))
    assert "陈静" in page
    assert reverse("appeals:detail", args=[appeal.pk]) not in page
    assert "Appeal filed on" not in page
