"""The quarter's delivery counts for the quarter page's feedback panel."""

from django import template

from documents.selectors import quarter_delivery as quarter_delivery_counts

register = template.Library()


@register.simple_tag
def quarter_delivery(quarter):
    """{% quarter_delivery quarter as delivery %}: documents to retry, notices undelivered, the worst ones."""
    return quarter_delivery_counts(quarter=quarter)
