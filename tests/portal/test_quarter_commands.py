"""quarter_start, scheme_submit, scheme_approve, quarter_collect: the quarter's first steps from the command line,
recorded under --by exactly as the page records them, and refusals that say what to do next."""

import io

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from indicators.models import Scheme, SchemeEvent
from reviews.models import EXECUTION_GROUP, Quarter, QuarterEvent, QuarterState


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def state():
    return Quarter.objects.values_list("state", flat=True).get(year=2026, number=3)


def test_quarter_start_creates_the_quarter_with_a_draft_scheme_recorded_under_by(firm):
    out = run("quarter_start", "2026Q3", "--by", "executor")
    scheme = Scheme.objects.get(quarter__year=2026, quarter__number=3)
    assert scheme.status == Scheme.Status.DRAFT and scheme.created_by == firm.executor
    assert state() == QuarterState.SCHEME_DRAFT
    assert "2026Q3 is started with draft scheme v1" in out and "manage.py scheme_submit 2026Q3" in out


@pytest.mark.parametrize(
    "by, message",
    [
        ("partner", "partner is not a member of the execution group"),
        ("lawyer", "lawyer is not a member of the execution group"),
        ("nobody", "There is no active user “nobody”"),
        (None, "Say who starts the quarter: --by USERNAME, a member of the execution group"),
    ],
)
def test_quarter_start_is_refused_to_anyone_but_the_execution_group(firm, by, message):
    args = ("quarter_start", "2026Q3") + (("--by", by) if by else ())
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not Quarter.objects.exists() and not Scheme.objects.exists()


def test_quarter_start_twice_says_what_to_do_next(firm):
    run("quarter_start", "2026Q3", "--by", "executor")
    with pytest.raises(CommandError, match="already been started.*scheme_submit 2026Q3") as refusal:
        run("quarter_start", "2026Q3", "--by", "executor")
    assert "Nothing was changed." in str(refusal.value)
    assert Scheme.objects.count() == 1


def test_quarter_start_refuses_a_code_that_is_not_a_quarter(firm):
    with pytest.raises(CommandError, match="is not a quarter"):
        run("quarter_start", "2026Q5", "--by", "executor")
    assert not Quarter.objects.exists()


@pytest.mark.parametrize("command", ["scheme_submit", "scheme_approve", "quarter_collect", "score_quarter"])
def test_an_unknown_quarter_says_how_to_start_it(firm, command):
    with pytest.raises(CommandError) as refusal:
        run(command, "2026Q3", "--by", "executor")
    assert str(refusal.value) == (
        "There is no quarter 2026Q3: start it on the Quarters page or with `manage.py quarter_start 2026Q3 --by …`."
    )


def test_an_unknown_quarter_says_how_to_start_it_in_chinese(firm):
    with translation.override("zh-hans"), pytest.raises(CommandError) as refusal:
        run("scheme_submit", "2026Q3", "--by", "executor")
    assert "2026Q3" in str(refusal.value) and "manage.py quarter_start 2026Q3" in str(refusal.value)
    assert "There is no quarter" not in str(refusal.value)


def test_submit_approve_and_collect_walk_the_quarter_to_collecting(firm):
    run("quarter_start", "2026Q3", "--by", "executor")
    out = run("scheme_submit", "2026Q3", "--by", "executor", "--comment", "按去年方案")
    scheme = Scheme.objects.get()
    assert scheme.status == Scheme.Status.SUBMITTED and scheme.submitted_by == firm.executor
    assert "scheme_approve 2026Q3" in out
    out = run("scheme_approve", "2026Q3", "--by", "partner")
    scheme.refresh_from_db()
    assert scheme.status == Scheme.Status.APPROVED and scheme.approved_by == firm.partner
    assert state() == QuarterState.SCHEME_APPROVED
    assert "quarter_collect 2026Q3" in out
    assert list(SchemeEvent.objects.filter(scheme=scheme).values_list("action", "by__username", "comment")) == [
        (SchemeEvent.Action.SUBMIT, "executor", "按去年方案"),
        (SchemeEvent.Action.APPROVE, "partner", ""),
    ]
    with time_machine.travel("2026-10-08 09:00 +0800", tick=False):
        out = run("quarter_collect", "2026Q3", "--by", "executor", "--comment", "季度结束")
    assert state() == QuarterState.COLLECTING
    event = QuarterEvent.objects.get(quarter__year=2026, quarter__number=3, to_state=QuarterState.COLLECTING)
    assert (event.by, event.comment) == (firm.executor, "季度结束")
    assert "score_quarter 2026Q3" in out


