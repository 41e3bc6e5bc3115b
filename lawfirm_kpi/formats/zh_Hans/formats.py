"""Numbers for the firm's Chinese readers: amounts grouped by thousands with commas (80,000.00), as Chinese
invoices, contracts and ledgers write them; Django's zh_Hans default writes no separator at all. Dates and every
other format stay Django's zh_Hans ones."""

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
