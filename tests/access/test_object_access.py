"""Object-level access (README.md, "Security model"): for every kind of object with an id in its URL, the owner
(or the persona the app allows) gets it and every other persona gets the 404 or 403 the app defines; and refused
writes change nothing."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from appeals import services as appeal_services
from appeals.models import Appeal
from clients.models import RevenueEntry
from indicators import questionnaire, ratings
from results.models import Scorecard
from reviews.models import EXECUTION_GROUP, LEADERSHIP_GROUP, Position, Quarter, QuarterState
from tests.access.conftest import FEEDBACK_PDF
from tests.access.matrix import PERSONAS
from tests.appeals.conftest import PNG, upload
from tests.personas import make_person
from tests.reviews.scorecard_builders import LAWYER_LINES, make_scorecard

LOGGED_IN = [p for p in PERSONAS if p != "anonymous"]


def as_(world, persona):
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "en"
    if persona != "anonymous":
        client.force_login(world.personas[persona])
    return client


def statuses(world, url, method="get", data=None, personas=LOGGED_IN):
    result = {}
    for persona in personas:
        client = as_(world, persona)
        response = client.post(url, data or {}) if method == "post" else client.get(url)
        result[persona] = response.status_code
    return result


def only(allowed, status_for_others=404, *, personas=LOGGED_IN, allowed_status=200):
    return {p: (allowed_status if p in allowed else status_for_others) for p in personas}


# --- Scorecards ----------------------------------------------------------------------------------------------


def test_a_scorecard_is_seen_by_its_owner_the_superior_and_the_groups_only(world):
    url = reverse("portal:scorecard", args=[world.card.pk])
    assert statuses(world, url) == only({"lawyer", "superior", "partner", "executor"})
    # The owner sees their own numbers and name
    text = as_(world, "lawyer").get(url).content.decode()
    assert world.firm.lawyer.profile.full_name in text and str(world.card.total).rstrip("0").rstrip(".") in text


def test_the_colleagues_scorecard_is_not_the_lawyers_business(world):
    url = reverse("portal:scorecard", args=[world.colleague_card.pk])
    assert statuses(world, url) == only({"colleague", "superior", "partner", "executor"})


def test_a_superior_sees_only_their_own_reporting_line(world):
    # The outsider reports to the partner, not to the lawyer's superior
    url = reverse("portal:scorecard", args=[world.outsider_card.pk])
    assert statuses(world, url) == only({"outsider", "partner", "executor"})


def test_before_publication_only_the_groups_see_a_result(world):
    url = reverse("portal:scorecard", args=[world.draft_card.pk])
    assert statuses(world, url) == only({"partner", "executor"})


def test_a_scorecard_that_does_not_exist_is_not_found_even_for_the_groups(world):
    missing = Scorecard.objects.order_by("-pk").first().pk + 100
    assert set(statuses(world, reverse("portal:scorecard", args=[missing])).values()) == {404}
    assert as_(world, "anonymous").get(reverse("portal:scorecard", args=[missing])).status_code == 302


def test_my_scorecards_lists_only_my_own(world):
    text = as_(world, "lawyer").get(reverse("portal:my_scorecards")).content.decode()
    assert reverse("portal:scorecard", args=[world.card.pk]) in text
    assert reverse("portal:scorecard", args=[world.colleague_card.pk]) not in text
    assert reverse("portal:scorecard", args=[world.draft_card.pk]) not in text


# --- Results and their explanations (IndicatorScore) -----------------------------------------------------------


def test_an_explanation_follows_its_scorecard(world):
    mine = reverse("portal:explain", args=[world.line.pk])
    theirs = reverse("portal:explain", args=[world.colleague_line.pk])
    assert statuses(world, mine) == only({"lawyer", "superior", "partner", "executor"})
    assert statuses(world, theirs) == only({"colleague", "superior", "partner", "executor"})
    # The owner reads how it was computed, with the indicator's name
    text = as_(world, "lawyer").get(mine).content.decode()
    assert world.line.indicator.name_en in text


def test_an_explanation_of_an_unpublished_result_is_for_the_groups_only(world):
    line = world.draft_card.lines.first()
    url = reverse("portal:explain", args=[line.pk])
    assert statuses(world, url) == only({"partner", "executor"})


def test_the_results_table_is_for_the_groups_only(world):
    url = reverse("portal:results", args=[world.quarter.code])
    assert statuses(world, url) == only({"partner", "executor"}, 403)


# --- Feedback PDFs ---------------------------------------------------------------------------------------------


def test_a_feedback_pdf_follows_its_scorecard(world):
    mine = reverse("documents:feedback_pdf", args=[world.feedback.pk])
    theirs = reverse("documents:feedback_pdf", args=[world.colleague_feedback.pk])
    assert statuses(world, mine) == only({"lawyer", "superior", "partner", "executor"})
    assert statuses(world, theirs) == only({"colleague", "superior", "partner", "executor"})
    response = as_(world, "lawyer").get(mine)
    assert b"".join(response.streaming_content) == FEEDBACK_PDF
    assert response["Content-Type"] == "application/pdf"


def test_the_newest_feedback_of_a_scorecard_follows_the_scorecard(world):
    url = reverse("documents:scorecard_feedback_pdf", args=[world.colleague_card.pk])
    assert statuses(world, url) == only({"colleague", "superior", "partner", "executor"})


def test_the_report_pdf_is_for_the_groups_only(world):
    url = reverse("documents:feedback_pdf", args=[world.report_document.pk])
    assert statuses(world, url) == only({"partner", "executor"})


# --- Appeals and their attachments -----------------------------------------------------------------------------


@pytest.fixture
def colleague_appeal(world):
    satisfaction = world.colleague_line.indicator
    return appeal_services.appeal_file(
        scorecard=world.colleague_card,
        by=world.firm.colleague,
        indicators=[satisfaction],
        reason="沟通评分有误。",
        attachments=[upload("截图.png", PNG)],
    )


def test_an_appeal_is_seen_by_the_appellant_and_the_groups_only(world, colleague_appeal):
    mine = reverse("appeals:detail", args=[world.appeal.pk])
    theirs = reverse("appeals:detail", args=[colleague_appeal.pk])
    assert statuses(world, mine) == only({"lawyer", "partner", "executor"})
    assert statuses(world, theirs) == only({"colleague", "partner", "executor"})


def test_an_attachment_is_seen_only_through_its_own_appeal(world, colleague_appeal):
    url = reverse("appeals:attachment", args=[world.appeal.pk, world.attachment.pk])
    assert statuses(world, url) == only({"lawyer", "partner", "executor"})
    # The colleague cannot reach the lawyer's evidence through their own appeal's id
    crossed = reverse("appeals:attachment", args=[colleague_appeal.pk, world.attachment.pk])
    assert statuses(world, crossed, personas=["colleague", "lawyer", "partner", "executor"]) == {
        "colleague": 404,
        "lawyer": 404,
        "partner": 404,
        "executor": 404,
    }


def test_only_the_owner_may_file_an_appeal_on_a_scorecard(world):
    url = reverse("appeals:file", args=[world.colleague_card.pk])
    assert statuses(world, url) == only({"colleague"})


def test_a_decision_refused_to_the_wrong_persona_leaves_the_appeal_unchanged(world):
    # Given the lawyer's appeal under review by the executor
    appeal_services.appeal_assign(appeal=world.appeal, handler=world.firm.executor, by=world.firm.executor)
    url = reverse("appeals:detail", args=[world.appeal.pk])
    data = {"action": "reject", "reject-comment": "数据无误，维持原结果。", "reject-expected_status": "under_review"}
    # When everyone but the handler tries to reject it
    for persona in ("lawyer", "colleague", "superior", "assistant", "business_clerk", "outsider", "anonymous"):
        response = as_(world, persona).post(url, data)
        assert response.status_code in (302, 404), persona
        # Then nothing is decided
        appeal = Appeal.objects.get(pk=world.appeal.pk)
        assert appeal.status == "under_review" and appeal.decided_at is None, persona
    # And the same request by the handler does decide it (the request is a real decision)
    as_(world, "executor").post(url, data)
    assert Appeal.objects.get(pk=world.appeal.pk).status == "rejected"


# --- Interviews ------------------------------------------------------------------------------------------------


def test_an_interview_record_is_seen_by_the_person_the_superiors_and_the_groups(world):
    mine = reverse("interviews:interview", args=[world.interview.pk])
    theirs = reverse("interviews:interview", args=[world.colleague_interview.pk])
    assert statuses(world, mine) == only({"lawyer", "superior", "partner", "executor"})
    assert statuses(world, theirs) == only({"colleague", "superior", "partner", "executor"})


def test_only_the_direct_superior_records_and_only_the_person_acknowledges(world):
    record = reverse("interviews:interview_record", args=[world.colleague_interview.pk])
    assert statuses(world, record) == {
        **only({"superior"}),
        "colleague": 403,
        "partner": 403,
        "executor": 403,
    }
    # Given the interview recorded, the lawyer (not the colleague) cannot acknowledge the colleague's
    from interviews import services

    services.interview_record(
        interview=world.colleague_interview,
        by=world.firm.superior,
        held_at=timezone.now(),
        strengths="准备充分",
        weaknesses="回复偶有延迟",
        goals="提高回复速度",
        items=[
            services.PlanItem(
                description="每周回复客户邮件",
                owner=world.firm.colleague.profile,
                due_on=timezone.localdate() + datetime.timedelta(days=30),
            )
        ],
    )
    acknowledge = reverse("interviews:interview_acknowledge", args=[world.colleague_interview.pk])
    for persona in ("lawyer", "superior", "partner"):
        as_(world, persona).post(acknowledge, {"comment": "收到"})
    world.colleague_interview.refresh_from_db()
    assert world.colleague_interview.acknowledged_at is None
    as_(world, "colleague").post(acknowledge, {"comment": "收到"})
    world.colleague_interview.refresh_from_db()
    assert world.colleague_interview.acknowledged_at is not None


def test_a_self_assessment_is_read_by_the_person_their_interviewer_and_the_execution_group_only(world):
    # Given the colleague's self-assessment submitted (regulation 三.5)
    from interviews.models import SelfAssessment
    from interviews.self_assessment import self_assessment_save

    self_assessment_save(
        scorecard=world.colleague_card,
        by=world.firm.colleague,
        answers={"maintenance": {"went_well": "老客户续约三家"}},
        proposed_goals="续约率保持九成",
        submit=True,
    )
    page = reverse("interviews:self_assessment", args=[world.colleague_card.pk])
    # Then the colleague, her superior and the execution group read it; the partner, the lawyer (a peer with the
    # same superior) and the clerks get a 404
    assert statuses(world, page) == only({"colleague", "superior", "executor"})
    assert "老客户续约三家" in as_(world, "superior").get(page).content.decode()
    # And a write by anyone but the colleague changes nothing
    for persona in ("lawyer", "superior", "executor", "partner"):
        as_(world, persona).post(page, {"action": "submit", "proposed_goals": "改写"})
    assert SelfAssessment.objects.get(staff=world.firm.colleague.profile).proposed_goals == "续约率保持九成"


# --- Ratings ---------------------------------------------------------------------------------------------------


def test_a_rating_assignment_exists_only_for_its_rater(world):
    mine = reverse("indicators:rating_give", args=[world.assignment.pk])
    about_me = reverse("indicators:rating_give", args=[world.colleague_assignment.pk])
    assert statuses(world, mine) == only({"lawyer"})
    # The lawyer is the ratee of this one: it does not exist for them, nor for anyone but the colleague
    assert statuses(world, about_me) == only({"colleague"})


def test_a_ratee_never_sees_who_rated_them(world):
    # Given the colleague rated the lawyer
    ratings.rating_give(assignment=world.colleague_assignment, by=world.firm.colleague, score=4, comment="配合默契")
    # When the lawyer reads their ratings
    text = as_(world, "lawyer").get(reverse("indicators:my_ratings")).content.decode()
    # Then the colleague's name is nowhere on it
    assert world.firm.colleague.profile.full_name not in text


def test_a_refused_rating_changes_nothing(world):
    url = reverse("indicators:rating_give", args=[world.colleague_assignment.pk])
    for persona in ("lawyer", "superior", "executor", "partner"):
        as_(world, persona).post(url, {f"a{world.colleague_assignment.pk}-score": "1"})
    world.colleague_assignment.refresh_from_db()
    assert world.colleague_assignment.score is None


# --- Department records (each kind) ----------------------------------------------------------------------------

KINDS = {
    "clients": "business_clerk",
    "contracts": "business_clerk",
    "revenue": "finance_clerk",
    "complaints": "admin_clerk",
    "surveys": "admin_clerk",
}


@pytest.mark.parametrize("kind", KINDS)
def test_a_department_record_is_edited_by_its_department_only_and_read_by_the_groups(world, kind):
    record = world.records.of(kind)
    edit = reverse(f"clients:{kind}_edit", args=[record.pk])
    history = reverse(f"clients:{kind}_history", args=[record.pk])
    assert statuses(world, edit) == only({KINDS[kind]}, 403)
    assert statuses(world, history) == only({KINDS[kind], "partner", "executor"}, 403)
    # A record that does not exist is 404 for the clerk, and still 403 for those refused the kind
    missing = reverse(f"clients:{kind}_edit", args=[record.pk + 1000])
    assert statuses(world, missing, personas=[KINDS[kind], "lawyer"]) == {KINDS[kind]: 404, "lawyer": 403}


def test_a_refused_edit_of_a_revenue_entry_changes_nothing(world):
    entry = world.records.revenue
    url = reverse("clients:revenue_edit", args=[entry.pk])
    data = {
        "ref": entry.ref,
        "contract": entry.contract.pk,
        "received_on": "2026-07-20",
        "amount": "1.00",
        "credited_to": world.firm.colleague.profile.pk,
    }
    for persona in ("business_clerk", "admin_clerk", "executor", "partner", "lawyer", "anonymous"):
        as_(world, persona).post(url, data)
    entry.refresh_from_db()
    assert str(entry.amount) == "20000.00" and entry.credited_to_id == world.firm.lawyer.profile.pk


# --- Imports ---------------------------------------------------------------------------------------------------


def test_a_refused_import_confirm_saves_nothing(world):
    # Given the finance clerk has uploaded a good revenue file and seen its preview (dated in 2026Q4: the
    # published 2026Q3 is locked, clients.locks)
    clerk = as_(world, "finance_clerk")
    content = (
        "ref,contract,received_on,amount,credited_to\n"
        f"R-9001,{world.records.contract.number},2026-11-02,1200.00,lawyer\n"
    ).encode()
    response = clerk.post(
        reverse("clients:import_upload", args=["revenue"]),
        {"file": SimpleUploadedFile("revenue.csv", content, content_type="text/csv")},
    )
    assert response.status_code == 302
    preview = clerk.get(reverse("clients:import_preview", args=["revenue"]))
    token = preview.context["token"]
    before = RevenueEntry.objects.count()
    # When the other personas post the confirmation of a revenue import
    confirm = reverse("clients:import_confirm", args=["revenue"])
    for persona in ("business_clerk", "admin_clerk", "executor", "partner", "lawyer", "anonymous"):
        response = as_(world, persona).post(confirm, {"token": token})
        assert response.status_code in (302, 403), persona
    # Then nothing is imported
    assert RevenueEntry.objects.count() == before and not RevenueEntry.objects.filter(ref="R-9001").exists()
    # And the clerk's own confirmation does import it
    clerk.post(confirm, {"token": token})
    assert RevenueEntry.objects.filter(ref="R-9001", amount="1200.00").exists()


# --- The quarter: approve and publish ----------------------------------------------------------------------------


@pytest.fixture
def submitted(world):
    """2026Q2 submitted to the leadership group by the executor, with the lawyer's draft result."""
    quarter = Quarter.objects.create(
        year=2026, number=2, state=QuarterState.SUBMITTED, submitted_by=world.firm.executor, submitted_at=timezone.now()
    )
    make_scorecard(quarter, world.firm.lawyer, total="80", status=Scorecard.Status.DRAFT, lines=LAWYER_LINES)
    return quarter


