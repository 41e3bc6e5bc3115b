"""The examples the pages, templates and docs give for a client code look like the codes the firm uses (C0001)."""

import re
from pathlib import Path

from django.utils import translation

from clients.forms import ClientCodeField
from clients.importing.columns import KINDS

CODE = re.compile(r"^C\d{4}$")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "import-formats.md"


def test_the_form_help_gives_a_code_in_use():
    with translation.override("en"):
        assert "C0001" in str(ClientCodeField().help_text)
    with translation.override("zh-hans"):
        assert "C0001" in str(ClientCodeField().help_text) and "C-0001" not in str(ClientCodeField().help_text)


def test_every_client_code_example_of_the_import_looks_like_the_codes_in_use():
    examples = [
        column.example
        for spec in KINDS.values()
        for column in spec.columns
        if column.example and (column.ref == "client" or (spec.kind == "clients" and column.key == "code"))
    ]
    assert examples and all(CODE.match(example) for example in examples), examples


def test_the_import_docs_use_the_same_codes():
    text = DOCS.read_text(encoding="utf-8")
    assert "C0001" in text
    assert not re.search(r"\bC-\d{4}\b|\bC20\d{5}\b", text)
