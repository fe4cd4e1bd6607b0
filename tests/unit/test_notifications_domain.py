"""The notifications' rules alone: the reminder schedule driven by the day, templates in every
language they exist in, and meeting invitations read back as iCalendar."""
import datetime as dt
import json

import icalendar
import pytest

from services.notifications import domain
from services.notifications.domain import messages
from services.notifications.domain.schedule import Cycle
from shared.contracts.contacts import Language

CYCLE = Cycle(2015, dt.date(2015, 3, 1), dt.date(2015, 4, 30))
OFFSETS = [14, 7, 1]


def days_due(cycle, offsets, first, last):
    """Each day from `first` to `last` the schedule asks for a new moment: {day: days_before}."""
    asked, seen = {}, set()
    day = first
    while day <= last:
        found = domain.due(cycle, day, offsets)
        if found and found.key not in seen:
            seen.add(found.key)
            asked[day] = found.days_before
        day += dt.timedelta(days=1)
    return asked


def test_reminders_fall_due_at_each_offset_before_the_deadline_then_one_overdue_notice():
    asked = days_due(CYCLE, OFFSETS, dt.date(2015, 2, 1), dt.date(2015, 6, 30))
    assert asked == {dt.date(2015, 4, 16): 14, dt.date(2015, 4, 23): 7,
                     dt.date(2015, 4, 29): 1, dt.date(2015, 5, 1): domain.OVERDUE}


def test_a_service_down_over_two_offsets_sends_only_the_nearest():
    assert domain.due(CYCLE, dt.date(2015, 4, 24), OFFSETS).days_before == 7
    assert domain.due(CYCLE, dt.date(2015, 4, 30), OFFSETS).days_before == 1


@pytest.mark.parametrize("cycle, today", [
    (CYCLE, dt.date(2015, 2, 28)),                                   # not yet open
    (Cycle(2015, dt.date(2015, 3, 1), dt.date(2015, 4, 30), closed=True), dt.date(2015, 4, 29)),
    (Cycle(2015, dt.date(2015, 3, 1), dt.date(2015, 4, 30), closed=True), dt.date(2026, 5, 1)),
    (CYCLE, dt.date(2015, 4, 1)),                                    # no offset has come yet
])
def test_nothing_is_due(cycle, today):
    assert domain.due(cycle, today, OFFSETS) is None


def test_asked_for_reminders_follow_the_same_rules():
    assert domain.on_demand(None, dt.date(2015, 4, 1), 7) is None
    assert domain.on_demand(CYCLE, dt.date(2015, 2, 1), 7) is None
    assert domain.on_demand(CYCLE, dt.date(2026, 4, 1), 7).overdue      # eleven years late
    assert domain.on_demand(CYCLE, dt.date(2015, 4, 1), 7).key == "reminders:2015:7"


def test_offsets_are_parsed_and_refused():
    assert domain.parse_offsets("1, 14,7") == [14, 7, 1]
    for bad in ("7,x", "0", "-3"):
        with pytest.raises(ValueError):
            domain.parse_offsets(bad)


VALUES = {"name": "Ana", "entity": "UNHCR", "year": 2015, "opens_on": "2015-03-01",
          "deadline": "2015-04-30", "days_before": 7, "required": 10, "filed": 4,
          "outstanding": 6, "non_filers_link": "/focal/UNHCR/compliance/2015/non-filers.csv",
          "meeting_kind": "formal", "day": "2015-06-01", "agenda": ["Budget <2016>"],
          "topic": "Gifts", "respond_by": "2015-03-10", "concluded_on": "2015-03-11",
          "outcome": "Guidance issued", "guidance": "Decline gifts.", "matters": 2,
          "types": ["financial_holding"], "reason": "security", "period": "2014-15",
          "version": 3, "link": "/somewhere"}


