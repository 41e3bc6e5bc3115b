"""The appeal page for its handler: the records that counted (read-only for the groups, corrected through the
appeal's correction) and, once upheld, the changes made to them until the correction took effect."""

import re

import pytest
from django.urls import reverse

from appeals import services
from clients.services import survey_update
from results.corrections import correction_approve
from tests.appeals.conftest import under_review
from tests.results.test_corrections import declare_survey_fix


@pytest.fixture
def no_pdfs(monkeypatch):
    """Feedback documents are tested elsewhere: here a corrected result renders no PDF."""
    from results.corrections import versions_published

    monkeypatch.setattr(versions_published, "receivers", [])


def page_of(client_for, user, appeal):
    response = client_for(user).get(reverse("appeals:detail", args=[appeal.pk]))
    assert response.status_code == 200
    return response.content.decode()


def section(page, element_id):
    start = page.index(f'id="{element_id}"')
    return page[start : page.index("</ul>", page.index("</ul>", start) + 1) + 5]


def test_the_groups_are_sent_to_the_record_s_history_not_to_its_edit_form(published, client_for):
    # Given the lawyer's appeal on satisfaction, which counted one survey (entered by the administrative clerk)
    firm, survey = published.firm, published.lawyer_survey
    appeal = under_review(published)
    history = reverse("clients:surveys_history", args=[survey.pk])
    edit = reverse("clients:surveys_edit", args=[survey.pk])
    for user in (firm.executor, firm.partner):
        # When a member of either group reads the appeal
        contested = section(page_of(client_for, user, appeal), "contested")
        # Then the survey is named by its kind, reference and client, and links to its history, which they may read
        assert f'<a href="{history}">Satisfaction survey {survey.ref} · {survey.client.name}</a>' in contested
        assert edit not in contested
        assert client_for(user).get(history).status_code == 200
        # (the edit form is the clerk's alone: the link the page used to offer was refused to them)
        assert client_for(user).get(edit).status_code == 403
        # And the page says how a wrong record is corrected, and who delivered it
        assert "declare its correction on the appeal's correction page" in contested
        assert f'<a href="mailto:{firm.admin_clerk.email}">李娜</a>' in contested
    assert client_for(firm.admin_clerk).get(edit).status_code == 200


def test_the_appellant_does_not_get_the_record_links(published, client_for):
    appeal = under_review(published)
    page = page_of(client_for, published.firm.lawyer, appeal)
    assert reverse("clients:surveys_history", args=[published.lawyer_survey.pk]) not in page
    assert "records-that-counted" not in page and 'id="record-corrections"' not in page


def test_an_upheld_appeal_lists_the_corrections_of_the_records_that_counted(published, client_for, no_pdfs):
    # Given a change of the survey before the appeal (not part of it)
    firm, survey = published.firm, published.lawyer_survey
    # (the quarter is published, so each change goes through a correction: clients.locks)
    survey_update(instance=survey, by=firm.admin_clerk, comment="回访已完成", correction="K-1")
    # And the lawyer's appeal, whose correction fixes the scores: the handler upholds, the partner approves
    appeal = under_review(published)
    declare_survey_fix(published, appeal, firm.executor)
    appeal, _ = services.appeal_uphold(
        appeal=appeal, by=firm.executor, justification="问卷原件为 5 分，录入错误已更正。"
    )
    correction = appeal.correction
    correction_approve(correction=correction, by=firm.partner, fingerprint=correction.fingerprint)
    # And a later change, after the correction
    survey_update(instance=survey, by=firm.admin_clerk, comment="已归档", correction="K-2")

    # Then the handler sees the one change made for the appeal: who, what and from what to what
    corrections = section(page_of(client_for, firm.executor, appeal), "record-corrections")
    assert corrections.count("<li>") == 4  # the change and its three fields
    assert "王建国 · Changed · " in corrections
    assert reverse("clients:surveys_history", args=[survey.pk]) in corrections
    fields = re.findall(r"<li>([^<:]+): (\S+) → (\S+)</li>", corrections)
    assert fields == [("Service quality", "4", "5"), ("Communication efficiency", "4", "5"), ("Case outcome", "4", "5")]
    assert "回访已完成" not in corrections and "已归档" not in corrections

    # And the appellant sees that the record was corrected, and in which fields, but not the record's values
    mine = section(page_of(client_for, firm.lawyer, appeal), "record-corrections")
    assert "王建国 · Changed · " in mine and "Service quality" in mine and "→" not in mine
    assert reverse("clients:surveys_history", args=[survey.pk]) not in mine


def test_a_rejected_appeal_lists_no_corrections(published, client_for):
    firm = published.firm
    appeal = under_review(published)
    survey_update(instance=published.lawyer_survey, by=firm.admin_clerk, service_quality=5, correction=appeal)
    services.appeal_reject(appeal=appeal, by=firm.executor, reason="录入无误")
    assert 'id="record-corrections"' not in page_of(client_for, firm.executor, appeal)


def test_the_page_reads_in_chinese(published, client_for, no_pdfs):
    firm, survey = published.firm, published.lawyer_survey
    appeal = under_review(published)
    declare_survey_fix(published, appeal, firm.executor)
    appeal, _ = services.appeal_uphold(appeal=appeal, by=firm.executor, justification="更正")
    correction_approve(correction=appeal.correction, by=firm.partner, fingerprint=appeal.correction.fingerprint)
    browser = client_for(firm.executor)
    browser.cookies["django_language"] = "zh-hans"
    page = browser.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert f"客户满意度调查 {survey.ref}" in page
    assert "更正页面" in page and "数据提供专员：" in page
    assert "计入数据记录的更正" in page
