"""Journeys 2–4, one quarter of the demo firm through the browser only:

- the execution group checks completeness, scores the quarter, edits an overall evaluation and submits the report;
- a partner reads the report and the ranked table, returns it once with a comment, then approves (four eyes: the
  approver is not the submitter); the execution group publishes;
- a lawyer reads the scorecard in Chinese and in English, opens how one indicator was computed, downloads the
  feedback PDF and files an appeal with an attachment; the execution group upholds it; the lawyer sees the corrected
  version; the superior schedules and records the interview; the lawyer acknowledges it.

One test, because the steps follow each other on the same quarter and seeding the demo firm is the slow part. The
demo seed leaves the last completed quarter collecting its data (earlier quarters closed); the fixture checks that
and, for a seed that does not, brings it there through the project's services (never through the UI).
"""

import datetime
import io
import time

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from appeals.models import Appeal
from indicators.models import Indicator, Scheme
from indicators.schemes import scheme_approve, scheme_start_for_quarter, scheme_submit
from interviews.models import Interview
from portal.quarter_services import quarter_start_collecting
from results.models import Scorecard
from reviews.models import Quarter, QuarterState
from tests.appeals.conftest import PDF
from tests.browser.conftest import SLOW_MS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVALUATION = "陈静本季度客户满意度稳定，建议加强新客户开发。"
SUMMARY = "本季度整体稳定；诉讼业务组满意度略有下降，建议关注。"
RETURN_COMMENT = "请复核诉讼业务组的满意度数据后再提交。"
APPEAL_REASON = "2026 年 11 月的满意度回访漏录了一份 5 分问卷。"
COMPUTE_REASON = "评分截止在即，先按现有数据计算；评分补齐后重新计算。"


@pytest.fixture
def collecting(demo_firm):
    """The last completed quarter, collecting its data. The demo seed leaves it there; if a seed does not, the
    fixture brings it there through the project's services (scheme started, approved, collection started)."""
    today = timezone.localdate()
    quarter = next(q for q in Quarter.objects.order_by("-year", "-number") if q.ends_on < today)
    executor, partner = User.objects.get(username="executor"), User.objects.get(username="partner")
    if quarter.state == QuarterState.SCHEME_DRAFT:
        scheme = quarter.schemes.filter(
            status__in=[Scheme.Status.DRAFT, Scheme.Status.SUBMITTED]
        ).first() or scheme_start_for_quarter(quarter=quarter, by=executor)
        if scheme.status == Scheme.Status.DRAFT:
            scheme_submit(scheme=scheme, by=executor)
        scheme_approve(scheme=scheme, by=partner)
        quarter.refresh_from_db()
    if quarter.state == QuarterState.SCHEME_APPROVED:
        quarter_start_collecting(quarter=quarter, by=executor)
        quarter.refresh_from_db()
    assert quarter.state == QuarterState.COLLECTING
    return quarter


def _open_quarter(session, quarter):
    page = session.page
    page.goto("/")
    page.get_by_role("button", name="Assessment").click()
    page.get_by_role("link", name="Quarters").click()
    page.get_by_role("link", name=quarter.code, exact=True).first.click()
    page.wait_for_url(f"**/quarters/{quarter.code}/")


def _act(session, label):
    """Press one of the quarter page's step buttons."""
    session.page.locator("form[action*='/act/']").filter(
        has=session.page.get_by_role("button", name=label)
    ).get_by_role("button", name=label).click(timeout=SLOW_MS)
    session.page.wait_for_load_state()


def _job_done(session):
    """The job page's progress bar reaches 100 % and the job says it succeeded."""
    page = session.page
    page.locator("#job[data-state=succeeded]").wait_for(timeout=SLOW_MS)
    bar = page.locator("[data-part=bar]")
    assert bar.inner_text() == "100%" and page.locator("[role=progressbar]").get_attribute("aria-valuenow") == "100"
    assert page.locator("[data-part=result]").is_visible()


def _state(quarter):
    quarter.refresh_from_db()
    return quarter.state