@pytest.mark.parametrize("kind", domain.kinds())
@pytest.mark.parametrize("language", [lang.value for lang in Language])
def test_every_kind_renders_in_every_official_language(kind, language):
    composed = domain.compose(kind, language, VALUES, "https://epun.example.org")
    assert composed.language == language and not composed.fell_back
    assert "https://epun.example.org/somewhere" in composed.text
    assert 'href="https://epun.example.org/somewhere"' in composed.html
    written = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{written}">' in composed.html
    if language in ("zh", "ru", "ar"):
        latin = [w for w in composed.subject.replace("UNHCR", "").split() if w.isascii()
                 and w.isalpha()]
        assert not latin, composed.subject  # no English words in a script that has none


def test_html_escapes_values_and_dates_are_written_in_the_language():
    en = domain.compose("meeting_invitation", "en", VALUES, "https://x.org")
    zh = domain.compose("meeting_invitation", "zh", VALUES, "https://x.org")
    assert "Budget &lt;2016&gt;" in en.html and "Budget <2016>" in en.text
    assert "1 June 2015" in en.subject and "2015年6月1日" in zh.subject


def test_a_language_without_templates_falls_back_to_english_and_says_so():
    composed = domain.compose("filing_reminder", "de", VALUES, "https://x.org")
    assert composed.fell_back and composed.language == "en"
    assert "30 April 2015" in composed.text


def test_a_missing_value_or_a_broken_template_raises(tmp_path, monkeypatch):
    values = {k: v for k, v in VALUES.items() if k != "deadline"}
    with pytest.raises(domain.TemplateBroken):
        domain.compose("filing_reminder", "en", values, "https://x.org")
    with pytest.raises(domain.TemplateBroken):
        domain.compose("no_such_kind", "en", VALUES, "https://x.org")
    broken = json.loads((messages.FOLDER / "en.json").read_text(encoding="utf-8"))
    broken["filing_reminder"]["text"] = "{% if %}"
    (tmp_path / "en.json").write_text(json.dumps(broken), encoding="utf-8")
    monkeypatch.setattr(messages, "FOLDER", tmp_path)
    for cached in (messages.catalogue, messages._compiled):
        cached.cache_clear()
    try:
        with pytest.raises(domain.TemplateBroken):
            domain.compose("filing_reminder", "en", VALUES, "https://x.org")
    finally:
        monkeypatch.undo()
        for cached in (messages.catalogue, messages._compiled):
            cached.cache_clear()


def test_every_language_file_names_only_kinds_english_has():
    english = set(messages.catalogue("en"))
    for path in messages.FOLDER.glob("*.json"):
        assert set(json.loads(path.read_text(encoding="utf-8"))) <= english, path.name


def calendar_event(ics: bytes):
    calendar = icalendar.Calendar.from_ical(ics)
    return calendar, next(c for c in calendar.walk("VEVENT"))


def test_an_invitation_its_update_and_its_cancellation_share_the_uid():
    invite = domain.meeting_calendar("M1", dt.date(2015, 6, 1), "Panel", "Agenda", 0,
                                     "eo@un.example.org", "head@undp.example.org")
    update = domain.meeting_calendar("M1", dt.date(2015, 6, 3), "Panel", "Agenda", 1,
                                     "eo@un.example.org", "head@undp.example.org")
    cancel = domain.meeting_calendar("M1", dt.date(2015, 6, 3), "Panel", "Agenda", 2,
                                     "eo@un.example.org", "head@undp.example.org",
                                     cancelled=True)
    parsed = [calendar_event(ics) for ics in (invite, update, cancel)]
    assert [str(c["METHOD"]) for c, _ in parsed] == ["REQUEST", "REQUEST", "CANCEL"]
    assert {str(e["UID"]) for _, e in parsed} == {domain.meeting_uid("M1")}
    assert [int(e["SEQUENCE"]) for _, e in parsed] == [0, 1, 2]
    assert [e.decoded("DTSTART") for _, e in parsed] == [
        dt.date(2015, 6, 1), dt.date(2015, 6, 3), dt.date(2015, 6, 3)]
    assert str(parsed[2][1]["STATUS"]) == "CANCELLED"
    assert str(parsed[0][1]["ATTENDEE"]) == "mailto:head@undp.example.org"
