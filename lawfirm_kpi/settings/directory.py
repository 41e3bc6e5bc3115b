"""Signing in with the firm's directory (LDAP / Active Directory), docs/operations.md "Signing in with LDAP".

Off unless LDAP_SERVER_URI is set. django-auth-ldap only checks the password: the directory backend
(accounts.directory) matches the person to an existing user with a staff profile, by username or e-mail, and never
creates a user, a staff profile or a group membership.
"""

# The default search: an inetOrgPerson whose uid is what was typed, unless the directory marks the account
# disabled (employeeType=disabled). Active Directory: (&(sAMAccountName=%(user)s)(!(userAccountControl:1.2.840.
# 113556.1.4.803:=2))), the same rule on its "account disabled" bit.
DEFAULT_USER_FILTER = "(&(objectClass=inetOrgPerson)(uid=%(user)s)(!(employeeType=disabled)))"
BACKEND = "accounts.directory.DirectoryBackend"


def directory_settings(
    *,
    server_uri: str,
    bind_dn: str = "",
    bind_password: str = "",
    user_search_base: str = "",
    user_filter: str = "",
    user_dn_template: str = "",
    start_tls: bool = False,
    tls_ca_file: str = "",
    email_attribute: str = "mail",
    timeout: int = 10,
) -> dict:
    """The AUTH_LDAP_* settings for one directory; {} when server_uri is empty (directory sign-in off)."""
    if not server_uri:
        return {}
    import ldap
    from django_auth_ldap.config import LDAPSearch

    options = {ldap.OPT_NETWORK_TIMEOUT: timeout, ldap.OPT_TIMEOUT: timeout, ldap.OPT_REFERRALS: 0}
    if tls_ca_file:
        # The firm's own certificate authority for ldaps:// or StartTLS; the server's certificate must verify.
        # A new TLS context must come last, after the options it is built from.
        options.update(
            {
                ldap.OPT_X_TLS_CACERTFILE: tls_ca_file,
                ldap.OPT_X_TLS_REQUIRE_CERT: ldap.OPT_X_TLS_DEMAND,
                ldap.OPT_X_TLS_NEWCTX: 0,
            }
        )
    values = {
        "AUTH_LDAP_SERVER_URI": server_uri,
        "AUTH_LDAP_BIND_DN": bind_dn,
        "AUTH_LDAP_BIND_PASSWORD": bind_password,
        "AUTH_LDAP_START_TLS": start_tls,
        # A directory that does not answer must not hold the sign-in page: local accounts still sign in.
        "AUTH_LDAP_CONNECTION_OPTIONS": options,
        # Nothing of the directory is copied onto the user: names, e-mail and groups are the firm's own records
        # (the staff list and the governed groups), never the directory's.
        "AUTH_LDAP_USER_ATTR_MAP": {},
        "AUTH_LDAP_ALWAYS_UPDATE_USER": False,
        "AUTH_LDAP_MIRROR_GROUPS": False,
        "AUTH_LDAP_FIND_GROUP_PERMS": False,
        "AUTH_LDAP_NO_NEW_USERS": True,
        "LDAP_EMAIL_ATTRIBUTE": email_attribute,
    }
    if user_dn_template:
        values["AUTH_LDAP_USER_DN_TEMPLATE"] = user_dn_template
        values["AUTH_LDAP_BIND_AS_AUTHENTICATING_USER"] = True
    else:
        values["AUTH_LDAP_USER_SEARCH"] = LDAPSearch(
            user_search_base, ldap.SCOPE_SUBTREE, user_filter or DEFAULT_USER_FILTER
        )
    return values


def from_environment(env) -> dict:
    """directory_settings() read from the environment (README, the environment table)."""
    return directory_settings(
        server_uri=env("LDAP_SERVER_URI", default=""),
        bind_dn=env("LDAP_BIND_DN", default=""),
        bind_password=env("LDAP_BIND_PASSWORD", default=""),
        user_search_base=env("LDAP_USER_SEARCH_BASE", default=""),
        user_filter=env("LDAP_USER_FILTER", default=""),
        user_dn_template=env("LDAP_USER_DN_TEMPLATE", default=""),
        start_tls=env.bool("LDAP_START_TLS", default=False),
        tls_ca_file=env("LDAP_TLS_CA_FILE", default=""),
        email_attribute=env("LDAP_EMAIL_ATTRIBUTE", default="mail"),
        timeout=env.int("LDAP_TIMEOUT", default=10),
    )


def backends(base_backends: list[str], values: dict) -> list[str]:
    """The authentication backends with the directory's after the local accounts' (axes stays first)."""
    if not values:
        return list(base_backends)
    return [*base_backends, BACKEND]
