"""Dates for the firm's Chinese readers, one way everywhere (docs/chinese.md, "Dates"): 2026年12月14日 and
2026年12月14日 14:30, in running text, tables, e-mails and PDFs alike. Django's own zh_Hans formats mix this with
2026/12/14 for the short forms, which is how pages came to show both."""

DATE_FORMAT = "Y年n月j日"
SHORT_DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"
SHORT_DATETIME_FORMAT = "Y年n月j日 H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "n月j日"
YEAR_MONTH_FORMAT = "Y年n月"
FIRST_DAY_OF_WEEK = 1  # Monday
# Forms accept what Chinese users type as well as the ISO dates of the date pickers.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M",
    "%Y年%m月%d日 %H:%M",
]
# Amounts grouped by thousands with commas (80,000.00), as Chinese invoices, contracts and ledgers write them;
# Django's zh_Hans default writes no separator at all.
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
