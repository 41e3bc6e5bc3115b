"""Numbers of a scheme as people write them: 4.2, not 4.2000 (the database keeps four decimals)."""

from decimal import Decimal, InvalidOperation


def plain_number(value) -> str:
    """The value without trailing zeros and with thousands separators: 4.2000 → "4.2", 500000 → "500,000"."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    # normalize() alone would write 10 as 1E+1.
    number = number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()
    return f"{number:,f}"


def signed_number(value) -> str:
    """A change with its sign, as the calibration pages write it: +0.6, −0.3 (a true minus sign), 0."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    text = plain_number(abs(number))
    return text if number == 0 else ("+" if number > 0 else "\u2212") + text
