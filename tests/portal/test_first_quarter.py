"""docs/first-quarter.md, step by step: from an empty, migrated database to the firm's first published quarter,
with only the commands and pages the document names (no personas, no admin, no model written by the test)."""

import io
import re

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from results.models import Scorecard
from reviews.models import Department, Quarter, QuarterState, StaffChange, StaffProfile

PASSWORD = "Erste-Quartal-2026!"
LINK = re.compile(r"https?://[^\s\"<>]+/accounts/reset/[^\s\"<>]+/")

# The files of docs/first-quarter.md, as written there.
DEPARTMENTS = """code,name,name_en,kind
adm,行政部,Administration,行政部门
lit,诉讼业务组,Litigation Group,业务组
biz,业务部,Business Department,业务部门
fin,财务部,Finance Department,财务部门
"""
STAFF = """username,full_name,email,position,department,superior,assessed,clerk_duties,execution
chenjing,陈静,chen@yourfirm.example,律师,lit,wangjg,是,,否
liuyang,刘洋,liu@yourfirm.example,律师,lit,wangjg,是,,否
sunli,孙丽,sun@yourfirm.example,助理,lit,chenjing,是,,否
zhoufang,周芳,zhou@yourfirm.example,行政,biz,zhaomin,是,biz,否
wuqiang,吴强,wu@yourfirm.example,行政,fin,zhaomin,是,fin,否
"""
CLIENTS = "code,name,kind\nC0001,华信科技有限公司,单位\n"
CONTRACTS = (
    "number,client,signed_on,originating_lawyer,responsible_lawyer,matter,fee\n"
    "HT-2026-0001,C0001,2026-07-15,chenjing,liuyang,买卖合同纠纷,120000.00\n"
)
REVENUE = "ref,contract,received_on,amount,credited_to\nSK-2026-00001,HT-2026-0001,2026-08-03,50000.00,chenjing\n"


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def manage(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def set_password_from_invitation(address):
    """Follow the invitation's link to the Set a new password page, as the person does."""
    (message,) = [message for message in mail.outbox if message.to == [address]]
    link = LINK.search(message.body).group(0)
    browser = Client()
    page = browser.get(link, follow=True)
    assert page.status_code == 200 and "new_password1" in page.content.decode()
    done = browser.post(page.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD}, follow=True)
    assert done.status_code == 200 and done.redirect_chain[-1][0] == reverse("password_reset_complete")


def sign_in(username):
    """The Sign in page, with the password the person set."""
    browser = Client()
    response = browser.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return browser


def import_on_the_page(browser, kind, content):
    """Import → upload → preview → confirm."""
    upload = SimpleUploadedFile(f"{kind}.csv", content.encode("utf-8"), content_type="text/csv")
    preview = browser.post(reverse("clients:import_upload", kwargs={"kind": kind}), {"file": upload}, follow=True)
    assert preview.status_code == 200 and preview.context["report"].ok, preview.context["report"].errors
    done = browser.post(reverse("clients:import_confirm", kwargs={"kind": kind}), {"token": preview.context["token"]})
    assert done.status_code == 302
    return preview.context["report"]