def test_only_the_leadership_group_approves_and_a_refusal_changes_nothing(world, submitted):
    url = reverse("portal:approval", args=[submitted.code])
    act = reverse("portal:quarter_act", args=[submitted.code, "approve"])
    data = {"decision": "approve", "comment": "", "expected_state": "submitted"}
    for persona in [p for p in PERSONAS if p != "partner"]:
        client = as_(world, persona)
        client.post(url, data)
        client.post(act, {"expected_state": "submitted"})
        submitted.refresh_from_db()
        assert submitted.state == QuarterState.SUBMITTED and submitted.approved_by is None, persona
    # The same request by a partner approves it
    as_(world, "partner").post(url, data)
    submitted.refresh_from_db()
    assert submitted.state == QuarterState.APPROVED and submitted.approved_by == world.firm.partner


def test_four_eyes_the_submitter_cannot_approve_even_as_a_partner(world, submitted):
    both = make_person("both", "吴刚", Position.LAWYER, world.firm.litigation, assessed=False)
    both.groups.add(Group.objects.get(name=LEADERSHIP_GROUP), Group.objects.get(name=EXECUTION_GROUP))
    Quarter.objects.filter(pk=submitted.pk).update(submitted_by=both)
    client = Client()
    client.force_login(both)
    client.post(
        reverse("portal:approval", args=[submitted.code]),
        {"decision": "approve", "comment": "", "expected_state": "submitted"},
    )
    submitted.refresh_from_db()
    assert submitted.state == QuarterState.SUBMITTED and submitted.approved_by is None


