"""The import of each kind: what is created, updated or left alone, what is refused, and that one bad row
leaves the database exactly as it was."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone, translation

from clients.models import ChangeRecord, Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey
from reviews.models import StaffProfile
from tests.clients.test_import_parsing import PNG_BYTES, csv_bytes, messages_of, run, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages():
    """Messages are asserted in English, the source language (the default language is Chinese)."""
    with translation.override("en"):
        yield


CLIENT_HEADER = ["code", "name", "kind", "referred_by", "email", "phone"]
CONTRACT_HEADER = ["number", "client", "signed_on", "originating_lawyer", "responsible_lawyer", "matter", "fee"]
REVENUE_HEADER = ["ref", "contract", "received_on", "amount", "credited_to"]
COMPLAINT_HEADER = ["ref", "client", "about", "received_at", "handler", "handled_at", "resolution"]
SURVEY_HEADER = [
    "ref",
    "client",
    "staff",
    "surveyed_on",
    "channel",
    "service_quality",
    "communication",
    "outcome",
    "comment",
]
STAFF_HEADER = ["username", "full_name", "email", "position", "department", "superior"]


@pytest.fixture
def books(firm):
    """Two clients and a contract between the firm's lawyer and colleague."""
    huaxin = Client.objects.create(code="C001", name="华信科技有限公司", kind="organisation")
    Client.objects.create(code="C002", name="张伟", kind="individual")
    Contract.objects.create(
        number="HT-001",
        client=huaxin,
        signed_on=datetime.date(2026, 1, 10),
        originating_lawyer=firm.lawyer.profile,
        responsible_lawyer=firm.colleague.profile,
        matter="买卖合同纠纷",
        fee=Decimal("100000.00"),
    )
    return firm


def counts():
    return (
        Client.objects.count(),
        Contract.objects.count(),
        RevenueEntry.objects.count(),
        Complaint.objects.count(),
        SatisfactionSurvey.objects.count(),
        StaffProfile.objects.count(),
        ChangeRecord.objects.count(),
    )


# ------------------------------------------------------------------------------------------ clients