def test_from_an_empty_database_to_the_first_published_quarter(
    db, tmp_path, django_capture_on_commit_callbacks, settings
):
    assert not User.objects.exists() and not Department.objects.exists() and not Quarter.objects.exists()

    with time_machine.travel("2026-07-01 09:00 +0800") as clock:
        # 1. The first two members: firm_bootstrap; each sets a password from the invitation and signs in.
        with django_capture_on_commit_callbacks(execute=True):
            manage(
                "firm_bootstrap", "--username", "zhaomin", "--full-name", "赵敏", "--email", "zhao@yourfirm.example",
                "--department", "adm", "--department-name", "行政部", "--department-name-en", "Administration",
                "--execution", "--not-assessed",
            )  # fmt: skip
            manage(
                "firm_bootstrap", "--username", "wangjg", "--full-name", "王建国", "--email", "wang@yourfirm.example",
                "--department", "lit", "--department-name", "诉讼业务组", "--department-name-en", "Litigation Group",
                "--department-kind", "practice", "--position", "lawyer", "--leadership", "--not-assessed",
            )  # fmt: skip
        grants = StaffChange.objects.filter(kind="groups", source="command")
        assert sorted(grants.values_list("person__username", "after")) == [
            ("wangjg", "leadership"),
            ("zhaomin", "execution"),
        ]
        set_password_from_invitation("zhao@yourfirm.example")
        set_password_from_invitation("wang@yourfirm.example")
        zhaomin, wangjg = sign_in("zhaomin"), sign_in("wangjg")

        # 2. The departments: Import → Departments (the two the bootstrap made are updated, not doubled).
        report = import_on_the_page(zhaomin, "departments", DEPARTMENTS)
        assert (report.created, report.updated, report.unchanged) == (2, 0, 2)
        assert Department.objects.count() == 4

        # 3. The people: Import → Staff.
        with django_capture_on_commit_callbacks(execute=True):
            report = import_on_the_page(zhaomin, "staff", STAFF)
        assert report.created == 5
        assert sorted(User.objects.get(username="zhoufang").clerk_departments.values_list("code", flat=True)) == ["biz"]
        assert list(StaffProfile.objects.filter(assessed=False).values_list("user__username", flat=True).order_by(
            "user__username"
        )) == ["wangjg", "zhaomin"]  # fmt: skip
        for address in ("zhou@yourfirm.example", "wu@yourfirm.example", "chen@yourfirm.example"):
            set_password_from_invitation(address)

        # 4. and 5. The quarter and its scheme.
        assert "There is no quarter 2026Q3: start it on the Quarters page" in _refusal("scheme_submit", "zhaomin")
        manage("quarter_start", "2026Q3", "--by", "zhaomin")
        assert zhaomin.get(reverse("indicators:schemes")).status_code == 200
        manage("scheme_submit", "2026Q3", "--by", "zhaomin")
        manage("scheme_approve", "2026Q3", "--by", "wangjg")
        assert Quarter.objects.get().state == QuarterState.SCHEME_APPROVED

        # 6. Data collection, once the quarter has ended.
        assert "data collection starts after that" in _refusal("quarter_collect", "zhaomin")
        clock.move_to("2026-10-08 09:00 +0800")
        manage("quarter_collect", "2026Q3", "--by", "zhaomin")
        zhaomin, wangjg = sign_in("zhaomin"), sign_in("wangjg")  # a new day: their July sessions have expired

        # 7. The departments' data: import_data.
        for kind, content, clerk in (
            ("clients", CLIENTS, "zhoufang"),
            ("contracts", CONTRACTS, "zhoufang"),
            ("revenue", REVENUE, "wuqiang"),
        ):
            path = tmp_path / f"{kind}.csv"
            path.write_text(content, encoding="utf-8")
            assert "1 created" in manage("import_data", kind, str(path), "--user", clerk)
        assert zhaomin.get(reverse("portal:completeness", args=["2026Q3"])).status_code == 200

        # 8. The results: score_quarter, with the reason for what is still missing.
        manage(
            "score_quarter", "2026Q3", "--by", "zhaomin",
            "--incomplete-data-reason", "首个考核季度：投诉、满意度调查和评分自下季度起录入",
        )  # fmt: skip
        quarter = Quarter.objects.get()
        assert quarter.state == QuarterState.SCORED
        assert Scorecard.objects.filter(quarter=quarter, is_current=True).count() == 5

        # 9. The Report page's summary, then "Submit to the leadership group" on the quarter's page.
        response = zhaomin.post(
            reverse("portal:report", args=["2026Q3"]), {"text": "首个季度的考核结果，供领导小组审批。"}
        )
        assert response.status_code == 302
        response = zhaomin.post(
            reverse("portal:quarter_act", args=["2026Q3", "submit"]), {"expected_state": "scored", "comment": ""}
        )
        assert response.status_code == 302 and Quarter.objects.get().state == QuarterState.SUBMITTED

        # 10. The Approval page, as the partner.
        assert wangjg.get(reverse("portal:approval", args=["2026Q3"])).status_code == 200
        response = wangjg.post(
            reverse("portal:approval", args=["2026Q3"]),
            {"decision": "approve", "comment": "", "expected_state": "submitted"},
        )
        assert response.status_code == 302 and Quarter.objects.get().state == QuarterState.APPROVED

        # 11. "Publish the results" on the quarter's page.
        response = zhaomin.post(
            reverse("portal:quarter_act", args=["2026Q3", "publish"]), {"expected_state": "approved", "comment": ""}
        )
        assert response.status_code == 302 and Quarter.objects.get().state == QuarterState.PUBLISHED

    published = Scorecard.objects.filter(quarter__year=2026, quarter__number=3, status=Scorecard.Status.PUBLISHED)
    assert sorted(published.values_list("staff__user__username", flat=True)) == [
        "chenjing",
        "liuyang",
        "sunli",
        "wuqiang",
        "zhoufang",
    ]
    # Everyone assessed sees their result under My scorecards.
    with time_machine.travel("2026-10-09 09:00 +0800"):
        page = sign_in("chenjing").get(reverse("portal:my_scorecards"))
    assert page.status_code == 200 and "2026Q3" in page.content.decode()


def _refusal(command, by):
    # The pages before switched the thread to the firm's language (Chinese): read the refusal in English.
    with translation.override("en"), pytest.raises(CommandError) as refusal:
        manage(command, "2026Q3", "--by", by)
    return str(refusal.value)
