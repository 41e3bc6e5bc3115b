"""An iCalendar (RFC 5545) invitation written by hand: one VEVENT, CRLF line ends, times in UTC."""

import datetime

ICS_DATE = "%Y%m%dT%H%M%SZ"
LINE_LIMIT = 75  # octets per line before folding (RFC 5545 §3.1)


def _escape(text) -> str:
    """TEXT values escape backslash, semicolon, comma and newlines (RFC 5545 §3.3.11)."""
    text = str(text or "")
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (Chinese names are 3 octets)."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > LINE_LIMIT:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime(ICS_DATE)


def invitation_ics(
    *,
    uid: str,
    sequence: int,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    stamp: datetime.datetime,
    summary: str,
    description: str,
    location: str,
    organizer: tuple[str, str] | None,
    attendees: list[tuple[str, str]],
) -> str:
    """A METHOD:REQUEST calendar with one event; organizer and attendees are (name, e-mail)."""
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//lawfirm-kpi//interview//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART:{_utc(starts_at)}",
        f"DTEND:{_utc(ends_at)}",
        f"SUMMARY:{_escape(summary)}",
        f"DESCRIPTION:{_escape(description)}",
        f"LOCATION:{_escape(location)}",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
    ]
    if organizer:
        name, email = organizer
        lines.append(f'ORGANIZER;CN="{_escape(name)}":mailto:{email}')
    for name, email in attendees:
        lines.append(
            f'ATTENDEE;CN="{_escape(name)}";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{email}'
        )
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
