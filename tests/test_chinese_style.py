"""The Chinese catalogue is complete and follows the writing rules of docs/chinese.md, for every string, including
the ones added after the rules were written."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
HAN = r"[\u3400-\u9fff]"
CJK = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]"
PLACEHOLDER = r"%\([a-z_0-9]+\)[sdr]|%[sdr]"


def entries():
    return [entry for entry in polib.pofile(str(CATALOGUE)) if not entry.obsolete]


def translations():
    """(msgid, msgstr) for every translation, plural forms included."""
    for entry in entries():
        if entry.msgstr_plural:
            for text in entry.msgstr_plural.values():
                yield entry.msgid, text
        else:
            yield entry.msgid, entry.msgstr


def offenders(pattern):
    return [(msgid, text) for msgid, text in translations() if re.search(pattern, text)]


def test_every_string_is_translated_and_none_is_fuzzy():
    catalogue = entries()
    assert [entry.msgid for entry in catalogue if not entry.translated()] == []
    assert [entry.msgid for entry in catalogue if "fuzzy" in entry.flags] == []


def test_each_translation_has_exactly_the_placeholders_of_its_english():
    # The catalogue is compiled by polib, which does not check format strings as msgfmt --check-format does: a
    # misspelt %(name)s would raise KeyError on the page that formats it.
    wrong = []
    for entry in entries():
        english = sorted(re.findall(PLACEHOLDER, entry.msgid))
        if entry.msgid_plural:
            english_plural = sorted(re.findall(PLACEHOLDER, entry.msgid_plural))
            for text in entry.msgstr_plural.values():
                if sorted(re.findall(PLACEHOLDER, text)) not in (english, english_plural):
                    wrong.append((entry.msgid, text))
        elif "python-format" in entry.flags and sorted(re.findall(PLACEHOLDER, entry.msgstr)) != english:
            wrong.append((entry.msgid, entry.msgstr))
    assert wrong == []


def test_no_space_between_chinese_and_a_name_number_or_placeholder():
    # A code that starts with digits (2026Q3) is a Latin word: the space before it stays.
    number = r"(?<![A-Za-z0-9.\-])-?\d[\d.,:\-]*(?![A-Za-z0-9])"
    found = offenders(rf"{HAN} +(?:{PLACEHOLDER}|{number})") + offenders(rf"(?:{PLACEHOLDER}|{number}) +{HAN}")
    assert found == []


def test_no_space_between_two_chinese_words():
    assert offenders(rf"{HAN} +{HAN}") == []


@pytest.mark.parametrize("ascii_mark", [":", ",", ";", "?", "!"])
def test_punctuation_after_chinese_is_full_width(ascii_mark):
    assert offenders(rf"{CJK}{re.escape(ascii_mark)}(?!//)") == []


def test_brackets_after_chinese_are_full_width():
    # A formula's brackets after a colon stay ASCII: （折算为0–100分：(%(value)s − 1) ÷ 4 × 100）.
    assert offenders(rf"{HAN}\(") == []


def test_the_regulation_is_cited_as_the_firm_writes_it():
    # 《规定》第三条第5款, not 规定三.5; the English says regulation 3.5.
    assert offenders(r"(?<!《)规定[一二三]") == []
    assert offenders(r"规定》?[一二三]\.") == []
    assert [entry.msgid for entry in entries() if re.search(r"[Rr]egulation [一二三]", entry.msgid)] == []


def test_a_persons_name_is_xingming():
    names = [entry.msgstr for entry in entries() if entry.msgid in ("Name", "Full name", "full name")]
    assert names and set(names) == {"姓名"}


def test_templates_format_dates_with_the_named_formats_only():
    literal = re.compile(r"""\|date:"(?![A-Z_]+")[^"]*\"""")
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in (ROOT / "templates").rglob("*")
        if path.is_file()
        for match in literal.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_gnu_msgfmt_accepts_the_catalogue_with_its_format_checks():
    # makemessages runs GNU gettext's msgmerge on this file: what polib tolerates (a stale "#|" line) breaks it.
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        assert not os.environ.get("CI"), "CI installs gettext (.ci/install-system-packages)"
        pytest.skip("GNU gettext is not installed")
    result = subprocess.run(  # noqa: S603 — our own catalogue through the system msgfmt
        [msgfmt, "--check", "--check-format", "-o", os.devnull, str(CATALOGUE)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
