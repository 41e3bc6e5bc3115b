"""Scoped, signed corrections (regulation 一.3, 二.1; docs/results.md "Corrections"): a correction recomputes from
the frozen basis plus exactly what it declares; before anyone confirms a preview says who moves; whoever else moves
waits for a leadership member who did not prepare it; everyone moved gets a new version naming the correction.

The quarter (tests/appeals/conftest.py): four lawyers who differ by their clients' surveys, colleague first and the
lawyer second.
"""

from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from appeals import services as appeal_services
from appeals.models import AppealStatus
from clients.models import ChangeRecord, RevenueEntry, SatisfactionSurvey
from portal.quarter_services import quarter_close_blockers
from results.corrections import (
    CorrectionRefused,
    StalePreview,
    correction_approve,
    correction_preview,
    correction_record_change_add,
    correction_return,
    correction_start,
    correction_submit,
)
from results.explain import line_explanation
from results.models import CorrectionStatus, Scorecard
from tests.appeals.conftest import satisfaction, under_review
from tests.reviews.quarter_builders import second_partner

pytestmark = pytest.mark.django_db


def versions(published, user):
    return list(
        Scorecard.objects.filter(quarter=published.quarter, staff=user.profile)
        .order_by("version")
        .values_list("version", "is_current", "total", "rank")
    )


def survey_data(survey, **scores):
    """What the survey form receives, with new scores."""
    survey.refresh_from_db()
    return {
        "ref": survey.ref,
        "client": survey.client.code,
        "staff": survey.staff_id,
        "surveyed_on": survey.surveyed_on.isoformat(),
        "channel": survey.channel,
        "service_quality": scores.get("service_quality", survey.service_quality),
        "communication": scores.get("communication", survey.communication),
        "outcome": scores.get("outcome", survey.outcome),
        "comment": survey.comment,
    }


def declare_survey_fix(published, appeal, by):
    correction = appeal_services.appeal_correction_prepare(appeal=appeal, by=by)
    correction_record_change_add(
        correction=correction,
        by=by,
        kind="survey",
        operation="change",
        record=published.lawyer_survey,
        data=survey_data(published.lawyer_survey, service_quality=5, communication=5, outcome=5),
        note="问卷原件为 5 分",
    )
    return correction


def test_an_unrelated_uphold_moves_nobody_even_after_department_data_changed(published):
    # Given, after publication, a survey of the colleague's changed in the department data behind everyone's back
    # (the data lock refuses it through every page; here straight in the database)
    firm = published.firm
    colleague_before = versions(published, firm.colleague)
    colleague_survey = SatisfactionSurvey.objects.get(staff=firm.colleague.profile)
    SatisfactionSurvey.objects.filter(pk=colleague_survey.pk).update(service_quality=1, communication=1, outcome=1)
    # When the lawyer's appeal is upheld with no declared change at all
    appeal, changed = appeal_services.appeal_uphold(
        appeal=under_review(published), by=firm.executor, justification="申诉理由部分成立，但不影响分数。"
    )
    # Then nobody's result moves: the colleague keeps 1st place, no correction names her, no version is made
    assert appeal.status == AppealStatus.UPHELD and changed == []
    assert versions(published, firm.colleague) == colleague_before
    assert Scorecard.objects.filter(quarter=published.quarter, version__gt=1).count() == 0


def test_a_declared_record_fix_that_moves_others_waits_for_a_partner(published, django_capture_on_commit_callbacks):
    # Given the lawyer's appeal: her survey was entered 4/4/4, the client gave 5/5/5; the handler declares that fix
    firm = published.firm
    appeal = under_review(published)
    correction = declare_survey_fix(published, appeal, firm.executor)
    # When the handler reads the preview: she moves to 1st, the colleague to 2nd
    preview = correction_preview(correction)
    moved = {move.staff.pk: (move.old.rank, move.new.rank) for move in preview.moved}
    assert moved == {firm.lawyer.profile.pk: (2, 1), firm.colleague.profile.pk: (1, 2)}
    assert preview.needs_approval
    # And upholds
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        appeal, changed = appeal_services.appeal_uphold(
            appeal=appeal, by=firm.executor, justification="录入错误已更正。", fingerprint=preview.fingerprint
        )
    # Then the appeal is upheld but nobody's result has changed yet: the correction waits for the leadership group
    correction.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD and changed == []
    assert correction.status == CorrectionStatus.AWAITING_APPROVAL
    assert Scorecard.objects.filter(quarter=published.quarter, version__gt=1).count() == 0
    assert published.lawyer_survey.__class__.objects.get(pk=published.lawyer_survey.pk).service_quality == 4
    # And the partner is asked to approve it; the lawyer is told, in Chinese as she reads, that it waits
    assert any(m.to == [firm.partner.email] and "等待您批准" in m.subject for m in mail.outbox)
    assert any(m.to == [firm.lawyer.email] and "批准后才生效" in m.body for m in mail.outbox)


