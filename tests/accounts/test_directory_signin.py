"""Signing in with the firm's directory against a real OpenLDAP server (tests/accounts/ldap_server.py).

The directory's people: the lawyer (same username as here), Chen Jing (another username, matched by the e-mail
address of the colleague's staff profile), a visitor with no user here, "nostaff" with a user but no staff profile,
and the outsider, whose directory account is disabled (employeeType=disabled, the rule in
lawfirm_kpi/settings/directory.py)."""

import os

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from lawfirm_kpi.settings import directory
from reviews.models import StaffProfile
from tests.accounts import ldap_server
from tests.accounts.ldap_server import PEOPLE, READER_DN, READER_PASSWORD, person_ldif

LOCAL_PASSWORD = "pw-for-tests-1"  # tests/personas.py
DIRECTORY_PASSWORD = {
    "lawyer": "lawyer-directory-pw",
    "jing.chen": "chen-directory-pw",
    "visitor": "visitor-directory-pw",
    "nostaff": "nostaff-directory-pw",
    "outsider": "outsider-directory-pw",
}
REFUSAL_EN = "nobody on this system&#x27;s staff list has your username or e-mail address"
REFUSAL_ZH = "本系统人员名单中没有与您的用户名或电子邮箱相符的人员"
INVALID_EN = "Please enter a correct username and password"


def require_slapd():
    if not ldap_server.available():
        message = "the directory tests need Debian's slapd and openssl (apt-get install slapd ldap-utils openssl)"
        if os.environ.get("CI"):
            pytest.fail(message + ": CI must run them, not skip them")
        pytest.skip(message)


@pytest.fixture(scope="module")
def slapd():
    require_slapd()
    people = "\n".join(
        [
            person_ldif("lawyer", password=DIRECTORY_PASSWORD["lawyer"], mail="lawyer@firm.example"),
            person_ldif("jing.chen", password=DIRECTORY_PASSWORD["jing.chen"], mail="Colleague@Firm.example"),
            person_ldif("visitor", password=DIRECTORY_PASSWORD["visitor"], mail="visitor@firm.example"),
            person_ldif("nostaff", password=DIRECTORY_PASSWORD["nostaff"], mail="nostaff@elsewhere.example"),
            person_ldif(
                "outsider",
                password=DIRECTORY_PASSWORD["outsider"],
                mail="outsider@firm.example",
                employee_type="disabled",
            ),
        ]
    )
    server = ldap_server.SlapdServer(people).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def slapd_tls():
    require_slapd()
    server = ldap_server.SlapdServer(
        person_ldif("lawyer", password=DIRECTORY_PASSWORD["lawyer"], mail="lawyer@firm.example"), tls=True
    ).start()
    yield server
    server.stop()


def directory_on(slapd, **options):
    values = directory.directory_settings(server_uri=slapd.uri, **options)
    return override_settings(
        **values, AUTHENTICATION_BACKENDS=directory.backends(settings.AUTHENTICATION_BACKENDS, values)
    )


@pytest.fixture
def search_mode(slapd):
    with directory_on(slapd, bind_dn=READER_DN, bind_password=READER_PASSWORD, user_search_base=PEOPLE):
        yield


def sign_in(client, username, password, *, language="en", ip="10.0.0.9"):
    client.cookies["django_language"] = language
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def snapshot():
    return (
        User.objects.count(),
        StaffProfile.objects.count(),
        sorted(User.groups.through.objects.values_list("user_id", "group_id")),
    )


pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("search_mode")
def test_right_directory_password_signs_the_person_in_as_their_own_user(firm, client):
    before = snapshot()
    response = sign_in(client, "lawyer", DIRECTORY_PASSWORD["lawyer"])
    assert response.status_code == 302
    assert signed_in_as(client) == str(firm.lawyer.pk)
    assert client.get(reverse("home")).status_code == 200
    # Nothing was created or copied from the directory: same users, profiles and group memberships.
    assert snapshot() == before
    firm.lawyer.refresh_from_db()
    assert firm.lawyer.check_password(LOCAL_PASSWORD)


@pytest.mark.usefixtures("search_mode")
def test_wrong_directory_password_is_refused(firm, client):
    response = sign_in(client, "lawyer", "not-the-password")
    assert response.status_code == 200
    assert INVALID_EN in response.content.decode()
    assert REFUSAL_EN not in response.content.decode()
    assert signed_in_as(client) is None


@pytest.mark.usefixtures("search_mode")
def test_a_directory_account_is_matched_by_email_when_the_username_differs(firm, client):
    before = snapshot()
    response = sign_in(client, "jing.chen", DIRECTORY_PASSWORD["jing.chen"])
    assert response.status_code == 302
    assert signed_in_as(client) == str(firm.colleague.pk)
    assert snapshot() == before


@pytest.mark.usefixtures("search_mode")
def test_a_directory_user_without_a_staff_profile_gets_a_clear_refusal_and_nothing_is_created(firm, client):
    before = snapshot()
    response = sign_in(client, "visitor", DIRECTORY_PASSWORD["visitor"])
    page = response.content.decode()
    assert response.status_code == 200
    assert REFUSAL_EN in page
    assert "execution group" in page
    assert signed_in_as(client) is None
    assert snapshot() == before
    assert not User.objects.filter(username__iexact="visitor").exists()


@pytest.mark.usefixtures("search_mode")
def test_a_local_user_without_a_staff_profile_is_refused_too(firm, client):
    User.objects.create_user(username="nostaff", password="local-only-password-1")
    before = snapshot()
    response = sign_in(client, "nostaff", DIRECTORY_PASSWORD["nostaff"])
    assert REFUSAL_EN in response.content.decode()
    assert signed_in_as(client) is None
    assert snapshot() == before


