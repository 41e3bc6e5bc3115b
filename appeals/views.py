"""Appeal pages: filing, the list (the execution group's queue, or one's own appeals), one appeal with its
history and the steps the viewer may take, and the attachments."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from appeals import selectors, services
from appeals.access import get_appeal_for_user, get_attachment_for_user
from appeals.forms import AppealFileForm, AssignForm, CommentForm, LeadershipDecisionForm, MessageForm, UpholdForm
from appeals.lifecycle import Action, AppealRefused, actions_for
from appeals.models import Appeal, AppealStatus, Outcome
from interviews.access import get_scorecard_for_user as scorecard_for_user
from lawfirm_kpi.forms import add_service_errors
from results.corrections import CorrectionRefused
from results.models import CorrectionStatus
from reviews.models import Quarter
from reviews.roles import roles_of


@login_required
def appeal_file(request, scorecard_pk):
    scorecard = scorecard_for_user(request.user, scorecard_pk)
    profile = getattr(request.user, "profile", None)
    if profile is None or profile.pk != scorecard.staff_id:
        # Superiors and the groups may read the scorecard, but only its owner appeals against it.
        raise Http404
    window = selectors.filing_window(scorecard=scorecard, today=timezone.localdate())
    form = None
    if window.is_open:
        form = AppealFileForm(request.POST or None, request.FILES or None, scorecard=scorecard)
        if request.method == "POST" and form.is_valid():
            try:
                appeal = services.appeal_file(
                    scorecard=scorecard,
                    by=request.user,
                    indicators=form.cleaned_data["indicators"],
                    reason=form.cleaned_data["reason"],
                    expected_correction=form.cleaned_data["expected_correction"],
                    attachments=form.cleaned_data["attachments"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Your appeal is filed. A decision is due by %(date)s.")
                    % {"date": date_format(appeal.decision_due_on)},
                )
                return redirect("appeals:detail", pk=appeal.pk)
    return render(request, "appeals/appeal_file.html", {"scorecard": scorecard, "window": window, "form": form})


@login_required
def appeal_list(request):
    status = request.GET.get("status", "open" if roles_of(request.user).is_organiser else "")
    if status not in ("", "open", *AppealStatus.values):
        status = ""
    quarter = None
    code = request.GET.get("quarter", "")
    if code:
        try:
            year, number = Quarter.parse_code(code)
        except ValueError:
            code = ""
        else:
            quarter = Quarter.objects.filter(year=year, number=number).first()
    appeals = selectors.appeals_for_user(user=request.user, status=status, quarter=quarter)
    return render(
        request,
        "appeals/appeal_list.html",
        {
            "appeals": appeals,
            "status": status,
            "statuses": AppealStatus.choices,
            "quarter_code": code,
            "is_organiser": roles_of(request.user).is_organiser,
            "today": timezone.localdate(),
        },
    )


def _upheld_message(appeal, versions):
    if appeal.correction_id and appeal.correction.status == CorrectionStatus.AWAITING_APPROVAL:
        return _(
            "The appeal is upheld. Its correction changes other people's results too: it takes effect once a "
            "member of the leadership group who did not prepare it approves it."
        )
    if not versions:
        return _("The appeal is upheld; it changes no result.")
    return ngettext(
        "The appeal is upheld; %(n)d result was corrected as a new version.",
        "The appeal is upheld; %(n)d results were corrected as new versions.",
        len(versions),
    ) % {"n": len(versions)}


@dataclass(frozen=True)
class _Posted:
    """A step's form as posted and checked, on which appeal, by whom, and the preview the person confirmed."""

    appeal: Appeal
    user: object
    form: Form
    fingerprint: str | None

    @property
    def data(self):
        return self.form.cleaned_data

    @property
    def expected(self):
        """The status the page showed: the service refuses if the appeal has moved on since."""
        return self.data["expected_status"]


# The service of each step: the form's data in, the service's result out.


def _assign(p: _Posted):
    return services.appeal_assign(appeal=p.appeal, handler=p.data["handler"], by=p.user, expected_status=p.expected)


def _request_information(p: _Posted):
    return services.appeal_request_information(
        appeal=p.appeal, by=p.user, question=p.data["comment"], expected_status=p.expected
    )


def _reject(p: _Posted):
    return services.appeal_reject(appeal=p.appeal, by=p.user, reason=p.data["comment"], expected_status=p.expected)


