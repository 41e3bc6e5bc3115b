"""Writes of the assessment organisation: people and their invitations."""

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import StaffProfile


def staff_invitation_link(*, user):
    """An absolute link where the person sets their first password (Django's reset token)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL.rstrip("/") + reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})


def staff_send_invitation(*, profile):
    """E-mail the person, in their language, a link to set their password."""
    user = profile.user
    if not user.email:
        return False
    with translation.override(profile.language):
        context = {
            "profile": profile,
            "username": user.get_username(),
            "link": staff_invitation_link(user=user),
            "firm_name": settings.FIRM_NAME,
        }
        subject = render_to_string("emails/invitation_subject.txt", context).strip()
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("emails/invitation_body.txt", context),
            to=[user.email],
        )
        message.attach_alternative(render_to_string("emails/invitation_body.html", context), "text/html")
    message.send()
    return True


def staff_create(
    *, username, full_name, email, position, department, superior=None, language="zh-hans", assessed=True,
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
            # The e-mail goes only if the person really exists: after the transaction commits.
            transaction.on_commit(lambda: staff_send_invitation(profile=profile))
    return profile
