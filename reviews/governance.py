"""Governed roles: who may change whose groups, duties, place and sign-in (docs/regulation.md, "Governed roles").

Regulation 二.1 puts approval in the leadership group's hands and 二.2 the preparation in the execution group's;
principle 一.3 (fairness) means nobody arranges their own part in it. Three rules follow, and every path that
changes people (the people page, the staff import; the admin has these fields read-only) asks them here:

1. Only a leadership member grants or revokes leadership membership.
2. Nobody changes their own groups, data duties or place in the firm (position, department, superior,
   assessed, active).
3. Only a leadership member changes a leadership member's sign-in (username, e-mail, active) or sends them a new
   invitation: whoever controls the e-mail address controls the account.
"""

from django.utils.translation import gettext as _

from reviews.models import EXECUTION_GROUP, LEADERSHIP_GROUP, StaffProfile
from reviews.roles import roles_of

# What a person may not change on their own record (rule 2), in the people form's field names.
OWN_GOVERNED_FIELDS = (
    "leadership",
    "execution",
    "clerk_departments",
    "position",
    "department",
    "superior",
    "assessed",
    "active",
)
# What only the leadership group changes on a leadership member's record (rule 3).
LEADERSHIP_SIGN_IN_FIELDS = ("username", "email", "active")


def staff_snapshot(profile: StaffProfile) -> dict:
    """A person's governed facts as stored, in the people form's field names."""
    user = profile.user
    groups = set(user.groups.values_list("name", flat=True))
    return {
        "username": user.username,
        "email": user.email,
        "position": profile.position,
        "department": profile.department_id,
        "superior": profile.superior_id,
        "assessed": profile.assessed,
        "active": profile.active,
        "clerk_departments": set(user.clerk_departments.values_list("pk", flat=True)),
        "leadership": LEADERSHIP_GROUP in groups,
        "execution": EXECUTION_GROUP in groups,
    }


def _normalised(field, value):
    if field == "clerk_departments":
        return {getattr(item, "pk", item) for item in (value or ())}
    if field in ("department", "superior"):
        return getattr(value, "pk", value)
    if field in ("leadership", "execution", "assessed", "active"):
        return bool(value)
    return value


def staff_change_refusals(*, by, person_user_id, before: dict | None, after: dict) -> dict[str, str]:
    """{field: message} for each proposed change the rules refuse; empty when all may go ahead.

    before is the stored snapshot (None for a new person); after holds the proposed values of the same fields.
    """

    def changed(field):
        if field not in after:
            return False
        new = _normalised(field, after[field])
        if before is None:
            return bool(new) if field in ("leadership", "execution", "clerk_departments") else False
        return _normalised(field, before.get(field)) != new

    refusals = {}
    by_leadership = roles_of(by).is_leadership
    if changed("leadership") and not by_leadership:
        refusals["leadership"] = _(
            "Only a member of the leadership group grants or revokes leadership membership (regulation 2.1)."
        )
    if before is not None and person_user_id == by.pk:
        for field in OWN_GOVERNED_FIELDS:
            if changed(field) and field not in refusals:
                refusals[field] = _(
                    "Nobody changes their own groups, data duties or place in the firm: another member of the "
                    "execution or leadership group does it (regulation 1.3, fairness)."
                )
    if before is not None and before.get("leadership") and not by_leadership:
        for field in LEADERSHIP_SIGN_IN_FIELDS:
            if changed(field) and field not in refusals:
                refusals[field] = _(
                    "Only a member of the leadership group changes a leadership member's username, e-mail or "
                    "active status (regulation 2.1)."
                )
    return refusals


def invitation_refusal(*, by, profile: StaffProfile) -> str | None:
    """Why `by` may not send this person a new invitation (a link that sets their password), or None."""
    if profile.user.groups.filter(name=LEADERSHIP_GROUP).exists() and not roles_of(by).is_leadership:
        return _("Only a member of the leadership group sends a leadership member a new invitation (regulation 2.1).")
    return None
