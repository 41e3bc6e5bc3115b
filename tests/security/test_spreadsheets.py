"""Exports neutralise spreadsheet formulas: text a spreadsheet would run is written as plain text."""

import datetime
from decimal import Decimal

import pytest

from lawfirm_kpi.spreadsheets import neutralise, neutralise_row


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("张伟", "张伟"),
        ("a=b", "a=b"),
        ("C2026001", "C2026001"),
        ("", ""),
        (None, None),
        (-5, -5),
        (Decimal("-12.50"), Decimal("-12.50")),
        (datetime.date(2026, 9, 30), datetime.date(2026, 9, 30)),
    ],
)
def test_neutralise_makes_formula_text_inert_and_leaves_everything_else(value, written):
    assert neutralise(value) == written


def test_neutralise_row_handles_every_cell():
    assert neutralise_row(["=1", "ok", 3, None]) == ["'=1", "ok", 3, None]
