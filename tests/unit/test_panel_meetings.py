"""The meeting's state machine and the membership rules, without broker or database."""
import datetime as dt

import pytest

from services.panel.domain import (MEETING_MOVES, MEMBERSHIP_MOVES, Meeting, Membership,
                                   day_of_step)
from shared.contracts.panel import MeetingKind, MeetingStatus, MemberStatus
from shared.kernel.errors import Conflict, Forbidden, Invalid

D = dt.date
TODAY = D(2015, 7, 31)
MEMBERS = {"EO", "UNDP", "UNICEF", "WFP"}


def convened() -> Meeting:
    return Meeting.convene("m1", MeetingKind.formal, D(2015, 3, 11), ["Lessons learned"],
                           D(2015, 2, 20), MEMBERS)


def held() -> Meeting:
    m = convened()
    m.record(D(2015, 3, 11), ["EO", "UNDP"], ["Adopt the note"], "Minutes", MEMBERS, TODAY)
    return m


def in_state(status: MeetingStatus) -> Meeting:
    if status is MeetingStatus.convened:
        return convened()
    if status is MeetingStatus.cancelled:
        m = convened()
        m.cancel(D(2015, 3, 1))
        return m
    m = held()
    if status is MeetingStatus.approved:
        m.approve(D(2015, 4, 15))
    return m


MOVES = {
    "reschedule": lambda m: m.reschedule(D(2015, 3, 18)),
    "cancel": lambda m: m.cancel(D(2015, 3, 1)),
    "record": lambda m: m.record(D(2015, 3, 11), ["EO", "WFP"], ["One decision"], "Minutes",
                                 MEMBERS, TODAY),
    "approve": lambda m: m.approve(D(2015, 4, 15)),
}
EVERY_MOVE = [(status, move) for status in MeetingStatus for move in MOVES]


def test_the_table_names_every_state_and_only_known_moves():
    assert set(MEETING_MOVES) == set(MeetingStatus)
    assert {m for row in MEETING_MOVES.values() for m in row} == set(MOVES)


@pytest.mark.parametrize("status,move", EVERY_MOVE)
def test_every_move_from_every_state(status, move):
    meeting = in_state(status)
    assert meeting.status is status
    allowed = MEETING_MOVES[status]
    if move in allowed:
        MOVES[move](meeting)
        assert meeting.status is allowed[move]
    else:
        before = vars(meeting).copy()
        with pytest.raises(Conflict):
            MOVES[move](meeting)
        assert vars(meeting) == before


def test_convening_invites_the_current_members_in_order():
    assert convened().invited == ["EO", "UNDP", "UNICEF", "WFP"]
    assert convened().period == "2014-15"


def test_a_meeting_is_not_scheduled_before_it_is_convened():
    with pytest.raises(Invalid) as refused:
        Meeting.convene("m", MeetingKind.informal, D(2015, 1, 1), ["x"], D(2015, 1, 2), MEMBERS)
    assert refused.value.errors[0]["loc"] == ["scheduled_for"]


def test_attendees_must_be_members():
    meeting = convened()
    with pytest.raises(Invalid) as refused:
        meeting.record(D(2015, 3, 11), ["EO", "NOTAMEMBER"], [], "Minutes", MEMBERS, TODAY)
    assert refused.value.errors[0]["loc"] == ["attendees"]
    assert "NOTAMEMBER" in refused.value.errors[0]["msg"]
    assert meeting.status is MeetingStatus.convened and meeting.attendees == []


def test_an_invited_member_that_left_since_still_counts_as_attendee():
    meeting = convened()
    meeting.record(D(2015, 3, 11), ["WFP"], [], "Minutes", MEMBERS - {"WFP"}, TODAY)
    assert meeting.attendees == ["WFP"]


def test_a_meeting_is_recorded_once_held_not_in_the_future():
    with pytest.raises(Invalid) as refused:
        convened().record(D(2015, 8, 1), ["EO"], [], "Minutes", MEMBERS, TODAY)
    assert refused.value.errors[0]["loc"] == ["held_on"]


def test_the_record_can_be_corrected_until_approved_then_never():
    meeting = held()
    meeting.record(D(2015, 3, 12), ["EO"], ["A", "B"], "Corrected", MEMBERS, TODAY)
    assert (meeting.held_on, meeting.decisions, meeting.minutes) == (
        D(2015, 3, 12), ["A", "B"], "Corrected")
    meeting.approve(D(2015, 4, 15))
    with pytest.raises(Conflict):
        meeting.record(D(2015, 3, 11), ["EO"], [], "Again", MEMBERS, TODAY)
    assert meeting.minutes == "Corrected"


def test_the_period_follows_the_day_held():
    meeting = Meeting.convene("m", MeetingKind.formal, D(2015, 7, 30), ["x"], D(2015, 7, 1),
                              MEMBERS)
    assert meeting.period == "2014-15"
    meeting.record(D(2015, 8, 3), ["EO"], [], "Held late", MEMBERS, D(2015, 8, 3))
    assert meeting.period == "2015-16"


# ---- membership ----

def test_joining_leaving_and_joining_again():
    member, changed = Membership.join(None, "UNDP", "Head, UNDP Ethics Office", D(2014, 8, 1))
    assert changed and member.status is MemberStatus.active
    same, changed = Membership.join(member, "UNDP", "Head, UNDP Ethics Office", D(2015, 1, 1))
    assert not changed and same.joined_on == D(2014, 8, 1)
    renamed, changed = Membership.join(member, "UNDP", "Acting head", D(2015, 1, 1))
    assert changed and renamed.head == "Acting head"
    member.leave(D(2015, 2, 1))
    assert member.status is MemberStatus.left and member.left_on == D(2015, 2, 1)
    with pytest.raises(Conflict):
        member.leave(D(2015, 2, 2))
    back, changed = Membership.join(member, "UNDP", "New head", D(2015, 3, 1))
    assert changed and back.status is MemberStatus.active and back.left_on is None
    assert set(MEMBERSHIP_MOVES) == set(MemberStatus)


def test_a_member_does_not_leave_before_it_joined():
    member, _ = Membership.join(None, "WFP", "Head", D(2015, 1, 1))
    with pytest.raises(Invalid):
        member.leave(D(2014, 12, 31))
    assert member.status is MemberStatus.active


# ---- the day a step happens ----

def test_the_day_of_a_step_is_today_unless_the_chair_gives_another():
    assert day_of_step(None, TODAY, False, "on") == TODAY
    assert day_of_step(TODAY, TODAY, False, "on") == TODAY
    assert day_of_step(D(2014, 9, 1), TODAY, True, "on") == D(2014, 9, 1)
    with pytest.raises(Forbidden):
        day_of_step(D(2014, 9, 1), TODAY, False, "on")
    with pytest.raises(Invalid) as future:
        day_of_step(D(2015, 8, 1), TODAY, True, "held_on")
    assert future.value.errors[0]["loc"] == ["held_on"]
