"""The consultation's state machine and its rules on positions, without broker or database."""
import datetime as dt

import pytest

from services.panel.domain import CONSULTATION_MOVES, Consultation, topics_of
from shared.contracts.panel import ConsultationStatus
from shared.kernel.errors import Conflict, Forbidden, Invalid

D = dt.date
MEMBERS = {"EO", "UNDP", "UNICEF", "WFP"}
OPENED, RESPOND_BY = D(2014, 10, 1), D(2014, 10, 31)


def opened() -> Consultation:
    return Consultation.open_by_chair("c1", "Use of social media", "What guidance?", RESPOND_BY,
                                      ["Social-Media", "guidance"], OPENED, MEMBERS)


def proposed() -> Consultation:
    return Consultation.propose("c2", "Internal relationships", "How to disclose?", RESPOND_BY,
                                [], "UNICEF", D(2014, 9, 20), MEMBERS)


def in_state(status: ConsultationStatus) -> Consultation:
    if status is ConsultationStatus.proposed:
        return proposed()
    if status is ConsultationStatus.declined:
        c = proposed()
        c.decline(D(2014, 9, 25))
        return c
    c = opened()
    if status is ConsultationStatus.concluded:
        c.conclude("Agreed", "Guidance note", D(2014, 11, 5))
    return c


MOVES = {
    "accept": lambda c: c.accept(D(2014, 9, 25), MEMBERS),
    "decline": lambda c: c.decline(D(2014, 9, 25)),
    "answer": lambda c: c.answer("UNDP", "Our position", D(2014, 10, 10), MEMBERS),
    "extend": lambda c: c.extend(D(2014, 11, 30)),
    "conclude": lambda c: c.conclude("Agreed", "Guidance", D(2014, 11, 5)),
}
EVERY_MOVE = [(status, move) for status in ConsultationStatus for move in MOVES]


def test_the_table_names_every_state_and_only_known_moves():
    assert set(CONSULTATION_MOVES) == set(ConsultationStatus)
    assert {m for row in CONSULTATION_MOVES.values() for m in row} == set(MOVES)


@pytest.mark.parametrize("status,move", EVERY_MOVE)
def test_every_move_from_every_state(status, move):
    consultation = in_state(status)
    assert consultation.status is status
    allowed = CONSULTATION_MOVES[status]
    if move in allowed:
        MOVES[move](consultation)
        assert consultation.status is allowed[move]
    else:
        before = repr(consultation)
        with pytest.raises(Conflict):
            MOVES[move](consultation)
        assert repr(consultation) == before


def test_the_chair_opens_with_every_member_asked_and_tags_tidied():
    c = opened()
    assert c.status is ConsultationStatus.open and c.period == "2014-15"
    assert c.not_answered == ["EO", "UNDP", "UNICEF", "WFP"] and c.answered == []
    assert c.tags == ["guidance", "social-media"]


def test_the_date_to_answer_by_is_not_before_the_opening():
    with pytest.raises(Invalid) as refused:
        Consultation.open_by_chair("c", "t", "q", D(2014, 9, 30), [], OPENED, MEMBERS)
    assert refused.value.errors[0]["loc"] == ["respond_by"]


def test_a_member_proposes_and_the_chair_accepts():
    c = proposed()
    assert c.proposed_by == "UNICEF" and c.opened_on is None and c.period is None
    c.accept(D(2014, 9, 25), MEMBERS | {"UNHCR"}, respond_by=D(2014, 11, 15))
    assert c.status is ConsultationStatus.open and c.opened_on == D(2014, 9, 25)
    assert c.respond_by == D(2014, 11, 15) and "UNHCR" in c.not_answered


def test_a_non_member_cannot_propose():
    with pytest.raises(Forbidden):
        Consultation.propose("c", "t", "q", RESPOND_BY, [], "UNRWA", OPENED, MEMBERS)


def test_one_position_per_member_amendable_until_the_date_to_answer_by():
    c = opened()
    assert c.answer("UNDP", "First", D(2014, 10, 2), MEMBERS) is False
    assert c.answer("UNDP", "Second", RESPOND_BY, MEMBERS) is True
    position = c.positions["UNDP"]
    assert (position.position, position.versions) == ("Second", 2)
    assert (position.first_submitted_on, position.submitted_on) == (D(2014, 10, 2), RESPOND_BY)
    assert c.answered == ["UNDP"] and c.not_answered == ["EO", "UNICEF", "WFP"]


def test_a_late_position_is_refused_until_the_chair_extends():
    c = opened()
    with pytest.raises(Conflict) as late:
        c.answer("WFP", "Late", D(2014, 11, 1), MEMBERS)
    assert "2014-10-31" in late.value.detail and c.positions == {}
    c.extend(D(2014, 11, 14))
    assert c.answer("WFP", "Now in time", D(2014, 11, 1), MEMBERS) is False
    assert c.extended_from == [RESPOND_BY]


def test_an_extension_must_give_a_later_date():
    c = opened()
    with pytest.raises(Invalid):
        c.extend(RESPOND_BY)
    assert c.respond_by == RESPOND_BY


def test_a_non_member_cannot_answer_even_a_concluded_consultation():
    c = in_state(ConsultationStatus.concluded)
    with pytest.raises(Forbidden):
        c.answer("UNRWA", "Ours", D(2014, 10, 2), MEMBERS)


def test_after_conclusion_no_position_is_taken():
    c = opened()
    c.answer("UNDP", "Ours", D(2014, 10, 2), MEMBERS)
    c.conclude("Consensus", "Guidance", D(2014, 11, 5))
    with pytest.raises(Conflict):
        c.answer("UNICEF", "Too late", D(2014, 10, 3), MEMBERS)
    assert c.answered == ["UNDP"] and c.not_answered == ["EO", "UNICEF", "WFP"]


def test_a_position_is_not_dated_before_the_opening():
    with pytest.raises(Invalid) as refused:
        opened().answer("UNDP", "Early", D(2014, 9, 30), MEMBERS)
    assert refused.value.errors[0]["loc"] == ["submitted_on"]


def test_a_member_that_joined_after_the_opening_may_answer_and_is_then_counted():
    c = opened()
    c.answer("UNHCR", "Ours", D(2014, 10, 5), MEMBERS | {"UNHCR"})
    assert "UNHCR" in c.answered and "UNHCR" in c.expected


def test_past_answer_date_only_while_open():
    c = opened()
    assert not c.past_answer_date(RESPOND_BY)
    assert c.past_answer_date(RESPOND_BY + dt.timedelta(days=1))
    c.conclude("Done", "Guidance", D(2014, 11, 5))
    assert not c.past_answer_date(D(2015, 1, 1))


def test_the_topics_of_a_year_list_each_topic_once_with_its_tags():
    first, second = opened(), opened()
    second.tags = ["policy"]
    second.conclude("Done", "Guidance", D(2014, 11, 5))
    topics = topics_of([first, second, proposed()])
    assert topics == [{"topic": "Use of social media", "tags": ["guidance", "policy",
                                                                "social-media"],
                       "consultations": 2, "concluded": 1}]
