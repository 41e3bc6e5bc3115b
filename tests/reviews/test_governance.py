"""Governed roles (reviews.governance): who may change whose groups, duties, place in the firm and sign-in.

Each test is a person trying it: the organiser (the execution-group member) on their own page, on a new person, on
the partner; the partner doing what only the leadership group may.
"""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse

from reviews.models import StaffChange, StaffProfile
from reviews.roles import roles_of
from tests.reviews.test_people_pages import edit_data, field_block, person_data

ONLY_LEADERSHIP_GRANTS = "Only a member of the leadership group grants or revokes leadership membership"
NOT_ON_YOURSELF = "Nobody changes their own groups, data duties or place in the firm"
LEADERSHIP_SIGN_IN = "Only a member of the leadership group changes a leadership member&#x27;s username, e-mail"
LEADERSHIP_INVITE = "Only a member of the leadership group sends a leadership member a new invitation"


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"


@pytest.fixture
def recorded(firm):
    """The role changes recorded since the firm was built (building it records who started where)."""
    mark = StaffChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return lambda: StaffChange.objects.filter(id__gt=mark).order_by("id")


def fresh(user):
    return User.objects.select_related("profile").get(pk=user.pk)


def test_the_organiser_ticks_leadership_on_their_own_page_and_is_refused(firm, client_for, recorded):
    # Given the execution-group member opens their own page and ticks "leadership group"
    data = edit_data(firm, firm.executor, leadership="on")
    # When they save it
    response = client_for(firm.executor).post(reverse("reviews:person_edit", args=[firm.executor.profile.pk]), data)
    # Then the page says which rule refuses it, nothing changed and nothing was recorded
    assert response.status_code == 200
    assert ONLY_LEADERSHIP_GRANTS in field_block(response.content.decode(), "leadership")
    assert not roles_of(fresh(firm.executor)).is_leadership
    assert not recorded().exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("execution", None),
        ("clerk_departments", "finance"),
        ("position", "lawyer"),
        ("superior", None),
        ("assessed", None),
        ("active", None),
    ],
)
def test_nobody_changes_their_own_groups_duties_or_place(firm, client_for, recorded, field, value):
    # The execution-group member tries each governed field of their own record
    if value == "finance":
        value = [firm.finance.pk]
    data = edit_data(firm, firm.executor, **{field: value if value is not None else ""})
    if value is None:
        data.pop(field)
    before = StaffProfile.objects.values().get(pk=firm.executor.profile.pk)
    response = client_for(firm.executor).post(reverse("reviews:person_edit", args=[firm.executor.profile.pk]), data)
    assert NOT_ON_YOURSELF in field_block(response.content.decode(), field)
    assert StaffProfile.objects.values().get(pk=firm.executor.profile.pk) == before
    assert roles_of(fresh(firm.executor)).is_execution and not fresh(firm.executor).clerk_departments.exists()
    assert not recorded().exists()


def test_a_person_may_still_correct_their_own_name_and_e_mail(firm, client_for, recorded):
    data = edit_data(firm, firm.executor, full_name="赵敏敏", email="zhao@firm.example")
    response = client_for(firm.executor).post(reverse("reviews:person_edit", args=[firm.executor.profile.pk]), data)
    assert response.status_code == 302
    assert fresh(firm.executor).email == "zhao@firm.example"
    (change,) = recorded()
    assert (change.kind, change.before, change.after, change.by) == (
        "email",
        "executor@firm.example",
        "zhao@firm.example",
        firm.executor,
    )


def test_the_organiser_adds_a_new_person_with_leadership_membership_and_is_refused(
    firm, client_for, django_capture_on_commit_callbacks
):
    data = person_data(firm, username="sock", email="sock@elsewhere.example", leadership="on")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(firm.executor).post(reverse("reviews:person_add"), data)
    assert ONLY_LEADERSHIP_GRANTS in field_block(response.content.decode(), "leadership")
    assert not User.objects.filter(username="sock").exists()
    assert not mail.outbox


def test_the_organiser_cannot_revoke_a_partners_leadership(firm, client_for):
    data = edit_data(firm, firm.partner, leadership=None)
    response = client_for(firm.executor).post(reverse("reviews:person_edit", args=[firm.partner.profile.pk]), data)
    assert ONLY_LEADERSHIP_GRANTS in field_block(response.content.decode(), "leadership")
    assert roles_of(fresh(firm.partner)).is_leadership


@pytest.mark.parametrize(
    ("field", "value"), [("email", "me@elsewhere.example"), ("username", "wang2"), ("active", None)]
)
def test_the_organiser_cannot_change_a_partners_sign_in(firm, client_for, field, value):
    data = edit_data(firm, firm.partner, **{field: value or ""})
    if value is None:
        data.pop(field)
    response = client_for(firm.executor).post(reverse("reviews:person_edit", args=[firm.partner.profile.pk]), data)
    assert LEADERSHIP_SIGN_IN in field_block(response.content.decode(), field)
    partner = fresh(firm.partner)
    assert (partner.email, partner.username, partner.profile.active) == ("partner@firm.example", "partner", True)


