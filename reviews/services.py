"""Writes of the assessment organisation: people and their invitations."""

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from reviews.governance import invitation_refusal, staff_change_refusals, staff_snapshot
from reviews.models import (
    EXECUTION_GROUP,
    LEADERSHIP_GROUP,
    Department,
    DepartmentKind,
    Position,
    Quarter,
    QuarterEvent,
    StaffChange,
    StaffProfile,
)
from reviews.signals import staff_invitation_due
from reviews.staff_changes import staff_changes_by


def staff_invitation_link(*, user):
    """An absolute link where the person sets their first password (Django's reset token)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL.rstrip("/") + reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})


def staff_send_invitation(*, profile):
    """Invite the person, in their language, to set their password: the e-mail is written into the outbox in this
    transaction (signals.staff_invitation_due) and sent once it commits. False if they have no e-mail address."""
    user = profile.user
    if not user.email:
        return False
    staff_invitation_due.send(sender=StaffProfile, profile=profile, link=staff_invitation_link(user=user))
    return True


def staff_create(
    *,
    username,
    full_name,
    email,
    position,
    department,
    superior=None,
    language="zh-hans",
    assessed=True,
    invite=True,
):
    """Create a user with an unusable password and a staff profile, then invite them once committed."""
    with transaction.atomic():
        user = User(username=username, email=email)
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        profile = StaffProfile(
            user=user,
            full_name=full_name,
            position=position,
            department=department,
            superior=superior,
            language=language,
            assessed=assessed,
        )
        profile.full_clean()
        profile.save()
        if invite:
            # Written with the person: the e-mail goes only if the person really exists (after the commit).
            staff_send_invitation(profile=profile)
    return profile


def staff_duties_set(*, profile, clerk_departments, leadership, execution):
    """Group membership (regulation 二.1 leadership, 二.2 execution) and data-provider duties (二.3)."""
    user = profile.user
    for name, member in ((LEADERSHIP_GROUP, leadership), (EXECUTION_GROUP, execution)):
        group = Group.objects.get(name=name)
        if member:
            user.groups.add(group)
        else:
            user.groups.remove(group)
    user.clerk_departments.set(clerk_departments)


def staff_add(*, by, clerk_departments=(), leadership=False, execution=False, **fields):
    """A new person with their groups and data duties; the invitation goes once everything is committed.

    The governed-roles rules apply (reviews.governance): only the leadership group adds a leadership member.
    """
    refusals = staff_change_refusals(
        by=by,
        person_user_id=None,
        before=None,
        after={"leadership": leadership, "execution": execution, "clerk_departments": clerk_departments},
    )
    if refusals:
        raise ValidationError(refusals)
    with staff_changes_by(by, StaffChange.Source.PEOPLE_PAGE), transaction.atomic():
        profile = staff_create(**fields)
        staff_duties_set(
            profile=profile, clerk_departments=clerk_departments, leadership=leadership, execution=execution
        )
    return profile


def staff_update(
    *,
    profile,
    by,
    username,
    email,
    full_name,
    position,
    department,
    superior,
    language,
    assessed,
    active,
    clerk_departments,
    leadership,
    execution,
):
    """Change a person; deactivating also closes their sign-in (the profile and its history stay).

    The governed-roles rules (reviews.governance) are checked against the stored row, under its lock; a refusal
    raises ValidationError({field: message}) and changes nothing. Every change is recorded (StaffChange).
    """
    proposed = {
        "username": username,
        "email": email,
        "position": position,
        "department": department,
        "superior": superior,
        "assessed": assessed,
        "active": active,
        "clerk_departments": clerk_departments,
        "leadership": leadership,
        "execution": execution,
    }
    with staff_changes_by(by, StaffChange.Source.PEOPLE_PAGE), transaction.atomic():
        # Lock the row: two organisers fixing reporting lines at once could otherwise build a loop
        # that neither of their checks saw; and the rules are judged on what is stored, not on the page.
        profile = StaffProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
        refusals = staff_change_refusals(
            by=by, person_user_id=profile.user_id, before=staff_snapshot(profile), after=proposed
        )
        if refusals:
            raise ValidationError(refusals)
        user = profile.user
        user.username, user.email, user.is_active = username, email, active
        user.full_clean(exclude=["password"])
        user.save()
        profile.full_name, profile.position, profile.department = full_name, position, department
        profile.superior, profile.language, profile.assessed, profile.active = superior, language, assessed, active
        profile.full_clean()
        profile.save()
        staff_duties_set(
            profile=profile, clerk_departments=clerk_departments, leadership=leadership, execution=execution
        )
    return profile


def staff_reinvite(*, profile, by):
    """A new invitation from the people page; refused for a leadership member unless `by` is one too."""
    refusal = invitation_refusal(by=by, profile=profile)
    if refusal:
        raise PermissionDenied(refusal)
    return staff_send_invitation(profile=profile)


class FirmAlreadyHasLeadership(Exception):
    """firm_bootstrap was asked to add a first member to a firm that already has a leadership group."""


def firm_bootstrap(
    *,
    username,
    full_name,
    email,
    department_code,
    department_name="",
    department_name_en="",
    department_kind=DepartmentKind.ADMINISTRATIVE,
    position=Position.ADMINISTRATIVE,
    leadership=False,
    execution=False,
    assessed=True,
    language="zh-hans",
    invite=True,
    allow_existing_leadership=False,
):
    """The first members of a new firm, from the server's command line (docs/operations.md, "A new firm").

    Regulation 二.1: only the leadership group grants leadership, so the first leadership member cannot come from
    the people page. Whoever runs manage.py on the server is trusted with this once; after that the command
    refuses unless allow_existing_leadership says otherwise. The changes are recorded as made by the command.
    """
    with staff_changes_by(None, StaffChange.Source.COMMAND), transaction.atomic():
        group = Group.objects.select_for_update().get(name=LEADERSHIP_GROUP)
        if group.user_set.exists() and not allow_existing_leadership:
            raise FirmAlreadyHasLeadership(
                "The firm already has a leadership group: its members add people on the People page."
            )
        department = Department.objects.filter(code=department_code).first()
        if department is None:
            department = Department(
                code=department_code,
                name_zh=department_name or department_code,
                name_en=department_name_en or department_name or department_code,
                kind=department_kind,
            )
            department.full_clean()
            department.save()
        profile = staff_create(
            username=username,
            full_name=full_name,
            email=email,
            position=position,
            department=department,
            language=language,
            assessed=assessed,
            invite=invite,
        )
        staff_duties_set(profile=profile, clerk_departments=(), leadership=leadership, execution=execution)
    return profile


def quarter_get_or_create(*, year, number) -> Quarter:
    """The quarter row, created in the 'scheme draft' state if it does not exist yet."""
    quarter, _created = Quarter.objects.get_or_create(year=year, number=number)
    return quarter


def quarter_setting_record(*, quarter, action, by, at, comment) -> QuarterEvent:
    """A change of one of the quarter's settings (an interviewer, the appeal terms) in its history: the state stays,
    the row says who changed what, when and why. The caller holds the quarter's row lock."""
    return QuarterEvent.objects.create(
        quarter=quarter, from_state=quarter.state, to_state=quarter.state, action=action, by=by, at=at, comment=comment
    )


