"""An iCalendar (RFC 5545) invitation: one VEVENT, times in UTC, written by the icalendar library.

The library does the quoting a hand-written file got wrong: a name with a comma ("Smith, John") is a quoted
parameter value without backslashes, and a double quote in a name is encoded as ^' (RFC 6868) instead of ending the
parameter; text values are escaped and long lines folded at 75 octets without splitting a UTF-8 character.
"""

import datetime

from icalendar import Calendar, Event, vCalAddress


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC)


def _address(name: str, email: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = str(name)
    for key, value in params.items():
        address.params[key.replace("_", "-")] = value
    return address


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
    calendar = Calendar()
    calendar.add("prodid", "-//lawfirm-kpi//interview//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", _utc(stamp))
    event.add("dtstart", _utc(starts_at))
    event.add("dtend", _utc(ends_at))
    event.add("summary", str(summary or ""))
    event.add("description", str(description or ""))
    event.add("location", str(location or ""))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    if organizer:
        event.add("organizer", _address(*organizer))
    for name, email in attendees:
        event.add("attendee", _address(name, email, ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", RSVP="TRUE"))
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
