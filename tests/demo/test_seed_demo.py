"""The demo firm loaded by `make run`: its organisation, its data across four quarters, and its determinism."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import translation

from clients.models import COMPLAINT_DEADLINE, Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey
from demo.firm import demo_firm_wipe
from indicators.models import Scheme
from reviews.models import (
    EXECUTION_GROUP,
    LEADERSHIP_GROUP,
    Department,
    DepartmentKind,
    Position,
    Quarter,
    QuarterState,
    StaffProfile,
)

# A day in 2026Q3's collection window (regulation 三.1: results by 10 October): 2026Q3 waits to be scored. The last
# four completed quarters are 2025Q4–2026Q3. The firm as it is after the window: tests/demo/test_demo_story.py.
TODAY = "2026-10-09"
COMPLETED = [(2025, 4), (2026, 1), (2026, 2), (2026, 3)]
DEMO_LOGINS = ["partner", "executor", "bizclerk", "finclerk", "admclerk", "senior", "lawyer", "assistant"]

pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    with translation.override("en"):
        call_command("seed_demo", "--today", TODAY, *args, stdout=out)
    return out.getvalue()


def snapshot():
    """Everything that should be identical between two seeds of the same reference date."""
    return {
        "people": list(
            StaffProfile.objects.order_by("user__username").values_list(
                "user__username", "full_name", "position", "department__code", "superior__user__username", "assessed"
            )
        ),
        "clients": list(Client.objects.order_by("code").values_list("code", "name", "kind", "referred_by__code")),
        "contracts": list(
            Contract.objects.order_by("number").values_list(
                "number",
                "client__code",
                "signed_on",
                "fee",
                "originating_lawyer__user__username",
                "responsible_lawyer__user__username",
                "status",
                "closed_on",
            )
        ),
        "revenue": list(
            RevenueEntry.objects.order_by("ref").values_list(
                "ref", "contract__number", "received_on", "amount", "credited_to__user__username"
            )
        ),
        "complaints": list(
            Complaint.objects.order_by("ref").values_list(
                "ref", "about__user__username", "handler__user__username", "received_at", "handled_at"
            )
        ),
        "surveys": list(
            SatisfactionSurvey.objects.order_by("ref").values_list(
                "ref", "staff__user__username", "surveyed_on", "service_quality", "communication", "outcome"
            )
        ),
    }


def first_contracts():
    """client id -> its first contract (the one that made it a new client)."""
    first = {}
    for contract in Contract.objects.order_by("signed_on", "number").select_related("originating_lawyer"):
        first.setdefault(contract.client_id, contract)
    return first


@dataclass
class Seeded:
    output: str
    emails: list


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    """One seeded firm shared by a class of read-only tests (committed, so wiped afterwards); yields the output
    and the e-mails the seed sent."""
    with django_db_blocker.unblock():
        try:
            mail.outbox = []
            output = seed()
            yield Seeded(output=output, emails=list(mail.outbox))
        finally:
            demo_firm_wipe()
            Quarter.objects.all().delete()


@pytest.mark.usefixtures("seeded")
class TestTheSeededFirm:
    """Read-only checks on the firm seeded for 2026-11-30."""

    def test_it_builds_the_firm_the_regulation_describes(self, seeded):
        output = seeded.output

        assessed = StaffProfile.objects.filter(assessed=True)
        assert assessed.count() >= 30
        positions = Counter(assessed.values_list("position", flat=True))
        assert positions[Position.LAWYER] > sum(positions.values()) / 2
        assert positions[Position.ASSISTANT] > 0 and positions[Position.ADMINISTRATIVE] > 0
        # Three practice groups plus the business, administrative and finance departments.
        kinds = Counter(Department.objects.values_list("kind", flat=True))
        assert kinds == {
            DepartmentKind.PRACTICE: 3,
            DepartmentKind.BUSINESS: 1,
            DepartmentKind.ADMINISTRATIVE: 1,
            DepartmentKind.FINANCE: 1,
        }
        assert set(Department.objects.values_list("name_zh", flat=True)) >= {"诉讼业务组", "业务部", "行政部", "财务部"}
        # Regulation 二.1: three partners lead, and are not assessed themselves.
        leaders = StaffProfile.objects.filter(user__groups__name=LEADERSHIP_GROUP)
        assert leaders.count() == 3
        assert not leaders.filter(assessed=True).exists()
        assert {name[0] for name in leaders.values_list("full_name", flat=True)} == {"王", "李", "张"}
        # Regulation 二.2: the administrative supervisor and two senior lawyers run the assessment.
        executors = StaffProfile.objects.filter(user__groups__name=EXECUTION_GROUP)
        assert sorted(executors.values_list("position", flat=True)) == [
            Position.ADMINISTRATIVE,
            Position.LAWYER,
            Position.LAWYER,
        ]
        # Regulation 二.3: one data clerk per data department.
        for department in Department.objects.exclude(kind=DepartmentKind.PRACTICE):
            assert department.clerks.count() == 1
        assert User.objects.get(username="bizclerk").clerk_departments.get().kind == DepartmentKind.BUSINESS
        assert User.objects.get(username="finclerk").clerk_departments.get().kind == DepartmentKind.FINANCE
        assert User.objects.get(username="admclerk").clerk_departments.get().kind == DepartmentKind.ADMINISTRATIVE
        # Chinese names, ascii usernames, e-mail for everyone, some prefer English.
        for profile in StaffProfile.objects.select_related("user"):
            assert all("\u4e00" <= char <= "\u9fff" for char in profile.full_name)
            assert profile.user.username.isascii() and profile.user.email
        assert StaffProfile.objects.filter(language="en").exists()
        assert StaffProfile.objects.filter(language="zh-hans").count() > StaffProfile.objects.count() / 2
        # The summary tells what was made and how to log in.
        assert "clients" in output and "demo-pass-2026" in output
        for username in DEMO_LOGINS:
            assert username in output

    def test_every_demo_login_works_with_the_demo_password_and_has_its_role(self):
        for username in DEMO_LOGINS:
            assert authenticate(username=username, password="demo-pass-2026") is not None, username
        assert User.objects.get(username="partner").groups.filter(name=LEADERSHIP_GROUP).exists()
        executor = User.objects.get(username="executor")
        assert executor.groups.filter(name=EXECUTION_GROUP).exists()
        assert executor.profile.position == Position.ADMINISTRATIVE
        assert User.objects.get(username="lawyer").profile.superior.user.username == "senior"
        assert User.objects.get(username="assistant").profile.position == Position.ASSISTANT
        assert User.objects.get(username="assistant").profile.superior.user.username == "senior"
        # Nobody else's password was left unusable or different.
        assert all(user.check_password("demo-pass-2026") for user in User.objects.filter(profile__isnull=False))

    def test_reporting_lines_follow_the_organisation_and_never_loop(self):
        profiles = list(StaffProfile.objects.select_related("superior", "superior__superior", "user", "department"))
        partners = {p.pk for p in profiles if not p.assessed}
        heads = {p.superior_id for p in profiles if p.position == Position.ASSISTANT}
        assert len(heads) == 3
        for profile in profiles:
            profile.clean()
            seen, boss = {profile.pk}, profile.superior
            while boss is not None:
                assert boss.pk not in seen
                seen.add(boss.pk)
                boss = boss.superior
            if profile.pk in partners:
                assert profile.superior is None
            elif profile.pk in heads:
                # A group head is a senior lawyer reporting to a partner of the same group.
                assert profile.position == Position.LAWYER and profile.superior_id in partners
                assert profile.superior.department == profile.department
            elif profile.position in (Position.LAWYER, Position.ASSISTANT):
                assert profile.superior_id in heads and profile.superior.department == profile.department
            elif profile.user.username == "executor":
                assert profile.superior_id in partners
            else:
                assert profile.superior.user.username == "executor"

    def test_it_fills_each_of_the_last_four_completed_quarters_and_the_years_before(self):
        assert Client.objects.count() >= 300
        assert set(Client.objects.values_list("kind", flat=True)) == {Client.Kind.INDIVIDUAL, Client.Kind.ORGANISATION}
        assert Client.objects.filter(code="C0001").exists()
        assert Contract.objects.filter(number="HT-2026-0001").exists()
        assert RevenueEntry.objects.filter(ref="R-2026-00001").exists()
        first = first_contracts()
        for year, number in COMPLETED:
            start, end = Quarter.bounds(year, number)
            signed = Contract.objects.filter(signed_on__range=(start, end))
            assert signed.count() >= 50, (year, number)
            new_clients = [c for c in first.values() if start <= c.signed_on <= end]
            repeats = [c for c in signed if first[c.client_id].pk != c.pk]
            assert len(new_clients) >= 30 and len(repeats) >= 10
            # Referred clients become new clients in the quarter (the referral-rate indicator needs them).
            assert any(c.client.referred_by_id for c in new_clients)
            assert RevenueEntry.objects.filter(received_on__range=(start, end)).count() >= 50
            assert Complaint.objects.filter(received_at__date__range=(start, end)).exists()
            assert SatisfactionSurvey.objects.filter(surveyed_on__range=(start, end)).count() >= 50
            assert Quarter.objects.filter(year=year, number=number).exists()
        # The current quarter exists too; nothing is dated after the reference date.
        assert Quarter.objects.filter(year=2026, number=4).exists()
        assert Quarter.objects.count() == 5
        today = datetime.date.fromisoformat(TODAY)
        assert not Contract.objects.filter(signed_on__gt=today).exists()
        assert not RevenueEntry.objects.filter(received_on__gt=today).exists()
        assert not SatisfactionSurvey.objects.filter(surveyed_on__gt=today).exists()
        # Two years before the first completed quarter: existing clients for the 8-quarter look-back.
        assert Contract.objects.filter(signed_on__lt=datetime.date(2025, 10, 1)).count() >= 200
        assert Contract.objects.filter(signed_on__lt=datetime.date(2024, 10, 1)).exists()
        assert set(Contract.objects.values_list("status", flat=True)) == set(Contract.Status.values)

    def test_contracts_revenue_complaints_and_surveys_name_the_right_people(self):
        lawyers = set(StaffProfile.objects.filter(position=Position.LAWYER).values_list("pk", flat=True))
        for contract in Contract.objects.all():
            assert contract.originating_lawyer_id in lawyers and contract.responsible_lawyer_id in lawyers
            assert (contract.status == Contract.Status.ACTIVE) == (contract.closed_on is None)
            assert isinstance(contract.fee, Decimal) and contract.fee > 0
        # Revenue is credited to the contract's lawyers, mostly the responsible one.
        credited = Counter()
        for entry in RevenueEntry.objects.select_related("contract"):
            if entry.credited_to_id == entry.contract.responsible_lawyer_id:
                credited["responsible"] += 1
            else:
                assert entry.credited_to_id == entry.contract.originating_lawyer_id
                credited["originating"] += 1
        assert credited["responsible"] > 4 * credited["originating"] > 0
        # Complaints are about a lawyer or an assistant, handled by administrative staff or the group head.
        complaints = Complaint.objects.select_related("about", "handler")
        for complaint in complaints:
            assert complaint.about.position in (Position.LAWYER, Position.ASSISTANT)
            assert complaint.handler.position == Position.ADMINISTRATIVE or complaint.handler.pk in {
                p.superior_id for p in StaffProfile.objects.filter(position=Position.ASSISTANT)
            }
        outcomes = Counter(
            "open" if c.is_open else "in time" if c.handled_in_time(COMPLAINT_DEADLINE) else "late" for c in complaints
        )
        assert outcomes["in time"] > outcomes["late"] > 0 and outcomes["open"] > 0
        # Surveys: all three channels, scores mostly high but spread over the scale.
        surveys = SatisfactionSurvey.objects.all()
        assert set(surveys.values_list("channel", flat=True)) == set(SatisfactionSurvey.Channel.values)
        scores = Counter(surveys.values_list("service_quality", flat=True))
        assert scores[5] + scores[4] > scores[1] + scores[2] + scores[3]
        assert scores[1] + scores[2] > 0
        assert set(surveys.values_list("staff__position", flat=True)) == {Position.LAWYER, Position.ASSISTANT}

    def test_people_perform_differently_so_scores_will_spread(self):
        start, end = Quarter.bounds(2026, 3)
        new_clients = Counter(
            c.originating_lawyer.user.username for c in first_contracts().values() if start <= c.signed_on <= end
        )
        complaints = Counter(
            Complaint.objects.filter(received_at__date__range=(start, end)).values_list(
                "about__user__username", flat=True
            )
        )
        satisfaction = defaultdict(list)
        for survey in SatisfactionSurvey.objects.filter(surveyed_on__range=(start, end)).select_related("staff__user"):
            satisfaction[survey.staff.user.username].append(survey.mean_score)
        means = {name: sum(values) / len(values) for name, values in satisfaction.items()}
        lawyers = StaffProfile.objects.filter(position=Position.LAWYER, assessed=True).values_list(
            "user__username", flat=True
        )
        # Strong developers bring several new clients a quarter; weak ones one or none.
        assert max(new_clients[name] for name in lawyers) >= 5
        assert min(new_clients[name] for name in lawyers) <= 1
        # Some people draw complaints, most draw none.
        assert max(complaints.values()) >= 2
        assert sum(1 for name in lawyers if complaints[name] == 0) > len(lawyers) / 2
        assert max(means.values()) - min(means.values()) >= 1

    def test_past_quarters_ran_through_the_real_steps_and_the_latest_waits_to_be_scored(self):
        from documents.models import FeedbackDocument
        from indicators.models import RatingRound
        from interviews.models import Interview
        from results.models import Scorecard

        states = {q.code: q.state for q in Quarter.objects.all()}
        assert states == {
            "2025Q4": QuarterState.CLOSED,
            "2026Q1": QuarterState.CLOSED,
            "2026Q2": QuarterState.CLOSED,
            "2026Q3": QuarterState.COLLECTING,
            "2026Q4": QuarterState.SCHEME_DRAFT,
        }
        closed = Quarter.objects.get(year=2026, number=2)
        cards = Scorecard.objects.filter(quarter=closed, is_current=True, status=Scorecard.Status.PUBLISHED)
        assert cards.count() == StaffProfile.objects.filter(assessed=True, active=True).count()
        # Regulation 三.1 and 三.5: published by the 10th, every interview held within the week
        assert closed.published_at.date() <= closed.results_due_on
        assert Interview.objects.filter(quarter=closed, recorded_at__isnull=False).count() == cards.count()
        # Four eyes: the approver is not the submitter
        events = {e.action: e.by.username for e in closed.events.select_related("by")}
        assert events["submit"] != events["approve"]
        # The lawyer can open last quarter's feedback PDF; the open quarter's ratings are mostly in
        assert FeedbackDocument.objects.filter(
            scorecard__quarter=closed, scorecard__staff__user__username="lawyer", status="done"
        ).exists()
        open_round = RatingRound.objects.get(quarter__year=2026, quarter__number=3)
        answered = open_round.assignments.filter(score__isnull=False).count()
        assert 0.7 * open_round.assignments.count() < answered < open_round.assignments.count()

    def test_the_lawyers_appeal_was_upheld_and_her_result_corrected_as_a_second_version(self):
        from appeals.models import Appeal, AppealStatus, Outcome
        from documents.models import FeedbackDocument
        from results.models import Scorecard

        # The latest closed quarter: 陈静's appeal, handled by the execution group, upheld with points, filed away
        quarter = Quarter.objects.get(year=2026, number=2)
        appeal = Appeal.objects.get(quarter=quarter, appellant__username="lawyer")
        assert (appeal.status, appeal.outcome) == (AppealStatus.CLOSED, Outcome.UPHELD)
        assert appeal.handler.groups.filter(name=EXECUTION_GROUP).exists() and appeal.handler != appeal.appellant
        assert appeal.messages.count() == 2 and appeal.messages.filter(author=appeal.appellant).exists()
        adjustment = appeal.correction.adjustments.get()
        assert adjustment.points > 0 and adjustment.indicator in appeal.indicators.all()
        assert appeal.correction.status == "applied"
        actions = list(appeal.events.values_list("action", flat=True))
        assert actions == ["file", "assign", "request_info", "respond", "uphold", "close"]
        # Her current result is version 2 with the correction's note; version 1, the one appealed, is kept
        versions = Scorecard.objects.filter(quarter=quarter, staff__user__username="lawyer").order_by("version")
        first, current = versions
        assert (first.version, first.is_current, first.status) == (1, False, Scorecard.Status.PUBLISHED)
        assert (current.version, current.is_current) == (2, True)
        assert appeal.scorecard == first and appeal.decision in current.correction_reason
        assert current.total > first.total
        # Computed when the appeal was upheld, in the summer, not on the day the demo was seeded
        assert current.computed_at == appeal.decided_at
        # Each version has its one feedback document
        documents = FeedbackDocument.objects.filter(scorecard__in=versions)
        assert sorted(documents.values_list("version", "status")) == [(1, "done"), (2, "done")]

    def test_an_older_appeal_was_rejected_with_its_reasons(self):
        from appeals.models import Appeal, AppealStatus, Outcome
        from results.models import Scorecard

        appeal = Appeal.objects.get(quarter__year=2026, quarter__number=1)
        assert (appeal.status, appeal.outcome) == (AppealStatus.CLOSED, Outcome.REJECTED)
        assert appeal.appellant.username not in DEMO_LOGINS
        assert appeal.appellant.profile.position == Position.LAWYER
        assert "不予支持" in appeal.decision and appeal.reason
        # A rejection leaves the result as published
        assert appeal.correction is None
        assert Scorecard.objects.filter(quarter=appeal.quarter, staff=appeal.staff).count() == 1

    def test_every_demo_appeal_is_decided_inside_its_quarters_deadlines(self):
        from appeals.models import Appeal
        from reviews.deadlines import appeal_window_ends_on, local_date

        appeals = Appeal.objects.select_related("quarter")
        assert appeals.count() == 2
        for appeal in appeals:
            quarter = appeal.quarter
            assert quarter.state == QuarterState.CLOSED
            assert appeal.decided_at is not None and appeal.closed_at is not None
            # Filed in the window after publication, decided in time, closed before the quarter
            assert quarter.published_at < appeal.filed_at
            assert local_date(appeal.filed_at) <= appeal_window_ends_on(quarter)
            assert appeal.filed_at < appeal.decided_at < appeal.closed_at
            assert local_date(appeal.decided_at) <= appeal.decision_due_on
            assert appeal.closed_at < quarter.events.get(action="close").at
            moments = [*appeal.events.values_list("at", flat=True), *appeal.messages.values_list("at", flat=True)]
            assert min(moments) == appeal.filed_at and max(moments) == appeal.closed_at

    def test_the_history_sends_no_email(self, seeded):
        # Locally e-mail goes to the console: the history's would be printed into the seed's summary.
        assert seeded.emails == []

    def test_the_history_s_notices_are_read_and_dated_when_they_happened(self):
        from notifications.models import Notification

        appeal_notices = Notification.objects.filter(user__username="lawyer", kind__startswith="appeal")
        assert appeal_notices.exists()
        # Each appeal notice is dated on its step of the appeal, between the quarter's publication and its closing,
        # and was read by the closing day.
        windows = [(q.published_at, q.events.get(action="close").at) for q in Quarter.objects.filter(state="closed")]
        for notice in appeal_notices:
            assert notice.read_at is not None and notice.created_at <= notice.read_at
            assert any(published <= notice.created_at <= closed for published, closed in windows)
            assert any(notice.read_at <= closed for _, closed in windows)

    def test_sampled_rows_pass_model_validation(self):
        for profile in StaffProfile.objects.select_related("user"):
            profile.full_clean()
            profile.user.full_clean()
        for model in (Client, Contract, RevenueEntry, Complaint, SatisfactionSurvey):
            for row in list(model.objects.order_by("pk"))[::50]:
                row.full_clean()
        for department in Department.objects.all():
            department.full_clean()


def test_the_same_reference_date_always_gives_the_same_firm():
    # Given a seeded firm
    seed()
    first = snapshot()
    # When it is wiped and seeded again for the same date
    output = seed("--reset")
    # Then every number, fee and date is the same
    assert "created" in output
    assert snapshot() == first
    assert first["contracts"] and first["revenue"] and first["complaints"] and first["surveys"]


def test_running_again_without_reset_changes_nothing():
    seed()
    before = snapshot()

    output = seed()

    assert "nothing was changed" in output and "--reset" in output
    assert snapshot() == before
    assert Quarter.objects.count() == 5


def test_it_leaves_a_firm_that_has_its_own_people_alone():
    Department.objects.create(code="main", name_zh="总所", name_en="Head office", kind=DepartmentKind.BUSINESS)

    output = seed()

    assert "nothing was changed" in output
    assert not StaffProfile.objects.exists() and not Client.objects.exists()


def test_reset_replaces_people_and_data_including_what_depends_on_them():
    # Given a seeded firm, a client entered by hand and the current quarter's draft scheme edited by a partner
    seed()
    Client.objects.create(code="X-1", name="手工录入客户", kind=Client.Kind.INDIVIDUAL)
    draft = Scheme.objects.get(quarter__year=2026, quarter__number=4)
    Scheme.objects.filter(pk=draft.pk).update(note="手工修改", created_by=User.objects.get(username="partner"))
    superuser = User.objects.create_superuser("root", "root@lawfirm.example", "root-pass-1")
    # When the demo is reset
    seed("--reset")
    # Then the hand-made rows are gone, the demo is complete again (quarters included),
    # and an administrator without a profile stays
    assert not Client.objects.filter(code="X-1").exists()
    assert not Scheme.objects.filter(pk=draft.pk).exists()
    assert not Scheme.objects.filter(note="手工修改").exists()
    assert User.objects.filter(pk=superuser.pk).exists()
    assert StaffProfile.objects.filter(assessed=True).count() >= 30
    assert Quarter.objects.get(year=2026, number=4).schemes.filter(status=Scheme.Status.SUBMITTED).count() == 1
    assert Quarter.objects.get(year=2026, number=2).state == QuarterState.CLOSED


def test_another_reference_date_moves_the_quarters():
    out = StringIO()
    call_command("seed_demo", "--today", "2027-02-15", stdout=out)

    for year, number in [(2026, 1), (2026, 2), (2026, 3), (2026, 4)]:
        start, end = Quarter.bounds(year, number)
        assert Contract.objects.filter(signed_on__range=(start, end)).count() >= 50
    assert Quarter.objects.filter(year=2027, number=1).exists()
    assert not Contract.objects.filter(signed_on__gt=datetime.date(2027, 2, 15)).exists()


@time_machine.travel(datetime.datetime(2026, 3, 31, 17, 0, tzinfo=ZoneInfo("UTC")), tick=False)
def test_by_default_the_reference_date_is_today_in_the_firms_time_zone():
    # 17:00 UTC on 31 March is already 1 April in Shanghai: the second quarter has begun.
    call_command("seed_demo", stdout=StringIO())

    assert Quarter.objects.filter(year=2026, number=2).exists()
    assert Quarter.objects.filter(year=2025, number=2).exists()
    assert not Quarter.objects.filter(year=2025, number=1).exists()


def test_a_malformed_reference_date_is_refused_and_nothing_is_created():
    with pytest.raises(CommandError, match="2026-11-30"):
        call_command("seed_demo", "--today", "30/11/2026", stdout=StringIO())

    assert not StaffProfile.objects.exists()
