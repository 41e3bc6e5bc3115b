"""Client questionnaires (regulation 三.3 external collection): single-use links a client answers without login."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import SatisfactionSurvey
from clients.services import survey_answered_online
from clients.subjects import own_record_refusals
from indicators.models import QuestionnaireLink
from notifications.services import notice_write
from reviews.models import Language
from reviews.roles import roles_of

DEFAULT_VALIDITY = datetime.timedelta(days=30)


class QuestionnaireLinkUnavailable(Exception):
    """The link cannot be answered: reason is "unknown", "used" or "expired"."""

    def __init__(self, reason, link=None):
        super().__init__(reason)
        self.reason = reason
        self.link = link


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def questionnaire_link_url(*, token):
    """The absolute address the client opens."""
    return settings.SITE_URL.rstrip("/") + reverse("questionnaire:answer", kwargs={"token": token})


def questionnaire_send(*, link, token):
    """E-mail the client their link, in the link's language (plain text and HTML): written into the outbox in the
    caller's transaction, sent once it commits. The token opens the questionnaire, so the notice is secret (its
    text is wiped once sent) and only its hash stays in the database."""
    notice_write(
        user=None,
        kind="questionnaire",
        object_key=f"questionnaire-link:{link.pk}",
        in_app=False,
        email_to=link.emailed_to,
        language=link.language,
        email_template="questionnaire",
        context=lambda: {
            "link": link,
            "client": link.client,
            "staff": link.staff,
            "url": questionnaire_link_url(token=token),
        },
        quarter=None,
        secret=True,
    )


def questionnaire_link_create(
    *, client, staff, by, language=Language.ZH_HANS, expires_on=None, send_email=False, today=None
):
    """A new single-use link for the client to rate one staff member; returns (link, token).

    The token is shown once (and e-mailed if asked); only its hash is stored.
    """
    if not roles_of(by).can_edit_data("surveys"):
        raise PermissionDenied
    today = today or timezone.localdate()
    expires_on = expires_on or today + DEFAULT_VALIDITY
    errors = {}
    if expires_on < today:
        errors["expires_on"] = _("The expiry date cannot be in the past.")
    if language not in Language.values:
        errors["language"] = _("Choose Chinese or English.")
    if send_email and not client.email:
        errors["send_email"] = _("This client has no e-mail address; copy the link instead.")
    # The link becomes a survey about `staff`: nobody issues (and could answer) one about themselves.
    errors.update(own_record_refusals(model=SatisfactionSurvey, by=by, before=None, after={"staff": staff}))
    if errors:
        raise ValidationError(errors)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        link = QuestionnaireLink.objects.create(
            token_hash=_hash(token),
            client=client,
            staff=staff,
            language=language,
            expires_on=expires_on,
            created_by=by,
            emailed_to=client.email if send_email else "",
            emailed_at=timezone.now() if send_email else None,
        )
        if send_email:
            # Written with the link: it goes out only once the link really exists.
            questionnaire_send(link=link, token=token)
    return link, token


def questionnaire_link_verify(*, token, today=None):
    """The link for this token if it can still be answered; QuestionnaireLinkUnavailable otherwise."""
    today = today or timezone.localdate()
    link = QuestionnaireLink.objects.select_related("client", "staff").filter(token_hash=_hash(token or "")).first()
    if link is None:
        raise QuestionnaireLinkUnavailable("unknown")
    status = link.status_on(today)
    if status != QuestionnaireLink.Status.OPEN:
        raise QuestionnaireLinkUnavailable(status, link)
    return link


def questionnaire_answer(*, token, service_quality, communication, outcome, comment="", now=None):
    """Record the client's answer as a web survey and use the link up; nothing is recorded otherwise."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    errors = {
        name: _("Choose a score from 1 to 5.")
        for name, value in (
            ("service_quality", service_quality),
            ("communication", communication),
            ("outcome", outcome),
        )
        if not isinstance(value, int) or not 1 <= value <= 5
    }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Locked so that two submits of the same link at once (a double click, two tabs) make one survey.
        link = QuestionnaireLink.objects.select_for_update().filter(token_hash=_hash(token or "")).first()
        if link is None:
            raise QuestionnaireLinkUnavailable("unknown")
        status = link.status_on(today)
        if status != QuestionnaireLink.Status.OPEN:
            raise QuestionnaireLinkUnavailable(status, link)
        survey = survey_answered_online(
            # One link answers once, so its id makes the reference unique.
            ref=f"Q-{today:%Y%m%d}-{link.pk}",
            client=link.client,
            staff=link.staff,
            surveyed_on=today,
            channel=SatisfactionSurvey.Channel.WEB,
            service_quality=service_quality,
            communication=communication,
            outcome=outcome,
            comment=(comment or "").strip(),
        )
        link.used_at = now
        link.survey = survey
        link.save(update_fields=["used_at", "survey"])
    return survey


def questionnaire_links_page(*, query, today=None):
    """The clerk's list of links, newest first, each with its status; filterable by status or client."""
    today = today or timezone.localdate()
    links = QuestionnaireLink.objects.select_related("client", "staff", "created_by", "survey")
    status = query.get("status", "")
    if status == QuestionnaireLink.Status.USED:
        links = links.filter(used_at__isnull=False)
    elif status == QuestionnaireLink.Status.EXPIRED:
        links = links.filter(used_at__isnull=True, expires_on__lt=today)
    elif status == QuestionnaireLink.Status.OPEN:
        links = links.filter(used_at__isnull=True, expires_on__gte=today)
    search = (query.get("q") or "").strip()
    if search:
        links = links.filter(
            Q(client__code__icontains=search)
            | Q(client__name__icontains=search)
            | Q(staff__full_name__icontains=search)
        )
    page = Paginator(links, 50).get_page(query.get("page"))
    for link in page:
        link.current_status = link.status_on(today)
    return {
        "page": page,
        "statuses": QuestionnaireLink.Status.choices,
        "selected_status": status,
        "search": search,
    }
