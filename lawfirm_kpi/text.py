"""Sentences put together from translated parts, written as the reader's language writes them (docs/chinese.md,
"Spacing and punctuation"): English puts a space between two sentences, Chinese none
("该季度暂不能关闭：申诉期尚未届满。"); a label and its value are separated by ": " or "："
({% colon %} in templates)."""

import re

from django import template
from django.utils.translation import pgettext

_WIDE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def sentences_join(parts) -> str:
    """The non-empty parts in order, separated by a space only where neither side is Chinese."""
    text = ""
    for part in parts:
        part = str(part or "").strip()
        if not part:
            continue
        if text and not (_WIDE.match(text[-1]) or _WIDE.match(part[0])):
            text += " "
        text += part
    return text


def label_separator() -> str:
    """What goes between a label and its value: ": " in English, "：" in Chinese (docs/chinese.md)."""
    return pgettext("between a label and its value", ": ")


# A template built-in (settings TEMPLATES "builtins"): every template writes {% colon %} without {% load %}.
register = template.Library()


@register.simple_tag
def colon() -> str:
    return label_separator()