def test_it_creates_clients_with_a_referrer_further_down_the_same_file(books):
    content = csv_bytes(
        [
            CLIENT_HEADER,
            ["C010", "新客户", "单位", "C011", "", ""],
            ["C011", "推荐人", "individual", "C001", "a@b.cn", "+86 138 0000 0000"],
        ]
    )

    report = run("clients", content, by=books.business_clerk)

    assert report.committed and (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert Client.objects.get(code="C010").referred_by.code == "C011"
    assert Client.objects.get(code="C011").referred_by.code == "C001"
    assert Client.objects.get(code="C011").phone == "+86 138 0000 0000"


def test_each_imported_client_leaves_a_change_record_naming_the_file_and_the_clerk(books):
    run(
        "clients",
        csv_bytes([CLIENT_HEADER, ["C010", "新客户", "organisation", "C001", "", ""]]),
        by=books.business_clerk,
        name="2026Q1-clients.csv",
    )

    record = ChangeRecord.objects.get(object_repr="C010 新客户")
    assert record.action == "import_create"
    assert record.by == books.business_clerk
    assert record.note == "2026Q1-clients.csv"
    assert record.changes["referred_by"] == [None, "C001 华信科技有限公司"]
    assert record.changes["kind"] == [None, "organisation"]


def test_reimporting_the_same_file_changes_nothing(books):
    content = csv_bytes(
        [CLIENT_HEADER, ["C010", "新客户", "单位", "", "x@y.cn", ""], ["C001", "华信科技有限公司", "单位", "", "", ""]]
    )
    first = run("clients", content, by=books.business_clerk)
    assert (first.created, first.updated, first.unchanged) == (1, 0, 1)
    records = ChangeRecord.objects.count()

    again = run("clients", content, by=books.business_clerk)

    assert again.committed and (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert ChangeRecord.objects.count() == records


def test_a_changed_row_is_updated_and_its_change_recorded_as_old_and_new(books):
    report = run(
        "clients", csv_bytes([CLIENT_HEADER, ["C002", "张伟", "个人", "C001", "", "010-1234"]]), by=books.business_clerk
    )

    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    client = Client.objects.get(code="C002")
    assert client.referred_by.code == "C001" and client.phone == "010-1234"
    record = ChangeRecord.objects.get(action="import_update")
    assert record.changes == {"referred_by": [None, "C001 华信科技有限公司"], "phone": ["", "010-1234"]}


def test_optional_columns_left_out_keep_what_is_stored(books):
    Client.objects.filter(code="C002").update(phone="010-9999")

    report = run("clients", csv_bytes([["code", "name", "kind"], ["C002", "张伟", "individual"]]))

    assert report.unchanged == 1
    assert Client.objects.get(code="C002").phone == "010-9999"


def test_a_client_referred_by_itself_is_refused(books):
    before = counts()
    report = run(
        "clients",
        csv_bytes(
            [
                CLIENT_HEADER,
                ["C010", "新客户", "单位", "C010", "", ""],
                ["C001", "华信科技有限公司", "单位", "C001", "", ""],
            ]
        ),
    )

    assert messages_of(report) == [
        "2|referred_by|A client cannot be referred by itself.",
        "3|referred_by|A client cannot be referred by itself.",
    ]
    assert counts() == before


def test_formula_like_cells_are_stored_as_text(books):
    content = csv_bytes(
        [
            CLIENT_HEADER,
            ["C020", '=HYPERLINK("http://evil","x")', "单位", "", "", "+86 10 1234"],
            ["C021", "@SUM(A1)", "单位", "", "", "-1"],
        ]
    )

    assert run("clients", content).committed

    assert Client.objects.get(code="C020").name == '=HYPERLINK("http://evil","x")'
    assert Client.objects.get(code="C021").name == "@SUM(A1)"
    assert Client.objects.get(code="C021").phone == "-1"


def test_formulas_in_a_workbook_are_kept_as_their_text_never_computed(books):
    content = xlsx_bytes([CLIENT_HEADER, ["C030", "=1+2", "单位", None, None, "=A1"]])

    assert run("clients", content, name="clients.xlsx").committed

    client = Client.objects.get(code="C030")
    assert (client.name, client.phone) == ("=1+2", "=A1")


# ------------------------------------------------------------------------------------------ contracts


def test_contracts_import_with_chinese_headers_and_labels_from_excel(books):
    content = xlsx_bytes(
        [
            ["合同编号", "客户编号", "签约日期", "案源律师", "承办律师", "案由", "律师费", "合同状态", "结案日期"],
            [
                "HT-002",
                "C002",
                datetime.datetime(2026, 2, 1),
                "lawyer",
                "colleague",
                "劳动争议",
                30000,
                "已完成",
                datetime.datetime(2026, 3, 1),
            ],
            ["HT-003", "C001", "2026/02/15", "colleague", "lawyer", "股权转让", "¥1,200,000.50", "", ""],
        ]
    )

    report = run("contracts", content, by=books.business_clerk, name="contracts.xlsx")

    assert report.committed, messages_of(report)
    second = Contract.objects.get(number="HT-002")
    assert (second.client.code, second.signed_on, second.fee, second.status, second.closed_on) == (
        "C002",
        datetime.date(2026, 2, 1),
        Decimal("30000.00"),
        "completed",
        datetime.date(2026, 3, 1),
    )
    third = Contract.objects.get(number="HT-003")
    assert (third.fee, third.status, third.originating_lawyer.user.username) == (
        Decimal("1200000.50"),
        "active",
        "colleague",
    )


def test_a_contract_closing_before_it_was_signed_is_refused_even_against_stored_dates(books):
    Contract.objects.filter(number="HT-001").update(closed_on=datetime.date(2026, 1, 20))
    before = counts()
    # Given a stored closing date of 2026-01-20, moving the signing date after it breaks the constraint.
    content = csv_bytes(
        [CONTRACT_HEADER, ["HT-001", "C001", "2026-02-01", "lawyer", "colleague", "买卖合同纠纷", "100000"]]
    )

    report = run("contracts", content)

    assert messages_of(report) == [
        "2|closed_on|The contract cannot close (2026-01-20) before it was signed (2026-02-01)."
    ]
    assert counts() == before
    assert Contract.objects.get(number="HT-001").signed_on == datetime.date(2026, 1, 10)


def test_unknown_people_and_clients_are_named_with_their_row_and_column(books):
    before = counts()
    content = csv_bytes(
        [
            CONTRACT_HEADER,
            ["HT-010", "C999", "2026-02-01", "lawyer", "nobody", "咨询", "1000"],
            ["HT-011", "C001", "2026-02-01", "lawyer", "colleague", "咨询", "-1"],
        ]
    )

    report = run("contracts", content)

    assert messages_of(report) == [
        "2|client|There is no client with code “C999”.",
        "2|responsible_lawyer|There is no staff member with username “nobody”.",
        "3|fee|Cannot be negative.",
    ]
    assert counts() == before


# ------------------------------------------------------------------------------------------ revenue


def revenue_rows(*rows):
    return csv_bytes([REVENUE_HEADER, *rows])


def test_revenue_is_imported_and_credited(books):
    report = run(
        "revenue",
        revenue_rows(
            ["SK-1", "HT-001", "2026-02-03", "50000.00", "lawyer"],
            ["SK-2", "HT-001", "2026/02/04", "1,000", "colleague"],
        ),
        by=books.finance_clerk,
    )

    assert report.committed and report.created == 2
    entry = RevenueEntry.objects.get(ref="SK-2")
    assert (entry.amount, entry.received_on, entry.credited_to.user.username) == (
        Decimal("1000.00"),
        datetime.date(2026, 2, 4),
        "colleague",
    )


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (["SK-1", "HT-001", "2026-02-03", "0", "lawyer"], "2|amount|Must be greater than zero."),
        (["SK-1", "HT-001", "2026-02-03", "-5", "lawyer"], "2|amount|Must be greater than zero."),
        (["SK-1", "HT-001", "2026-02-03", "five", "lawyer"], "2|amount|“five” is not a number."),
        (
            ["SK-1", "HT-001", "03.02.26", "5", "lawyer"],
            "2|received_on|“03.02.26” is not a date; write it as YYYY-MM-DD or YYYY/MM/DD.",
        ),
        (["SK-1", "HT-999", "2026-02-03", "5", "lawyer"], "2|contract|There is no contract with number “HT-999”."),
        (
            ["SK-1", "HT-001", "2026-02-03", "5", "ghost"],
            "2|credited_to|There is no staff member with username “ghost”.",
        ),
        (["", "HT-001", "2026-02-03", "5", "lawyer"], "2|ref|This column is required."),
        (["=cmd|'/C calc'!A0", "HT-001", "2026-02-03", "=5+5", "lawyer"], "2|amount|“=5+5” is not a number."),
    ],
)
def test_a_bad_revenue_row_is_explained_and_nothing_is_imported(books, row, expected):
    before = counts()
    good = ["SK-OK", "HT-001", "2026-02-03", "100", "lawyer"]

    report = run("revenue", revenue_rows(row, good), commit=True)

    assert messages_of(report) == [expected]
    assert not report.committed
    assert counts() == before


