"""The data lists: search, quarter / person / client filters, counts, pagination and the way to the import."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from clients.models import Client, Complaint, Contract, RevenueEntry
from tests.clients.entry_factories import at, make_records


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"


@pytest.fixture
def records(firm):
    return make_records(firm)


def add_revenue(records, firm, count, *, start=datetime.date(2026, 7, 1), prefix="RB", credited_to=None):
    RevenueEntry.objects.bulk_create(
        RevenueEntry(
            ref=f"{prefix}-{i:04d}",
            contract=records.contract,
            received_on=start + datetime.timedelta(days=i % 60),
            amount=Decimal("100.00"),
            credited_to=credited_to or firm.superior.profile,
        )
        for i in range(count)
    )


def test_search_finds_by_reference_contract_or_client(firm, records, client_for):
    other_client = Client.objects.create(code="C-0500", name="杭州西湖酒店", kind=Client.Kind.ORGANISATION)
    other_contract = Contract.objects.create(
        number="HT-2026-050",
        client=other_client,
        signed_on=datetime.date(2026, 7, 1),
        originating_lawyer=firm.outsider.profile,
        responsible_lawyer=firm.outsider.profile,
        matter="劳动",
        fee=1,
    )
    RevenueEntry.objects.create(
        ref="R-0050",
        contract=other_contract,
        received_on=datetime.date(2026, 7, 9),
        amount=5,
        credited_to=firm.outsider.profile,
    )
    browser = client_for(firm.finance_clerk)
    for search in ("R-0050", "HT-2026-050", "西湖", "c-0500"):
        text = browser.get(reverse("clients:revenue_list"), {"q": search}).content.decode()
        assert "R-0050" in text and "R-0001" not in text, search
        assert "1 record matches the filters" in text


def test_the_quarter_filter_uses_each_kinds_date(firm, records, client_for):
    # Given a complaint just inside the third quarter and one just after it (Shanghai time)
    Complaint.objects.create(
        ref="TS-LATE",
        client=records.client,
        about=firm.lawyer.profile,
        received_at=at(datetime.date(2026, 9, 30), hour=23),
    )
    Complaint.objects.create(
        ref="TS-NEXT",
        client=records.client,
        about=firm.lawyer.profile,
        received_at=at(datetime.date(2026, 10, 1), hour=0),
    )
    browser = client_for(firm.admin_clerk)
    # When the list is filtered by 2026Q3 (typed in lower case)
    q3 = browser.get(reverse("clients:complaints_list"), {"quarter": "2026q3"}).content.decode()
    q4 = browser.get(reverse("clients:complaints_list"), {"quarter": "2026Q4"}).content.decode()
    # Then each complaint falls in the quarter of its local date
    assert "TS-0001" in q3 and "TS-LATE" in q3 and "TS-NEXT" not in q3
    assert "TS-NEXT" in q4 and "TS-LATE" not in q4
    assert '<option value="2026Q3" selected>' in q3


def test_the_quarter_filter_on_dates(firm, records, client_for):
    add_revenue(records, firm, 3, start=datetime.date(2026, 6, 28), prefix="RQ")  # 28, 29, 30 June
    text = client_for(firm.executor).get(reverse("clients:revenue_list"), {"quarter": "2026Q2"}).content.decode()
    assert "RQ-0000" in text and "RQ-0002" in text and "R-0001" not in text
    assert "3 records match the filters" in text and "300.00" in text


def test_a_bad_quarter_is_explained_and_ignored(firm, records, client_for):
    text = client_for(firm.executor).get(reverse("clients:surveys_list"), {"quarter": "2026Q5"}).content.decode()
    assert "is not a quarter like 2026Q3" in text and "This filter was ignored." in text
    assert "MY-0001" in text


def test_the_person_filter_matches_any_staff_field_of_the_record(firm, records, client_for):
    browser = client_for(firm.executor)
    # The contract's responsible lawyer is the senior lawyer, the originating one the lawyer.
    for person in (firm.superior, firm.lawyer):
        text = browser.get(reverse("clients:contracts_list"), {"person": person.profile.pk}).content.decode()
        assert "HT-2026-001" in text
    text = browser.get(reverse("clients:contracts_list"), {"person": firm.outsider.profile.pk}).content.decode()
    assert "HT-2026-001" not in text and "Nothing matches these filters." in text
    # A complaint is found by the person it is about and by its handler.
    for person in (firm.lawyer, firm.executor):
        text = browser.get(reverse("clients:complaints_list"), {"person": person.profile.pk}).content.decode()
        assert "TS-0001" in text
    # A client is found by the lawyers on its contracts.
    text = browser.get(reverse("clients:clients_list"), {"person": firm.lawyer.profile.pk}).content.decode()
    assert "C-0001" in text
    text = browser.get(reverse("clients:clients_list"), {"person": firm.outsider.profile.pk}).content.decode()
    assert "C-0001" not in text.split("<tbody>")[1]


def test_the_client_filter(firm, records, client_for):
    other = Client.objects.create(code="C-0777", name="另一个客户", kind=Client.Kind.INDIVIDUAL)
    browser = client_for(firm.executor)
    text = browser.get(reverse("clients:revenue_list"), {"client": other.code}).content.decode()
    assert "R-0001" not in text and "0 records match the filters" in text
    text = browser.get(reverse("clients:revenue_list"), {"client": records.client.code}).content.decode()
    assert "R-0001" in text


@pytest.mark.parametrize(
    ("typed", "finds"),
    [
        ("c-0001", True),  # the exact code, in any case
        (" C-0001 ", True),  # stray spaces are ignored
        ("远景", True),  # part of the name
        ("C-00", False),  # part of a code is not a code: 100,000 codes would all match
        ("另一个", False),  # another client's name
    ],
)
def test_the_client_filter_is_typed_as_a_code_or_part_of_a_name(firm, records, client_for, typed, finds):
    Client.objects.create(code="C-0777", name="另一个客户", kind=Client.Kind.INDIVIDUAL)
    browser = client_for(firm.executor)
    for kind, key in (("contracts", "HT-2026-001"), ("complaints", "TS-0001"), ("surveys", "MY-0001")):
        text = browser.get(reverse(f"clients:{kind}_list"), {"client": typed}).content.decode()
        assert (key in text) is finds, (kind, typed)


def test_the_client_filter_on_clients_means_the_referrer(firm, records, client_for):
    referred = Client.objects.create(code="C-0888", name="被推荐", kind="individual", referred_by=records.client)
    text = client_for(firm.executor).get(reverse("clients:clients_list"), {"client": "C-0001"}).content.decode()
    rows = text.split("<tbody>")[1]
    # Then the referred client is listed, and the referrer itself is not (it was referred by no one)
    assert f"<td>{referred.code}</td>" in rows and "<td>C-0001</td>" not in rows


def test_the_filters_offer_no_list_of_clients_and_only_active_staff(firm, records, client_for):
    # Given a person who has left and a hundred clients
    firm.outsider.profile.active = False
    firm.outsider.profile.save()
    Client.objects.bulk_create(Client(code=f"CB-{i:04d}", name=f"客户{i}", kind="individual") for i in range(100))
    browser = client_for(firm.executor)
    text = browser.get(reverse("clients:contracts_list")).content.decode()
    form = text[text.index('role="search"') : text.index("</form>", text.index('role="search"'))]
    # Then the client is a text field, and the person select offers the active staff only
    assert 'name="client"' in form and "CB-0001" not in form
    assert f'value="{firm.lawyer.profile.pk}"' in form and f'value="{firm.outsider.profile.pk}"' not in form
    # But a link naming the person who left still filters by them, and shows them selected
    text = browser.get(reverse("clients:contracts_list"), {"person": firm.outsider.profile.pk}).content.decode()
    assert f'value="{firm.outsider.profile.pk}" selected' in text and "This filter was ignored" not in text


def test_pages_of_fifty_keep_the_filters(firm, records, client_for):
    # Given 120 entries credited to the senior lawyer in the third quarter
    add_revenue(records, firm, 120)
    browser = client_for(firm.finance_clerk)
    query = {"quarter": "2026Q3", "person": firm.superior.profile.pk}
    # When the first page is shown
    first = browser.get(reverse("clients:revenue_list"), query).content.decode()
    # Then it holds 50 rows, counts all 120 and links to page 2 with the same filters
    assert first.count("/history/") == 50
    assert "120 records match the filters" in first and "12,000.00" in first
    assert f"?quarter=2026Q3&amp;person={firm.superior.profile.pk}&amp;page=2" in first
    last = browser.get(reverse("clients:revenue_list"), {**query, "page": 3}).content.decode()
    assert last.count("/history/") == 20 and "Page 3 of 3" in last


@pytest.mark.parametrize("kind", ["clients", "contracts", "revenue", "complaints", "surveys"])
def test_a_list_costs_the_same_few_queries_however_many_rows(
    firm, records, client_for, django_assert_max_num_queries, kind
):
    # Given 60 more rows of every kind, each with its own people and clients
    add_revenue(records, firm, 60)
    for i in range(60):
        client = Client.objects.create(
            code=f"CX-{i:03d}",
            name=f"客户{i}",
            kind="individual",
            referred_by=records.client,
            created_on=datetime.date(2026, 7, 1),
        )
        Contract.objects.create(
            number=f"HX-{i:03d}",
            client=client,
            signed_on=datetime.date(2026, 7, 1),
            originating_lawyer=firm.lawyer.profile,
            responsible_lawyer=firm.superior.profile,
            matter="m",
            fee=1,
        )
        Complaint.objects.create(
            ref=f"TX-{i:03d}",
            client=client,
            about=firm.lawyer.profile,
            handler=firm.admin_clerk.profile,
            received_at=at(datetime.date(2026, 7, 2)),
        )
        records.survey.pk = None
        records.survey.ref = f"MX-{i:03d}"
        records.survey.client = client
        records.survey.save()
    browser = client_for(firm.executor)
    # When the list is shown; then the query count does not grow with the rows (no query per row)
    with django_assert_max_num_queries(15):
        response = browser.get(reverse(f"clients:{kind}_list"), {"quarter": "2026Q3"})
    assert response.content.decode().count("/history/") == 50


def test_the_import_button_leads_the_clerk_to_the_file_import(firm, records, client_for):
    import_url = reverse("clients:import_upload", args=["revenue"])
    text = client_for(firm.finance_clerk).get(reverse("clients:revenue_list")).content.decode()
    assert f'href="{import_url}"' in text and "Import from a file" in text
    text = client_for(firm.executor).get(reverse("clients:revenue_list")).content.decode()
    assert "Import from a file" not in text
