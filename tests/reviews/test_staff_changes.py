"""The record of role changes (reviews.staff_changes) and its page for the leadership group."""

import datetime
import io
import logging

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from clients.importing.services import import_run
from reviews.models import LEADERSHIP_GROUP, StaffChange, StaffProfile
from reviews.staff_changes import staff_changes_by
from tests.reviews.test_people_pages import edit_data

ZONE = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"


@pytest.fixture
def recorded(firm):
    mark = StaffChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return lambda: StaffChange.objects.filter(id__gt=mark).order_by("id")


def test_every_governed_change_on_the_people_page_is_recorded_with_who_and_before_and_after(firm, client_for, recorded):
    # Given the organiser moves the colleague: new superior, department, position, duties, groups, e-mail, inactive
    data = edit_data(
        firm,
        firm.colleague,
        superior=firm.partner.profile.pk,
        department=firm.corporate.pk,
        position="assistant",
        clerk_departments=[firm.finance.pk],
        execution="on",
        email="liu@firm.example",
        assessed=None,
        active=None,
    )
    data = {key: value for key, value in data.items() if value is not None}
    response = client_for(firm.executor).post(reverse("reviews:person_edit", args=[firm.colleague.profile.pk]), data)
    assert response.status_code == 302
    # Then each change is one row: the colleague's, by the organiser, through the people page
    rows = {row.kind: (row.before, row.after) for row in recorded()}
    assert rows == {
        "email": ("colleague@firm.example", "liu@firm.example"),
        "position": ("lawyer", "assistant"),
        "department": ("lit", "corp"),
        "superior": ("周强 (senior)", "王建国 (partner)"),
        "assessed": ("yes", "no"),
        "active": ("yes", "no"),
        "groups": ("", "execution"),
        "clerk_duties": ("", "fin"),
    }
    assert {(row.person_id, row.by_id, row.source) for row in recorded()} == {
        (firm.colleague.pk, firm.executor.pk, "people_page")
    }


def test_a_change_made_in_a_shell_is_recorded_as_such(firm, recorded):
    firm.lawyer.groups.add(Group.objects.get(name=LEADERSHIP_GROUP))
    (row,) = recorded()
    assert (row.person_id, row.kind, row.before, row.after, row.by, row.source) == (
        firm.lawyer.pk,
        "groups",
        "",
        "leadership",
        None,
        "unattributed",
    )


def test_a_clerk_duty_given_from_the_department_side_is_recorded_for_the_person(firm, recorded):
    with staff_changes_by(firm.executor, StaffChange.Source.ADMIN):
        firm.finance.clerks.add(firm.lawyer)
    (row,) = recorded()
    assert (row.person_id, row.kind, row.after, row.by_id, row.source) == (
        firm.lawyer.pk,
        "clerk_duties",
        "fin",
        firm.executor.pk,
        "admin",
    )


def test_a_change_that_is_rolled_back_leaves_no_row_and_no_log_line(firm, recorded, caplog):
    with caplog.at_level(logging.INFO, logger="security"), pytest.raises(RuntimeError), transaction.atomic():
        firm.lawyer.groups.add(Group.objects.get(name=LEADERSHIP_GROUP))
        raise RuntimeError("the request failed")
    assert not recorded().exists()
    assert "people.role_changed" not in caplog.text


def test_a_committed_change_is_written_to_the_security_log(
    firm, client_for, recorded, caplog, django_capture_on_commit_callbacks
):
    data = edit_data(firm, firm.superior, leadership="on")
    with caplog.at_level(logging.INFO, logger="security"), django_capture_on_commit_callbacks(execute=True):
        client_for(firm.partner).post(reverse("reviews:person_edit", args=[firm.superior.profile.pk]), data)
    lines = [
        record.security
        for record in caplog.records
        if getattr(record, "security", {}).get("event") == "people.role_changed"
    ]
    assert lines == [
        {
            "event": "people.role_changed",
            "user": f"partner#{firm.partner.pk}",
            "person": f"senior#{firm.superior.pk}",
            "kind": "groups",
            "before": "-",
            "after": "leadership",
            "source": "people_page",
        }
    ]


# ------------------------------------------------------------------------------------------- the staff import


