"""No jammed quarter (regulation 三.5): everyone assessed has someone to interview them, or the execution group is
told by name and designates an interviewer; a quarter that cannot close says exactly why."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from appeals.models import Appeal, AppealStatus
from documents.completeness import completeness_board
from interviews.interviewers import interviewer_designate, interviewer_of
from interviews.models import Interview, InterviewerDesignation
from portal.quarter_services import quarter_close, quarter_publish
from results.models import Scorecard
from reviews.lifecycle import TransitionRefused
from reviews.models import Position, QuarterEvent, QuarterState
from tests.interviews.test_interviews import record_form, schedule_form
from tests.personas import make_person
from tests.reviews.quarter_builders import aware, make_card, make_quarter

S = QuarterState
NOBODY_ONE = (
    "1 person would have nobody to interview them (no active direct superior and no designated interviewer): 吴独. "
    "Designate their interviewer on the quarter's Interviewers page first. Nothing was changed."
)


@pytest.fixture(autouse=True)
def in_english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def loner(firm):
    """A lawyer of the corporate group whose superior left the firm: nobody is there to interview him."""
    return make_person("loner", "吴独", Position.LAWYER, firm.corporate)


@pytest.fixture
def approved(firm, loner):
    """2026Q3's results approved: the lawyer (superior 周强) and the loner (no superior)."""
    quarter = make_quarter(state=S.APPROVED)
    make_card(quarter, firm.lawyer, 85)
    make_card(quarter, loner, 70)
    return quarter


def designate(quarter, loner, firm, interviewer=None, reason="原上级已离职，由周律师代为面谈。"):
    return interviewer_designate(
        quarter=quarter,
        staff=loner.profile,
        interviewer=(interviewer or firm.superior).profile,
        by=firm.executor,
        reason=reason,
    )


# --- Publication and the completeness board check it -----------------------------------------------------------


def test_publication_refuses_and_names_the_people_nobody_would_interview(firm, approved, loner):
    # When the execution group publishes 2026Q3 while nobody would interview 吴独
    with pytest.raises(TransitionRefused) as refusal:
        quarter_publish(quarter=approved, by=firm.executor, expected_state=S.APPROVED)
    # Then it is refused, naming him and saying what to do; nothing was published
    assert str(refusal.value) == NOBODY_ONE
    approved.refresh_from_db()
    assert approved.state == S.APPROVED and approved.published_at is None
    assert not Scorecard.objects.filter(quarter=approved, status=Scorecard.Status.PUBLISHED).exists()
    # And once an interviewer is designated it publishes
    designate(approved, loner, firm)
    quarter_publish(quarter=approved, by=firm.executor, expected_state=S.APPROVED)
    assert approved.state == S.PUBLISHED


def test_a_superior_who_has_left_counts_as_nobody(firm, approved, loner):
    # Given 陈静's superior 周强 leaves the firm
    firm.superior.profile.active = False
    firm.superior.profile.save()
    with pytest.raises(TransitionRefused, match="2 people would have nobody to interview them .*: 吴独, 陈静"):
        quarter_publish(quarter=approved, by=firm.executor)


def test_the_completeness_board_names_them_and_links_to_the_designation_page(firm, loner, client_for):
    quarter = make_quarter(state=S.COLLECTING)
    board = completeness_board(quarter=quarter)
    assert [p.full_name for p in board.without_interviewer] == ["吴独"]
    assert "1 assessed person has nobody to interview them: 吴独." in board.notes
    page = client_for(firm.executor).get(reverse("portal:completeness", args=[quarter.code])).content.decode()
    section = page[page.index('id="without-interviewer"') :]
    assert "吴独" in section[:200] and reverse("portal:interviewers", args=[quarter.code]) in section
    # Designated: the board no longer lists him
    designate(quarter, loner, firm)
    assert completeness_board(quarter=quarter).without_interviewer == []


# --- The designation ------------------------------------------------------------------------------------------


def test_the_execution_group_designates_on_the_page_and_the_history_records_it(firm, approved, loner, client_for):
    browser = client_for(firm.executor)
    url = reverse("portal:interviewers", args=[approved.code])
    # The page shows the people nobody interviews first, with a link that fills in the form
    page = browser.get(url).content.decode()
    assert "1 person has nobody to interview them." in page
    assert page.index("吴独") < page.index("陈静")
    assert "?person=loner#designate" in page
    # When they designate 周强 with a reason
    response = browser.post(url, {"person": "loner", "interviewer": "senior", "reason": "原上级已离职"}, follow=True)
    assert "周强 now holds the interview of 吴独 for 2026Q3." in response.content.decode()
    # Then it is recorded: who, when, why, and in the quarter's history
    designation = InterviewerDesignation.objects.get()
    assert (designation.interviewer, designation.designated_by, designation.reason) == (
        firm.superior.profile,
        firm.executor,
        "原上级已离职",
    )
    event = QuarterEvent.objects.get(action="interviewer")
    assert (event.by, event.from_state, event.to_state) == (firm.executor, S.APPROVED, S.APPROVED)
    assert all(text in event.comment for text in ("吴独", "周强", "原上级已离职"))
    assert interviewer_of(quarter=approved, staff=loner.profile) == firm.superior.profile
    assert "Everyone has someone to interview them." in browser.get(url).content.decode()


