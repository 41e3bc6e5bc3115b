"""The interview invitation's calendar file, read back with the icalendar parser a calendar program would use."""

import datetime

import pytest
from icalendar import Calendar

from interviews.ics import invitation_ics

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def invitation(**overrides):
    values = {
        "uid": "interview-7@kpi.example",
        "sequence": 0,
        "starts_at": datetime.datetime(2026, 7, 8, 15, 30, tzinfo=SHANGHAI),
        "ends_at": datetime.datetime(2026, 7, 8, 16, 30, tzinfo=SHANGHAI),
        "stamp": datetime.datetime(2026, 7, 6, 9, tzinfo=datetime.UTC),
        "summary": "Feedback interview 2026Q2: Smith, John",
        "description": "Feedback interview on your result (regulation 3.5); bring notes.\nRoom 3.",
        "location": "Room 3, 2nd floor",
        "organizer": ("Zhou; Qiang", "senior@firm.example"),
        "attendees": [("Smith, John", "john@firm.example")],
    }
    return invitation_ics(**{**values, **overrides})


def event_of(text):
    calendar = Calendar.from_ical(text)
    assert str(calendar["METHOD"]) == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    return event


@pytest.mark.parametrize(
    "name",
    ["Smith, John", 'John "JJ" Smith', "O'Brien; Mary", "Back\\slash: Lee", "陈静", "欧阳, 晓明"],
)
def test_a_name_with_punctuation_reaches_the_calendar_program_unchanged(name):
    text = invitation(attendees=[(name, "john@firm.example")], organizer=(name, "senior@firm.example"))
    event = event_of(text)
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:john@firm.example"
    assert attendee.params["CN"] == name
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT" and attendee.params["RSVP"] == "TRUE"
    assert event["ORGANIZER"].params["CN"] == name
    # A double quote never ends the parameter early: the attendee line has the e-mail address after the parameters
    attendee_line = next(line for line in text.replace("\r\n ", "").split("\r\n") if line.startswith("ATTENDEE"))
    assert attendee_line.endswith(":mailto:john@firm.example")


def test_the_hand_written_escaping_bug_is_gone_a_comma_in_a_quoted_name_has_no_backslash():
    text = invitation()
    assert 'CN="Smith, John"' in text and 'Smith\\, John"' not in text


def test_times_are_utc_and_text_survives_the_round_trip():
    event = event_of(invitation())
    assert event["DTSTART"].dt == datetime.datetime(2026, 7, 8, 7, 30, tzinfo=datetime.UTC)
    assert event["DTEND"].dt == datetime.datetime(2026, 7, 8, 8, 30, tzinfo=datetime.UTC)
    assert event["DTSTAMP"].dt == datetime.datetime(2026, 7, 6, 9, tzinfo=datetime.UTC)
    assert str(event["SUMMARY"]) == "Feedback interview 2026Q2: Smith, John"
    assert str(event["LOCATION"]) == "Room 3, 2nd floor"
    assert str(event["DESCRIPTION"]).endswith("bring notes.\nRoom 3.")


def test_a_moved_interview_keeps_its_uid_and_raises_the_sequence():
    first = event_of(invitation())
    moved = event_of(
        invitation(
            sequence=1,
            starts_at=datetime.datetime(2026, 7, 8, 16, 30, tzinfo=SHANGHAI),
            ends_at=datetime.datetime(2026, 7, 8, 17, 30, tzinfo=SHANGHAI),
        )
    )
    assert str(first["UID"]) == str(moved["UID"]) == "interview-7@kpi.example"
    assert (first["SEQUENCE"], moved["SEQUENCE"]) == (0, 1)
    assert moved["DTSTART"].dt == datetime.datetime(2026, 7, 8, 8, 30, tzinfo=datetime.UTC)


def test_lines_end_in_crlf_and_fold_within_75_octets():
    text = invitation(
        description="与周强的反馈面谈；请准时参加，" * 8, attendees=[("欧阳, 晓明" * 6, "a@firm.example")]
    )
    lines = text.split("\r\n")
    assert lines[-1] == "" and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    assert event_of(text)["ATTENDEE"].params["CN"] == "欧阳, 晓明" * 6
