"""Pages of the quarterly scheme and the indicator catalogue; each view parses, calls one service, renders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators import scheme_forms, scheme_selectors, schemes
from indicators.job_handlers import WHATIF
from indicators.models import Indicator, Scheme
from jobs.selectors import get_job_for_user
from jobs.services import job_start
from lawfirm_kpi.text import sentences_join
from reviews.models import Position
from reviews.roles import require, roles_of
from reviews.services import quarter_get_or_create


def _is_execution(roles):
    return roles.is_execution


def _is_leadership(roles):
    return roles.is_leadership


def _is_organiser(roles):
    return roles.is_organiser


@login_required
def catalogue(request):
    """Every signed-in person sees what they are assessed on (regulation 三.2)."""
    return render(request, "indicators/scheme_catalogue.html", {"categories": scheme_selectors.catalogue()})


@login_required
def scheme_list(request):
    context = {"quarters": scheme_selectors.schemes_page(user=request.user)}
    if request.method == "POST":
        return _start(request, context)
    context["start_form"] = scheme_forms.QuarterStartForm()
    return render(request, "indicators/scheme_list.html", context)


def _start(request, context):
    if not roles_of(request.user).is_execution:
        raise PermissionDenied
    form = scheme_forms.QuarterStartForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                quarter = quarter_get_or_create(year=form.year, number=form.number)
                scheme = schemes.scheme_start_for_quarter(quarter=quarter, by=request.user)
        except schemes.SchemeStateError as error:
            form.add_error("code", str(error))
        else:
            messages.success(request, _("The %(quarter)s scheme was started as a draft.") % {"quarter": quarter})
            return redirect("indicators:scheme_detail", pk=scheme.pk)
    context["start_form"] = form
    return render(request, "indicators/scheme_list.html", context, status=400)


@login_required
def scheme_detail(request, pk):
    scheme = scheme_selectors.get_scheme_for_user(request.user, pk)
    context = scheme_selectors.scheme_layout(scheme=scheme, user=request.user)
    context["approve_form"] = scheme_forms.SchemeApproveForm()
    context["return_form"] = scheme_forms.SchemeReturnForm()
    return render(request, "indicators/scheme_detail.html", context)


def _editable_or_redirect(request, scheme):
    """None if the draft may be edited; otherwise a redirect to the scheme with the reason."""
    if scheme.is_editable:
        return None
    if scheme.status == Scheme.Status.SUBMITTED:
        messages.error(
            request,
            _(
                "This scheme is submitted for approval and cannot be edited until the leadership group approves it "
                "or returns it with comments."
            ),
        )
    else:
        messages.error(
            request,
            _("This scheme is %(status)s and can no longer be edited; make a new version to change it.")
            % {"status": scheme.get_status_display().lower()},
        )
    return redirect("indicators:scheme_detail", pk=scheme.pk)


@require(_is_execution)
def scheme_edit_items(request, pk, position):
    scheme = scheme_selectors.get_scheme_for_user(request.user, pk)
    if position not in Position.values:
        raise Http404
    refused = _editable_or_redirect(request, scheme)
    if refused:
        return refused
    indicators = list(Indicator.objects.order_by("order"))
    data = request.POST if request.method == "POST" else None
    formset = scheme_forms.position_formset(scheme=scheme, position=position, indicators=indicators, data=data)
    if data is not None and formset.is_valid():
        try:
            schemes.scheme_items_update(scheme=scheme, position=position, items=formset.items(), by=request.user)
        except schemes.SchemeStateError as error:
            messages.error(request, str(error))
            return redirect("indicators:scheme_detail", pk=scheme.pk)
        except ValidationError as error:
            formset._non_form_errors = formset.error_class(error.messages)
        else:
            messages.success(request, _("%(position)s indicators saved.") % {"position": Position(position).label})
            return redirect("indicators:scheme_detail", pk=scheme.pk)
    rows = list(zip(indicators, formset.forms, strict=True))
    return render(
        request,
        "indicators/scheme_edit_items.html",
        {
            "scheme": scheme,
            "position": position,
            "position_label": Position(position).label,
            "positions": Position.choices,
            "formset": formset,
            "rows": rows,
            "rater_types": scheme_forms.RaterType.choices,
        },
        status=400 if data is not None else 200,
    )


@require(_is_execution)
def scheme_edit_bands(request, pk):
    scheme = scheme_selectors.get_scheme_for_user(request.user, pk)
    refused = _editable_or_redirect(request, scheme)
    if refused:
        return refused
    data = request.POST if request.method == "POST" else None
    formset = scheme_forms.grade_band_formset(scheme=scheme, data=data)
    if data is not None and formset.is_valid():
        try:
            schemes.scheme_grade_bands_update(scheme=scheme, bands=formset.bands(), by=request.user)
        except schemes.SchemeStateError as error:
            messages.error(request, str(error))
            return redirect("indicators:scheme_detail", pk=scheme.pk)
        except ValidationError as error:
            formset._non_form_errors = formset.error_class(error.messages)
        else:
            messages.success(request, _("Grade bands saved."))
            return redirect("indicators:scheme_detail", pk=scheme.pk)
    return render(
        request,
        "indicators/scheme_edit_bands.html",
        {"scheme": scheme, "formset": formset},
        status=400 if data is not None else 200,
    )


@require(_is_execution)
def scheme_edit_parameters(request, pk):
    scheme = scheme_selectors.get_scheme_for_user(request.user, pk)
    refused = _editable_or_redirect(request, scheme)
    if refused:
        return refused
    if request.method == "POST":
        form = scheme_forms.SchemeParametersForm(request.POST)
        if form.is_valid():
            try:
                schemes.scheme_parameters_update(
                    scheme=scheme, parameters=form.parameters, note=form.cleaned_data["note"], by=request.user
                )
            except schemes.SchemeStateError as error:
                messages.error(request, str(error))
                return redirect("indicators:scheme_detail", pk=scheme.pk)
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
            else:
                messages.success(request, _("Parameters saved."))
                return redirect("indicators:scheme_detail", pk=scheme.pk)
        status = 400
    else:
        form = scheme_forms.SchemeParametersForm(initial={**(scheme.parameters or {}), "note": scheme.note})
        status = 200
    return render(request, "indicators/scheme_edit_parameters.html", {"scheme": scheme, "form": form}, status=status)


@require_POST
@require(_is_leadership)
def scheme_approve(request, pk):
    scheme = scheme_selectors.get_scheme_for_user(request.user, pk)
    form = scheme_forms.SchemeApproveForm(request.POST)
    form.is_valid()
    try:
        schemes.scheme_approve(scheme=scheme, by=request.user, comment=form.cleaned_data.get("comment", ""))
    except schemes.SchemeStateError as error:
        messages.warning(request, str(error))
    except ValidationError as error:
        messages.error(
            request,
            _("The scheme cannot be approved yet: %(problems)s") % {"problems": sentences_join(error.messages)},
        )
    else:
        messages.success(
            request,
            _("Version %(version)s of the %(quarter)s scheme is approved and now applies.")
            % {"version": scheme.version, "quarter": scheme.quarter},
        )
    return redirect("indicators:scheme_detail", pk=scheme.pk)


@require_POST
@require(_is_execution)
def scheme_submit(request, pk):
    scheme = scheme_selectors.get_scheme_for_user(request.user, pk)
    try:
        schemes.scheme_submit(scheme=scheme, by=request.user)
    except schemes.SchemeStateError as error:
        messages.warning(request, str(error))
    except ValidationError as error:
        messages.error(
            request,
            _("The scheme cannot be submitted yet: %(problems)s") % {"problems": sentences_join(error.messages)},
        )
    else:
        messages.success(
            request,
            _("Version %(version)s of the %(quarter)s scheme is submitted to the leadership group for approval.")
            % {"version": scheme.version, "quarter": scheme.quarter},
        )
    return redirect("indicators:scheme_detail", pk=scheme.pk)


@require_POST
@require(_is_leadership)
def scheme_return(request, pk):
    scheme = scheme_selectors.get_scheme_for_user(request.user, pk)
    form = scheme_forms.SchemeReturnForm(request.POST)
    if not form.is_valid():
        # The page is shown again with the error next to the comment; nothing was changed.
        context = scheme_selectors.scheme_layout(scheme=scheme, user=request.user)
        context.update(approve_form=scheme_forms.SchemeApproveForm(), return_form=form)
        return render(request, "indicators/scheme_detail.html", context, status=400)
    try:
        schemes.scheme_return(scheme=scheme, by=request.user, comment=form.cleaned_data["comment"])
    except schemes.SchemeStateError as error:
        messages.warning(request, str(error))
    else:
        messages.success(
            request,
            _("Version %(version)s of the %(quarter)s scheme is returned to the execution group with your comments.")
            % {"version": scheme.version, "quarter": scheme.quarter},
        )
    return redirect("indicators:scheme_detail", pk=scheme.pk)


@require(_is_organiser)
def scheme_compare(request, pk):
    """This version next to the one before it (regulation 二.1: the leadership group sees what it approves)."""
    scheme = scheme_selectors.get_scheme_for_user(request.user, pk)
    base = scheme_selectors.comparison_base(scheme)
    context = {
        "scheme": scheme,
        "only_changes": request.GET.get("only") == "changes",
        **scheme_selectors.scheme_comparison(scheme=scheme, base=base),
    }
    return render(request, "indicators/scheme_compare.html", context)


@require_POST
@require(_is_execution)
def scheme_new_version(request, pk):
    scheme = scheme_selectors.get_scheme_for_user(request.user, pk)
    try:
        draft = schemes.scheme_new_version(scheme=scheme, by=request.user)
    except schemes.SchemeStateError as error:
        messages.warning(request, str(error))
        return redirect("indicators:scheme_detail", pk=scheme.pk)
    messages.success(
        request,
        _("Version %(version)s is a draft copy; the approved version %(old)s applies until it is approved.")
        % {"version": draft.version, "old": scheme.version},
    )
    return redirect("indicators:scheme_detail", pk=draft.pk)


def _whatif_job(request, scheme):
    """The succeeded what-if job named by ?job= — the reader's own, for this draft — or None without one."""
    if "job" not in request.GET:
        return None
    try:
        job = get_job_for_user(user=request.user, pk=int(request.GET["job"]))
    except ValueError:
        raise Http404 from None
    if job.kind != WHATIF or job.params.get("scheme") != scheme.pk or job.state != job.State.SUCCEEDED:
        raise Http404
    return job


