"""Writes of the appeal process: filing, handling, deciding, correcting. Every status change goes through
lifecycle.appeal_transition (the table); every notice is written in the step's transaction (the outbox sends it
once the step has committed)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from appeals import selectors, uploads
from appeals.lifecycle import Action, AppealForbidden, AppealRefused, actions_for, appeal_transition
from appeals.models import Appeal, AppealAttachment, AppealEvent, AppealMessage, AppealStatus, Outcome
from lawfirm_kpi.text import sentences_join
from notifications.services import notice_write
from results.corrections import (
    Adjustment,
    CorrectionRefused,
    correction_adjustment_add,
    correction_preview,
    correction_start,
    correction_submit,
)
from results.models import Correction, CorrectionStatus
from reviews.deadlines import local_today
from reviews.models import EXECUTION_GROUP, LEADERSHIP_GROUP
from reviews.roles import roles_of

MAX_TEXT = 10000

# --- Notices ---------------------------------------------------------------------------------------------
# Every notice is written in the transaction of the step that causes it (notifications.services.notice_write),
# keyed by that step's event or message, so it goes out if and only if the step commits, once.


def _notify(
    users: Iterable,
    *,
    kind: str,
    object_key: str,
    compose: Callable[[], tuple[str, str]],
    url: str,
    quarter,
    template="appeal_update",
):
    """A notice to each active user (in the app and by e-mail, in their language); call inside the step's
    transaction."""
    recipients = {user.pk: user for user in users if user is not None and user.is_active}
    for user in recipients.values():
        notice_write(
            user=user,
            kind=kind,
            object_key=object_key,
            compose=compose,
            url=url,
            email_template=template,
            quarter=quarter,
        )


def _group(name, *, exclude=None):
    users = get_user_model().objects.filter(groups__name=name, is_active=True).select_related("profile")
    return [u for u in users if exclude is None or u.pk != exclude.pk]


def _appeal_url(appeal) -> str:
    return reverse("appeals:detail", args=[appeal.pk])


def _who(user) -> str:
    profile = getattr(user, "profile", None)
    return profile.full_name if profile else user.get_username()


def _status_notice(appeal, users, *, kind, headline: Callable[[], str], comment=""):
    """Tell people that the appeal moved: the title names the person and quarter, the body what happened. Called
    in the step's transaction, right after the step: its key is the step's event."""
    event = AppealEvent.objects.filter(appeal_id=appeal.pk).order_by("-pk").values_list("pk", flat=True).first()

    def compose():
        title = _("Appeal of %(name)s on %(quarter)s: %(status)s") % {
            "name": appeal.staff.full_name,
            "quarter": appeal.quarter.code,
            "status": appeal.get_status_display(),
        }
        body = headline()
        if comment:
            body += "\n\n" + comment
        return title, body

    _notify(
        users,
        kind=kind,
        object_key=f"appeal-event:{event}",
        compose=compose,
        url=_appeal_url(appeal),
        quarter=appeal.quarter,
    )


# --- Attachments -----------------------------------------------------------------------------------------


def _store_attachments(*, appeal, message, checked: list[uploads.CheckedFile], by):
    now = timezone.now()
    stored = []
    for item in checked:
        attachment = AppealAttachment(
            appeal=appeal,
            message=message,
            original_name=item.display_name,
            content_type=item.kind.content_type,
            size=item.size,
            uploaded_by=by,
            uploaded_at=now,
        )
        item.uploaded.seek(0)
        # The stored name is generated: the person's file name never reaches the file system.
        attachment.file.save(item.storage_name(), item.uploaded, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def _clean_text(value, field, *, required=True, message=None):
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: message or _("This field is required.")})
    if len(value) > MAX_TEXT:
        raise ValidationError({field: _("At most %(n)d characters, please.") % {"n": MAX_TEXT}})
    return value


# --- Filing ----------------------------------------------------------------------------------------------


def appeal_file(
    *,
    scorecard,
    by,
    indicators,
    reason: str,
    expected_correction: str = "",
    attachments=(),
    today: datetime.date | None = None,
) -> Appeal:
    """The assessed person appeals against their own current published result while the window is open."""
    today = today or local_today()
    profile = getattr(by, "profile", None)
    if profile is None or profile.pk != scorecard.staff_id:
        raise PermissionDenied(_("Only the assessed person may appeal against their result."))
    window = selectors.filing_window(scorecard=scorecard, today=today)
    if not window.is_open:
        raise ValidationError(window.reason)
    reason = _clean_text(reason, "reason", message=_("Please say why you think the result is wrong."))
    expected_correction = _clean_text(expected_correction, "expected_correction", required=False)
    allowed = {line.indicator_id: line.indicator for line in selectors.contested_lines(scorecard)}
    chosen = [getattr(i, "pk", i) for i in indicators or []]
    if not chosen:
        raise ValidationError({"indicators": _("Choose at least one indicator you contest.")})
    if any(pk not in allowed for pk in chosen):
        raise ValidationError({"indicators": _("Choose indicators of this scorecard only.")})
    try:
        checked = uploads.check_attachments(attachments)
    except ValidationError as error:
        raise ValidationError({"attachments": error.error_list}) from error

    quarter = scorecard.quarter
    now = timezone.now()
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                quarter=quarter,
                scorecard=scorecard,
                staff_id=scorecard.staff_id,
                appellant=by,
                reason=reason,
                expected_correction=expected_correction,
                status=AppealStatus.SUBMITTED,
                filed_at=now,
                decision_due_on=timezone.localdate(now) + datetime.timedelta(days=quarter.appeal_decision_days),
            )
            appeal.indicators.set([allowed[pk] for pk in chosen])
            AppealEvent.objects.create(
                appeal=appeal, action=Action.FILE, from_status="", to_status=AppealStatus.SUBMITTED, by=by, at=now
            )
            _store_attachments(appeal=appeal, message=None, checked=checked, by=by)
            appeal.staff = scorecard.staff
            _status_notice(
                appeal,
                _group(EXECUTION_GROUP, exclude=by),
                kind="appeal_filed",
                headline=lambda: (
                    _("%(name)s filed an appeal; a decision is due by %(date)s.")
                    % {"name": appeal.staff.full_name, "date": date_format(appeal.decision_due_on)}
                ),
            )
    except IntegrityError as error:
        # The partial unique constraint: a second open appeal (two tabs, a double click) loses here.
        raise ValidationError(
            _("You already have an open appeal on this result; follow it or withdraw it first.")
        ) from error
    return appeal


# --- Handling --------------------------------------------------------------------------------------------


def appeal_assign(*, appeal, handler, by, expected_status=None) -> Appeal:
    """An execution-group member gives the appeal to a handler of the group (never the appellant)."""
    if handler is None or not roles_of(handler).is_execution or not handler.is_active:
        raise ValidationError({"handler": _("The handler must be an active member of the execution group.")})
    if handler.pk == appeal.appellant_id:
        raise ValidationError({"handler": _("Nobody handles their own appeal.")})

    def effect(locked):
        locked.handler = handler

    with transaction.atomic():
        appeal = appeal_transition(
            appeal=appeal,
            action=Action.ASSIGN,
            by=by,
            expected_status=expected_status,
            effect=effect,
            comment=_("Handler: %(name)s") % {"name": _who(handler)},
        )
        _status_notice(
            appeal,
            [handler] if handler.pk != by.pk else [],
            kind="appeal_assigned",
            headline=lambda: (
                _("You are the handler of this appeal; a decision is due by %(date)s.")
                % {"date": date_format(appeal.decision_due_on)}
            ),
        )
        _status_notice(
            appeal,
            [appeal.appellant],
            kind="appeal_under_review",
            headline=lambda: _("Your appeal is being reviewed by %(name)s.") % {"name": _who(handler)},
        )
    return appeal


def appeal_request_information(*, appeal, by, question, expected_status=None) -> Appeal:
    """The handler asks the appellant for more information; the question is also a message on the appeal."""
    question = _clean_text(question, "comment", message=_("Please write what you need to know."))

    def effect(locked):
        AppealMessage.objects.create(appeal=locked, author=by, body=question, at=timezone.now())

    with transaction.atomic():
        appeal = appeal_transition(
            appeal=appeal,
            action=Action.REQUEST_INFO,
            by=by,
            comment=question,
            expected_status=expected_status,
            effect=effect,
        )
        _status_notice(
            appeal,
            [appeal.appellant],
            kind="appeal_information_requested",
            headline=lambda: _("%(name)s asks you for more information about your appeal:") % {"name": _who(by)},
            comment=question,
        )
    return appeal


def appeal_message_post(*, appeal, by, body, attachments=()) -> AppealMessage:
    """A message on an open appeal from the appellant or the groups, with optional evidence.

    The appellant's message answers a request for information: the appeal goes back under review.
    """
    roles = roles_of(by)
    is_appellant = by.pk == appeal.appellant_id
    if not (is_appellant or roles.is_organiser):
        raise PermissionDenied
    body = _clean_text(body, "body", message=_("Please write a message."))
    try:
        checked = uploads.check_attachments(attachments)
    except ValidationError as error:
        raise ValidationError({"attachments": error.error_list}) from error

    with transaction.atomic():
        # Lock the appeal: a message must not slip in after a decision made at the same moment.
        locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if not locked.is_open:
            raise AppealRefused(
                _("This appeal is “%(status)s”: no more messages can be added.")
                % {"status": locked.get_status_display()}
            )
        message = AppealMessage.objects.create(appeal=locked, author=by, body=body, at=timezone.now())
        stored = _store_attachments(appeal=locked, message=message, checked=checked, by=by)
        if is_appellant and locked.status == AppealStatus.INFORMATION_REQUESTED:
            appeal_transition(appeal=locked, action=Action.RESPOND, by=by, comment=body)
        if is_appellant:
            recipients = [locked.handler] if locked.handler_id else _group(EXECUTION_GROUP, exclude=by)
        else:
            recipients = [locked.appellant]
        names = [a.original_name for a in stored]

        def compose():
            title = _("New message on the appeal of %(name)s (%(quarter)s)") % {
                "name": locked.staff.full_name,
                "quarter": locked.quarter.code,
            }
            text = _("%(author)s wrote:") % {"author": _who(by)} + "\n\n" + body
            if names:
                text += "\n\n" + _("Attached: %(files)s") % {"files": ", ".join(names)}
            return title, text

        _notify(
            [u for u in recipients if u.pk != by.pk],
            kind="appeal_message",
            object_key=f"appeal-message:{message.pk}",
            compose=compose,
            url=_appeal_url(locked),
            quarter=locked.quarter,
        )
    appeal.refresh_from_db()
    appeal.staff = locked.staff
    return message


# --- Decisions -------------------------------------------------------------------------------------------


def parse_adjustments(pairs) -> list[tuple[object, Decimal]]:
    """(indicator, points) pairs with a non-zero number of points; ValidationError on anything else."""
    parsed = []
    for indicator, points in pairs or []:
        if points in (None, ""):
            continue
        try:
            value = Decimal(str(points))
        except (InvalidOperation, ValueError):
            raise ValidationError({"adjustments": _("Points must be a number, e.g. 2.5 or -1.")}) from None
        if not value.is_finite() or abs(value) > 100 or value != value.quantize(Decimal("0.01")):
            raise ValidationError(
                {"adjustments": _("Points must be a number between -100 and 100 with at most two decimals.")}
            )
        if value:
            parsed.append((indicator, value))
    return parsed


def appeal_correction_prepare(*, appeal, by) -> Correction:
    """Start, or return, the correction an appeal under review would make: the records it declares and the points.

    The handler (or, for an escalated appeal, the leadership member deciding it) prepares it on the correction page
    and reads its preview before upholding.
    """
    actions = actions_for(appeal=appeal, user=by)
    if not actions & {Action.UPHOLD, Action.LEADERSHIP_DECIDE}:
        raise AppealForbidden(_("Only whoever may uphold this appeal prepares its correction."))
    with transaction.atomic():
        locked = (
            Appeal.objects.select_for_update(of=("self",))
            .select_related("correction", "staff", "quarter")
            .get(pk=appeal.pk)
        )
        if locked.correction is not None and locked.correction.is_open:
            return locked.correction
        correction = correction_start(
            quarter=locked.quarter,
            by=by,
            reason=_("Appeal #%(pk)s of %(name)s") % {"pk": locked.pk, "name": locked.staff.full_name},
            subject=locked.staff,
        )
        locked.correction = correction
        locked.save(update_fields=["correction"])
    appeal.correction = correction
    return correction


def uphold_preview(*, appeal, adjustments=()):
    """What upholding would change, with the adjustments typed on the form so far; None when it changes nothing."""
    correction = appeal.correction if appeal.correction_id and appeal.correction.is_open else None
    extra = [
        Adjustment(appeal.staff_id, getattr(indicator, "pk", indicator), points, "")
        for indicator, points in parse_adjustments(adjustments)
    ]
    if correction is None:
        if not extra:
            return None
        correction = Correction(quarter=appeal.quarter, subject=appeal.staff, origin=Correction.Origin.APPEAL)
    elif not extra and not correction.record_changes.exists() and not correction.adjustments.exists():
        return None
    return correction_preview(correction, extra_adjustments=extra)


def _uphold_effect(*, by, justification, adjustments, fingerprint=None, at=None):
    """Record the upheld decision and submit its correction (called under the appeal lock).

    The correction declares the records corrected on the correction page and the points adjusted here. If it moves
    nobody but the appellant it is applied now; otherwise it waits for a leadership member who did not prepare it
    (regulation 二.1). An uphold that declares no change corrects nothing.
    """
    outcome = {"versions": [], "correction": None}

    def effect(locked):
        contested = set(locked.indicators.values_list("pk", flat=True))
        for indicator, _points in adjustments:
            if indicator.pk not in contested:
                raise ValidationError({"adjustments": _("Adjust only the indicators the appeal contests.")})
        now = timezone.now()
        locked.outcome = Outcome.UPHELD
        locked.decision = justification
        locked.decided_at = now
        locked.decided_by = by
        correction = locked.correction if locked.correction_id and locked.correction.is_open else None
        if correction is not None and correction.status != CorrectionStatus.DRAFT:
            raise AppealRefused(_("This appeal's correction already awaits the leadership group's approval."))
        declares = correction is not None and (correction.record_changes.exists() or correction.adjustments.exists())
        if not adjustments and not declares:
            return
        try:
            if correction is None:
                correction = correction_start(quarter=locked.quarter, by=by, reason="-", subject=locked.staff)
                locked.correction = correction
            correction.reason = _("Appeal #%(pk)s of %(name)s upheld: %(justification)s") % {
                "pk": locked.pk,
                "name": locked.staff.full_name,
                "justification": justification,
            }
            correction.save(update_fields=["reason"])
            for indicator, points in adjustments:
                correction_adjustment_add(
                    correction=correction,
                    by=by,
                    staff=locked.staff,
                    indicator=indicator,
                    points=points,
                    justification=justification,
                    allowed_indicators=contested,
                )
            confirmed = fingerprint or correction_preview(correction).fingerprint
            correction, versions = correction_submit(correction=correction, by=by, fingerprint=confirmed, at=at)
        except CorrectionRefused as refused:
            raise AppealRefused(refused.message) from refused
        locked.correction = correction
        outcome["versions"] = versions
        outcome["correction"] = correction

    return effect, outcome


def appeal_uphold(*, appeal, by, justification, adjustments=(), expected_status=None, fingerprint=None, at=None):
    """Uphold the appeal with its correction: the records declared on the correction page and the points adjusted on
    contested indicators. `fingerprint` is the preview the handler confirmed (results.corrections.Preview); a
    programmatic caller may leave it out.

    Returns (appeal, versions): [(old, new)] for each result corrected now; empty while the correction waits for the
    leadership group or when the uphold declares no change.
    """
    justification = _clean_text(justification, "comment", message=_("Please write why the appeal is upheld."))
    adjustments = parse_adjustments(adjustments)
    effect, outcome = _uphold_effect(
        by=by, justification=justification, adjustments=adjustments, fingerprint=fingerprint, at=at
    )
    with transaction.atomic():
        appeal = appeal_transition(
            appeal=appeal,
            action=Action.UPHOLD,
            by=by,
            comment=justification,
            expected_status=expected_status,
            effect=effect,
        )
        _decision_notices(appeal, by=by, text=justification, correction=outcome["correction"])
    return appeal, outcome["versions"]


def appeal_reject(*, appeal, by, reason, expected_status=None) -> Appeal:
    """Reject with a required reason; the result stays as published."""
    reason = _clean_text(reason, "comment", message=_("Please write why the appeal is rejected."))

    def effect(locked):
        locked.outcome = Outcome.REJECTED
        locked.decision = reason
        locked.decided_at = timezone.now()
        locked.decided_by = by

    with transaction.atomic():
        appeal = appeal_transition(
            appeal=appeal, action=Action.REJECT, by=by, comment=reason, expected_status=expected_status, effect=effect
        )
        _decision_notices(appeal, by=by, text=reason)
    return appeal


def appeal_escalate(*, appeal, by, reason, expected_status=None) -> Appeal:
    """A major case goes to the leadership group, one of whose members decides (regulation 二.1)."""
    reason = _clean_text(reason, "comment", message=_("Please write why the leadership group should decide."))
    with transaction.atomic():
        appeal = appeal_transition(
            appeal=appeal, action=Action.ESCALATE, by=by, comment=reason, expected_status=expected_status
        )
        _status_notice(
            appeal,
            _group(LEADERSHIP_GROUP, exclude=appeal.appellant),
            kind="appeal_escalated",
            headline=lambda: _("%(name)s asks the leadership group to decide this appeal.") % {"name": _who(by)},
            comment=reason,
        )
        _status_notice(
            appeal,
            [appeal.appellant],
            kind="appeal_escalated",
            headline=lambda: _("Your appeal was passed to the leadership group, which will decide it."),
        )
    return appeal


def appeal_leadership_decide(*, appeal, by, outcome, reason, adjustments=(), expected_status=None, fingerprint=None):
    """A leadership-group member decides an escalated appeal: uphold (with its correction) or reject, with the reason.

    Returns (appeal, versions) as appeal_uphold does.
    """
    if outcome not in (Outcome.UPHELD, Outcome.REJECTED):
        raise ValidationError({"outcome": _("Choose whether the appeal is upheld or rejected.")})
    reason = _clean_text(reason, "comment", message=_("Please write the reason for the decision."))
    adjustments = parse_adjustments(adjustments)
    result = {"versions": [], "correction": None}
    if outcome == Outcome.UPHELD:
        effect, result = _uphold_effect(by=by, justification=reason, adjustments=adjustments, fingerprint=fingerprint)
    else:
        if adjustments:
            raise ValidationError({"adjustments": _("A rejected appeal adjusts no points.")})

        def effect(locked):
            locked.outcome = Outcome.REJECTED
            locked.decision = reason
            locked.decided_at = timezone.now()
            locked.decided_by = by

    with transaction.atomic():
        appeal = appeal_transition(
            appeal=appeal,
            action=Action.LEADERSHIP_DECIDE,
            by=by,
            comment=reason,
            expected_status=expected_status,
            effect=effect,
        )
        _decision_notices(appeal, by=by, text=reason, correction=result["correction"])
    return appeal, result["versions"]


def _decision_notices(appeal, *, by, text, correction=None):
    recipients = [appeal.appellant]
    if appeal.handler_id and appeal.handler_id != by.pk:
        recipients.append(appeal.handler)
    waiting = correction is not None and correction.status == CorrectionStatus.AWAITING_APPROVAL

    def headline():
        decided = _("%(name)s decided: %(outcome)s.") % {"name": _who(by), "outcome": appeal.get_outcome_display()}
        if waiting:
            decided = sentences_join(
                [
                    decided,
                    _(
                        "The correction also changes other people's results, so it takes effect once a member of the "
                        "leadership group approves it."
                    ),
                ]
            )
        return decided

    _status_notice(appeal, recipients, kind="appeal_decided", headline=headline, comment=text)


def appeal_close(*, appeal, by, expected_status=None) -> Appeal:
    """The execution group files away a decided appeal, once its correction (if any) is applied or withdrawn."""

    def guard(locked):
        if locked.correction_id and locked.correction.is_open:
            raise AppealRefused(
                _("The appeal's correction is “%(status)s”: close the appeal once it is applied or withdrawn.")
                % {"status": locked.correction.get_status_display()}
            )

    def effect(locked):
        locked.closed_at = timezone.now()

    return appeal_transition(
        appeal=appeal, action=Action.CLOSE, by=by, expected_status=expected_status, guard=guard, effect=effect
    )


def appeal_withdraw(*, appeal, by, comment="", expected_status=None) -> Appeal:
    """The appellant withdraws the appeal before it is decided."""

    def effect(locked):
        # decided_at marks "no longer waiting for a decision" (quarter close and reminders read it); a
        # withdrawal has no outcome, so it never counts as upheld or rejected.
        locked.withdrawn_at = locked.decided_at = timezone.now()

    with transaction.atomic():
        appeal = appeal_transition(
            appeal=appeal,
            action=Action.WITHDRAW,
            by=by,
            comment=comment,
            expected_status=expected_status,
            effect=effect,
        )
        recipients = [appeal.handler] if appeal.handler_id else _group(EXECUTION_GROUP, exclude=by)
        _status_notice(
            appeal,
            recipients,
            kind="appeal_withdrawn",
            headline=lambda: _("%(name)s withdrew the appeal.") % {"name": appeal.staff.full_name},
            comment=comment,
        )
    return appeal