def test_only_the_execution_group_publishes_and_a_refusal_changes_nothing(world, submitted):
    Quarter.objects.filter(pk=submitted.pk).update(state=QuarterState.APPROVED, approved_by=world.firm.partner)
    act = reverse("portal:quarter_act", args=[submitted.code, "publish"])
    for persona in [p for p in PERSONAS if p != "executor"]:
        as_(world, persona).post(act, {"expected_state": "approved"})
        submitted.refresh_from_db()
        assert submitted.state == QuarterState.APPROVED and submitted.published_at is None, persona
        assert not Scorecard.objects.filter(quarter=submitted, status=Scorecard.Status.PUBLISHED).exists(), persona
    as_(world, "executor").post(act, {"expected_state": "approved"})
    submitted.refresh_from_db()
    assert submitted.state == QuarterState.PUBLISHED


# --- Questionnaire links ---------------------------------------------------------------------------------------


def test_a_new_link_is_shown_only_to_the_clerk_who_made_it(world):
    other_clerk = make_person("admclerk2", "周敏", Position.ADMINISTRATIVE, world.firm.administrative)
    world.firm.administrative.clerks.add(other_clerk)
    url = reverse("indicators:questionnaire_link_created", args=[world.link.pk])
    assert statuses(world, url) == only({"admin_clerk"}, 403)
    client = Client()
    client.force_login(other_clerk)
    assert client.get(url).status_code == 404