def _whatif_data_choice(scheme, on_quarter, *, chosen, has_data):
    """Which sentence explains the quarter of data: chosen by the reader, the scheme's own, the latest with data,
    or the scheme's own although nothing has been recorded for it yet."""
    if chosen:
        return "chosen"
    if not has_data:
        return "none"
    return "own" if on_quarter == scheme.quarter else "latest"


@require(_is_organiser)
def scheme_whatif(request, pk):
    """The quarter of data to try a draft on (GET), the preview started as a job (POST), and its figures once the
    job has made them (GET ?job=…: the requester's own job for this draft, else 404)."""
    scheme = scheme_selectors.get_scheme_for_user(request.user, pk)
    if not scheme.is_pending:
        messages.info(
            request,
            _("What-if previews a draft; this version is already %(status)s.")
            % {"status": scheme.get_status_display().lower()},
        )
        return redirect("indicators:scheme_detail", pk=scheme.pk)
    quarters, default, default_has_data = scheme_selectors.whatif_data_quarters(scheme=scheme)
    job = _whatif_job(request, scheme)
    data = request.POST if request.method == "POST" else request.GET
    if job is not None:
        data = {"on": job.params["on"]} if job.params.get("chosen") else {}
    form = scheme_forms.WhatIfForm(data or None, quarters=quarters)
    on_quarter = default
    chosen = False
    if form.is_bound and form.is_valid() and form.cleaned_data.get("on"):
        on_quarter = form.quarters[form.cleaned_data["on"]]
        chosen = True
    elif not form.is_bound:
        form = scheme_forms.WhatIfForm(initial={"on": default.code}, quarters=quarters)
    if request.method == "POST":
        # Scoring the firm under two schemes takes seconds: a job, whose page links back here with the figures.
        started = job_start(
            kind=WHATIF,
            by=request.user,
            subject=f"{scheme.quarter.code} v{scheme.version}",
            params={
                "scheme": scheme.pk,
                "year": on_quarter.year,
                "number": on_quarter.number,
                "on": on_quarter.code,
                "chosen": chosen,
            },
        )
        return redirect("jobs:detail", pk=started.pk)
    context = {
        "scheme": scheme,
        "form": form,
        "on_quarter": on_quarter,
        # Why the preview uses this quarter's data, said above the figures.
        "data_choice": _whatif_data_choice(scheme, on_quarter, chosen=chosen, has_data=default_has_data),
        "job": job,
    }
    if job is not None:
        figures = dict(job.result_data)
        baseline_pk = figures.pop("baseline")
        context.update(figures)
        context["baseline"] = Scheme.objects.select_related("quarter").filter(pk=baseline_pk).first()
        context["preview"] = True
    else:
        context["baseline"] = scheme_selectors.whatif_baseline(scheme=scheme)
    # Regulation 三.4: the rated indicators' calibration rule is part of what the preview compares.
    context["calibration"] = scheme_selectors.whatif_calibration(scheme=scheme, baseline=context["baseline"])
    return render(request, "indicators/scheme_whatif.html", context)
