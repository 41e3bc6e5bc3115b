"""The Django admin is closed to role changes (reviews.admin): groups, duties, place and sign-in are read-only."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from reviews.models import StaffChange


@pytest.fixture
def admin_browser(firm, client):
    client.force_login(User.objects.create_superuser("root", "root@firm.example", "root-pass-123456"))
    return client


def test_a_technical_administrator_cannot_grant_leadership_or_change_a_partners_e_mail(firm, admin_browser):
    # Given the superuser opens the partner's user page and posts new groups and a new e-mail
    url = reverse("admin:auth_user_change", args=[firm.partner.pk])
    page = admin_browser.get(url).content.decode()
    assert 'name="email"' not in page and 'name="groups"' not in page and 'name="is_superuser"' not in page
    leadership = Group.objects.get(name="leadership")
    admin_browser.post(
        url,
        {
            "username": "partner",
            "email": "me@elsewhere.example",
            "groups": [leadership.pk],
            "is_superuser": "on",
            "is_staff": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    # Then nothing governed changed
    partner = User.objects.get(pk=firm.partner.pk)
    assert (partner.email, partner.is_superuser, partner.is_staff) == ("partner@firm.example", False, False)
    url = reverse("admin:auth_user_change", args=[firm.executor.pk])
    admin_browser.post(url, {"username": "executor", "groups": [leadership.pk]})
    assert not User.objects.get(pk=firm.executor.pk).groups.filter(name="leadership").exists()


def test_the_admin_shows_a_persons_place_and_a_departments_clerks_read_only(firm, admin_browser):
    page = admin_browser.get(reverse("admin:reviews_staffprofile_change", args=[firm.lawyer.profile.pk])).content
    for field in ("superior", "position", "department", "active", "assessed"):
        assert f'name="{field}"'.encode() not in page
    assert admin_browser.get(reverse("admin:reviews_staffprofile_add")).status_code == 403
    page = admin_browser.get(reverse("admin:reviews_department_change", args=[firm.finance.pk])).content
    assert b'name="clerks"' not in page


def test_the_groups_cannot_be_renamed_or_removed_in_the_admin(firm, admin_browser):
    group = Group.objects.get(name="leadership")
    admin_browser.post(reverse("admin:auth_group_change", args=[group.pk]), {"name": "nobody"})
    admin_browser.post(reverse("admin:auth_group_delete", args=[group.pk]), {"post": "yes"})
    assert Group.objects.filter(name="leadership").exists()


def test_a_name_changed_in_the_admin_is_fine_and_the_record_cannot_be_edited_there(firm, admin_browser):
    url = reverse("admin:reviews_staffprofile_change", args=[firm.lawyer.profile.pk])
    response = admin_browser.post(url, {"full_name": "陈静静", "language": "zh-hans"})
    assert response.status_code == 302
    assert User.objects.get(pk=firm.lawyer.pk).profile.full_name == "陈静静"
    change = StaffChange.objects.first()
    assert admin_browser.get(reverse("admin:reviews_staffchange_change", args=[change.pk])).status_code == 200
    admin_browser.post(reverse("admin:reviews_staffchange_delete", args=[change.pk]), {"post": "yes"})
    assert StaffChange.objects.filter(pk=change.pk).exists()
