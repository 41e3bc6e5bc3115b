"""Small template helpers shared by every page."""

from django import template
from django.utils.safestring import mark_safe

from documents.charts import for_pdf

register = template.Library()


@register.filter
def pdf_chart(svg):
    """A chart built by documents.charts (every text escaped there), sized for WeasyPrint."""
    return mark_safe(for_pdf(svg))  # noqa: S308


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (keeps filters across pages)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()
