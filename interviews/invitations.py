"""The interview invitation (regulation 三.5): when a superior schedules or moves an interview, the person gets an
e-mail with an .ics calendar attachment, once per date, time and place."""

import datetime
import hashlib

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from interviews.ics import invitation_ics
from interviews.models import Interview
from notifications.models import Notice
from notifications.services import Attachment, reminder_send

INTERVIEW_MINUTES = 60


def _slot_key(interview) -> str:
    place = hashlib.sha1(interview.place.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]
    return f"interview:{interview.pk}:{interview.scheduled_at.astimezone(datetime.UTC):%Y%m%dT%H%M}:{place}"


def interview_ics(interview, *, sequence: int) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "lawfirm-kpi"
    superior, staff = interview.superior, interview.staff
    return invitation_ics(
        uid=f"interview-{interview.pk}@{host}",
        sequence=sequence,
        starts_at=interview.scheduled_at,
        ends_at=interview.scheduled_at + datetime.timedelta(minutes=INTERVIEW_MINUTES),
        stamp=timezone.now(),
        summary=_("Feedback interview %(quarter)s: %(person)s")
        % {"quarter": interview.quarter.code, "person": staff.full_name},
        description=_("Feedback interview on your result (regulation 3.5) with %(superior)s.")
        % {"superior": superior.full_name},
        location=interview.place,
        organizer=(superior.full_name, superior.user.email) if superior.user.email else None,
        attendees=[(staff.full_name, staff.user.email)],
    )


def interview_invitation_send(*, interview_id: int) -> bool:
    """Write the invitation for an interview by id (see interview_invitation_write)."""
    interview = (
        Interview.objects.select_related("quarter", "staff__user", "superior__user").filter(pk=interview_id).first()
    )
    return interview is not None and interview_invitation_write(interview=interview)


def interview_invitation_write(*, interview) -> bool:
    """The invitation with its .ics as a notice, in the transaction that schedules or moves the interview; a
    second call for the same slot writes nothing."""
    if interview.is_recorded:
        return False
    key = _slot_key(interview)
    # A moved interview is a new version of the same calendar event (same UID, higher SEQUENCE).
    sequence = (
        Notice.objects.filter(kind="interview_invitation", object_key__startswith=f"interview:{interview.pk}:")
        .exclude(object_key=key)
        .values("object_key")
        .distinct()
        .count()
    )
    url = reverse("interviews:interview", args=[interview.pk])
    local = timezone.localtime(interview.scheduled_at)

    def compose():
        title = _("Feedback interview for %(quarter)s on %(when)s") % {
            "quarter": interview.quarter.code,
            "when": date_format(local, "DATETIME_FORMAT"),
        }
        body = _("%(superior)s invites you to your feedback interview on %(when)s at %(place)s.") % {
            "superior": interview.superior.full_name,
            "when": date_format(local, "DATETIME_FORMAT"),
            "place": interview.place,
        }
        return title, body

    return reminder_send(
        kind="interview_invitation",
        object_key=key,
        day=timezone.localdate(),
        user=interview.staff.user,
        compose=compose,
        url=url,
        quarter=interview.quarter,
        attachments=lambda: [
            Attachment(
                "interview.ics",
                interview_ics(interview, sequence=sequence),
                "text/calendar; method=REQUEST; charset=UTF-8",
            )
        ],
    )
