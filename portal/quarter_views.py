"""Pages of the quarter's life: the list, one quarter and its steps, completeness, report, evaluations, approval."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from appeals.selectors import corrected_versions, quarter_corrections
from documents.completeness import completeness_board
from documents.report import quarter_report
from interviews.interviewers import designation_page, interviewer_designate
from jobs.selectors import unfinished_job
from jobs.services import JobAlreadyRunning, job_start
from lawfirm_kpi.forms import add_service_errors
from lawfirm_kpi.text import sentences_join
from portal import quarter_selectors as selectors
from portal.job_handlers import COMPUTE_STEPS, PUBLICATION, REPORT_PDF, SCORING, quarter_key
from portal.quarter_forms import AppealTermsForm, ComputeForm, InterviewerDesignationForm
from portal.quarter_selectors import assessed_people
from portal.quarter_services import (
    MAX_SUMMARY_LENGTH,
    QUARTER_SERVICES,
    completeness_remind,
    quarter_approve,
    quarter_report_summary_update,
    quarter_return,
    stale_drafts,
)
from results.evaluation import MAX_EVALUATION_LENGTH, evaluation_draft, scorecards_evaluations_update
from reviews.appeal_terms import appeal_terms_editable, quarter_appeal_terms_update
from reviews.deadlines import local_today
from reviews.lifecycle import STATES_AFTER_SUBMISSION, Action, TransitionRefused, action_label
from reviews.models import QuarterState
from reviews.roles import require, roles_of
from reviews.selectors import get_quarter_or_404

organisers_only = require(lambda roles: roles.is_organiser)
leadership_only = require(lambda roles: roles.is_leadership)
execution_only = require(lambda roles: roles.is_execution)

EVALUATIONS_PAGE_SIZE = 50
SUMMARY_STATES = (QuarterState.COLLECTING, QuarterState.SCORED)


@organisers_only
def quarters(request):
    return render(request, "reviews/quarter_list.html", selectors.quarters_page(today=local_today()))


def _quarter_detail_response(request, quarter, *, appeal_terms_form=None, status=200):
    context = selectors.quarter_page(quarter=quarter, user=request.user, today=local_today())
    events = list(context["events"])
    for event in events:
        # The step's name: from → to alone reads "scored → scored" for a recompute or a change of settings.
        event.action_label = action_label(event.action)
    context["events"] = events
    may_set_terms = roles_of(request.user).is_execution and appeal_terms_editable(quarter)
    if may_set_terms:
        context["appeal_terms_form"] = appeal_terms_form or AppealTermsForm.for_quarter(quarter)
    return render(request, "reviews/quarter_detail.html", context, status=status)


@organisers_only
def quarter_detail(request, code):
    return _quarter_detail_response(request, get_quarter_or_404(code))


@require_POST
@execution_only
def quarter_appeal_terms(request, code):
    """The execution group sets the quarter's appeal window and decision time on the quarter page, until publication."""
    quarter = get_quarter_or_404(code)
    if not appeal_terms_editable(quarter):
        messages.error(
            request,
            _("The results of %(quarter)s are published: its appeal window and decision time can no longer change.")
            % {"quarter": quarter.code},
        )
        return redirect("portal:quarter", code=quarter.code)
    form = AppealTermsForm.for_quarter(quarter, data=request.POST)
    if form.is_valid():
        try:
            quarter_appeal_terms_update(quarter=quarter, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # published meanwhile: the form is gone from the page
                messages.error(request, sentences_join(error.messages))
                return redirect("portal:quarter", code=quarter.code)
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The appeal terms of %(quarter)s are saved: %(window)d days to appeal, %(decision)d days to decide.")
                % {
                    "quarter": quarter.code,
                    "window": quarter.appeal_window_days,
                    "decision": quarter.appeal_decision_days,
                },
            )
            return redirect("portal:quarter", code=quarter.code)
    return _quarter_detail_response(request, quarter, appeal_terms_form=form, status=400)