def staff_file(*rows):
    header = "username,email,full_name,position,department,superior,language"
    return io.BytesIO(("\n".join([header, *rows]) + "\n").encode())


def test_the_staff_import_records_its_changes_as_the_import(firm, recorded):
    # Given a file that moves the lawyer to the corporate group and adds a new assistant under them
    stream = staff_file(
        "lawyer,lawyer@firm.example,陈静,lawyer,corp,outsider,zh-hans",
        "newasst,new@firm.example,吴新,assistant,corp,lawyer,zh-hans",
    )
    report = import_run(kind="staff", stream=stream, file_name="staff.csv", by=firm.executor, commit=True)
    assert report.committed, report.errors
    new = User.objects.get(username="newasst")
    rows = {(row.person_id, row.kind): (row.before, row.after) for row in recorded()}
    assert rows[(firm.lawyer.pk, "department")] == ("lit", "corp")
    assert rows[(firm.lawyer.pk, "superior")] == ("周强 (senior)", "黄磊 (outsider)")
    assert rows[(new.pk, "superior")] == ("", "陈静 (lawyer)")
    assert rows[(new.pk, "email")] == ("", "new@firm.example")
    assert {(row.by_id, row.source) for row in recorded()} == {(firm.executor.pk, "import")}


def test_the_staff_import_refuses_a_partners_new_e_mail_and_the_importers_own_move(firm, recorded):
    stream = staff_file(
        "partner,me@elsewhere.example,王建国,lawyer,lit,,zh-hans",
        "executor,executor@firm.example,赵敏,administrative,corp,,zh-hans",
    )
    report = import_run(kind="staff", stream=stream, file_name="staff.csv", by=firm.executor, commit=True)
    assert not report.committed
    messages = " ".join(error.message for error in report.errors)
    assert "Only a member of the leadership group changes a leadership member's username, e-mail" in messages
    assert "Nobody changes their own groups, data duties or place in the firm" in messages
    assert User.objects.get(pk=firm.partner.pk).email == "partner@firm.example"
    assert StaffProfile.objects.get(user=firm.executor).department == firm.administrative
    assert not recorded().exists()


# ------------------------------------------------------------------------------------------------ the page


def test_the_partner_reads_the_record_with_filters(firm, client_for, recorded):
    # Given two changes on different days by different people
    march, may = datetime.datetime(2026, 3, 2, 10, tzinfo=ZONE), datetime.datetime(2026, 5, 9, 10, tzinfo=ZONE)
    with time_machine.travel(march, tick=False), staff_changes_by(firm.partner, StaffChange.Source.PEOPLE_PAGE):
        firm.superior.groups.add(Group.objects.get(name=LEADERSHIP_GROUP))
    with time_machine.travel(may, tick=False), staff_changes_by(firm.executor, StaffChange.Source.PEOPLE_PAGE):
        firm.finance.clerks.add(firm.assistant)
    browser = client_for(firm.partner)
    # When the partner opens the record
    text = browser.get(reverse("reviews:staff_changes")).content.decode()
    table = text[text.index('id="staff-changes"') :]
    assert "2026-03-02 10:00" in table and "Leadership group" in table and "周强" in table
    assert "2026-05-09 10:00" in table and "Finance Department" in table and "杨光" in table
    # Then each filter narrows it
    for query, shown, hidden in [
        ({"person": firm.superior.pk}, "周强", "杨光"),
        ({"by": firm.executor.pk}, "杨光", "周强"),
        ({"kind": "clerk_duties"}, "杨光", "周强"),
        ({"since": "2026-04-01", "until": "2026-05-31"}, "杨光", "周强"),
        ({"until": "2026-03-02"}, "周强", "杨光"),
    ]:
        page = browser.get(reverse("reviews:staff_changes"), query).content.decode()
        rows = page[page.index("<tbody>") :]
        assert shown in rows and hidden not in rows, query


def test_a_backwards_date_range_is_answered_next_to_the_field(firm, client_for):
    page = client_for(firm.partner).get(
        reverse("reviews:staff_changes"), {"since": "2026-05-01", "until": "2026-04-01"}
    )
    assert "The end of the range comes before its start." in page.content.decode()