def test_scheme_submit_without_a_draft_points_to_the_next_step(firm):
    run("quarter_start", "2026Q3", "--by", "executor")
    run("scheme_submit", "2026Q3", "--by", "executor")
    with pytest.raises(CommandError, match="already submitted.*scheme_approve 2026Q3"):
        run("scheme_submit", "2026Q3", "--by", "executor")


def test_scheme_submit_is_refused_to_the_leadership_group(firm):
    run("quarter_start", "2026Q3", "--by", "executor")
    with pytest.raises(CommandError, match="partner is not a member of the execution group"):
        run("scheme_submit", "2026Q3", "--by", "partner")
    assert Scheme.objects.get().status == Scheme.Status.DRAFT


def test_scheme_approve_needs_a_submitted_scheme_and_says_so(firm):
    run("quarter_start", "2026Q3", "--by", "executor")
    with pytest.raises(CommandError, match="no scheme waiting for approval.*scheme_submit 2026Q3"):
        run("scheme_approve", "2026Q3", "--by", "partner")
    assert Scheme.objects.get().status == Scheme.Status.DRAFT


def test_scheme_approve_is_refused_to_the_execution_group(firm):
    run("quarter_start", "2026Q3", "--by", "executor")
    run("scheme_submit", "2026Q3", "--by", "executor")
    with pytest.raises(CommandError, match="executor is not a member of the leadership group"):
        run("scheme_approve", "2026Q3", "--by", "executor")
    assert Scheme.objects.get().status == Scheme.Status.SUBMITTED


def test_nobody_approves_a_scheme_they_submitted(firm):
    # Four eyes (regulation 二.1): a partner also in the execution group drafts and submits, so may not approve.
    Group.objects.get(name=EXECUTION_GROUP).user_set.add(firm.partner)
    run("quarter_start", "2026Q3", "--by", "partner")
    run("scheme_submit", "2026Q3", "--by", "partner")
    with pytest.raises(CommandError, match="Nothing was changed"):
        run("scheme_approve", "2026Q3", "--by", "partner")
    assert Scheme.objects.get().status == Scheme.Status.SUBMITTED


def test_quarter_collect_before_the_quarter_ends_is_refused_with_the_date(firm):
    run("quarter_start", "2026Q3", "--by", "executor")
    run("scheme_submit", "2026Q3", "--by", "executor")
    run("scheme_approve", "2026Q3", "--by", "partner")
    with (
        time_machine.travel("2026-09-15 09:00 +0800", tick=False),
        pytest.raises(CommandError, match="data collection starts after that"),
    ):
        run("quarter_collect", "2026Q3", "--by", "executor")
    assert state() == QuarterState.SCHEME_APPROVED


def test_quarter_collect_before_the_scheme_is_approved_is_refused(firm):
    run("quarter_start", "2026Q3", "--by", "executor")
    with (
        time_machine.travel("2026-10-08 09:00 +0800", tick=False),
        pytest.raises(CommandError, match="Nothing was changed"),
    ):
        run("quarter_collect", "2026Q3", "--by", "executor")
    assert state() == QuarterState.SCHEME_DRAFT


# ------------------------------------------------------------------------------------------ the same on the pages


def test_the_quarters_page_starts_a_quarter_for_the_execution_group_only(firm, client_for):
    page = client_for(firm.executor).get(reverse("portal:quarters")).content.decode()
    assert 'id="quarter-start"' in page and reverse("indicators:schemes") in page
    partner_page = client_for(firm.partner).get(reverse("portal:quarters")).content.decode()
    assert 'id="quarter-start"' not in partner_page
    response = client_for(firm.executor).post(reverse("indicators:schemes"), {"code": "2026Q3"})
    scheme = Scheme.objects.get(quarter__year=2026, quarter__number=3)
    assert response.status_code == 302 and scheme.created_by == firm.executor


def test_the_quarter_page_links_its_scheme_and_says_where_to_submit_it(firm, client_for):
    run("quarter_start", "2026Q3", "--by", "executor")
    scheme = Scheme.objects.get()
    link = reverse("indicators:scheme_detail", args=[scheme.pk])
    page = client_for(firm.executor).get(reverse("portal:quarter", args=["2026Q3"])).content.decode()
    assert 'id="scheme-link"' in page and 'id="scheme-submit-hint"' in page and link in page
    run("scheme_submit", "2026Q3", "--by", "executor")
    page = client_for(firm.partner).get(reverse("portal:quarter", args=["2026Q3"])).content.decode()
    assert 'id="scheme-approve-link"' in page and link in page
