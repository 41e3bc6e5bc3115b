"""make lint checks the catalogue's placeholders with GNU msgfmt, which the polib compiler does not do."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

needs_msgfmt = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) is not installed")


def check_format(path):
    return subprocess.run(  # noqa: S603 - msgfmt with fixed arguments
        ["msgfmt", "--check-format", "--check-header", "-o", "/dev/null", str(path)],  # noqa: S607
        capture_output=True,
        text=True,
    )


def test_make_lint_runs_the_msgfmt_format_check():
    target = re.search(r"^lint:.*?(?=\n\n)", (ROOT / "Makefile").read_text(), flags=re.M | re.S).group(0)
    recipe = [line.strip() for line in target.splitlines()[1:] if line.startswith("\t")]
    assert any(line.startswith("msgfmt --check-format") and "locale/*/LC_MESSAGES/django.po" in line for line in recipe)


@needs_msgfmt
def test_the_catalogue_passes_the_format_check():
    result = check_format(CATALOGUE)
    assert result.returncode == 0, result.stderr


@needs_msgfmt
def test_a_translation_that_drops_a_placeholder_fails_the_check(tmp_path):
    broken = tmp_path / "django.po"
    header = CATALOGUE.read_text(encoding="utf-8").split("\n\n", 1)[0]
    broken.write_text(
        header + '\n\n#, python-format\nmsgid "%(name)s\'s scorecard"\nmsgstr "%(person)s的考核表"\n',
        encoding="utf-8",
    )
    result = check_format(broken)
    assert result.returncode != 0
    assert "person" in result.stderr or "name" in result.stderr