@require_POST
@organisers_only
def quarter_act(request, code, action):
    """One button of the quarter page: the service checks the table, the group and the state the page showed."""
    quarter = get_quarter_or_404(code)
    try:
        service = QUARTER_SERVICES[Action(action)]
    except (ValueError, KeyError):
        raise Http404 from None
    try:
        service(
            quarter=quarter,
            by=request.user,
            comment=request.POST.get("comment", ""),
            # Always compared: a form without the field counts as stale rather than skipping the check.
            expected_state=request.POST.get("expected_state", ""),
        )
    except TransitionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("portal:quarter", code=quarter.code)
    messages.success(
        request,
        _("%(quarter)s is now “%(state)s”.") % {"quarter": quarter.code, "state": quarter.get_state_display()},
    )
    if action == Action.PUBLISH:
        # The feedback batch runs on the workers after the commit (documents/receivers.py); its job page follows
        # it, so the publisher sees the documents rendered and the notices sent.
        job = job_start(kind=PUBLICATION, by=request.user, subject=quarter.code, params={"quarter": quarter.pk})
        return redirect("jobs:detail", pk=job.pk)
    return redirect("portal:quarter", code=quarter.code)


@execution_only
def compute(request, code):
    """The step before computing (regulation 三.4): what the completeness board says is missing (二.3), and, when
    anything is, an explicit acknowledgement with a reason, recorded in the quarter's history by the service."""
    quarter = get_quarter_or_404(code)
    step = COMPUTE_STEPS.get(quarter.state)
    if step is None:
        messages.error(
            request,
            _("The results of %(quarter)s cannot be computed when it is “%(state)s”.")
            % {"quarter": quarter.code, "state": quarter.get_state_display()},
        )
        return redirect("portal:quarter", code=quarter.code)
    action, _service = step
    running = unfinished_job(kind=SCORING, subject_key=quarter_key(quarter))
    board = completeness_board(quarter=quarter)
    form = ComputeForm(initial={"expected_state": quarter.state}, gaps=board.notes)
    status = 200
    if request.method == "POST":
        form = ComputeForm(request.POST, gaps=board.notes)
        if form.is_valid():
            data = form.cleaned_data
            # Scoring takes seconds to minutes at the firm's size: a job on the workers, one at a time a quarter.
            try:
                job = job_start(
                    kind=SCORING,
                    by=request.user,
                    subject=quarter.code,
                    subject_key=quarter_key(quarter),
                    params={
                        "quarter": quarter.pk,
                        "comment": data["comment"],
                        "expected_state": data["expected_state"],
                        "reason": data.get("reason", ""),
                    },
                )
            except JobAlreadyRunning as refusal:
                messages.error(request, sentences_join(refusal.messages))
                return redirect("portal:compute", code=quarter.code)
            return redirect("jobs:detail", pk=job.pk)
        status = 400
    context = {
        "quarter": quarter,
        "board": board,
        "form": form,
        "action_label": action_label(action),
        "running": running,
    }
    return render(request, "reviews/quarter_compute.html", context, status=status)


@organisers_only
def completeness(request, code):
    quarter = get_quarter_or_404(code)
    # The execution group reminds those who still owe data while the quarter is with it (regulation 二.2, 二.3).
    may_remind = roles_of(request.user).is_execution and quarter.state not in STATES_AFTER_SUBMISSION
    context = {"quarter": quarter, "board": completeness_board(quarter=quarter), "may_remind": may_remind}
    return render(request, "reviews/quarter_completeness.html", context)


def _person_name(user) -> str:
    profile = getattr(user, "profile", None)
    return profile.full_name if profile is not None else user.get_username()


@require_POST
@execution_only
def completeness_remind_view(request, code):
    """A "remind" button of the completeness page: a notice to those who can put one gap right (the service)."""
    quarter = get_quarter_or_404(code)
    try:
        sent = completeness_remind(quarter=quarter, gap=request.POST.get("gap", ""), by=request.user)
    except ValidationError as error:
        messages.error(request, sentences_join(error.messages))
    else:
        names = _(", ").join(_person_name(user) for user in sent.recipients)
        if sent.written:
            messages.success(request, _("Reminder sent to %(names)s.") % {"names": names})
        else:
            messages.info(
                request,
                _("%(names)s had already been reminded of this today: nothing more was sent.") % {"names": names},
            )
    return redirect("portal:completeness", code=quarter.code)


INTERVIEWERS_PAGE_SIZE = 100


