"""Who may remind one filer, and when (disclosure's domain)."""
import datetime as dt

import pytest

from services.disclosure.domain import (Cycle, FilerReminder, check_may_remind,
                                        days_to_deadline, filer_reminder_problem, newest_first)
from shared.contracts.common import Actor, Role
from shared.kernel.errors import Conflict, Forbidden

TODAY = dt.date(2015, 7, 31)
OFFICE = Actor(role=Role.ethics_office, label="eo")
FOCAL = Actor(role=Role.focal_point, entity="UNDP", label="undp focal")
CYCLE = Cycle(2015, dt.date(2015, 3, 1), dt.date(2015, 8, 30), 1000.0)


def test_the_office_reminds_anyone_a_focal_point_its_own_entity_s_filers_only():
    check_may_remind(OFFICE, "DM")
    check_may_remind(FOCAL, "UNDP")
    with pytest.raises(Forbidden, match="reminds UNDP's filers only"):
        check_may_remind(FOCAL, "DM")
    with pytest.raises(Forbidden):
        check_may_remind(Actor(role=Role.reviewer, label="r"), "UNDP")


def test_only_a_filer_who_has_not_filed_nor_been_exempted_once_a_day():
    assert filer_reminder_problem("S1", "invited", [TODAY - dt.timedelta(days=1)], TODAY) is None
    assert "has filed" in filer_reminder_problem("S1", "cleared", [], TODAY)
    assert "exempted" in filer_reminder_problem("S1", "exempted", [], TODAY)
    assert "today already" in filer_reminder_problem("S1", "invited", [TODAY], TODAY)


def test_a_reminder_names_its_filer_and_the_days_left():
    reminder = FilerReminder.send(FOCAL, CYCLE, "S1", "UNDP", "invited", [], TODAY)
    [event] = reminder.take_events()
    assert event.payload.staff_id == "S1" and event.payload.days_before == 30
    assert reminder.view()["sent_by"] == "undp focal"
    assert days_to_deadline(CYCLE.deadline, dt.date(2015, 9, 2)) == 0


def test_no_reminder_on_a_closed_cycle_or_after_its_deadline():
    with pytest.raises(Conflict, match="closed"):
        FilerReminder.send(OFFICE, CYCLE.close(TODAY), "S1", "UNDP", "invited", [], TODAY)
    with pytest.raises(Conflict, match="deadline"):
        FilerReminder.send(OFFICE, CYCLE, "S1", "UNDP", "invited", [], dt.date(2015, 9, 1))


def test_reminders_are_listed_newest_first_the_undated_last():
    listed = newest_first([{"sent_on": None, "staff_id": None},
                           {"sent_on": "2015-07-01", "staff_id": "S1"},
                           {"sent_on": "2015-07-03", "staff_id": None}])
    assert [r["sent_on"] for r in listed] == ["2015-07-03", "2015-07-01", None]
