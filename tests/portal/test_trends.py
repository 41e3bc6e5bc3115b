"""The trends page (docs/trends.md): its figures over published quarters, filters, access, query count, downloads
and the one-page PDF."""

import csv
import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from results.models import Scorecard
from results.trends import firm_trends
from reviews.models import Department, DepartmentKind, Position, QuarterState
from tests.personas import make_person
from tests.reviews.scorecard_builders import make_quarter, make_scorecard, published_at

GRADES = [
    (D(90), "优秀", "Excellent"),
    (D(80), "良好", "Good"),
    (D(60), "合格", "Satisfactory"),
    (D(0), "待改进", "Needs improvement"),
]


def lines(total):
    """Two indicators of two categories: development weighs 40 and maintenance 60, each reached as the total is."""
    total = D(str(total))
    return [
        ("new_clients", "1", "1", "40", str(total * D("0.4"))),
        ("satisfaction", "4", "4", "60", str(total * D("0.6"))),
    ]


def card(quarter, user, total, *, rank=1, version=1):
    floor, grade, grade_en = next(band for band in GRADES if D(str(total)) >= band[0])
    return make_scorecard(
        quarter,
        user,
        total=total,
        rank=rank,
        ranked_count=3,
        grade=grade,
        grade_en=grade_en,
        lines=lines(total),
        version=version,
    )


def correct(old, total):
    """A correction's new version of a published result (results.corrections makes it so: old one not current)."""
    Scorecard.objects.filter(pk=old.pk).update(is_current=False)
    return card(old.quarter, old.staff.user, total, rank=old.rank, version=old.version + 1)


@pytest.fixture
def history(firm):
    """2026Q1 closed, 2026Q2 closed, 2026Q3 published with the lawyer's result corrected from 70 to 88, and a
    2026Q4 only scored (its draft results count nowhere)."""
    q1 = make_quarter(2026, 1, published_at=published_at(2026, 4, 8), state=QuarterState.CLOSED)
    q2 = make_quarter(2026, 2, published_at=published_at(2026, 7, 8), state=QuarterState.CLOSED)
    q3 = make_quarter(2026, 3, published_at=published_at(2026, 10, 8))
    q4 = make_quarter(2026, 4)
    for quarter, (lawyer, colleague, outsider) in ((q1, (80, 70, 90)), (q2, (85, 60, 90)), (q3, (70, 75, 80))):
        card(quarter, firm.lawyer, lawyer, rank=2)
        card(quarter, firm.colleague, colleague, rank=3)
        card(quarter, firm.outsider, outsider, rank=1)
    corrected = correct(Scorecard.objects.get(quarter=q3, staff=firm.lawyer.profile), 88)
    make_scorecard(q4, firm.lawyer, total=10, status=Scorecard.Status.DRAFT, lines=lines(10))
    return firm, (q1, q2, q3, q4), corrected


def test_the_figures_come_from_published_current_versions_and_show_the_correction(history):
    firm, (q1, q2, q3, q4), corrected = history
    with translation.override("en"):
        trends = firm_trends()
    # Only the three published quarters, oldest first: the scored 2026Q4 is not there
    assert [q.code for q in trends.quarters] == ["2026Q1", "2026Q2", "2026Q3"]
    # Litigation's development in 2026Q3: the corrected 88 and the colleague's 75, (35.2 + 30) of 80 = 81.5%
    litigation = {row.category_code: row for row in trends.by_department if row.group == "Litigation Group"}
    cell = litigation["development"].cells[2]
    assert (cell.people, cell.percent, cell.average_points) == (2, D("81.5"), D("32.60"))
    # Lawyers only (all three are lawyers): the whole firm, (88 + 75 + 80) / 3 = 81% in both categories
    lawyers = {row.category_code: row.cells[2].percent for row in trends.by_position}
    assert lawyers == {"development": D("81.0"), "maintenance": D("81.0")}
    # Each indicator's firm-wide share, per quarter
    by_code = {trend.indicator.code: trend for trend in trends.indicators}
    assert by_code["new_clients"].percents == [D("80.0"), D("78.3"), D("81.0")]
    assert by_code["new_clients"].change == D("2.7")
    # Grades per quarter, best first, with the corrected result counted
    assert trends.grades == ["Excellent", "Good", "Satisfactory"]
    assert [(row.people, row.counts, row.corrected) for row in trends.grade_rows] == [
        (3, [1, 1, 1], 0),
        (3, [1, 1, 1], 0),
        (3, [0, 2, 1], 1),
    ]
    assert trends.grade_rows[2].average == D("81.00")
    # Movers from 2026Q2 to 2026Q3: the colleague rose 15, the lawyer 3 (corrected), the outsider fell 10
    assert [(m.name, m.delta, m.corrected) for m in trends.rises] == [("刘洋", D(15), False), ("陈静", D(3), True)]
    assert [(m.name, m.delta, m.rank_change) for m in trends.falls] == [("黄磊", D(-10), 0)]
    assert trends.rises[1].scorecard_id == corrected.pk