def test_the_partner_approves_and_both_get_new_versions_naming_the_correction(
    published, django_capture_on_commit_callbacks
):
    firm = published.firm
    appeal = under_review(published)
    correction = declare_survey_fix(published, appeal, firm.executor)
    appeal_services.appeal_uphold(appeal=appeal, by=firm.executor, justification="录入错误已更正。")
    correction.refresh_from_db()
    # When the partner reads the same preview and approves
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _correction, pairs = correction_approve(
            correction=correction, by=firm.partner, fingerprint=correction_preview(correction).fingerprint
        )
    # Then the lawyer and the colleague get version 2 naming the correction; version 1 stays, not current
    assert {new.staff_id for _old, new in pairs} == {firm.lawyer.profile.pk, firm.colleague.profile.pk}
    assert [v[:2] for v in versions(published, firm.lawyer)] == [(1, False), (2, True)]
    lawyer, colleague = published.card(firm.lawyer), published.card(firm.colleague)
    assert (lawyer.rank, colleague.rank) == (1, 2)
    assert f"Correction #{correction.pk}" in lawyer.correction_reason
    assert f"Correction #{correction.pk}" in colleague.correction_reason
    # The others did not move
    assert versions(published, firm.outsider)[-1][0] == 1
    # The department record is corrected now, its history naming the correction
    assert SatisfactionSurvey.objects.get(pk=published.lawyer_survey.pk).service_quality == 5
    change = ChangeRecord.objects.filter(object_id=str(published.lawyer_survey.pk)).order_by("-at").first()
    assert f"correction: {correction}" in change.note
    # And each of the two is told, in their language, what moved and why
    to_colleague = [m.body for m in mail.outbox if m.to == [firm.colleague.email]]
    assert any(f"Correction #{correction.pk}" in body and "1 / 4 → 2 / 4" in body for body in to_colleague)


def test_nobody_approves_a_correction_they_prepared_or_whose_appeal_they_handled(published):
    firm = published.firm
    appeal = under_review(published)
    correction = declare_survey_fix(published, appeal, firm.executor)
    appeal_services.appeal_uphold(appeal=appeal, by=firm.executor, justification="录入错误已更正。")
    correction.refresh_from_db()
    fingerprint = correction_preview(correction).fingerprint
    # The handler is not in the leadership group
    with pytest.raises(PermissionDenied):
        correction_approve(correction=correction, by=firm.executor, fingerprint=fingerprint)
    # A partner who also handled it may not approve it either
    firm.executor.groups.add(*firm.partner.groups.all())
    both = type(firm.executor).objects.get(pk=firm.executor.pk)  # roles are read once per user object
    with pytest.raises(CorrectionRefused, match="another member of the leadership group"):
        correction_approve(correction=correction, by=both, fingerprint=fingerprint)
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.AWAITING_APPROVAL
    assert Scorecard.objects.filter(quarter=published.quarter, version__gt=1).count() == 0


def test_a_correction_that_moves_only_the_appellant_takes_effect_at_once(published):
    # Given +1 point on the lawyer's satisfaction: her total rises, nobody's rank or grade changes
    firm = published.firm
    appeal, pairs = appeal_services.appeal_uphold(
        appeal=under_review(published), by=firm.executor, justification="加 1 分", adjustments=[(satisfaction(), 1)]
    )
    # Then it is applied now, for her alone
    assert [new.staff_id for _old, new in pairs] == [firm.lawyer.profile.pk]
    assert appeal.correction.status == CorrectionStatus.APPLIED and appeal.correction.approved_by is None
    assert versions(published, firm.colleague)[-1][0] == 1