def _uphold(p: _Posted):
    return services.appeal_uphold(
        appeal=p.appeal,
        by=p.user,
        justification=p.data["comment"],
        adjustments=p.form.adjustments(),
        expected_status=p.expected,
        fingerprint=p.fingerprint,
    )


def _escalate(p: _Posted):
    return services.appeal_escalate(appeal=p.appeal, by=p.user, reason=p.data["comment"], expected_status=p.expected)


def _leadership_decide(p: _Posted):
    return services.appeal_leadership_decide(
        appeal=p.appeal,
        by=p.user,
        outcome=p.data["outcome"],
        reason=p.data["comment"],
        adjustments=p.form.adjustments() if p.data["outcome"] == Outcome.UPHELD else [],
        expected_status=p.expected,
        fingerprint=p.fingerprint,
    )


def _close(p: _Posted):
    return services.appeal_close(appeal=p.appeal, by=p.user, expected_status=p.expected)


def _withdraw(p: _Posted):
    return services.appeal_withdraw(appeal=p.appeal, by=p.user, comment=p.data["comment"], expected_status=p.expected)


def _decided_message(p: _Posted, result):
    appeal, versions = result
    if p.data["outcome"] == Outcome.UPHELD:
        return _upheld_message(appeal, versions)
    return _("The decision is recorded.")


@dataclass(frozen=True)
class _Step:
    """One step the appeal page offers: the form it shows, the service that takes it, what the page then says."""

    form: type[Form]
    service: Callable[[_Posted], object]
    # The success message, or a function (posted step, the service's result) that words it.
    message: str | Callable[[_Posted, object], str]
    # The form's arguments besides the request's data: True for a form built for the appeal (its handlers, its
    # contested indicators); else a comment form's question and whether an answer is required.
    for_appeal: bool = False
    label: str = ""
    required: bool = True
    # Whether the checked form upholds the appeal: its correction's preview is then confirmed first.
    upholds: Callable[[Form], bool] | None = None

    def make_form(self, appeal, *args, **kwargs):
        if self.for_appeal:
            return self.form(*args, appeal=appeal, **kwargs)
        return self.form(*args, label=self.label, required=self.required, **kwargs)

    def success_message(self, posted: _Posted, result) -> str:
        return str(self.message) if not callable(self.message) else self.message(posted, result)


# THE table of the page's steps, in the order their forms are shown. Who may take which step when is the
# lifecycle's table (lifecycle.actions_for); this one only says how the page takes it.
_STEPS = {
    Action.ASSIGN: _Step(
        form=AssignForm,
        for_appeal=True,
        service=_assign,
        message=gettext_lazy("The appeal is assigned."),
    ),
    Action.REQUEST_INFO: _Step(
        form=CommentForm,
        label=gettext_lazy("What do you need to know?"),
        service=_request_information,
        message=gettext_lazy("Your question was sent to the appellant."),
    ),
    Action.REJECT: _Step(
        form=CommentForm,
        label=gettext_lazy("Why the appeal is rejected"),
        service=_reject,
        message=gettext_lazy("The appeal is rejected."),
    ),
    Action.UPHOLD: _Step(
        form=UpholdForm,
        for_appeal=True,
        service=_uphold,
        message=lambda posted, result: _upheld_message(*result),
        upholds=lambda form: True,
    ),
    Action.ESCALATE: _Step(
        form=CommentForm,
        label=gettext_lazy("Why the leadership group should decide"),
        service=_escalate,
        message=gettext_lazy("The appeal was passed to the leadership group."),
    ),
    Action.LEADERSHIP_DECIDE: _Step(
        form=LeadershipDecisionForm,
        for_appeal=True,
        service=_leadership_decide,
        message=_decided_message,
        upholds=lambda form: form.cleaned_data["outcome"] == Outcome.UPHELD,
    ),
    Action.CLOSE: _Step(
        form=CommentForm,
        label=gettext_lazy("Note (optional)"),
        required=False,
        service=_close,
        message=gettext_lazy("The appeal is closed."),
    ),
    Action.WITHDRAW: _Step(
        form=CommentForm,
        label=gettext_lazy("Why you withdraw (optional)"),
        required=False,
        service=_withdraw,
        message=gettext_lazy("Your appeal is withdrawn."),
    ),
}


