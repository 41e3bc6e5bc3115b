"""Writes of the assessment organisation: people and their invitations."""

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import EXECUTION_GROUP, LEADERSHIP_GROUP, StaffProfile
from .signals import staff_invitation_due


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


def staff_add(*, clerk_departments=(), leadership=False, execution=False, **fields):
    """A new person with their groups and data duties; the invitation goes once everything is committed."""
    with transaction.atomic():
        profile = staff_create(**fields)
        staff_duties_set(
            profile=profile, clerk_departments=clerk_departments, leadership=leadership, execution=execution
        )
    return profile


def staff_update(
    *,
    profile,
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
    """Change a person; deactivating also closes their sign-in (the profile and its history stay)."""
    with transaction.atomic():
        # Lock the row: two organisers fixing reporting lines at once could otherwise build a loop
        # that neither of their checks saw.
        profile = StaffProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
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