def test_an_approval_of_an_outdated_preview_is_refused(published):
    # Given an execution-group correction awaiting approval, then another correction applied in between
    firm = published.firm
    first = correction_start(quarter=published.quarter, by=firm.executor, reason="调查记录更正")
    correction_record_change_add(
        correction=first, by=firm.executor, kind="survey", operation="change", record=published.lawyer_survey,
        data=survey_data(published.lawyer_survey, service_quality=5, communication=5, outcome=5),
    )  # fmt: skip
    first, _ = correction_submit(correction=first, by=firm.executor, fingerprint=correction_preview(first).fingerprint)
    assert first.status == CorrectionStatus.AWAITING_APPROVAL
    seen = correction_preview(first).fingerprint
    appeal_services.appeal_uphold(
        appeal=under_review(published, user=firm.outsider, scorecard=published.card(firm.outsider)),
        by=firm.executor,
        justification="加分",
        adjustments=[(satisfaction(), 30)],
    )
    other = [c for c in published.quarter.corrections.all() if c.pk != first.pk][0]
    if other.status == CorrectionStatus.AWAITING_APPROVAL:
        correction_approve(correction=other, by=second_partner(), fingerprint=correction_preview(other).fingerprint)
    # When the partner approves the first with what the page showed before
    with pytest.raises(StalePreview):
        correction_approve(correction=first, by=firm.partner, fingerprint=seen)
    # Then nothing of it was applied
    first.refresh_from_db()
    assert first.status == CorrectionStatus.AWAITING_APPROVAL
    assert SatisfactionSurvey.objects.get(pk=published.lawyer_survey.pk).service_quality == 4


def test_a_returned_correction_is_prepared_again_and_submitted_again(published):
    firm = published.firm
    correction = correction_start(quarter=published.quarter, by=firm.executor, reason="调查记录更正")
    correction_record_change_add(
        correction=correction, by=firm.executor, kind="survey", operation="change", record=published.lawyer_survey,
        data=survey_data(published.lawyer_survey, service_quality=5, communication=5, outcome=5),
    )  # fmt: skip
    correction_submit(correction=correction, by=firm.executor, fingerprint=correction_preview(correction).fingerprint)
    correction_return(correction=correction, by=firm.partner, comment="请附上问卷原件。")
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.DRAFT
    assert correction.events.filter(action="return", comment="请附上问卷原件。").exists()
    correction, _ = correction_submit(
        correction=correction, by=firm.executor, fingerprint=correction_preview(correction).fingerprint
    )
    assert correction.status == CorrectionStatus.AWAITING_APPROVAL


def test_an_added_record_counts_from_the_basis_and_is_written_on_approval(published):
    # Given a revenue entry of the lawyer's, missing from the quarter, declared by an execution-group correction
    import datetime

    from clients.models import Client, Contract

    firm = published.firm
    client = Client.objects.create(code="NEW-C", name="新客户", kind="organisation")
    contract = Contract.objects.create(
        number="HT-NEW", client=client, signed_on=datetime.date(2026, 8, 1), originating_lawyer=firm.lawyer.profile,
        responsible_lawyer=firm.lawyer.profile, matter="新委托", fee=D("10000"),
    )  # fmt: skip
    correction = correction_start(quarter=published.quarter, by=firm.executor, reason="漏录收入")
    correction_record_change_add(
        correction=correction,
        by=firm.executor,
        kind="revenue",
        operation="add",
        data={
            "ref": "FIX-1",
            "contract": contract.number,
            "received_on": "2026-08-20",
            "amount": "5000",
            "credited_to": firm.lawyer.profile.pk,
        },  # fmt: skip
    )
    assert not RevenueEntry.objects.filter(ref="FIX-1").exists()
    correction, _ = correction_submit(
        correction=correction, by=firm.executor, fingerprint=correction_preview(correction).fingerprint
    )
    if correction.status == CorrectionStatus.AWAITING_APPROVAL:
        correction_approve(correction=correction, by=firm.partner, fingerprint=correction.fingerprint)
    # Then the entry exists now, and the lawyer's new version rests on a basis that holds it
    entry = RevenueEntry.objects.get(ref="FIX-1")
    card = published.card(firm.lawyer)
    line = card.lines.get(indicator__code="new_client_revenue_share")
    assert entry.pk in line.details.get("revenue_all", [])
    assert card.basis.parent_id is not None