def _card(username, quarter):
    return Scorecard.objects.get(quarter=quarter, staff__user__username=username, is_current=True)


def _number(value):
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def test_a_quarter_from_scoring_to_the_acknowledged_interview(collecting, session_as, tmp_path):
    quarter = collecting
    problems = []  # what a user would see wrong but need not stop the journey; asserted at the end

    # --- Journey 2: the execution group ----------------------------------------------------------------------
    executor = session_as("executor")
    _open_quarter(executor, quarter)
    assert "Collecting data" in executor.text()
    executor.shot("01-quarter-collecting")
    # Completeness: the board lists every data department
    executor.page.get_by_role("link", name="Data completeness").click()
    executor.page.wait_for_url("**/completeness/")
    board = executor.text()
    for department in ("Business Department", "Finance Department", "Administrative Department"):
        assert department in board, department
    executor.shot("02-completeness")
    # Score: the compute step lists what is still missing; computing over it is acknowledged with a reason
    _open_quarter(executor, quarter)
    executor.page.get_by_role("link", name="Compute the results").click()
    executor.page.wait_for_url("**/compute/")
    if executor.page.locator("#compute-gaps").count():
        executor.page.locator("input[name=acknowledge]").check()
        executor.page.locator("textarea[name=reason]").fill(COMPUTE_REASON)
    executor.page.locator("#compute-form").get_by_role("button", name="Compute the results").click(timeout=SLOW_MS)
    # Computing is a job: its page fills its progress bar and links to the quarter
    executor.page.wait_for_url("**/jobs/*/")
    _job_done(executor)
    assert f"The results of {quarter.code} are computed." in executor.text()
    assert _state(quarter) == QuarterState.SCORED
    executor.page.locator("[data-part=result]").click()
    executor.page.wait_for_url(f"**/quarters/{quarter.code}/")
    cards = Scorecard.objects.filter(quarter=quarter, is_current=True)
    assert cards.count() >= 30
    executor.shot("03-scored")
    # Edit the lawyer's overall evaluation
    executor.page.get_by_role("link", name="Overall evaluations").click()
    executor.page.wait_for_url("**/evaluations/")
    lawyer_card = _card("lawyer", quarter)
    executor.page.locator("#evaluation-q").fill("陈静")
    executor.page.locator("#evaluation-filters").get_by_role("button", name="Filter").click()
    executor.page.wait_for_load_state()
    executor.page.locator(f"#text-{lawyer_card.pk}").fill(EVALUATION)
    executor.page.get_by_role("button", name="Save all changes").click()
    executor.page.wait_for_load_state()
    assert "1 evaluation saved." in executor.text()
    assert _card("lawyer", quarter).evaluation == EVALUATION
    executor.shot("04-evaluation-saved")
    # The report, then submit
    _open_quarter(executor, quarter)
    executor.page.get_by_role("link", name="Report").first.click()
    executor.page.wait_for_url("**/report/")
    summary = executor.page.locator("form").filter(has=executor.page.locator("textarea[name=text]"))
    summary.locator("textarea[name=text]").fill(SUMMARY)
    summary.locator("[type=submit]").click()
    executor.page.wait_for_load_state()
    assert "The summary is saved." in executor.text()
    assert executor.page.locator("textarea[name=text]").input_value() == SUMMARY
    executor.shot("05-report")
    _open_quarter(executor, quarter)
    _act(executor, "Submit to the leadership group")
    assert "is now “Submitted to leadership”" in executor.text()
    assert _state(quarter) == QuarterState.SUBMITTED

    # --- Journey 3: a partner returns once, then approves; the execution group publishes ------------------------
    partner = session_as("partner")
    _open_quarter(partner, quarter)
    partner.page.get_by_role("link", name="Review and approve or return the results").first.click()
    partner.page.wait_for_url("**/approval/")
    approval = partner.text()
    top = cards.filter(position="lawyer").order_by("rank", "staff__full_name").first()
    top.refresh_from_db()
    assert top.staff.full_name in approval and str(top.total) in approval
    # The whole report comes with the page, in the same request: nothing loads after it
    assert partner.page.locator("#full-report-body #report-overview").count() == 1
    assert "people · average" in partner.page.locator("#full-report-body").inner_text()
    partner.shot("06-approval-page")
    # The partner reads the full report: the execution group's summary and the top performer are in it
    partner.page.locator("#full-report").click()
    partner.page.wait_for_url("**/report/")
    report = partner.text()
    assert SUMMARY in report and top.staff.full_name in report
    partner.shot("06b-report")
    partner.page.go_back()
    partner.page.wait_for_url("**/approval/")
    partner.page.locator("input[name=decision][value=return]").check()
    partner.page.fill("textarea[name=comment]", RETURN_COMMENT)
    partner.page.get_by_role("button", name="Send the decision").click()
    partner.page.wait_for_load_state()
    assert "is now “Scored”" in partner.text() and RETURN_COMMENT in partner.text()
    assert _state(quarter) == QuarterState.SCORED
    partner.shot("07-returned")
    # The execution group submits again
    _open_quarter(executor, quarter)
    assert RETURN_COMMENT in executor.text()
    _act(executor, "Submit to the leadership group")
    assert _state(quarter) == QuarterState.SUBMITTED
    # The partner (not the submitter) approves
    partner.page.goto(f"/quarters/{quarter.code}/approval/")
    partner.page.locator("input[name=decision][value=approve]").check()
    partner.page.get_by_role("button", name="Send the decision").click()
    partner.page.wait_for_load_state()
    assert "is now “Approved”" in partner.text()
    quarter.refresh_from_db()
    assert quarter.state == QuarterState.APPROVED and quarter.approved_by.username == "partner"
    assert quarter.submitted_by.username == "executor"
    partner.shot("08-approved")
    # The execution group publishes (every feedback PDF is rendered in this request when Celery runs in-process)
    _open_quarter(executor, quarter)
    _act(executor, "Publish the results")
    assert "is now “Published”" in executor.text()
    assert _state(quarter) == QuarterState.PUBLISHED
    # The publication's job page follows the feedback batch until every document is made
    executor.page.wait_for_url("**/jobs/*/")
    _job_done(executor)
    assert "Documents failed: 0." in executor.text()
    executor.shot("09-published")
    executor.page.locator("[data-part=result]").click()
    executor.page.wait_for_url(f"**/quarters/{quarter.code}/")

    # --- Journey 4: the lawyer ---------------------------------------------------------------------------------
    lawyer = session_as("lawyer", english=False)
    card = _card("lawyer", quarter)
    satisfaction = Indicator.objects.get(code="satisfaction")
    page = lawyer.page
    page.goto("/")
    page.locator(".navbar .dropdown-toggle").first.click()  # 我的考核 / My review
    page.locator("a[href$='/scorecards/']").first.click()
    page.locator(f"a[href$='/scorecards/{card.pk}/']").first.click()
    page.wait_for_url(f"**/scorecards/{card.pk}/")
    # In Chinese: the page's language and the indicators' Chinese names
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert satisfaction.name_zh in lawyer.text() and satisfaction.name_en not in lawyer.text()
    assert page.locator("#scorecard-total").inner_text().strip() == str(card.total)
    lawyer.shot("10-scorecard-zh")
    # In English, by the navbar's button
    lawyer.switch_language("en")
    text = lawyer.text()
    assert satisfaction.name_en in text
    assert page.locator("#scorecard-total").inner_text().strip() == str(card.total)
    assert f"{card.rank} / {card.ranked_count}" in page.locator("#scorecard-rank").inner_text()
    assert EVALUATION in text
    lawyer.shot("11-scorecard-en")
    # How one indicator was computed
    row = page.locator("tr", has_text=satisfaction.name_en).first
    row.get_by_role("link", name="How was this computed?").click()
    page.wait_for_url("**/results/line/**")
    assert satisfaction.name_en in lawyer.text()
    lawyer.shot("12-explanation")
    page.go_back()
    page.wait_for_url(f"**/scorecards/{card.pk}/")
    # The feedback PDF, downloaded with the lawyer's session
    link = page.get_by_role("link", name="Written feedback (PDF)")
    if link.count():
        href = link.get_attribute("href")
    else:
        # Reported at the end (the rest of the journey still runs): the page must offer the written feedback.
        problems.append("the scorecard page shows no 'Written feedback (PDF)' link")
        href = reverse("documents:scorecard_feedback_pdf", args=[card.pk])
    response = page.request.get(href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.body()))
    assert len(pdf.pages) >= 1
    (tmp_path / "feedback.pdf").write_bytes(response.body())
    # File an appeal with an attachment
    page.get_by_role("link", name="File an appeal").click()
    page.wait_for_url("**/appeals/file/**")
    # The contested indicator: satisfaction if it has room for two more points, else the first that has
    lines = list(card.lines.select_related("indicator").order_by("indicator__order"))
    contested = next(
        (
            line
            for line in sorted(lines, key=lambda x: x.indicator.code != "satisfaction")
            if line.points + 2 <= line.effective_weight
        ),
        lines[0],
    )
    page.get_by_label(contested.indicator.name_en).check()
    page.fill("textarea[name=reason]", APPEAL_REASON)
    page.fill("textarea[name=expected_correction]", "满意度加 2 分。")
    evidence = tmp_path / "问卷.pdf"
    evidence.write_bytes(PDF)  # a real one-page PDF: evidence is parsed, not only sniffed
    page.set_input_files("input[type=file]", str(evidence))
    lawyer.shot("13-appeal-form")
    page.locator("main form [type=submit]").last.click()
    page.wait_for_load_state()
    assert "Your appeal is filed." in lawyer.text() and "问卷.pdf" in lawyer.text()
    appeal = Appeal.objects.get(scorecard=card)
    lawyer.shot("14-appeal-filed")

    # The execution group assigns it and upholds it with a points adjustment
    executor.page.goto("/")
    executor.page.get_by_role("button", name="Assessment").click()
    executor.page.locator(".dropdown-menu.show").get_by_role("link", name="Appeals").click()
    executor.page.wait_for_url("**/appeals/**")
    executor.page.locator(f"a[href$='/appeals/{appeal.pk}/']").first.click()
    executor.page.wait_for_url(f"**/appeals/{appeal.pk}/")
    assert APPEAL_REASON in executor.text()
    executor.page.locator("select[name='assign-handler']").select_option(label="赵敏")
    executor.page.locator("form").filter(has=executor.page.locator("select[name='assign-handler']")).locator(
        "[type=submit]"
    ).click()
    executor.page.wait_for_load_state()
    assert "The appeal is assigned." in executor.text()
    executor.page.fill(f"input[name='uphold-points_{contested.indicator_id}']", "2")
    executor.page.fill("textarea[name='uphold-comment']", "核实漏录问卷，满意度加 2 分。")
    uphold_form = executor.page.locator("form").filter(has=executor.page.locator("textarea[name='uphold-comment']"))
    uphold_form.locator("[type=submit]").click()
    executor.page.wait_for_load_state()
    # The first click shows who the decision moves; the handler confirms what was previewed
    assert "Who this decision moves" in executor.text()
    executor.shot("15-uphold-preview")
    executor.page.get_by_role("button", name="Confirm: uphold as previewed").click()
    executor.page.wait_for_load_state()
    assert "The appeal is upheld" in executor.text()
    executor.shot("15-appeal-upheld")
    appeal.refresh_from_db()
    if appeal.correction.status == "awaiting_approval":
        # The correction moves colleagues too: a partner who did not prepare it reads its preview and approves it
        partner.page.goto(f"/results/correction/{appeal.correction_id}/")
        assert "Approve and apply" in partner.text()
        partner.shot("15-correction-approval")
        partner.page.get_by_role("button", name="Approve and apply").click()
        partner.page.wait_for_load_state()
        assert "The correction is applied" in partner.text()
    corrected = _card("lawyer", quarter)
    assert corrected.pk != card.pk and corrected.total > card.total
    assert corrected.lines.get(indicator=contested.indicator).points > contested.points

    # The lawyer sees the corrected version
    page.goto("/")
    page.locator(".navbar .dropdown-toggle").first.click()
    page.locator("a[href$='/scorecards/']").first.click()
    page.locator(f"a[href$='/scorecards/{corrected.pk}/']").first.click()
    page.wait_for_url(f"**/scorecards/{corrected.pk}/")
    assert page.locator("#scorecard-total").inner_text().strip() == str(corrected.total)
    lawyer.shot("16-corrected-scorecard")

    # The superior schedules and records the interview
    superior = session_as("senior")
    superior.page.goto("/")
    superior.page.locator(".navbar .dropdown-toggle").first.click()
    superior.page.locator("a[href$='/team/']").first.click()
    superior.page.wait_for_url("**/team/")
    superior.page.locator("tr", has_text="陈静").get_by_role("link", name="Schedule").click()
    superior.page.wait_for_url("**/interview/schedule/")
    when = timezone.localtime() + datetime.timedelta(days=2)
    superior.page.fill("input[name=scheduled_at]", when.strftime("%Y-%m-%dT10:00"))
    superior.page.fill("input[name=place]", "3 号会议室")
    superior.page.locator("main form [type=submit]").last.click()
    superior.page.wait_for_load_state()
    assert "is scheduled" in superior.text() and "陈静" in superior.text()
    interview = Interview.objects.get(quarter=quarter, staff__user__username="lawyer")
    superior.shot("17-interview-scheduled")
    superior.page.locator("tr", has_text="陈静").get_by_role("link", name="Record").click()
    superior.page.wait_for_url("**/record/")
    # Held after publication and not in the future, at the form's minute precision: the first whole minute after
    # publication (waiting for it if the journey got here faster).
    quarter.refresh_from_db()
    held = timezone.localtime(quarter.published_at).replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
    if held > timezone.now():
        time.sleep((held - timezone.now()).total_seconds() + 1)
    superior.page.fill("input[name=held_at]", held.strftime("%Y-%m-%dT%H:%M"))
    superior.page.fill("textarea[name=strengths]", "客户沟通及时，文书质量高。")
    superior.page.fill("textarea[name=weaknesses]", "新客户开发不足。")
    superior.page.fill("textarea[name=goals]", "下季度新增两家客户。")
    superior.page.fill("input[name='items-0-description']", "每月参加一次行业活动")
    superior.page.locator("select[name='items-0-owner']").select_option(value=str(card.staff_id))
    superior.page.fill("input[name='items-0-due_on']", (timezone.localdate() + datetime.timedelta(days=60)).isoformat())
    superior.shot("18-interview-record-form")
    superior.page.locator("main form [type=submit]").last.click()
    superior.page.wait_for_load_state()
    assert "The interview is recorded" in superior.text()
    interview.refresh_from_db()
    assert interview.is_recorded and interview.strengths == "客户沟通及时，文书质量高。"
    superior.shot("19-interview-recorded")

    # The lawyer reads and acknowledges it
    page.goto(f"/scorecards/{corrected.pk}/")
    page.get_by_role("link", name="Interview record").click()
    page.wait_for_url("**/interviews/**")
    assert "新客户开发不足。" in lawyer.text() and "每月参加一次行业活动" in lawyer.text()
    page.fill("textarea[name=comment]", "已阅，同意改进计划。")
    page.locator("form[action$='/acknowledge/'] [type=submit]").click()
    page.wait_for_load_state()
    assert "Thank you: your acknowledgement is recorded." in lawyer.text()
    interview.refresh_from_db()
    assert interview.acknowledged_at is not None and interview.acknowledgement_comment == "已阅，同意改进计划。"
    lawyer.shot("20-interview-acknowledged")

    # And nothing went wrong on the way
    assert not problems, problems
