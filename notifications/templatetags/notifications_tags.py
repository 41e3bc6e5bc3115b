"""The bell's unread count, so base.html needs no extra context processor, and the quarter's delivery counts for
the quarter page (which lives in reviews and so cannot ask notifications itself)."""

from django import template

from notifications.selectors import quarter_delivery as quarter_delivery_counts
from notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return unread_count(user=user) if user is not None else 0


@register.simple_tag
def quarter_delivery(quarter):
    """{% quarter_delivery quarter as delivery %}: documents to retry, notices undelivered, the worst ones."""
    return quarter_delivery_counts(quarter=quarter)
