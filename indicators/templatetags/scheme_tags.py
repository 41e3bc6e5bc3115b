"""Template filters of the scheme pages."""

from django import template

from indicators.numbers import plain_number

register = template.Library()


@register.filter
def plain(value):
    """4.2000 → 4.2, 10.00 → 10, 500000 → 500,000 (targets, steps, weights)."""
    return plain_number(value)