def test_a_typed_username_that_is_nobody_is_answered_next_to_the_field(firm, approved, client_for):
    url = reverse("portal:interviewers", args=[approved.code])
    response = client_for(firm.executor).post(url, {"person": "loner", "interviewer": "ghost", "reason": "x"})
    assert response.status_code == 400
    assert "There is no active staff member with username “ghost”." in response.content.decode()
    assert not InterviewerDesignation.objects.exists()


def test_only_the_execution_group_designates(firm, approved, loner, client_for):
    with pytest.raises(PermissionDenied):
        interviewer_designate(
            quarter=approved, staff=loner.profile, interviewer=firm.superior.profile, by=firm.partner, reason="x"
        )
    url = reverse("portal:interviewers", args=[approved.code])
    data = {"person": "loner", "interviewer": "senior", "reason": "x"}
    assert client_for(firm.partner).post(url, data).status_code == 403
    assert client_for(firm.partner).get(url).status_code == 200
    assert client_for(firm.lawyer).get(url).status_code == 403
    assert not InterviewerDesignation.objects.exists()


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("own", "You cannot choose your own interviewer; another member of the execution group does."),
        ("themselves", "A person cannot interview themselves."),
        ("inactive", "周强 is no longer active."),
        ("no reason", "Say why this person holds the interview."),
    ],
)
def test_a_designation_that_breaks_a_rule_is_refused_with_the_rule(firm, approved, loner, case, message):
    staff, interviewer, reason = loner.profile, firm.superior.profile, "原上级已离职"
    if case == "own":
        staff = firm.executor.profile
    elif case == "themselves":
        interviewer = loner.profile
    elif case == "inactive":
        interviewer.active = False
        interviewer.save()
    elif case == "no reason":
        reason = "  "
    with pytest.raises(ValidationError) as refusal:
        interviewer_designate(quarter=approved, staff=staff, interviewer=interviewer, by=firm.executor, reason=reason)
    assert message in refusal.value.messages
    assert not InterviewerDesignation.objects.exists() and not QuarterEvent.objects.exists()


def test_a_closed_quarter_or_a_recorded_interview_keeps_its_interviewer(firm, approved, loner):
    # Given 吴独's interview recorded by the designated 周强
    designate(approved, loner, firm)
    Interview.objects.create(
        quarter=approved,
        staff=loner.profile,
        superior=firm.superior.profile,
        scheduled_at=aware(2026, 10, 10),
        place="1",
        scheduled_by=firm.superior,
        held_at=aware(2026, 10, 10),
        recorded_by=firm.superior,
        recorded_at=aware(2026, 10, 10, 12),
    )
    with pytest.raises(ValidationError, match="already recorded"):
        designate(approved, loner, firm, interviewer=firm.outsider)
    approved.state = S.CLOSED
    approved.save()
    with pytest.raises(ValidationError, match="is closed"):
        designate(approved, firm.lawyer, firm, interviewer=firm.outsider)
    assert InterviewerDesignation.objects.get().interviewer == firm.superior.profile


# --- The designated interviewer has the superior's rights for that interview -----------------------------------


@pytest.fixture
def published(firm, approved, loner):
    """2026Q3 published on 8 October with 周强 designated to interview 吴独 (not his superior, not above him)."""
    designate(approved, loner, firm)
    with time_machine.travel(aware(2026, 10, 8), tick=False):
        quarter_publish(quarter=approved, by=firm.executor)
    return approved


def test_the_designated_interviewer_reads_schedules_and_records_the_interview(firm, published, loner, client_for):
    card = Scorecard.objects.get(quarter=published, staff=loner.profile)
    browser = client_for(firm.superior)
    with time_machine.travel(aware(2026, 10, 9), tick=False):
        # He reads the result and finds the person on his team page
        assert browser.get(reverse("portal:scorecard", args=[card.pk])).status_code == 200
        team = browser.get(reverse("interviews:team")).content.decode()
        assert "吴独" in team and reverse("interviews:interview_schedule", args=[card.pk]) in team
        # He schedules it
        response = browser.post(
            reverse("interviews:interview_schedule", args=[card.pk]), schedule_form(when="2026-10-10T15:00")
        )
        assert response.status_code == 302
    interview = Interview.objects.get(staff=loner.profile)
    assert interview.superior == firm.superior.profile
    # And records it
    with time_machine.travel(aware(2026, 10, 10, 17), tick=False):
        response = browser.post(
            reverse("interviews:interview_record", args=[interview.pk]),
            record_form(
                **{
                    "held_at": "2026-10-10T15:00",
                    "items-0-due_on": "2026-12-31",
                    "items-0-owner": str(loner.profile.pk),
                }
            ),
        )
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.is_recorded and interview.recorded_by == firm.superior