def staff_profiles_import_create(profiles, *, batch_size):
    """The staff import's new people, in bulk (docs/import-formats.md). The import has checked every row with
    reviews.governance first; the log of role changes is written by the import from the same rows."""
    return StaffProfile.objects.bulk_create(profiles, batch_size=batch_size)


def staff_profiles_import_update(profiles, fields, *, batch_size):
    """The staff import's changed fields of existing people, in bulk (checked as for staff_profiles_import_create)."""
    return StaffProfile.objects.bulk_update(profiles, fields, batch_size=batch_size)


def staff_duties_import_set(*, duties, by):
    """The staff import's group memberships and data duties: [(user id, execution or None, department ids or None)],
    None meaning unchanged. The import has checked every row with reviews.governance first (leadership is never
    imported, regulation 二.1); the record of role changes is written by the many-to-many signals, as by the import."""
    execution = Group.objects.get(name=EXECUTION_GROUP)
    users = User.objects.in_bulk([user_id for user_id, _member, _departments in duties])
    with staff_changes_by(by, StaffChange.Source.IMPORT):
        for user_id, member, department_ids in duties:
            user = users[user_id]
            if member is True:
                user.groups.add(execution)
            elif member is False:
                user.groups.remove(execution)
            if department_ids is not None:
                user.clerk_departments.set(department_ids)


def departments_import_save(*, new, changed, fields, batch_size):
    """The department import's new and changed departments, in bulk (docs/import-formats.md); the import has
    validated every row and writes the change log of each from the same rows."""
    Department.objects.bulk_create(new, batch_size=batch_size)
    if changed and fields:
        Department.objects.bulk_update(changed, fields, batch_size=batch_size)
    return new
