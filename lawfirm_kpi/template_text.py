"""Template built-ins for writing as the reader's language does (docs/chinese.md), available in every template
without {% load %}: `{% colon %}` between a label and its value."""

from django import template

from lawfirm_kpi.text import label_separator

register = template.Library()


@register.simple_tag
def colon() -> str:
    return label_separator()