@pytest.mark.parametrize("persona", ["outsider", "colleague", "lawyer"])
def test_nobody_else_reads_or_schedules_it(firm, published, loner, client_for, persona):
    card = Scorecard.objects.get(quarter=published, staff=loner.profile)
    browser = client_for(getattr(firm, persona))
    assert browser.get(reverse("portal:scorecard", args=[card.pk])).status_code == 404
    assert browser.post(reverse("interviews:interview_schedule", args=[card.pk]), schedule_form()).status_code == 404


def test_a_new_designation_moves_the_rights_to_the_new_interviewer(firm, published, loner, client_for):
    card = Scorecard.objects.get(quarter=published, staff=loner.profile)
    designate(published, loner, firm, interviewer=firm.outsider, reason="周律师出差")
    assert client_for(firm.superior).get(reverse("portal:scorecard", args=[card.pk])).status_code == 404
    assert client_for(firm.outsider).get(reverse("portal:scorecard", args=[card.pk])).status_code == 200
    assert QuarterEvent.objects.filter(action="interviewer").count() == 2


def test_a_designation_replaces_the_superior_for_that_interview(firm, published, client_for):
    # Given the execution group gives 陈静's interview to the partner (周强, her superior, is on leave)
    card = Scorecard.objects.get(quarter=published, staff=firm.lawyer.profile)
    interviewer_designate(
        quarter=published, staff=firm.lawyer.profile, interviewer=firm.partner.profile, by=firm.executor, reason="休假"
    )
    # Then the partner schedules it and 周强 (still her superior, still allowed to read it) does not
    with time_machine.travel(aware(2026, 10, 9), tick=False):
        assert (
            client_for(firm.superior)
            .post(reverse("interviews:interview_schedule", args=[card.pk]), schedule_form(when="2026-10-10T15:00"))
            .status_code
            == 403
        )
        assert (
            client_for(firm.partner)
            .post(reverse("interviews:interview_schedule", args=[card.pk]), schedule_form(when="2026-10-10T15:00"))
            .status_code
            == 302
        )
    assert Interview.objects.get(staff=firm.lawyer.profile).superior == firm.partner.profile


# --- A quarter that cannot close says exactly why ---------------------------------------------------------------


def test_the_quarter_page_lists_by_name_what_keeps_it_from_closing(firm, published, loner, client_for):
    # Given an appeal of 陈静's still waiting, and no interview recorded yet
    card = Scorecard.objects.get(quarter=published, staff=firm.lawyer.profile)
    Appeal.objects.create(
        quarter=published,
        scorecard=card,
        staff=firm.lawyer.profile,
        appellant=firm.lawyer,
        reason="满意度录入有误",
        status=AppealStatus.SUBMITTED,
        filed_at=timezone.now(),
        decision_due_on=datetime.date(2026, 10, 20),
    )
    # When the execution group opens the quarter page on 12 October (the window is open until the 15th)
    with time_machine.travel(aware(2026, 10, 12), tick=False):
        page = client_for(firm.executor).get(reverse("portal:quarter", args=[published.code])).content.decode()
        with pytest.raises(TransitionRefused) as refusal:
            quarter_close(quarter=published, by=firm.executor)
    # Then the page names the window's end, each person without a recorded interview and each open appeal
    blockers = page[page.index('id="close-blockers"') :]
    assert "The appeal window is open until 2026-10-15." in blockers
    interviews = blockers[blockers.index('id="blocker-interviews"') : blockers.index('id="blocker-appeals"')]
    assert "2 interviews are not recorded yet:" in interviews
    assert "吴独</a> —" in interviews and "陈静</a> —" in interviews and interviews.count("interviewer 周强") == 2
    appeals = blockers[blockers.index('id="blocker-appeals"') :]
    assert "1 appeal is not decided yet:" in appeals and "陈静</a> — Submitted" in appeals
    assert "decision due by 2026-10-20" in appeals
    # And the refusal to close says the same, by name
    assert str(refusal.value) == (
        "The quarter cannot be closed yet: The appeal window is open until 2026-10-15. "
        "2 interviews are not recorded yet: 吴独, 陈静. 1 appeal is not decided yet: 陈静."
    )


def test_a_person_whose_interviewer_left_is_marked_as_such(firm, published, loner, client_for):
    firm.superior.profile.active = False
    firm.superior.profile.save()
    with time_machine.travel(aware(2026, 10, 20), tick=False):
        page = client_for(firm.executor).get(reverse("portal:quarter", args=[published.code])).content.decode()
        with pytest.raises(TransitionRefused) as refusal:
            quarter_close(quarter=published, by=firm.executor)
    blockers = page[page.index('id="blocker-interviews"') :]
    assert "nobody to interview them" in blockers and reverse("portal:interviewers", args=[published.code]) in blockers
    assert "吴独 (nobody to interview them), 陈静 (nobody to interview them)" in str(refusal.value)
    assert "appeal window" not in str(refusal.value)
