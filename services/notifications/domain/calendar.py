"""Meeting invitations as iCalendar (RFC 5545, the `icalendar` package): METHOD:REQUEST with a
UID that stays the meeting's, SEQUENCE raised by each reschedule, METHOD:CANCEL to withdraw it.
A meeting is held on a day, so the event is an all-day event."""
import datetime as dt

import icalendar

PRODID = "-//United Nations Ethics Office//EPUN platform//EN"


def meeting_uid(meeting_id: str) -> str:
    return f"panel-meeting-{meeting_id}@epun"


def meeting_calendar(meeting_id: str, day: dt.date, summary: str, description: str,
                     sequence: int, organizer: str | None, attendee: str,
                     cancelled: bool = False, stamp: dt.datetime | None = None) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = icalendar.Event()
    event.add("uid", meeting_uid(meeting_id))
    event.add("sequence", sequence)
    event.add("dtstamp", stamp or dt.datetime.now(dt.timezone.utc))
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if organizer:
        event.add("organizer", f"mailto:{organizer}")
    event.add("attendee", f"mailto:{attendee}", parameters={"ROLE": "REQ-PARTICIPANT",
                                                             "RSVP": "TRUE"})
    calendar.add_component(event)
    return calendar.to_ical()