def test_filters_narrow_every_figure(history):
    firm, quarters, _corrected = history
    with translation.override("en"):
        trends = firm_trends(department=firm.corporate)
    assert {row.group for row in trends.by_department} == {"Corporate Group"}
    assert [row.people for row in trends.grade_rows] == [1, 1, 1]
    assert [m.name for m in trends.changes] == ["黄磊"]
    # Two quarters only: the movers compare the last two of them
    trends = firm_trends(count=2, position=Position.ASSISTANT)
    assert [q.code for q in trends.quarters] == ["2026Q2", "2026Q3"]
    assert trends.by_department == [] and trends.changes == [] and [row.people for row in trends.grade_rows] == [0, 0]


def test_the_page_shows_the_figures_and_marks_the_corrected_result(history, client_for):
    firm, _quarters, corrected = history
    page = client_for(firm.partner).get(reverse("portal:trends"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "81.5%" in text and "2026Q3" in text and "2026Q4" not in text
    assert reverse("portal:scorecard", args=[corrected.pk]) in text
    # The page is in the partner's language: Chinese
    assert "已更正" in text and "其中1份考核结果在发布后经过更正" in text


def test_a_filter_that_is_not_valid_shows_its_error_and_no_figures(history, client_for):
    firm, *_ = history
    page = client_for(firm.executor).get(reverse("portal:trends"), {"department": "nope", "quarters": "5"})
    text = page.content.decode()
    assert page.status_code == 400
    assert "没有这个部门，请从列表中选择。" in text and "请选择显示4个、8个或12个季度。" in text
    assert "81.5%" not in text
    # The downloads send back to the page with the same filters rather than a file of other figures
    download = client_for(firm.executor).get(reverse("portal:trends_download", args=["csv"]), {"department": "nope"})
    assert download.status_code == 302 and download["Location"].endswith("?department=nope")


def test_with_no_published_quarter_the_page_says_so(firm, client_for):
    make_quarter(2026, 3)
    page = client_for(firm.executor).get(reverse("portal:trends"))
    assert page.status_code == 200 and "尚无已发布考核结果的季度" in page.content.decode()
    pdf = client_for(firm.executor).get(reverse("portal:trends_pdf"))
    assert pdf.status_code == 302


@pytest.mark.parametrize(
    "persona", ["lawyer", "assistant", "superior", "business_clerk", "finance_clerk", "admin_clerk"]
)
@pytest.mark.parametrize(
    "name, args", [("portal:trends", []), ("portal:trends_download", ["xlsx"]), ("portal:trends_pdf", [])]
)
def test_only_the_two_groups_may_see_the_trends(history, client_for, persona, name, args):
    firm, *_ = history
    assert client_for(firm.personas[persona]).get(reverse(name, args=args)).status_code == 403


def test_anonymous_visitors_sign_in_first(history, client):
    response = client.get(reverse("portal:trends"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_menu_offers_the_page_to_the_two_groups_only(history, client_for):
    firm, *_ = history
    assert 'id="nav-trends"' in client_for(firm.executor).get(reverse("home")).content.decode()
    assert 'id="nav-trends"' not in client_for(firm.lawyer).get(reverse("home")).content.decode()


def build_firm(quarters, staff):
    """`quarters` published quarters from 2024Q1 of `staff` lawyers and assistants spread over two departments."""
    departments = [
        Department.objects.create(
            code=f"d{index}", name_zh=f"部门{index}", name_en=f"Dept {index}", kind=DepartmentKind.PRACTICE
        )
        for index in range(2)
    ]
    people = [
        make_person(
            f"p{index}", f"员工{index}", (Position.LAWYER, Position.ASSISTANT)[index % 2], departments[index % 2]
        )
        for index in range(staff)
    ]
    for number in range(quarters):
        quarter = make_quarter(2024 + number // 4, number % 4 + 1, published_at=published_at(2026, 1, 1))
        for index, user in enumerate(people):
            card(quarter, user, 60 + (index * 7 + number * 5) % 40, rank=index + 1)
    return departments


def queries(client, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("portal:trends"), params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("dimension", ["quarters", "staff"])
def test_the_query_count_does_not_grow_with_quarters_or_staff(firm, client_for, dimension):
    # Given a small firm: 2 quarters of 5 people
    build_firm(2, 5)
    client = client_for(firm.executor)
    small = queries(client)
    # When it grows to 6 quarters, or to 30 people (the new quarters and people only add rows)
    if dimension == "quarters":
        for number in range(2, 6):
            quarter = make_quarter(2024 + number // 4, number % 4 + 1, published_at=published_at(2026, 1, 1))
            for index, profile in enumerate(
                Scorecard.objects.filter(quarter__year=2024, quarter__number=1).select_related("staff__user")
            ):
                card(quarter, profile.staff.user, 70 + index, rank=index + 1)
    else:
        department = Department.objects.get(code="d0")
        latest = set(Scorecard.objects.values_list("quarter", flat=True))
        for index in range(5, 30):
            user = make_person(f"x{index}", f"新人{index}", Position.LAWYER, department)
            for quarter_id in latest:
                card(Scorecard.objects.filter(quarter_id=quarter_id).first().quarter, user, 65 + index, rank=index)
    # Then the page costs exactly as many queries, filtered or not
    assert queries(client) == small
    assert queries(client, department="d0", position="lawyer") == queries(client, department="d1")


def test_the_downloads_hold_the_filtered_figures(history, client_for):
    firm, *_ = history
    client = client_for(firm.executor)
    response = client.get(reverse("portal:trends_download", args=["csv"]), {"department": "corp"})
    assert response["Content-Disposition"].endswith('trends-2026Q1-2026Q3-corp.csv"')
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    movers = [row for row in rows if row["figure"] == "mover"]
    assert [(row["item"], row["change"], row["corrected"]) for row in movers] == [("黄磊", "-10.00", "0")]
    quarters = [(row["quarter"], row["people"]) for row in rows if row["figure"] == "quarter"]
    assert quarters == [("2026Q1", "1"), ("2026Q2", "1"), ("2026Q3", "1")]

    from openpyxl import load_workbook

    response = client.get(reverse("portal:trends_download", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *body = list(sheet.iter_rows(values_only=True))
    records = [dict(zip(header, row, strict=True)) for row in body]
    development = [
        r for r in records if r["figure"] == "department_category" and r["quarter"] == "2026Q3" and r["people"] == 2
    ]
    assert [(r["group"], r["percent_of_weight"]) for r in development] == [("诉讼业务组", 81.5), ("诉讼业务组", 81.5)]
    corrected = [r for r in records if r["figure"] == "quarter" and r["quarter"] == "2026Q3"]
    assert corrected[0]["corrected"] == 1
    lawyer = next(r for r in records if r["figure"] == "mover" and r["item"] == "陈静")
    assert (lawyer["previous_total"], lawyer["total"], lawyer["corrected"]) == (85, 88, 1)


def test_the_pdf_is_one_page_with_its_chinese_title(history, client_for):
    firm, *_ = history
    client = client_for(firm.partner)
    client.cookies["django_language"] = "zh-hans"
    response = client.get(reverse("portal:trends_pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text()
    assert len(reader.pages) == 1
    assert "全所考核趋势" in text and "陈静" in text and "2026Q3" in text and "诉讼业务组" in text