@organisers_only
def interviewers(request, code):
    """Who interviews whom this quarter (regulation 三.5): people with nobody first; the execution group designates."""
    quarter = get_quarter_or_404(code)
    may_designate = roles_of(request.user).is_execution and quarter.state != QuarterState.CLOSED
    form = InterviewerDesignationForm(initial={"person": request.GET.get("person", "")})
    status = 200
    if request.method == "POST":
        if not roles_of(request.user).is_execution:
            raise PermissionDenied
        form = InterviewerDesignationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                interviewer_designate(
                    quarter=quarter, staff=data["person"], interviewer=data["interviewer"], by=request.user,
                    reason=data["reason"],
                )  # fmt: skip
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(interviewer)s now holds the interview of %(person)s for %(quarter)s.")
                    % {
                        "interviewer": data["interviewer"].full_name,
                        "person": data["person"].full_name,
                        "quarter": quarter.code,
                    },
                )
                return redirect("portal:interviewers", code=quarter.code)
        status = 400
    rows = designation_page(quarter=quarter, people=assessed_people(quarter))
    context = {
        "quarter": quarter,
        "form": form,
        "may_designate": may_designate,
        "page": Paginator(rows, INTERVIEWERS_PAGE_SIZE).get_page(request.GET.get("page")),
        "nobody": sum(1 for row in rows if row["interviewer"] is None),
    }
    return render(request, "reviews/quarter_interviewers.html", context, status=status)


class SummaryForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Summary for the leadership group"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MAX_SUMMARY_LENGTH,
        required=False,
    )


