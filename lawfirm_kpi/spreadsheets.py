"""Exports that a spreadsheet opens must not run what people typed as a formula (CSV/formula injection).

Every cell of text written to a CSV or XLSX export goes through neutralise(): text starting with =, +, -, @, a tab
or a carriage return gets a leading apostrophe, which spreadsheets show as plain text. Numbers, dates and None pass
unchanged, so a negative amount stays a number.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The value, made inert as a spreadsheet cell if it is text that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_row(values):
    """neutralise() applied to every cell of a row."""
    return [neutralise(value) for value in values]