@pytest.mark.usefixtures("search_mode")
def test_the_refusal_is_in_chinese_for_a_chinese_reader(firm, client):
    response = sign_in(client, "visitor", DIRECTORY_PASSWORD["visitor"], language="zh-hans")
    page = response.content.decode()
    assert REFUSAL_ZH in page
    assert "考核执行小组" in page
    assert REFUSAL_EN not in page


@pytest.mark.usefixtures("search_mode")
def test_a_wrong_password_for_a_directory_user_without_a_profile_says_nothing_about_profiles(firm, client):
    # Only a directory-checked password earns the specific refusal: a guesser learns nothing.
    response = sign_in(client, "visitor", "a-guess")
    assert INVALID_EN in response.content.decode()
    assert REFUSAL_EN not in response.content.decode()


@pytest.mark.usefixtures("search_mode")
def test_a_disabled_directory_account_cannot_sign_in_with_its_right_password(firm, client):
    response = sign_in(client, "outsider", DIRECTORY_PASSWORD["outsider"])
    assert response.status_code == 200
    assert INVALID_EN in response.content.decode()
    assert signed_in_as(client) is None


@pytest.mark.usefixtures("search_mode")
def test_an_inactive_user_cannot_sign_in_through_the_directory(firm, client):
    User.objects.filter(pk=firm.lawyer.pk).update(is_active=False)
    response = sign_in(client, "lawyer", DIRECTORY_PASSWORD["lawyer"])
    assert signed_in_as(client) is None
    assert INVALID_EN in response.content.decode()


@pytest.mark.usefixtures("search_mode")
def test_local_accounts_keep_working_with_the_directory_on(firm, client):
    # The partner is not in the directory; the lawyer's local password still works beside the directory's.
    assert sign_in(client, "partner", LOCAL_PASSWORD).status_code == 302
    assert signed_in_as(client) == str(firm.partner.pk)
    client.logout()
    assert sign_in(client, "lawyer", LOCAL_PASSWORD).status_code == 302
    assert signed_in_as(client) == str(firm.lawyer.pk)


def test_local_accounts_keep_working_when_the_directory_does_not_answer(firm, client):
    values = directory.directory_settings(server_uri="ldap://127.0.0.1:9/", user_search_base=PEOPLE, timeout=2)
    backends = directory.backends(settings.AUTHENTICATION_BACKENDS, values)
    with override_settings(**values, AUTHENTICATION_BACKENDS=backends):
        assert sign_in(client, "lawyer", DIRECTORY_PASSWORD["lawyer"]).status_code == 200
        assert signed_in_as(client) is None
        assert sign_in(client, "partner", LOCAL_PASSWORD).status_code == 302
        assert signed_in_as(client) == str(firm.partner.pk)


def test_bind_with_a_dn_template_instead_of_a_search(firm, client, slapd):
    with directory_on(slapd, user_dn_template=f"uid=%(user)s,{PEOPLE}"):
        assert sign_in(client, "lawyer", "not-the-password").status_code == 200
        assert signed_in_as(client) is None
        assert sign_in(client, "lawyer", DIRECTORY_PASSWORD["lawyer"]).status_code == 302
        assert signed_in_as(client) == str(firm.lawyer.pk)


def test_start_tls_with_the_firms_certificate_authority(firm, client, slapd_tls):
    options = {"bind_dn": READER_DN, "bind_password": READER_PASSWORD, "user_search_base": PEOPLE, "start_tls": True}
    with directory_on(slapd_tls, tls_ca_file=str(slapd_tls.ca_file), **options):
        assert sign_in(client, "lawyer", DIRECTORY_PASSWORD["lawyer"]).status_code == 302
        assert signed_in_as(client) == str(firm.lawyer.pk)
    client.logout()
    # A certificate the configured authority did not sign is refused: no password goes to an impostor.
    with directory_on(slapd_tls, tls_ca_file=str(slapd_tls.other_ca_file), **options):
        assert sign_in(client, "lawyer", DIRECTORY_PASSWORD["lawyer"]).status_code == 200
        assert signed_in_as(client) is None


def test_directory_sign_in_is_off_without_a_server_uri():
    class Env(dict):
        def __call__(self, name, default=None):
            return self.get(name, default)

        def bool(self, name, default=False):
            return self.get(name, default)

        def int(self, name, default=0):
            return self.get(name, default)

    assert directory.from_environment(Env(LDAP_USER_SEARCH_BASE=PEOPLE)) == {}
    assert directory.BACKEND not in directory.backends(settings.AUTHENTICATION_BACKENDS, {})
    if not os.environ.get("LDAP_SERVER_URI"):
        assert directory.BACKEND not in settings.AUTHENTICATION_BACKENDS
    on = directory.from_environment(Env(LDAP_SERVER_URI="ldap://directory.firm.example", LDAP_START_TLS=True))
    assert on["AUTH_LDAP_START_TLS"] is True and on["AUTH_LDAP_NO_NEW_USERS"] is True
    assert directory.backends(["axes.backends.AxesStandaloneBackend", "local"], on)[0] == (
        "axes.backends.AxesStandaloneBackend"
    )


@pytest.mark.usefixtures("search_mode")
def test_failed_directory_sign_ins_are_throttled_like_local_ones(firm, client):
    with override_settings(AXES_ENABLED=True):
        for _ in range(5):
            last = sign_in(client, "lawyer", "wrong-directory-password", ip="10.0.0.7")
        assert last.status_code == 429
        # The right directory password is refused while the pause lasts.
        response = sign_in(client, "lawyer", DIRECTORY_PASSWORD["lawyer"], ip="10.0.0.7")
        assert response.status_code == 429
        assert signed_in_as(client) is None


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield
