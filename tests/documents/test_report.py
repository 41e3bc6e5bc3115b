"""The report to the leadership group (二.2): the numbers, the page and the PDF."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from appeals.models import Appeal, AppealStatus, Outcome
from documents.report import quarter_report
from jobs.models import Job
from results.models import Scorecard
from reviews.models import Quarter, QuarterState
from tests.personas import make_person
from tests.reviews.quarter_builders import aware, make_card, make_quarter

D = Decimal


@pytest.fixture
def results(firm):
    """2026Q3 results of seven people (litigation: lawyer 92, colleague 81, assistant 70, senior 58; corporate:
    outsider 88; administrative: executor 65, admin clerk 61) and 2026Q2 published results for two of them."""
    quarter = make_quarter(2026, 3, state=QuarterState.SUBMITTED, report_summary="稳中有进。Steady progress.")
    totals = [
        (firm.lawyer, 92),
        (firm.outsider, 88),
        (firm.colleague, 81),
        (firm.assistant, 70),
        (firm.executor, 65),
        (firm.admin_clerk, 61),
        (firm.superior, 58),
    ]
    for rank, (user, total) in enumerate(totals, start=1):
        make_card(
            quarter,
            user,
            total,
            rank=rank,
            ranked_count=7,
            lines=[("satisfaction", D(total) * D("0.15"), 15), ("collaboration", D(total) * D("0.05"), 15)],
        )
    previous = make_quarter(2026, 2, state=QuarterState.PUBLISHED)
    make_card(previous, firm.lawyer, 80, status=Scorecard.Status.PUBLISHED)
    make_card(previous, firm.colleague, 90, status=Scorecard.Status.PUBLISHED)
    # A draft of Q2 (never published) does not count as a previous result.
    make_card(previous, firm.outsider, 50, status=Scorecard.Status.DRAFT)
    return quarter


def test_the_report_numbers(results, firm):
    # The report is read in the firm's default language, whatever an earlier test left active on this thread.
    with translation.override("zh-hans"):
        report = quarter_report(quarter=results)
    assert report["count"] == 7
    assert report["average"] == D("73.57")  # 515 / 7
    assert (report["highest"], report["lowest"]) == (D("92"), D("58"))
    departments = {row["name"]: (row["count"], row["average"]) for row in report["by_department"]}
    assert departments == {"行政部": (2, D("63.00")), "诉讼业务组": (4, D("75.25")), "公司业务组": (1, D("88.00"))}
    positions = {row["name"]: (row["count"], row["average"]) for row in report["by_position"]}
    assert positions["律师"] == (4, D("79.75"))
    assert positions["助理"] == (1, D("70.00"))
    # Grades best first: 优秀 1, 良好 2, 合格 3, 待改进 1
    assert [(g["grade"], g["count"]) for g in report["grade_counts"]] == [
        ("优秀", 1),
        ("良好", 2),
        ("合格", 3),
        ("待改进", 1),
    ]
    categories = {row["name"]: (row["average"], row["percent"]) for row in report["by_category"]}
    assert categories["客户维护"] == (D("11.04"), D("73.57"))
    assert [c.staff.full_name for c in report["top"]] == ["陈静", "黄磊", "刘洋", "杨光", "赵敏"]
    assert [c.staff.full_name for c in report["bottom"]] == ["周强", "李娜", "赵敏", "杨光", "刘洋"]
    # Changes: the lawyer +12, the colleague −9; the outsider's Q2 draft is ignored
    assert report["changes_count"] == 2
    assert [(c.staff.full_name, c.delta) for c in report["rises"]] == [("陈静", D("12"))]
    assert [(c.staff.full_name, c.delta) for c in report["falls"]] == [("刘洋", D("-9"))]
    assert report["average_change"] == D("1.50")
    assert "有1名被考核人员尚无客户满意度调查。" not in report["quality_notes"]
    assert report["summary"].startswith("稳中有进")


def test_the_report_page_shows_the_numbers_and_the_summary(results, firm, client_for):
    client = client_for(firm.partner)
    client.cookies["django_language"] = "en"  # the page is read in English; Chinese is the site's default
    text = client.get(reverse("portal:report", args=[results.code])).content.decode()
    assert "7 people · average 73.57 · highest 92.00 · lowest 58.00" in text
    assert "稳中有进" in text
    assert "<svg" in text
    assert "No appeals recorded." in text
    assert "陈静: 80.00 → 92.00 (+12.00)" in text


def test_the_execution_group_writes_the_summary_on_the_report_page(firm, client_for):
    quarter = make_quarter(state=QuarterState.SCORED)
    url = reverse("portal:report", args=[quarter.code])
    response = client_for(firm.executor).post(url, {"text": "第三季度总结"})
    assert response.status_code == 302
    quarter.refresh_from_db()
    assert quarter.report_summary == "第三季度总结"
    assert client_for(firm.partner).post(url, {"text": "Mine"}).status_code == 403
    quarter.refresh_from_db()
    assert quarter.report_summary == "第三季度总结"


def test_the_report_is_for_the_organisers_only(results, firm, client_for):
    for persona in ("lawyer", "superior", "business_clerk", "outsider"):
        assert client_for(getattr(firm, persona)).get(reverse("portal:report", args=[results.code])).status_code == 403
    client_for(firm.lawyer).logout()
    assert client_for(firm.lawyer).post(reverse("portal:report_pdf", args=[results.code])).status_code == 403


def report_pdf_response(client, quarter):
    """The report PDF as the page gets it: a job (in-process in tests) whose page links to the file."""
    response = client.post(reverse("portal:report_pdf", args=[quarter.code]))
    job = Job.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.state == Job.State.SUCCEEDED and job.result_url == reverse("jobs:file", args=[job.pk])
    assert job.result_url in client.get(response["Location"]).content.decode()
    response = client.get(job.result_url)
    response.pdf = b"".join(response.streaming_content)
    return response


def test_the_report_pdf_holds_the_chinese_text(results, firm, client, settings):
    client.logout()
    response = client.post(reverse("portal:report_pdf", args=[results.code]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]  # anonymous: to log in
    assert not Job.objects.exists()
    client.force_login(firm.executor)
    response = report_pdf_response(client, results)
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "稳中有进" in text
    assert "陈静" in text and "诉讼业务组" in text
    fonts = {
        str(font.get_object().get("/BaseFont"))
        for page in reader.pages
        for font in (page.get("/Resources", {}).get("/Font", {}) or {}).values()
    }
    # The shipped CJK font is embedded (subset names look like /ABCDEF+Noto-Sans-SC).
    assert any(name.endswith("+Noto-Sans-SC") for name in fonts), fonts


def test_appeal_statistics_say_none_when_no_appeal_was_recorded(results):
    appeals = quarter_report(quarter=results)["appeals"]
    assert appeals["quarter"].code == "2026Q2" and appeals["filed"] == 0 and appeals["median_days_to_decide"] is None


def appeal_against(quarter, user, *, filed, decided=None, outcome="", status=AppealStatus.SUBMITTED):
    """An appeal against the person's published result of the quarter, built directly in the state given."""
    card = Scorecard.objects.get(quarter=quarter, staff=user.profile, is_current=True)
    return Appeal.objects.create(
        quarter=quarter,
        scorecard=card,
        staff=card.staff,
        appellant=user,
        reason="录入有误",
        status=status,
        outcome=outcome,
        filed_at=filed,
        decided_at=decided,
        decision_due_on=filed.date() + datetime.timedelta(days=10),
    )


@pytest.fixture
def appeals_of_q2(results, firm):
    """Against 2026Q2: the lawyer's upheld after 3 days, the colleague's rejected after 6, the outsider's withdrawn."""
    previous = Quarter.objects.get(year=2026, number=2)
    Scorecard.objects.filter(quarter=previous, staff=firm.outsider.profile).delete()  # the draft, now published:
    make_card(previous, firm.outsider, 70, status=Scorecard.Status.PUBLISHED)
    appeal_against(
        previous,
        firm.lawyer,
        filed=aware(2026, 7, 6),
        decided=aware(2026, 7, 9),
        outcome=Outcome.UPHELD,
        status=AppealStatus.CLOSED,
    )
    appeal_against(
        previous,
        firm.colleague,
        filed=aware(2026, 7, 6),
        decided=aware(2026, 7, 12),
        outcome=Outcome.REJECTED,
        status=AppealStatus.REJECTED,
    )
    appeal_against(
        previous, firm.outsider, filed=aware(2026, 7, 7), decided=aware(2026, 7, 8), status=AppealStatus.WITHDRAWN
    )
    return previous


def appeals_section(client, quarter, language):
    client.cookies["django_language"] = language
    text = client.get(reverse("portal:report", args=[quarter.code])).content.decode()
    section = text[text.index('id="appeals"') :]
    return section[: section.index("</div>")]


