"""People management (docs/regulation.md, "Governed roles"): the execution group adds, changes, deactivates and
invites people."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse

from reviews.models import StaffProfile
from reviews.roles import roles_of


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"


def person_data(firm, **changes):
    data = {
        "username": "newlawyer",
        "full_name": "吴晓明",
        "email": "wu@firm.example",
        "position": "lawyer",
        "department": firm.litigation.pk,
        "superior": firm.superior.profile.pk,
        "language": "zh-hans",
        "assessed": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def edit_data(firm, user, **changes):
    profile = user.profile
    data = {
        "username": user.username,
        "full_name": profile.full_name,
        "email": user.email,
        "position": profile.position,
        "department": profile.department_id,
        "superior": profile.superior_id or "",
        "language": profile.language,
        "assessed": "on" if profile.assessed else None,
        "active": "on" if profile.active else None,
        "clerk_departments": [d.pk for d in user.clerk_departments.all()],
        "leadership": "on" if roles_of(user).is_leadership else None,
        "execution": "on" if roles_of(user).is_execution else None,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def field_block(html, name):
    match = re.search(rf'<div id="div_id_{name}".*?(?=<div id="div_id_|</fieldset>)', html, re.S)
    assert match, f"no field {name} on the page"
    return match.group(0)


def test_adding_a_person_creates_the_account_and_e_mails_a_working_invitation(
    firm, client_for, client, django_capture_on_commit_callbacks
):
    # Given the execution group fills in the form for a new lawyer who also provides finance data
    browser = client_for(firm.executor)
    data = person_data(firm, clerk_departments=[firm.finance.pk], language="en")
    # When they save it
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(reverse("reviews:person_add"), data, follow=True)
    # Then the person exists with their place in the firm and duties, and the people page says so
    profile = StaffProfile.objects.select_related("user").get(user__username="newlawyer")
    assert (profile.full_name, profile.position, profile.department, profile.superior) == (
        "吴晓明",
        "lawyer",
        firm.litigation,
        firm.superior.profile,
    )
    assert not profile.user.has_usable_password()
    assert list(profile.user.clerk_departments.all()) == [firm.finance]
    assert roles_of(profile.user).can_edit_data("revenue")
    text = response.content.decode()
    assert "吴晓明 was added" in text and "wu@firm.example" in text
    # And one invitation went to them, with a link that really sets a password
    assert len(mail.outbox) == 1
    invitation = mail.outbox[0]
    assert invitation.to == ["wu@firm.example"] and "newlawyer" in invitation.body
    link = re.search(r"https?://\S+/accounts/reset/\S+/", invitation.body).group(0)
    client.logout()
    form_page = client.get(link[link.index("/accounts/") :], follow=True)
    assert form_page.status_code == 200 and 'name="new_password1"' in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-long-new-password-7", "new_password2": "a-long-new-password-7"},
    )
    assert done.status_code == 302
    assert client.login(username="newlawyer", password="a-long-new-password-7")


def test_adding_a_member_of_the_groups(firm, client_for, django_capture_on_commit_callbacks):
    # Regulation 二.1: a new leadership member is added by the leadership group (reviews.governance).
    with django_capture_on_commit_callbacks(execute=True):
        client_for(firm.partner).post(
            reverse("reviews:person_add"),
            person_data(
                firm, username="partner2", email="p2@firm.example", leadership="on", assessed=None, superior=""
            ),
        )
        client_for(firm.executor).post(
            reverse("reviews:person_add"), person_data(firm, username="exec2", email="e2@firm.example", execution="on")
        )
    user = User.objects.get(username="partner2")
    assert roles_of(user).is_leadership and not roles_of(user).is_execution
    assert user.profile.assessed is False and user.profile.superior is None
    assert roles_of(User.objects.get(username="exec2")).is_execution


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": "LAWYER"}, "username", "Someone already has this username."),
        ({"username": "bad name!"}, "username", "Enter a valid username"),
        ({"email": "lawyer@firm.example"}, "email", "Someone already uses this e-mail address."),
        ({"email": "nope"}, "email", "Enter a valid email address."),
        ({"full_name": ""}, "full_name", "This field is required."),
        ({"position": "partner"}, "position", "Select a valid choice."),
    ],
)
def test_bad_input_for_a_new_person_is_answered_next_to_the_field(
    firm, client_for, django_capture_on_commit_callbacks, changes, field, message
):
    users_before = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(firm.executor).post(reverse("reviews:person_add"), person_data(firm, **changes))
    assert response.status_code == 200
    block = field_block(response.content.decode(), field)
    assert "is-invalid" in block and message in block
    assert User.objects.count() == users_before and not mail.outbox


def test_a_superior_that_would_loop_is_refused_next_to_the_field(firm, client_for):
    # Given senior reports to the partner; when the partner is made to report to the lawyer below senior
    data = edit_data(firm, firm.partner, superior=firm.lawyer.profile.pk)
    response = client_for(firm.executor).post(reverse("reviews:person_edit", args=[firm.partner.profile.pk]), data)
    # Then the form says so at the superior and nothing changes
    block = field_block(response.content.decode(), "superior")
    assert "This superior would make the reporting line loop." in block
    firm.partner.profile.refresh_from_db()
    assert firm.partner.profile.superior is None


def test_nobody_is_offered_as_their_own_superior(firm, client_for):
    html = client_for(firm.executor).get(reverse("reviews:person_edit", args=[firm.lawyer.profile.pk])).content
    block = field_block(html.decode(), "superior")
    assert f'value="{firm.lawyer.profile.pk}"' not in block and "周强" in block


def test_editing_changes_the_person_their_groups_and_duties(firm, client_for):
    data = edit_data(
        firm,
        firm.colleague,
        full_name="刘洋洋",
        superior=firm.partner.profile.pk,
        execution="on",
        clerk_departments=[firm.administrative.pk],
    )
    response = client_for(firm.executor).post(reverse("reviews:person_edit", args=[firm.colleague.profile.pk]), data)
    assert response.status_code == 302
    profile = StaffProfile.objects.get(pk=firm.colleague.profile.pk)
    assert profile.full_name == "刘洋洋" and profile.superior == firm.partner.profile
    fresh = User.objects.get(pk=firm.colleague.pk)
    assert roles_of(fresh).is_execution and roles_of(fresh).can_edit_data("complaints")


def test_a_deactivated_person_can_no_longer_sign_in_but_keeps_their_profile(firm, client_for, client):
    data = edit_data(firm, firm.outsider, active=None)
    client_for(firm.executor).post(reverse("reviews:person_edit", args=[firm.outsider.profile.pk]), data)
    profile = StaffProfile.objects.get(pk=firm.outsider.profile.pk)
    assert profile.active is False and profile.user.is_active is False
    client.logout()
    assert not client.login(username="outsider", password="pw-for-tests-1")
    table = client_for(firm.executor).get(reverse("reviews:people"), {"active": "0"}).content.decode()
    table = table[table.index("<tbody>") :]
    assert "黄磊" in table and "周强" not in table


def test_the_execution_group_cannot_lock_itself_out(firm, client_for):
    data = edit_data(firm, firm.executor, execution=None, active=None)
    response = client_for(firm.executor).post(reverse("reviews:person_edit", args=[firm.executor.profile.pk]), data)
    html = response.content.decode()
    assert "Nobody changes their own groups, data duties or place in the firm" in field_block(html, "execution")
    assert "Nobody changes their own groups, data duties or place in the firm" in field_block(html, "active")
    assert roles_of(User.objects.get(pk=firm.executor.pk)).is_execution


def test_an_invitation_can_be_sent_again(firm, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(firm.executor).post(
            reverse("reviews:person_invite", args=[firm.lawyer.profile.pk]), follow=True
        )
    assert "A new invitation was sent to 陈静" in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["lawyer@firm.example"]
    assert "/accounts/reset/" in mail.outbox[0].body
    # The link sets the lawyer's password: the outbox keeps none of the e-mail's text once it is sent
    from notifications.models import Notice

    sent = Notice.objects.get(kind="staff_invitation", recipient=firm.lawyer)
    assert sent.status == "sent" and "/accounts/reset/" not in sent.body_text + sent.body_html


def test_an_inactive_person_or_one_without_e_mail_is_not_invited(firm, client_for):
    browser = client_for(firm.executor)
    StaffProfile.objects.filter(pk=firm.outsider.profile.pk).update(active=False)
    User.objects.filter(pk=firm.assistant.pk).update(email="")
    text = browser.post(reverse("reviews:person_invite", args=[firm.outsider.profile.pk]), follow=True).content
    assert "is inactive" in text.decode()
    text = browser.post(reverse("reviews:person_invite", args=[firm.assistant.profile.pk]), follow=True).content
    assert "has no e-mail address" in text.decode()
    assert not mail.outbox


def test_an_invitation_is_sent_by_post_only(firm, client_for):
    assert (
        client_for(firm.executor).get(reverse("reviews:person_invite", args=[firm.lawyer.profile.pk])).status_code
        == 405
    )
    assert not mail.outbox


def test_the_people_page_offers_management_to_the_execution_group(firm, client_for):
    text = client_for(firm.executor).get(reverse("reviews:people")).content.decode()
    assert reverse("reviews:person_add") in text
    assert reverse("reviews:person_edit", args=[firm.lawyer.profile.pk]) in text
    assert reverse("reviews:person_invite", args=[firm.lawyer.profile.pk]) in text


def test_the_people_page_shows_the_data_provider_departments_and_their_clerks(firm, client_for):
    text = client_for(firm.partner).get(reverse("reviews:people")).content.decode()
    departments = text[text.index('id="data-departments"') :]
    departments = departments[: departments.index("</ul>")]
    assert "Business Department" in departments and "钱芳" in departments
    assert "Finance Department" in departments and "孙丽" in departments
    assert "Administrative Department" in departments and "李娜" in departments
    assert "Litigation Group" not in departments


def test_leadership_governs_the_people_page_too(firm, client_for):
    # Regulation 二.1: the leadership group alone grants leadership, so it may add and change people as well.
    browser = client_for(firm.partner)
    text = browser.get(reverse("reviews:people")).content.decode()
    assert (
        reverse("reviews:person_add") in text and reverse("reviews:person_edit", args=[firm.lawyer.profile.pk]) in text
    )
    data = edit_data(firm, firm.lawyer, full_name="改名")
    assert browser.post(reverse("reviews:person_edit", args=[firm.lawyer.profile.pk]), data).status_code == 302
    assert StaffProfile.objects.get(pk=firm.lawyer.profile.pk).full_name == "改名"


@pytest.mark.parametrize(
    "persona",
    ["business_clerk", "finance_clerk", "admin_clerk", "superior", "lawyer", "colleague", "assistant", "outsider"],
)
def test_everyone_outside_the_groups_is_refused_every_people_page(firm, client_for, persona):
    browser = client_for(firm.personas[persona])
    pk = firm.lawyer.profile.pk
    assert browser.get(reverse("reviews:people")).status_code == 403
    assert browser.get(reverse("reviews:person_add")).status_code == 403
    assert browser.post(reverse("reviews:person_add"), person_data(firm)).status_code == 403
    assert browser.get(reverse("reviews:person_edit", args=[pk])).status_code == 403
    assert browser.post(reverse("reviews:person_invite", args=[pk])).status_code == 403
    assert not User.objects.filter(username="newlawyer").exists() and not mail.outbox


def test_anonymous_visitors_are_sent_to_login_from_the_people_pages(firm, client):
    pk = firm.lawyer.profile.pk
    for url in (reverse("reviews:person_add"), reverse("reviews:person_edit", args=[pk])):
        assert client.get(url)["Location"].startswith(reverse("login"))
    assert client.post(reverse("reviews:person_invite", args=[pk]))["Location"].startswith(reverse("login"))


def test_a_missing_person_is_404_for_the_execution_group(firm, client_for):
    assert client_for(firm.executor).get(reverse("reviews:person_edit", args=[999999])).status_code == 404