def test_duplicate_keys_within_the_file_are_refused(books):
    before = counts()
    report = run(
        "revenue",
        revenue_rows(
            ["SK-1", "HT-001", "2026-02-03", "10", "lawyer"],
            ["SK-2", "HT-001", "2026-02-03", "10", "lawyer"],
            ["SK-1", "HT-001", "2026-02-04", "20", "lawyer"],
        ),
    )

    assert messages_of(report) == ["4|ref|“SK-1” appears more than once in the file (first on row 2)."]
    assert counts() == before


def test_missing_and_unknown_columns_are_refused_before_any_row_is_read(books):
    before = counts()
    report = run(
        "revenue",
        csv_bytes([["ref", "contract", "amount", "credited_to", "remark"], ["SK-1", "HT-001", "10", "lawyer", "x"]]),
    )

    assert messages_of(report) == [
        "1|remark|Unknown column “remark”. The columns of this import are: Reference (ref), Contract (contract), "
        "Received on (received_on), Amount (amount), Credited to (credited_to).",
        "1|received_on|The required column “received_on” (收款日期) is missing.",
    ]
    assert counts() == before


def test_a_column_named_twice_is_refused(books):
    report = run("revenue", csv_bytes([["ref", "contract", "received_on", "amount", "金额", "credited_to"]]))

    assert messages_of(report) == ["1|金额|The column “amount” appears twice (also as “amount”)."]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "0||The file is empty."),
        (b"\n\n", "0||The file is empty."),
        (",".join(REVENUE_HEADER).encode() + b"\n", "1||The file has a header row but no data rows."),
        (PNG_BYTES, "0||This is a PNG file (image/png), not a CSV or Excel (.xlsx) file."),
    ],
)
def test_files_without_rows_or_of_the_wrong_type_are_refused(books, content, expected):
    before = counts()

    report = run("revenue", content)

    assert messages_of(report) == [expected]
    assert counts() == before