def test_version_one_keeps_explaining_the_records_as_they_were(published):
    firm = published.firm
    first = published.card(firm.lawyer)
    appeal = under_review(published)
    correction = declare_survey_fix(published, appeal, firm.executor)
    appeal_services.appeal_uphold(appeal=appeal, by=firm.executor, justification="录入错误已更正。")
    correction.refresh_from_db()
    correction_approve(correction=correction, by=firm.partner, fingerprint=correction.fingerprint)
    old_line = first.lines.get(indicator=satisfaction())
    old_line.scorecard = first
    new_line = published.card(firm.lawyer).lines.get(indicator=satisfaction())
    new_line.scorecard = published.card(firm.lawyer)
    (old_survey,) = line_explanation(old_line)["sources"]["surveys"]
    (new_survey,) = line_explanation(new_line)["sources"]["surveys"]
    assert (old_survey.service_quality, new_survey.service_quality) == (4, 5)
    assert new_line.points > old_line.points


def test_an_open_correction_keeps_the_quarter_and_its_appeal_open(published):
    firm = published.firm
    appeal = under_review(published)
    correction = declare_survey_fix(published, appeal, firm.executor)
    appeal, _ = appeal_services.appeal_uphold(appeal=appeal, by=firm.executor, justification="录入错误已更正。")
    blockers = quarter_close_blockers(published.quarter, today=published.quarter.ends_on)
    assert [c.pk for c in blockers.corrections] == [correction.pk]
    with pytest.raises(appeal_services.AppealRefused, match="applied or withdrawn"):
        appeal_services.appeal_close(appeal=appeal, by=firm.executor)


def test_the_correction_page_shows_the_preview_and_the_partner_approves_there(published, client_for):
    firm = published.firm
    appeal = under_review(published)
    correction = declare_survey_fix(published, appeal, firm.executor)
    appeal_services.appeal_uphold(appeal=appeal, by=firm.executor, justification="录入错误已更正。")
    url = reverse("results:correction", args=[correction.pk])
    page = client_for(firm.partner).get(url).content.decode()
    assert 'id="needs-approval"' in page and "Approve and apply" in page
    assert page.count('class="preview-row"') == 2
    # The lawyer cannot read the correction at all
    assert client_for(firm.lawyer).get(url).status_code == 403
    correction.refresh_from_db()
    response = client_for(firm.partner).post(
        url,
        {"action": "approve", "expected_status": "awaiting_approval", "fingerprint": correction.fingerprint},
        follow=True,
    )
    assert "The correction is applied: 2 results have a new version." in response.content.decode()
    assert published.card(firm.lawyer).version == 2
    # Afterwards the page lists what it changed: each person's old and new version, as applied
    page = client_for(firm.executor).get(url).content.decode()
    assert 'id="applied-versions"' in page and 'class="preview-row"' not in page
    for person in (firm.lawyer, firm.colleague):
        card = published.card(person)
        assert card.staff.full_name in page
        assert reverse("portal:scorecard", args=[card.pk]) in page
    assert page.count("v1 → v2") == 2


def test_the_uphold_form_shows_who_moves_before_it_is_confirmed(published, client_for):
    firm = published.firm
    appeal = under_review(published)
    url = reverse("appeals:detail", args=[appeal.pk])
    data = {
        "action": "uphold",
        "uphold-expected_status": "under_review",
        "uphold-comment": "客户确认误解。",
        f"uphold-points_{satisfaction().pk}": "30",
    }
    browser = client_for(firm.executor)
    # The first click shows the preview; nothing is decided yet
    page = browser.post(url, data).content.decode()
    assert 'id="uphold-preview"' in page and "Confirm: uphold as previewed" in page
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.UNDER_REVIEW
    fingerprint = page.split('name="fingerprint" value="')[1].split('"')[0]
    # The confirmation with the same figures decides
    response = browser.post(url, {**data, "fingerprint": fingerprint}, follow=True)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD
    assert "leadership group" in response.content.decode()
    assert appeal.correction.adjustments.get().points == D("30")
