"""The imports a new firm starts from: its departments, then its people with their assessment, data duties and
execution-group membership (docs/import-formats.md). Leadership membership is never imported (regulation 二.1)."""

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from clients.models import ChangeRecord
from reviews.models import EXECUTION_GROUP, Department, StaffChange, StaffProfile
from tests.clients.test_import_parsing import csv_bytes, messages_of, run, xlsx_bytes

pytestmark = pytest.mark.django_db

DEPARTMENT_HEADER = ["code", "name", "name_en", "kind"]
STAFF_HEADER = ["username", "full_name", "email", "position", "department", "superior", "assessed", "execution"]


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


def departments_file(*rows, header=DEPARTMENT_HEADER):
    return csv_bytes([header, *rows])


def test_departments_are_created_with_both_names_and_a_change_record(firm):
    report = run(
        "departments",
        departments_file(["ip", "知识产权业务组", "IP Group", "业务组"], ["hr", "人事部", "", "行政部门"]),
        by=firm.executor,
    )
    assert report.ok and report.committed and report.created == 2, messages_of(report)
    ip, hr = Department.objects.get(code="ip"), Department.objects.get(code="hr")
    assert (ip.name_zh, ip.name_en, ip.kind) == ("知识产权业务组", "IP Group", "practice")
    assert hr.kind == "administrative"
    record = ChangeRecord.objects.get(object_id=str(ip.pk), action=ChangeRecord.Action.IMPORT_CREATE)
    assert record.by == firm.executor and record.changes["name_zh"] == [None, "知识产权业务组"]


def test_a_department_without_an_english_name_column_is_named_in_chinese_in_both(db):
    report = run(
        "departments", departments_file(["ip", "知识产权业务组", "业务组"], header=["代码", "部门名称", "部门类型"])
    )
    assert report.committed, messages_of(report)
    assert Department.objects.values_list("name_zh", "name_en").get(code="ip") == ("知识产权业务组", "知识产权业务组")


def test_reimporting_departments_updates_only_what_changed(firm):
    rows = [["lit", "诉讼部", "Litigation", "practice"]]
    report = run("departments", departments_file(*rows), by=firm.executor)
    assert report.updated == 1 and report.committed, messages_of(report)
    assert Department.objects.get(code="lit").name_zh == "诉讼部"
    again = run("departments", departments_file(*rows), by=firm.executor)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_a_bad_department_row_imports_nothing(db):
    report = run(
        "departments",
        departments_file(
            ["ip", "知识产权业务组", "IP", "practice"],
            ["人事 部", "人事部", "HR", "行政"],
            ["hr", "人事部", "HR", "部门"],
        ),
    )
    assert not report.committed and not Department.objects.exists()
    messages = messages_of(report)
    assert any("not a valid department code" in message for message in messages), messages
    assert any("“部门” is not an accepted value" in message for message in messages), messages


def staff_file(*rows, header=STAFF_HEADER):
    return csv_bytes([header, *rows])


