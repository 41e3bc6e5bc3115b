"""The delivery page (regulation 二.3, 三.3): a data clerk marks their department's data for the quarter complete,
or withdraws the mark before the quarter is scored."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients import access, selectors, services
from reviews.deadlines import local_today
from reviews.models import Quarter


def _say_refusal(request, error):
    for message in error.messages:
        messages.error(request, message)


@login_required
def delivery(request):
    departments = access.require_clerk(request.user)
    page = selectors.delivery_page(departments=departments, today=local_today())
    return render(request, "clients/delivery.html", page)


@require_POST
@login_required
def delivery_mark(request, department):
    department = access.get_clerk_department_for_user(request.user, department)
    # The quarter the page showed, never whichever is collecting now: the service refuses it if it no longer is.
    try:
        year, number = Quarter.parse_code(request.POST.get("quarter", ""))
    except ValueError:
        quarter = None
    else:
        quarter = Quarter.objects.filter(year=year, number=number).first()
    if quarter is None:
        messages.error(request, _("Which quarter's delivery to mark is missing; nothing was marked."))
        return redirect("clients:delivery")
    try:
        services.data_delivery_mark(
            quarter=quarter, department=department, by=request.user, note=request.POST.get("note", "")
        )
    except ValidationError as error:
        _say_refusal(request, error)
    else:
        messages.success(
            request,
            _("The delivery of %(department)s for %(quarter)s is marked complete.")
            % {"department": department, "quarter": quarter.code},
        )
    return redirect("clients:delivery")


@require_POST
@login_required
def delivery_withdraw(request, pk):
    mark = access.get_delivery_for_user(request.user, pk)
    try:
        services.data_delivery_withdraw(delivery=mark, by=request.user)
    except ValidationError as error:
        _say_refusal(request, error)
    else:
        messages.success(
            request,
            _("The delivery mark of %(department)s for %(quarter)s was withdrawn.")
            % {"department": mark.department, "quarter": mark.quarter.code},
        )
    return redirect("clients:delivery")