def test_the_record_is_paged(firm, client_for):
    with staff_changes_by(firm.partner, StaffChange.Source.PEOPLE_PAGE):
        for _ in range(30):
            firm.lawyer.groups.add(Group.objects.get(name=LEADERSHIP_GROUP))
            firm.lawyer.groups.remove(Group.objects.get(name=LEADERSHIP_GROUP))
    browser = client_for(firm.partner)
    text = browser.get(reverse("reviews:staff_changes"), {"person": firm.lawyer.pk}).content.decode()
    assert text.split("<tbody>")[1].count("<tr>") == 50 and "Page 1 of 2" in text
    text = browser.get(reverse("reviews:staff_changes"), {"person": firm.lawyer.pk, "page": 2}).content.decode()
    assert text.split("<tbody>")[1].count("<tr>") == StaffChange.objects.filter(person=firm.lawyer).count() - 50


def test_the_record_reads_in_chinese(firm, client_for):
    with staff_changes_by(firm.partner, StaffChange.Source.PEOPLE_PAGE):
        firm.superior.groups.add(Group.objects.get(name=LEADERSHIP_GROUP))
    browser = client_for(firm.partner)
    browser.cookies["django_language"] = "zh-hans"
    text = browser.get(reverse("reviews:staff_changes")).content.decode()
    with translation.override("zh-hans"):
        assert str(StaffChange.Kind.GROUPS.label) in text and "考核领导小组" in text
    assert "People page" not in text


@pytest.mark.parametrize("persona", ["executor", "admin_clerk", "lawyer", "superior"])
def test_everyone_but_the_leadership_group_is_refused_the_record(firm, client_for, persona):
    assert client_for(firm.personas[persona]).get(reverse("reviews:staff_changes")).status_code == 403


def test_the_people_page_links_the_record_for_leadership_only(firm, client_for):
    link = reverse("reviews:staff_changes")
    assert link in client_for(firm.partner).get(reverse("reviews:people")).content.decode()
    assert link not in client_for(firm.executor).get(reverse("reviews:people")).content.decode()


# ------------------------------------------------------------------------------------------ firm_bootstrap


def bootstrap(*args):
    out = io.StringIO()
    call_command("firm_bootstrap", *args, stdout=out)
    return out.getvalue()


def test_a_new_firm_gets_its_first_members_from_the_command(db, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        bootstrap(
            "--username", "zhaomin", "--full-name", "赵敏", "--email", "zhao@firm.example",
            "--department", "adm", "--department-name", "行政部", "--execution",
        )  # fmt: skip
        said = bootstrap(
            "--username", "wangjg", "--full-name", "王建国", "--email", "wang@firm.example", "--department", "lit",
            "--department-name", "诉讼业务组", "--department-kind", "practice", "--position", "lawyer",
            "--leadership", "--not-assessed",
        )  # fmt: skip
    assert "Added 王建国 (wangjg) to the leadership group" in said
    partner = User.objects.get(username="wangjg")
    assert list(partner.groups.values_list("name", flat=True)) == ["leadership"]
    assert partner.profile.assessed is False and partner.profile.department.kind == "practice"
    assert not partner.has_usable_password()
    assert sorted(message.to[0] for message in mailoutbox) == ["wang@firm.example", "zhao@firm.example"]
    grants = StaffChange.objects.filter(kind="groups").order_by("id")
    assert [(row.person.username, row.after, row.source, row.by) for row in grants] == [
        ("zhaomin", "execution", "command", None),
        ("wangjg", "leadership", "command", None),
    ]


def test_the_command_refuses_once_the_firm_has_a_leadership_member(firm):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="already has a leadership group"):
        bootstrap(
            "--username", "x", "--full-name", "X", "--email", "x@firm.example", "--department", "lit", "--leadership",
        )  # fmt: skip
    assert not User.objects.filter(username="x").exists()
    bootstrap(
        "--username", "x", "--full-name", "X", "--email", "x@firm.example", "--department", "lit", "--leadership",
        "--allow-existing-leadership", "--no-invite",
    )  # fmt: skip
    assert User.objects.get(username="x").groups.get().name == "leadership"