def test_staff_import_sets_assessed_and_execution_membership_and_records_them(firm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = run(
            "staff",
            staff_file(
                ["wangjg", "王建国", "wang@firm.example", "律师", "lit", "", "否", "否"],
                ["zhaomin", "赵敏", "zhao@firm.example", "行政", "adm", "", "yes", "是"],
            ),
            by=firm.executor,
        )
    assert report.committed, messages_of(report)
    partner = StaffProfile.objects.get(user__username="wangjg")
    clerk = User.objects.get(username="zhaomin")
    assert partner.assessed is False and not partner.user.groups.exists()
    assert clerk.profile.assessed is True and list(clerk.groups.values_list("name", flat=True)) == [EXECUTION_GROUP]
    changes = set(
        StaffChange.objects.filter(source="import", by=firm.executor).values_list("person__username", "kind", "after")
    )
    assert ("wangjg", "assessed", "no") in changes and ("zhaomin", "groups", "execution") in changes
    assert ("zhaomin", "assessed", "yes") not in changes


def test_staff_import_sets_data_duties_from_department_codes(firm):
    header = ["username", "full_name", "email", "position", "department", "superior", "clerk_duties"]
    report = run(
        "staff",
        staff_file(["liting", "李婷", "li@firm.example", "行政", "adm", "", "fin、biz"], header=header),
        by=firm.executor,
    )
    assert report.committed, messages_of(report)
    user = User.objects.get(username="liting")
    assert sorted(user.clerk_departments.values_list("code", flat=True)) == ["biz", "fin"]
    change = StaffChange.objects.get(person=user, kind="clerk_duties")
    assert (change.after, change.source, change.by) == ("biz,fin", "import", firm.executor)
    # The column present and the cell empty: no duties any more.
    report = run(
        "staff",
        staff_file(["liting", "李婷", "li@firm.example", "行政", "adm", "", ""], header=header),
        by=firm.executor,
    )
    assert report.updated == 1 and report.committed, messages_of(report)
    assert not user.clerk_departments.exists()


def test_unknown_duty_departments_are_refused(firm):
    header = ["username", "full_name", "email", "position", "department", "superior", "clerk_duties"]
    report = run(
        "staff",
        staff_file(["liting", "李婷", "li@firm.example", "行政", "adm", "", "fin, nowhere"], header=header),
        by=firm.executor,
    )
    assert not report.committed and not User.objects.filter(username="liting").exists()
    assert any("There is no department with code “nowhere”" in message for message in messages_of(report))


def superior_of(profile):
    return profile.superior.user.username if profile.superior else ""


def test_existing_people_keep_assessed_and_groups_when_the_cells_are_empty(firm):
    executor = firm.executor.profile
    row = [
        "executor", executor.full_name, firm.executor.email, executor.position, executor.department.code,
        superior_of(executor), "", "",
    ]  # fmt: skip
    report = run("staff", staff_file(row), by=firm.partner)
    assert report.ok and report.unchanged == 1, messages_of(report)
    assert firm.executor.groups.filter(name=EXECUTION_GROUP).exists()


def test_an_execution_member_cannot_change_their_own_membership_or_assessment(firm):
    executor = firm.executor.profile
    row = [
        "executor", executor.full_name, firm.executor.email, executor.position, executor.department.code,
        superior_of(executor), "no", "no",
    ]  # fmt: skip
    report = run("staff", staff_file(row), by=firm.executor)
    assert not report.committed
    messages = messages_of(report)
    assert any("|execution|Nobody changes their own groups" in message for message in messages), messages
    assert any("|assessed|Nobody changes their own groups" in message for message in messages), messages
    firm.executor.profile.refresh_from_db()
    assert firm.executor.groups.filter(name=EXECUTION_GROUP).exists() and firm.executor.profile.assessed


def test_another_member_removes_someone_from_the_execution_group(firm):
    executor = firm.executor.profile
    row = [
        "executor", executor.full_name, firm.executor.email, executor.position, executor.department.code,
        superior_of(executor), "", "no",
    ]  # fmt: skip
    report = run("staff", staff_file(row), by=firm.partner)
    assert report.committed and report.updated == 1, messages_of(report)
    assert not firm.executor.groups.filter(name=EXECUTION_GROUP).exists()
    changes = StaffChange.objects.filter(person=firm.executor, kind="groups", source="import")
    assert list(changes.values_list("before", "after", "by", "source")) == [
        ("execution", "", firm.partner.pk, "import")
    ]


@pytest.mark.parametrize("header", ["leadership", "领导小组"])
def test_leadership_membership_is_never_imported(firm, header):
    report = run(
        "staff",
        staff_file(["x", "X", "x@firm.example", "律师", "lit", "", "yes"], header=[*STAFF_HEADER[:6], header]),
        by=firm.partner,
    )
    assert not report.committed and not User.objects.filter(username="x").exists()
    assert "Leadership membership is not imported" in messages_of(report)[0]


def test_yes_no_cells_from_a_workbook(firm):
    content = xlsx_bytes([STAFF_HEADER, ["x", "X", "x@firm.example", "律师", "lit", "", False, True]])
    report = run("staff", content, by=firm.executor, name="staff.xlsx")
    assert report.committed, messages_of(report)
    user = User.objects.get(username="x")
    assert user.profile.assessed is False and user.groups.filter(name=EXECUTION_GROUP).exists()


def test_a_yes_no_cell_with_another_word_is_refused(firm):
    report = run("staff", staff_file(["x", "X", "x@firm.example", "律师", "lit", "", "maybe", ""]), by=firm.executor)
    assert not report.committed
    assert "must be yes or no" in messages_of(report)[0]