def _forms(appeal, user, bound_action=None, data=None, files=None):
    """The forms of the steps this user may take now; the one just posted is bound to the request."""
    actions = actions_for(appeal=appeal, user=user)
    initial = {"expected_status": appeal.status}
    forms = {}
    for action, step in _STEPS.items():
        if action in actions:
            bound = (data, files) if action == bound_action else ()
            forms[action] = step.make_form(appeal, *bound, initial=initial, prefix=action)
    return forms


def _needs_preview(action, form, appeal, posted_fingerprint):
    """The preview of an uphold the person has not confirmed yet, or None when it may go ahead.

    Regulation 二.1 and docs/results.md: before anyone confirms a correction, the page shows who moves and by how
    much; the confirmation carries the preview's fingerprint, so what is applied is what was read."""
    upholds = _STEPS[action].upholds
    if upholds is None or not upholds(form):
        return None
    preview = services.uphold_preview(appeal=appeal, adjustments=form.adjustments())
    if preview is None or posted_fingerprint == preview.fingerprint:
        return None
    return preview


def _run(action, form, appeal, user, fingerprint=None):
    """Call the step's service; returns the success message."""
    step = _STEPS[action]
    posted = _Posted(appeal=appeal, user=user, form=form, fingerprint=fingerprint)
    return step.success_message(posted, step.service(posted))


@login_required
def appeal_detail(request, pk):
    appeal = get_appeal_for_user(request.user, pk)
    bound = request.POST.get("action") if request.method == "POST" else None
    forms = _forms(appeal, request.user, bound, request.POST, request.FILES)
    page = selectors.appeal_page(appeal=appeal, user=request.user)
    message_form = MessageForm(prefix="message") if page["can_message"] else None
    if request.method == "POST":
        if bound == "message" and message_form is not None:
            message_form = MessageForm(request.POST, request.FILES, prefix="message")
            if message_form.is_valid():
                try:
                    services.appeal_message_post(
                        appeal=appeal,
                        by=request.user,
                        body=message_form.cleaned_data["body"],
                        attachments=message_form.cleaned_data["attachments"],
                    )
                except ValidationError as error:
                    add_service_errors(message_form, error)
                except AppealRefused as refused:
                    messages.error(request, refused.message)
                    return redirect("appeals:detail", pk=appeal.pk)
                else:
                    messages.success(request, _("Your message was sent."))
                    return redirect("appeals:detail", pk=appeal.pk)
        elif bound == "prepare_correction":
            try:
                correction = services.appeal_correction_prepare(appeal=appeal, by=request.user)
            except (AppealRefused, CorrectionRefused) as refused:
                messages.error(request, refused.message)
                return redirect("appeals:detail", pk=appeal.pk)
            return redirect("results:correction", pk=correction.pk)
        elif bound in forms:
            form = forms[bound]
            if form.is_valid() and (preview := _needs_preview(bound, form, appeal, request.POST.get("fingerprint"))):
                # Shown with the form, which the person confirms or changes (nothing is stored yet).
                return render(
                    request,
                    "appeals/appeal_detail.html",
                    {
                        **page,
                        "forms": forms,
                        "message_form": message_form,
                        "today": timezone.localdate(),
                        "preview": preview,
                        "preview_action": bound,
                    },  # fmt: skip
                )
            if form.is_valid():
                try:
                    text = _run(bound, form, appeal, request.user, fingerprint=request.POST.get("fingerprint"))
                except ValidationError as error:
                    add_service_errors(form, error)
                except AppealRefused as refused:
                    # A stale page or another handler acting first: say so, change nothing.
                    messages.error(request, refused.message)
                    return redirect("appeals:detail", pk=appeal.pk)
                else:
                    messages.success(request, text)
                    return redirect("appeals:detail", pk=appeal.pk)
        else:
            messages.error(
                request,
                _("This step is not possible any more: the appeal is now “%(status)s”. Nothing was changed.")
                % {"status": appeal.get_status_display()},
            )
            return redirect("appeals:detail", pk=appeal.pk)
    return render(
        request,
        "appeals/appeal_detail.html",
        {**page, "forms": forms, "message_form": message_form, "today": timezone.localdate()},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def appeal_attachment(request, pk, attachment_pk):
    attachment = get_attachment_for_user(request.user, pk, attachment_pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