@organisers_only
def report(request, code):
    """The report page; the execution group writes the summary here while the quarter is being scored."""
    quarter = get_quarter_or_404(code)
    may_write = roles_of(request.user).is_execution and quarter.state in SUMMARY_STATES
    form = SummaryForm(initial={"text": quarter.report_summary})
    status = 200
    if request.method == "POST":
        if not roles_of(request.user).is_execution:
            raise PermissionDenied
        if not may_write:
            messages.error(request, _("The report of %(quarter)s can no longer change.") % {"quarter": quarter.code})
            return redirect("portal:report", code=quarter.code)
        form = SummaryForm(request.POST)
        if form.is_valid():
            try:
                quarter_report_summary_update(quarter=quarter, by=request.user, text=form.cleaned_data["text"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The summary is saved."))
                return redirect("portal:report", code=quarter.code)
        status = 400
    context = {"quarter": quarter, "report": quarter_report(quarter=quarter), "form": form, "may_write": may_write}
    return render(request, "reviews/report.html", context, status=status)


@require_POST
@organisers_only
def report_pdf(request, code):
    """The report as a PDF: rendered by a job (a second or more at 2,000 staff), downloaded from its page."""
    quarter = get_quarter_or_404(code)
    job = job_start(kind=REPORT_PDF, by=request.user, subject=quarter.code, params={"quarter": quarter.pk})
    return redirect("jobs:detail", pk=job.pk)


def _changed_evaluations(post) -> dict[int, str]:
    """{scorecard id: new text} for the rows whose text differs from the one the page showed (text-<id> against
    shown-<id>): "save all" writes only what was changed."""
    changed = {}
    for key, text in post.items():
        if not key.startswith("text-") or not key[5:].isdigit():
            continue
        if text.strip() != post.get(f"shown-{key[5:]}", "").strip():
            changed[int(key[5:])] = text
    return changed


@organisers_only
def evaluations(request, code):
    """Each person's overall evaluation (三.5): the system's draft first, then the execution group's words.

    One form for the page's rows, filtered by department, position, done or not and name; "save all" saves the
    changed rows together or none of them (results.evaluation.scorecards_evaluations_update)."""
    quarter = get_quarter_or_404(code)
    editable = roles_of(request.user).is_execution and quarter.state not in STATES_AFTER_SUBMISSION
    errors, submitted = {}, {}
    status = 200
    if request.method == "POST":
        if not roles_of(request.user).is_execution:
            raise PermissionDenied
        changed = _changed_evaluations(request.POST)
        try:
            saved = scorecards_evaluations_update(quarter=quarter, by=request.user, texts=changed)
        except ValidationError as error:
            submitted = {pk: text for pk, text in changed.items()}
            if hasattr(error, "error_dict"):
                errors = {int(pk): sentences_join(texts) for pk, texts in error.message_dict.items() if pk.isdigit()}
                messages.error(
                    request,
                    ngettext(
                        "%(n)d evaluation could not be saved: nothing was saved. Correct it below and save again.",
                        "%(n)d evaluations could not be saved: nothing was saved. Correct them below and save again.",
                        len(errors),
                    )
                    % {"n": len(errors)},
                )
            else:
                messages.error(request, sentences_join(error.messages))
            status = 400
        else:
            if saved:
                messages.success(
                    request,
                    ngettext("%(n)d evaluation saved.", "%(n)d evaluations saved.", len(saved)) % {"n": len(saved)},
                )
            else:
                messages.info(request, _("Nothing was changed: nothing to save."))
            return redirect(f"{request.path}?{request.GET.urlencode()}")
    context = selectors.evaluations_page(quarter=quarter, query=request.GET)
    page = Paginator(context.pop("cards"), EVALUATIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for card in page:
        draft = evaluation_draft(card, list(card.lines.all()))
        shown = card.evaluation or draft
        rows.append(
            {
                "card": card,
                "draft": draft,
                "shown": shown,
                "text": submitted.get(card.pk, shown),
                "written": bool(card.evaluation),
                "error": errors.get(card.pk),
                "own": card.staff.user_id == request.user.pk,
            }
        )
    context.update(
        {
            "quarter": quarter,
            "page": page,
            "rows": rows,
            "editable": editable,
            "max_length": MAX_EVALUATION_LENGTH,
            "query": request.GET.urlencode(),
        }
    )
    return render(request, "reviews/quarter_evaluations.html", context, status=status)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(Action.APPROVE.value, Action.APPROVE.label), (Action.RETURN.value, Action.RETURN.label)],
        widget=forms.RadioSelect,
        label=gettext_lazy("Decision"),
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, required=False
    )
    expected_state = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("decision") == Action.RETURN and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Please write what the execution group should change."))
        return data


# What the approval page is about in each state of the quarter: no results yet, computed but not submitted,
# waiting for the leadership group's decision, approved but not published, published.
APPROVAL_PHASES = {
    QuarterState.SCHEME_DRAFT: "no_results",
    QuarterState.SCHEME_APPROVED: "no_results",
    QuarterState.COLLECTING: "no_results",
    QuarterState.SCORED: "scored",
    QuarterState.SUBMITTED: "submitted",
    QuarterState.APPROVED: "approved",
    QuarterState.PUBLISHED: "published",
    QuarterState.CLOSED: "published",
}


# What pages, sorts or filters the approval page's ranked table: with any of them the page shows the table only.
TABLE_PARAMETERS = {"page", "sort", "dir", "q", "department", "position", "grade"}


def _name_of(user):
    """A person's name for the page: the staff name, else the username; "—" for nobody (an older record)."""
    if user is None:
        return "—"
    profile = getattr(user, "profile", None)
    return profile.full_name if profile is not None else user.get_username()


@leadership_only
def approval(request, code):
    """The leadership group's page for a submitted quarter: the report's figures, the ranked table, the decision."""
    quarter = get_quarter_or_404(code)
    form = DecisionForm(initial={"expected_state": quarter.state})
    status = 200
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            service = quarter_approve if form.cleaned_data["decision"] == Action.APPROVE else quarter_return
            try:
                service(
                    quarter=quarter,
                    by=request.user,
                    comment=form.cleaned_data["comment"],
                    expected_state=form.cleaned_data["expected_state"],
                )
            except TransitionRefused as refusal:
                messages.error(request, refusal.message)
                return redirect("portal:approval", code=quarter.code)
            messages.success(
                request,
                _("%(quarter)s is now “%(state)s”.") % {"quarter": quarter.code, "state": quarter.get_state_display()},
            )
            return redirect("portal:quarter", code=quarter.code)
        status = 400
    with_report = APPROVAL_PHASES[quarter.state] != "no_results" and not (TABLE_PARAMETERS & set(request.GET))
    context = {
        "quarter": quarter,
        "form": form,
        "phase": APPROVAL_PHASES[quarter.state],
        "submitted_by_name": _name_of(quarter.submitted_by),
        "approved_by_name": _name_of(quarter.approved_by),
        "may_decide": quarter.state == QuarterState.SUBMITTED,
        # Results computed with a superseded scheme version cannot be approved: said before the table.
        "stale_drafts": stale.before_approving if (stale := stale_drafts(quarter)) else None,
        **selectors.ranked_results_page(quarter=quarter, query=request.GET),
        # The report comes with the page as the partner opens it, in the same request (docs/benchmarks.md,
        # "pages"): regulation 二.2, the leadership group decides on the report. Paging, sorting or filtering the
        # ranked table below leaves it out: it does not change with the table, and the full report page has it.
        "report": quarter_report(quarter=quarter) if with_report else None,
        "report_url": resolve_url("portal:approval", code=quarter.code),
    }
    # A published quarter's results corrected after appeals: read only when the table's figures show one.
    corrections = quarter_corrections(quarter=quarter) if context["has_corrections"] else []
    context["corrections"] = corrections
    selectors.mark_corrected(context["rows"], corrected_versions(corrections))
    return render(request, "reviews/quarter_approval.html", context, status=status)