def test_the_report_page_gives_the_outcomes_of_the_last_quarter_s_appeals(results, appeals_of_q2, firm, client_for):
    client = client_for(firm.partner)
    english = appeals_section(client, results, "en")
    assert "3 appeals against the 2026Q2 results" in english
    outcomes = re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">([^<]+)</td></tr>", english)
    assert outcomes == [
        ("Upheld", "1"),
        ("Rejected", "1"),
        ("Withdrawn", "1"),
        ("Still waiting for a decision", "0"),
        ("Median days from filing to decision", "4.5"),
    ]
    assert "Closed" not in english  # the outcome, not the status, is what the report counts
    chinese = appeals_section(client, results, "zh-hans")
    assert "针对2026Q2考核结果的申诉共3项" in chinese
    assert "申诉成立" in chinese and "已驳回" in chinese and "从提出申诉到作出决定的天数（中位数）" in chinese


def test_one_appeal_reads_in_the_singular(results, firm, client_for):
    previous = Quarter.objects.get(year=2026, number=2)
    appeal_against(previous, firm.lawyer, filed=aware(2026, 7, 6))
    english = appeals_section(client_for(firm.partner), results, "en")
    assert "1 appeal against the 2026Q2 results" in english and "1 appeals" not in english
    assert re.search(r"Still waiting for a decision</td><td class=\"num\">1<", english)
    assert re.search(r"Median days from filing to decision</td><td class=\"num\">—<", english)


def test_the_report_pdf_gives_the_appeal_outcomes(results, appeals_of_q2, firm, client_for):
    client = client_for(firm.executor)
    client.cookies["django_language"] = "en"
    response = report_pdf_response(client, results)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.pdf)).pages)
    assert "3 appeals against the 2026Q2 results" in text
    assert "Median days from filing to decision" in text and "4.5" in text


def test_a_firm_without_results_yet_gets_an_empty_report(firm):
    quarter = make_quarter(state=QuarterState.COLLECTING)
    make_person("nobody", "无名", "lawyer", firm.litigation)
    report = quarter_report(quarter=quarter)
    assert report["count"] == 0 and report["average"] is None and report["top"] == []


def _histogram_bars(svg):
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg)  # noqa: S314 — our own markup
    svg_ns = "{http://www.w3.org/2000/svg}"
    return [
        tuple(node.find(f"{svg_ns}title").text.rsplit(": ", 1))
        for node in root.iter(f"{svg_ns}rect")
        if node.find(f"{svg_ns}title") is not None
    ]


def test_the_report_histogram_breaks_at_the_grade_bands_and_shows_totals_above_100_apart(results, firm):
    # Given a bonus pushes one more person above full marks, and the scheme's pass band starts at 65
    from indicators.models import GradeBand

    make_card(results, firm.partner, D("100.4"), rank=8, ranked_count=8)
    scheme = Scorecard.objects.filter(quarter=results).first().scheme
    GradeBand.objects.filter(scheme=scheme, min_total=60).update(min_total=65)
    # When the report is drawn
    with translation.override("en"):
        bars = _histogram_bars(quarter_report(quarter=results)["histogram"])
    # Then the bins keep round edges, break at 65, and the 100.4 is alone in "100+"
    labels = [label for label, _count in bars]
    assert labels[:7] == ["0–10", "10–20", "20–30", "30–40", "40–50", "50–60", "60–65"]
    assert "65–70" in labels and labels[-1] == "100+"
    counts = dict(bars)
    assert counts["100+"] == "1" and counts["90–100"] == "1"  # the lawyer's 92
    assert (counts["50–60"], counts["60–65"], counts["65–70"]) == ("1", "1", "1")  # 58; 61 below the band; 65


def test_without_totals_above_100_there_is_no_100_plus_bin(results):
    bars = _histogram_bars(quarter_report(quarter=results)["histogram"])
    assert [label for label, _count in bars][-1] == "90–100"


def test_the_department_and_position_tables_have_column_headers(results, firm, client_for):
    text = client_for(firm.partner).get(reverse("portal:report", args=[results.code])).content.decode()
    # The page is in the firm's language (Chinese)
    for table, first in (("by-department", "部门"), ("by-position", "岗位")):
        head = re.search(rf'id="{table}">\s*<thead>(.*?)</thead>', text, re.S)
        assert head, table
        assert re.findall(r"<th[^>]*>(.*?)</th>", head.group(1)) == [first, "人员", "平均分"]
