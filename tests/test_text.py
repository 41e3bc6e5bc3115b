"""Sentences joined as each language writes them (lawfirm_kpi/text.py, docs/chinese.md)."""

import pytest

from lawfirm_kpi.text import sentences_join


@pytest.mark.parametrize(
    ("parts", "joined"),
    [
        (
            ["The quarter cannot be closed yet:", "The window is open."],
            "The quarter cannot be closed yet: The window is open.",
        ),
        (
            ["该季度暂不能关闭：", "申诉期尚未届满。", "尚有1场面谈未记录。"],
            "该季度暂不能关闭：申诉期尚未届满。尚有1场面谈未记录。",
        ),
        (["", "  One.  ", None, "Two."], "One. Two."),
        (["已导入文件。", "Sent."], "已导入文件。Sent."),
        ([], ""),
    ],
)
def test_a_space_goes_between_sentences_only_where_neither_side_is_chinese(parts, joined):
    assert sentences_join(parts) == joined


def test_a_label_and_its_value_are_separated_as_each_language_writes_it():
    from django.template import engines
    from django.utils import translation

    template = engines["django"].from_string("{% load i18n %}{% trans 'Appeal window' %}{% colon %}7")
    with translation.override("zh-hans"):
        assert template.render({}).endswith("：7")
    with translation.override("en"):
        assert template.render({}) == "Appeal window: 7"
