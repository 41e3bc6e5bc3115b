"""Hooks into the organisation: the invitation to set a password. Notices are written inside the sender's
transaction (they commit with the change that causes them); longer work is queued after the commit."""

import hashlib

from django.dispatch import receiver

from notifications.services import notice_write
from reviews.signals import staff_invitation_due


@receiver(staff_invitation_due, dispatch_uid="notifications.staff_invitation")
def on_staff_invitation_due(sender, profile, link, **kwargs):
    """The e-mail with the link where the person sets their password. The link is worth the account: the
    notice is secret (its text is wiped once sent), and keyed by the link, so a double click sends one."""
    user = profile.user
    digest = hashlib.sha256(link.encode("utf-8")).hexdigest()[:16]
    notice = notice_write(
        user=user,
        kind="staff_invitation",
        object_key=f"user:{user.pk}:{digest}",
        in_app=False,
        email_template="invitation",
        context={"profile": profile, "username": user.get_username(), "link": link},
        secret=True,
    )
    return notice is not None
