"""The notification list and the outbox of notices, with its retry."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications import selectors
from notifications.models import Notice
from notifications.outbox import notices_retry
from notifications.services import drain_after_commit, notification_mark_read, notifications_mark_all_read
from reviews.roles import require


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_for(user=request.user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page_obj": page, "unread": selectors.unread_count(user=request.user)},
    )


@require_POST
@login_required
def notification_read(request, pk):
    """Mark one notification read, then follow its link (or go back to the list)."""
    notification = notification_mark_read(notification=selectors.get_notification_for_user(request.user, pk))
    target = notification.url if request.POST.get("follow") else ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")


@require_POST
@login_required
def notification_read_all(request):
    count = notifications_mark_all_read(user=request.user)
    messages.success(request, _("%(n)d notifications marked as read.") % {"n": count})
    return redirect("notifications:list")


@require(lambda roles: roles.is_execution)
def outbox(request):
    """The e-mails the mail server has not accepted yet, with their last error."""
    page = Paginator(selectors.outbox_undelivered(), 50).get_page(request.GET.get("page"))
    return render(request, "notifications/outbox.html", {"page_obj": page})


@require_POST
@require(lambda roles: roles.is_execution)
def outbox_retry(request):
    """Every undelivered e-mail is due again now, with a fresh count of attempts."""
    count = notices_retry(notices=Notice.objects.all())
    if count:
        drain_after_commit()
    messages.success(request, _("%(n)d notices will be sent again.") % {"n": count})
    return redirect("notifications:outbox")
