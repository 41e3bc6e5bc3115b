"""No comment, docstring or document cites a tracker number: such a number means nothing to the next engineer.

Say why in the code's own terms instead: the regulation's clause ("regulation 三.5", "二.2") or the section of a
document ("docs/results.md, 'The frozen basis'"). Citations of outside standards or upstream projects (an RFC's
section, "Kozea/WeasyPrint#2130") are not tracker numbers of this project and are not matched.
"""

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The word (any case, singular or plural), then a number, optionally after "#" or "no.": the examples are below.
TRACKER_REFERENCE = re.compile(r"\bissues?\s*(?:#|no\.?\s*)?\d+", re.IGNORECASE)

SUFFIXES = {".py", ".html", ".md", ".txt", ".toml", ".yml", ".yaml", ".cfg"}
NAMES = {"Makefile", "Dockerfile"}
SKIPPED_DIRS = {".venv", "venv", ".git", "node_modules", "locale", "__pycache__", ".pytest_cache", ".ruff_cache"}
SKIPPED_PATHS = {"static/vendor"}


def _source_files():
    for directory, dirnames, filenames in os.walk(ROOT):
        relative_dir = Path(directory).relative_to(ROOT).as_posix()
        prefix = "" if relative_dir == "." else f"{relative_dir}/"
        dirnames[:] = sorted(
            name for name in dirnames if name not in SKIPPED_DIRS and f"{prefix}{name}" not in SKIPPED_PATHS
        )
        for filename in sorted(filenames):
            path = Path(directory) / filename
            # Everything in .ci/ is CI's own scripts, whatever their names.
            if path.suffix in SUFFIXES or filename in NAMES or prefix.startswith(".ci/"):
                yield path


def _tracker_references():
    found = []
    for path in _source_files():
        relative = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if TRACKER_REFERENCE.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    return found


def test_no_source_file_cites_a_tracker_number():
    found = _tracker_references()
    advice = "Cite the regulation's clause or a docs/ section instead of a tracker number:"
    assert not found, "\n".join([advice, *found])


def test_the_scan_reads_the_project_source():
    # Given the files the scan reads
    scanned = {path.relative_to(ROOT).as_posix() for path in _source_files()}
    # Then they include code, templates, docs, build files and CI scripts, and nothing vendored or generated
    for expected in ("manage.py", "README.md", "Makefile", "pyproject.toml", "requirements.txt", ".ci/run"):
        assert expected in scanned
    assert any(name.startswith("templates/") and name.endswith(".html") for name in scanned)
    assert any(name.startswith("docs/") for name in scanned)
    assert not any(name.startswith(("static/vendor/", "locale/", ".git/", ".venv/")) for name in scanned)


# Built from pieces so that this file does not match its own pattern.
WORD = "iss" + "ue"


@pytest.mark.parametrize(
    "text",
    [
        f"(regulation 三.5, {WORD} 4 §5–6)",
        f'"""{WORD.capitalize()} 3 §7: scoring one quarter"""',
        f"see {WORD} #12",
        f"{WORD}#12",
        f"{WORD}s 3 and 4",
        f"{WORD} no. 7",
        f"{WORD.upper()} 2",
    ],
)
def test_the_pattern_matches_tracker_citations(text):
    assert TRACKER_REFERENCE.search(text)


@pytest.mark.parametrize(
    "text",
    [
        "regulation 三.5",
        "docs/results.md, 'The frozen basis'",
        "octets per line before folding (RFC 5545 §3.1)",
        "WeasyPrint keeps font data (Kozea/WeasyPrint#2130)",
        "Adjusted by the upheld appeal #7: 13.68 + 2 = 15.68",
        'context["issued_on"] = today',
        "Issued on 2026-10-08. Confidential.",
        "partners and the director decide major issues",
        'assert "no issues" in result.stdout',
        "whoever issues it could answer it themselves",
        "tissue 5",
    ],
)
def test_the_pattern_leaves_legitimate_text_alone(text):
    assert not TRACKER_REFERENCE.search(text)