def test_a_file_over_the_size_limit_is_refused(books, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 200
    content = revenue_rows(*[[f"SK-{i}", "HT-001", "2026-02-03", "10", "lawyer"] for i in range(20)])

    report = run("revenue", content)

    assert len(report.errors) == 1 and "files up to" in report.errors[0].message
    assert RevenueEntry.objects.count() == 0


def test_a_gb18030_csv_with_chinese_headers_imports(books):
    content = csv_bytes(
        [["收款编号", "合同编号", "收款日期", "金额", "归属律师"], ["SK-9", "HT-001", "2026-03-01", "8800", "lawyer"]],
        encoding="gb18030",
    )

    report = run("revenue", content)

    assert report.committed and RevenueEntry.objects.get(ref="SK-9").amount == Decimal("8800.00")


def test_values_under_no_header_are_refused(books):
    report = run("revenue", revenue_rows(["SK-1", "HT-001", "2026-02-03", "10", "lawyer", "stray"]))

    assert messages_of(report) == ["2|column 6|This value is in a column without a header."]


def test_a_dry_run_reports_the_counts_and_writes_nothing(books):
    RevenueEntry.objects.create(
        ref="SK-1",
        contract=Contract.objects.get(),
        received_on=datetime.date(2026, 2, 3),
        amount=Decimal("10"),
        credited_to=books.lawyer.profile,
    )
    before = counts()

    report = run(
        "revenue",
        revenue_rows(
            ["SK-1", "HT-001", "2026-02-03", "10.00", "lawyer"],
            ["SK-2", "HT-001", "2026-02-03", "10", "lawyer"],
            ["SK-3", "HT-001", "2026-02-03", "10", "lawyer"],
        ),
        commit=False,
    )

    assert (report.created, report.updated, report.unchanged, report.committed) == (2, 0, 1, False)
    assert counts() == before


# ------------------------------------------------------------------------------------------ complaints and surveys


def test_complaints_import_with_times_and_channel_labels(books):
    content = csv_bytes(
        [
            [*COMPLAINT_HEADER, "channel"],
            ["TS-1", "C001", "lawyer", "2026-03-02 09:30", "executor", "2026/03/03 16:00", "已沟通", "来信"],
            ["TS-2", "C002", "colleague", "2026-03-05 10:00", "", "", "", ""],
        ]
    )

    report = run("complaints", content, by=books.admin_clerk)

    assert report.committed, messages_of(report)
    handled = Complaint.objects.get(ref="TS-1")
    assert handled.channel == "letter"
    assert timezone.localtime(handled.handled_at).strftime("%Y-%m-%d %H:%M") == "2026-03-03 16:00"
    assert Complaint.objects.get(ref="TS-2").is_open


def test_a_complaint_handled_before_it_was_received_is_refused(books):
    before = counts()
    content = csv_bytes(
        [
            COMPLAINT_HEADER,
            [
                "TS-1",
                "C001",
                "lawyer",
                "2026-03-02 09:30",
                "executor",
                "2026-03-01 09:00",
                "",
            ],
        ]
    )

    report = run("complaints", content)

    assert messages_of(report) == ["2|handled_at|It cannot be handled before it was received."]
    assert counts() == before


def test_surveys_import_and_scores_outside_1_to_5_are_refused(books):
    good = ["MY-1", "C001", "lawyer", "2026-03-20", "电话回访", "5", "4", "4", "回复及时"]
    assert run("surveys", csv_bytes([SURVEY_HEADER, good])).committed
    survey = SatisfactionSurvey.objects.get(ref="MY-1")
    assert (survey.channel, survey.service_quality, survey.communication, survey.outcome) == ("phone", 5, 4, 4)
    before = counts()

    report = run(
        "surveys",
        csv_bytes(
            [
                SURVEY_HEADER,
                ["MY-2", "C001", "lawyer", "2026-03-20", "问卷", "6", "0", "3.5", ""],
                ["MY-3", "C001", "lawyer", "2026-03-20", "fax", "5", "5", "5", ""],
            ]
        ),
    )

    assert messages_of(report) == [
        "2|service_quality|“6” is not a whole number from 1 to 5.",
        "2|communication|“0” is not a whole number from 1 to 5.",
        "2|outcome|“3.5” is not a whole number from 1 to 5.",
        "3|channel|“fax” is not an accepted value. Channel (channel) must be one of: Phone follow-up (phone), "
        "Questionnaire (questionnaire), Web questionnaire (web).",
    ]
    assert counts() == before


# ------------------------------------------------------------------------------------------ staff


def test_new_staff_get_an_unusable_password_and_an_invitation_after_commit(firm, django_capture_on_commit_callbacks):
    content = csv_bytes(
        [
            [*STAFF_HEADER, "language"],
            ["wangfang", "王芳", "wangfang@firm.example", "律师", "lit", "senior", "中文"],
            ["lilei", "李雷", "lilei@firm.example", "assistant", "lit", "wangfang", "English"],
        ]
    )

    with django_capture_on_commit_callbacks(execute=True):
        report = run("staff", content, by=firm.executor)

    assert report.committed and report.created == 2 and report.invitations_sent == 2
    lilei = StaffProfile.objects.get(user__username="lilei")
    assert (lilei.full_name, lilei.position, lilei.superior.full_name, lilei.language) == (
        "李雷",
        "assistant",
        "王芳",
        "en",
    )
    assert not User.objects.get(username="wangfang").has_usable_password()
    assert sorted(message.to[0] for message in mail.outbox) == ["lilei@firm.example", "wangfang@firm.example"]
    assert "/accounts/reset/" in mail.outbox[0].body
    assert ChangeRecord.objects.filter(action="import_create", by=firm.executor).count() == 2


def test_existing_staff_are_updated_and_not_invited_again(firm, django_capture_on_commit_callbacks):
    content = csv_bytes(
        [
            STAFF_HEADER,
            ["lawyer", "陈静", "chen.jing@firm.example", "lawyer", "corp", "outsider"],
            ["colleague", "刘洋", "colleague@firm.example", "lawyer", "lit", "senior"],
        ]
    )

    with django_capture_on_commit_callbacks(execute=True):
        report = run("staff", content, by=firm.executor)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    profile = StaffProfile.objects.select_related("user").get(user__username="lawyer")
    assert (profile.user.email, profile.department.code, profile.superior.full_name) == (
        "chen.jing@firm.example",
        "corp",
        "黄磊",
    )
    assert mail.outbox == []
    record = ChangeRecord.objects.get(action="import_update")
    assert record.changes["email"] == ["lawyer@firm.example", "chen.jing@firm.example"]
    assert record.changes["superior"] == ["周强", "黄磊"]


def test_a_superior_loop_is_refused_even_when_made_within_the_file(firm):
    before = counts()
    # Given the stored line lawyer → senior → partner, making partner report to lawyer closes a loop,
    # and two new people naming each other form another.
    content = csv_bytes(
        [
            STAFF_HEADER,
            ["partner", "王建国", "partner@firm.example", "lawyer", "lit", "lawyer"],
            ["newa", "甲", "a@firm.example", "lawyer", "lit", "newb"],
            ["newb", "乙", "b@firm.example", "lawyer", "lit", "newa"],
            ["newc", "丙", "c@firm.example", "lawyer", "lit", "newc"],
        ]
    )

    report = run("staff", content)

    assert messages_of(report) == [
        "2|superior|This superior would make the reporting line loop: partner → lawyer → senior → partner.",
        "3|superior|This superior would make the reporting line loop: newa → newb → newa.",
        "4|superior|This superior would make the reporting line loop: newb → newa → newb.",
        "5|superior|A person cannot be their own superior.",
    ]
    assert counts() == before


def test_staff_rows_with_bad_values_are_refused(firm):
    User.objects.create_user(username="admin", password="x-long-password")
    before = counts()
    content = csv_bytes(
        [
            STAFF_HEADER,
            ["bad name!", "甲", "a@firm.example", "lawyer", "lit", ""],
            ["newb", "乙", "not-an-email", "partner", "nowhere", ""],
            ["admin", "管理员", "admin@firm.example", "lawyer", "lit", ""],
        ]
    )

    report = run("staff", content)

    assert messages_of(report) == [
        "2|username|“bad name!” is not a valid username: use letters, digits and @ . + - _ only.",
        "3|email|“not-an-email” is not an e-mail address.",
        "3|position|“partner” is not an accepted value. Position (position) must be one of: Lawyer (lawyer), "
        "Assistant (assistant), Administrative staff (administrative).",
        "3|department|There is no department with code “nowhere”.",
        "4|username|A login “admin” already exists but is not a staff member.",
    ]
    assert counts() == before


def test_backslashes_tabs_quotes_and_null_markers_in_text_arrive_unchanged(books):
    # PostgreSQL's bulk path (COPY in CSV format) has its own quoting; these values must survive it and SQLite alike,
    # and an empty text must stay empty, never become NULL.
    content = csv_bytes(
        [
            CLIENT_HEADER,
            ["C040", "\\N", "单位", "", "", "a\tb\\c"],
            ["C041", "line\none", "单位", "", "", ""],
            ["C042", 'say "hi", then go', "单位", "", "", '""'],
        ]
    )

    assert run("clients", content).committed

    assert Client.objects.get(code="C042").name == 'say "hi", then go'
    assert Client.objects.get(code="C042").phone == '""'
    assert Client.objects.get(code="C041").phone == ""
    assert Client.objects.get(code="C041").referred_by is None
    assert ChangeRecord.objects.filter(object_repr__startswith="C04", by=None).count() == 3

    assert Client.objects.get(code="C040").name == "\\N"
    assert Client.objects.get(code="C040").phone == "a\tb\\c"
    assert Client.objects.get(code="C041").name == "line\none"