def test_a_questionnaire_link_works_once_and_never_after_expiry(world):
    url = reverse("questionnaire:answer", args=[world.token])
    answer = {"service_quality": "5", "communication": "4", "outcome": "5", "comment": "很好"}
    assert as_(world, "anonymous").get(url).status_code == 200
    assert as_(world, "anonymous").post(url, answer).status_code == 302
    # A used link: a clear page, nothing recorded twice
    again = as_(world, "anonymous").post(url, answer)
    assert again.status_code == 410
    world.link.refresh_from_db()
    assert world.link.used_at is not None
    # An expired link
    link, token = questionnaire.questionnaire_link_create(
        client=world.records.client,
        staff=world.firm.lawyer.profile,
        by=world.firm.admin_clerk,
        today=datetime.date(2020, 1, 1),
        expires_on=datetime.date(2020, 1, 31),
    )
    assert as_(world, "anonymous").get(reverse("questionnaire:answer", args=[token])).status_code == 410
    assert as_(world, "anonymous").get(reverse("questionnaire:answer", args=[token[:-2] + "xx"])).status_code == 404


# --- Notifications ---------------------------------------------------------------------------------------------


def test_a_notification_exists_only_for_its_owner(world):
    url = reverse("notifications:read", args=[world.notification.pk])
    assert statuses(world, url, method="post") == only({"lawyer"}, allowed_status=302)
    world.notification.refresh_from_db()
    assert world.notification.read_at is not None


def test_people_pages_are_for_the_groups_and_editing_for_the_two_groups(world):
    edit = reverse("reviews:person_edit", args=[world.firm.lawyer.profile.pk])
    assert statuses(world, edit) == only({"executor", "partner"}, 403)
    missing = reverse("reviews:person_edit", args=[world.firm.lawyer.profile.pk + 1000])
    assert statuses(world, missing, personas=["executor", "partner", "lawyer"]) == {
        "executor": 404,
        "partner": 404,
        "lawyer": 403,
    }