def test_the_organiser_cannot_re_invite_a_partner(firm, client_for):
    response = client_for(firm.executor).post(
        reverse("reviews:person_invite", args=[firm.partner.profile.pk]), follow=True
    )
    assert LEADERSHIP_INVITE in response.content.decode()
    assert not mail.outbox


def test_the_partner_grants_and_revokes_leadership_and_it_is_recorded(firm, client_for, recorded):
    # Given the partner makes the senior lawyer a leadership member
    browser = client_for(firm.partner)
    data = edit_data(firm, firm.superior, leadership="on")
    assert browser.post(reverse("reviews:person_edit", args=[firm.superior.profile.pk]), data).status_code == 302
    assert roles_of(fresh(firm.superior)).is_leadership
    # When they take it back
    data = edit_data(firm, fresh(firm.superior), leadership=None)
    assert browser.post(reverse("reviews:person_edit", args=[firm.superior.profile.pk]), data).status_code == 302
    # Then both changes are on record, by the partner, through the people page
    rows = list(recorded().values_list("person", "kind", "before", "after"))
    pk = firm.superior.pk
    assert rows == [(pk, "groups", "", "leadership"), (pk, "groups", "leadership", "")]
    assert set(recorded().values_list("by", "source")) == {(firm.partner.pk, "people_page")}


def test_the_partner_may_re_invite_and_re_address_another_partner(firm, client_for, django_capture_on_commit_callbacks):
    other = User.objects.get(pk=firm.superior.pk)
    other.groups.add(*firm.partner.groups.all())
    browser = client_for(firm.partner)
    data = edit_data(firm, other, email="zhou@firm.example")
    assert browser.post(reverse("reviews:person_edit", args=[other.profile.pk]), data).status_code == 302
    # The invitation is a notice of the outbox, sent once the request's transaction has committed
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(reverse("reviews:person_invite", args=[other.profile.pk]))
    assert [message.to for message in mail.outbox] == [["zhou@firm.example"]]


def test_the_full_takeover_attempt_is_refused_at_every_step(
    firm, client_for, recorded, django_capture_on_commit_callbacks
):
    """The finding, replayed: the organiser tries to become a leadership member, to add one of their own, and to
    take over the partner's account through its e-mail. Every step is refused and nothing is left behind."""
    browser = client_for(firm.executor)
    before = {
        "groups": sorted(User.groups.through.objects.values_list("user_id", "group__name")),
        "emails": sorted(User.objects.values_list("username", "email")),
        "people": StaffProfile.objects.count(),
    }
    with django_capture_on_commit_callbacks(execute=True):
        # 1. Self-grant on their own page
        own = browser.post(
            reverse("reviews:person_edit", args=[firm.executor.profile.pk]),
            edit_data(firm, firm.executor, leadership="on"),
        )
        # 2. A new person with leadership membership, to be set up through the invitation
        new = browser.post(
            reverse("reviews:person_add"),
            person_data(firm, username="puppet", email="puppet@elsewhere.example", leadership="on"),
        )
        # 3. The partner's e-mail changed to an address the organiser reads
        email = browser.post(
            reverse("reviews:person_edit", args=[firm.partner.profile.pk]),
            edit_data(firm, firm.partner, email="puppet@elsewhere.example"),
        )
        # 4. And the partner's invitation (a password link) sent again
        invite = browser.post(reverse("reviews:person_invite", args=[firm.partner.profile.pk]), follow=True)
    assert ONLY_LEADERSHIP_GRANTS in own.content.decode()
    assert ONLY_LEADERSHIP_GRANTS in new.content.decode()
    assert LEADERSHIP_SIGN_IN in email.content.decode()
    assert LEADERSHIP_INVITE in invite.content.decode()
    after = {
        "groups": sorted(User.groups.through.objects.values_list("user_id", "group__name")),
        "emails": sorted(User.objects.values_list("username", "email")),
        "people": StaffProfile.objects.count(),
    }
    assert after == before
    assert not mail.outbox
    assert not recorded().exists()
    # The approval of their own results stays out of reach too: they are still not in the leadership group.
    assert not roles_of(fresh(firm.executor)).is_leadership


def test_the_leadership_checkbox_tells_who_may_change_it(firm, client_for):
    html = client_for(firm.executor).get(reverse("reviews:person_edit", args=[firm.lawyer.profile.pk])).content
    assert re.search(r"Only a member of the leadership group grants or revokes this", html.decode())
