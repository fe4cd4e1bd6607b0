"""Intake's use cases on the in-memory unit of work."""
import datetime as dt

import pytest
from people import EO, TODAY, focal

from services.intake import use_cases as uc
from services.intake.memory import IntakeMemory
from shared.contracts.common import Actor, Role
from shared.contracts.directory import Entity
from shared.contracts.intake import (ActivityIn, AnnualFigures, InquiryIn, InquiryStatus,
                                     ServiceRequestIn)
from shared.kernel.errors import Conflict, Forbidden, Invalid, NotFound, validated


S = InquiryStatus


@pytest.fixture
def intake(state, clock):
    """`intake(actor)`: a unit of work acting for `actor`, over one in-memory state."""
    def make(actor: Actor = EO) -> IntakeMemory:
        return IntakeMemory(state, actor, clock)
    for code in ("EO", "UNDP", "UNHCR"):
        uc.register_entity(make(), Entity(code=code, name=code, category="other"))
    return make


def request(**changes) -> ServiceRequestIn:
    return ServiceRequestIn(**{"entity": "EO", "received_on": "2014-09-01",
                               "category": "advice", "advice_topic": "outside_activities",
                               "source": "headquarters", **changes})


def test_registering_an_entity_twice_the_same_emits_once(intake, state):
    uc.register_entity(intake(), Entity(code="UNDP", name="UNDP", category="other"))
    assert len(state.events("entity_registered")) == 3  # the fixture's three, no more
    uc.register_entity(intake(), Entity(code="UNDP", name="UN Development", category="other"))
    assert uc.get_entity(intake(), "UNDP").name == "UN Development"
    assert [e.code for e in uc.list_entities(intake())] == ["EO", "UNDP", "UNHCR"]
    assert len(state.events("entity_registered")) == 4
    with pytest.raises(NotFound):
        uc.get_entity(intake(), "NOPE")


def test_one_request_is_stored_with_its_event_and_audit(intake, state):
    created = uc.log_service_request(intake(), request())
    stored = uc.get_service_request(intake(), created.id)
    assert stored.period == "2014-15" and stored.category.value == "advice"
    [event] = state.events("service_request_logged")
    assert event.payload["id"] == created.id and event.entity == "EO"
    assert state.audit_log[-1]["action"] == "log_service_requests"


def test_a_request_for_another_entity_or_an_unknown_one_is_refused(intake):
    with pytest.raises(Forbidden):
        uc.log_service_request(intake(focal("UNDP")), request(entity="EO"))
    with pytest.raises(Invalid) as unknown:
        uc.log_service_request(intake(), request(entity="NOPE"))
    assert unknown.value.errors[0]["loc"] == ["entity"]
    with pytest.raises(Invalid):
        uc.log_service_request(intake(), request(received_on="2015-08-01"))  # after today


def test_a_batch_keeps_good_rows_and_numbers_the_rest(intake, state):
    items = [request().model_dump(mode="json"), {"entity": "EO"},
             request(entity="UNDP", category="training", advice_topic=None).model_dump(
                 mode="json"), request(entity="NOPE").model_dump(mode="json")]
    answer = uc.log_service_requests(intake(), items)
    assert answer["accepted"] == 2 and [r["row"] for r in answer["rejected"]] == [2, 4]
    assert sorted(e.entity for e in state.events("service_request_batch_logged")) == [
        "EO", "UNDP"]


def test_lists_page_and_scope_to_the_actors_entity(intake):
    uc.log_service_requests(intake(), [request(entity=e).model_dump(mode="json")
                                       for e in ("EO", "UNDP", "UNDP")])
    first = uc.list_service_requests(intake(), uc.ListQuery({}, 2))
    rest = uc.list_service_requests(intake(), uc.ListQuery({}, 2, first.next_cursor))
    assert len(first.items) == 2 and len(rest.items) == 1 and rest.next_cursor is None
    own = uc.list_service_requests(intake(focal("UNDP")), uc.ListQuery({}, 10))
    assert {r.entity for r in own.items} == {"UNDP"}
    with pytest.raises(Forbidden):
        uc.list_service_requests(intake(focal("UNDP")), uc.ListQuery({"entity": "EO"}, 10))
    eo_request = uc.list_service_requests(intake(), uc.ListQuery({"entity": "EO"}, 10)).items[0]
    with pytest.raises(NotFound):
        uc.get_service_request(intake(focal("UNDP")), eo_request.id)


def test_activities_one_and_many(intake, state):
    one = ActivityIn(entity="EO", held_on="2015-03-02", kind="outreach_visit", participants=120)
    uc.record_activity(intake(), one)
    answer = uc.record_activities(intake(), [one.model_dump(mode="json"), {"kind": "picnic"}])
    assert answer["accepted"] == 1 and answer["rejected"][0]["row"] == 2
    assert len(state.events("activity_recorded")) == 2
    page = uc.list_activities(intake(), uc.ListQuery({"kind": "outreach_visit"}, 10))
    assert [a.participants for a in page.items] == [120, 120]


def test_an_inquiry_moves_through_its_review_and_goes_overdue(intake, state, clock):
    created = uc.receive_inquiry(intake(), InquiryIn(entity="EO", received_on="2015-07-01"))
    assert created.status == S.received
    review = uc.decide_inquiry(intake(), uc.DecideInquiry(created.id, S.preliminary_review,
                                                          dt.date(2015, 7, 2)))
    assert review.review_opened_on == dt.date(2015, 7, 2) and not review.overdue
    clock.advance(days=60)
    assert uc.get_inquiry(intake(), created.id).overdue
    assert uc.overdue_reviews(intake()) == {"EO": 1}
    late = uc.list_inquiries(intake(), uc.ListQuery({}, 10, overdue=True))
    assert [i.id for i in late.items] == [created.id]
    assert uc.list_inquiries(intake(), uc.ListQuery({}, 10, overdue=False)).items == []
    types = [e.type for e in state.outbox if e.payload.get("id") == created.id]
    assert types == ["retaliation_inquiry_received", "retaliation_decision_recorded"]


def test_the_case_file_keeps_dated_notes_and_measures_with_their_audit_and_events(
        intake, state, clock):
    created = uc.receive_inquiry(intake(), InquiryIn(entity="EO", received_on="2015-07-01"))
    uc.decide_inquiry(intake(), uc.DecideInquiry(created.id, S.preliminary_review,
                                                 dt.date(2015, 7, 2)))
    protected = uc.record_protection_measure(intake(), uc.ProtectComplainant(
        created.id, "Temporary reassignment", dt.date(2015, 7, 3)))
    assert [(m.measure, m.decided_on) for m in protected.protection_measures] == [
        ("Temporary reassignment", dt.date(2015, 7, 3))]
    noted = uc.add_inquiry_note(intake(), uc.AddNote(created.id, "Spoke to the manager",
                                                     dt.date(2015, 7, 4)))
    assert [(n.text, n.noted_on, n.by) for n in noted.notes] == [
        ("Spoke to the manager", dt.date(2015, 7, 4), "eo officer")]
    assert noted.due_on == dt.date(2015, 8, 16) and noted.days_left == 16
    assert not noted.due_soon and len(noted.protection_measures) == 1
    types = [e.type for e in state.outbox if e.payload.get("id") == created.id]
    assert types[-2:] == ["protection_measure_recorded", "retaliation_note_added"]
    actions = [a["action"] for a in state.audit_log if a["record"].endswith(created.id)]
    assert actions[-2:] == ["record_protection_measure", "add_retaliation_note"]
    clock.advance(days=10)
    assert uc.get_inquiry(intake(), created.id).due_soon


def test_a_refused_note_or_measure_changes_nothing(intake, state):
    created = uc.receive_inquiry(intake(), InquiryIn(entity="EO", received_on="2015-07-01"))
    before = len(state.outbox)
    with pytest.raises(Invalid):
        uc.add_inquiry_note(intake(), uc.AddNote(created.id, "", TODAY))
    uc.decide_inquiry(intake(), uc.DecideInquiry(created.id, S.advice_only, TODAY))
    with pytest.raises(Conflict):
        uc.record_protection_measure(intake(), uc.ProtectComplainant(created.id, "Late", TODAY))
    assert len(state.outbox) == before + 1  # the decision only
    with pytest.raises(NotFound):
        uc.add_inquiry_note(intake(focal("UNDP")), uc.AddNote(created.id, "Not mine", TODAY))


def test_the_queue_shows_open_inquiries_the_urgent_first(intake, clock):
    old = uc.receive_inquiry(intake(), InquiryIn(entity="EO", received_on="2015-03-01")).id
    late = uc.receive_inquiry(intake(), InquiryIn(entity="UNDP", received_on="2015-04-01")).id
    done = uc.receive_inquiry(intake(), InquiryIn(entity="EO", received_on="2015-07-01")).id
    uc.decide_inquiry(intake(), uc.DecideInquiry(late, S.preliminary_review,
                                                 dt.date(2015, 6, 1)))
    uc.decide_inquiry(intake(), uc.DecideInquiry(done, S.advice_only, TODAY))
    queue = uc.inquiry_queue(intake())
    assert [i.id for i in queue] == [late, old]
    assert queue[0].overdue and queue[0].days_left == -15
    assert [i.id for i in uc.inquiry_queue(intake(), S.advice_only)] == [done]
    assert [i.id for i in uc.inquiry_queue(intake(focal("EO")))] == [old]


def test_a_move_the_table_forbids_is_a_conflict_and_changes_nothing(intake, state):
    created = uc.receive_inquiry(intake(), InquiryIn(entity="EO", received_on="2015-05-01"))
    before = len(state.outbox)
    with pytest.raises(Conflict):
        uc.decide_inquiry(intake(), uc.DecideInquiry(created.id, S.retaliation_established,
                                                     TODAY))
    assert len(state.outbox) == before
    assert uc.get_inquiry(intake(), created.id).status == S.received
    with pytest.raises(NotFound):
        uc.decide_inquiry(intake(), uc.DecideInquiry("0" * 24, S.advice_only, TODAY))


def test_a_decision_changed_meanwhile_is_read_again(intake, state):
    """The optimistic check: a decision staged on a state that changed is retried."""
    created = uc.receive_inquiry(intake(), InquiryIn(entity="EO", received_on="2015-05-01"))
    uow = intake()
    real_get = uow.inquiries.get
    raced = []

    def get_then_race(inquiry_id):
        found = real_get(inquiry_id)
        if not raced:
            raced.append(True)
            uc.decide_inquiry(intake(), uc.DecideInquiry(created.id, S.advice_only, TODAY))
        return found
    uow.inquiries.get = get_then_race
    with pytest.raises(Conflict):  # read again: advice_only is closed, the second move refused
        uc.decide_inquiry(uow, uc.DecideInquiry(created.id, S.outside_mandate, TODAY))
    assert uc.get_inquiry(intake(), created.id).status == S.advice_only


def figures(**changes) -> AnnualFigures:
    data = {"total_requests": 10, "requests_by_category": {"advice": 10},
            "retaliation": {"inquiries": 3, "preliminary_reviews": 2, "prima_facie": 1},
            **changes}
    return AnnualFigures.model_validate(data)


def test_figures_make_versions_and_the_same_figures_again_change_nothing(intake, state):
    member = Actor(role=Role.panel_member, entity="UNDP", label="undp head")
    first = uc.submit_annual_figures(intake(member), uc.SubmitFigures("UNDP", "2014-15",
                                                                      figures()))
    again = uc.submit_annual_figures(intake(member), uc.SubmitFigures("UNDP", "2014-15",
                                                                      figures()))
    second = uc.submit_annual_figures(intake(member), uc.SubmitFigures(
        "UNDP", "2014-15", figures(total_requests=11, requests_by_category={"advice": 11})))
    assert (first, again, second) == ({"version": 1, "created": True},
                                      {"version": 1, "created": False},
                                      {"version": 2, "created": True})
    assert [v.version for v in uc.annual_figure_versions(intake(), "UNDP", "2014-15")] == [1, 2]
    assert uc.annual_figures(intake(), "UNDP", "2014-15").figures.total_requests == 11
    assert [e.payload["version"] for e in state.events("annual_figures_submitted")] == [1, 2]
    with pytest.raises(Forbidden):
        uc.submit_annual_figures(intake(member), uc.SubmitFigures("UNHCR", "2014-15",
                                                                  figures()))


def test_the_ethics_office_may_record_figures_as_submitted_on_an_earlier_day(intake, state):
    earlier = dt.date(2015, 7, 1)
    uc.submit_annual_figures(intake(EO), uc.SubmitFigures("UNDP", "2014-15", figures(),
                                                          earlier))
    [event] = state.events("annual_figures_submitted")
    assert event.payload["submitted_on"] == "2015-07-01"
    member = Actor(role=Role.panel_member, entity="UNDP", label="undp head")
    with pytest.raises(Forbidden):
        uc.submit_annual_figures(intake(member), uc.SubmitFigures(
            "UNDP", "2014-15", figures(total_requests=11, requests_by_category={"advice": 11}),
            earlier))
    for day in (TODAY + dt.timedelta(days=1), dt.date(2014, 7, 31)):
        with pytest.raises(Invalid) as refused:
            uc.submit_annual_figures(intake(EO), uc.SubmitFigures("UNDP", "2014-15",
                                                                  figures(), day))
        assert refused.value.errors[0]["loc"] == ["submitted_on"]
    uc.submit_annual_figures(intake(member), uc.SubmitFigures(
        "UNDP", "2014-15", figures(total_requests=11, requests_by_category={"advice": 11})))
    assert state.events("annual_figures_submitted")[-1].payload["submitted_on"] == \
        TODAY.isoformat()


def test_the_check_names_what_would_be_refused_without_saving(intake, state):
    bad = figures(retaliation={"inquiries": 3, "preliminary_reviews": 2, "prima_facie": 5})
    found = uc.check_annual_figures(intake(), uc.SubmitFigures("UNDP", "2014-15", bad))
    assert [p["loc"] for p in found] == [["retaliation", "prima_facie"]]
    assert uc.check_annual_figures(intake(), uc.SubmitFigures("UNDP", "2014-15",
                                                              figures())) == []
    assert [p["loc"] for p in uc.check_annual_figures(
        intake(), uc.SubmitFigures("UNDP", "2015-16", figures()))] == [["period"]]
    with pytest.raises(Invalid) as typed:  # what the form sends is checked by the contract
        validated(AnnualFigures, {"disclosure": {"filers": "x"}})
    assert typed.value.errors[0]["loc"] == ["disclosure", "filers"]
    assert state.events("annual_figures_submitted") == []
    with pytest.raises(Invalid):
        uc.check_annual_figures(intake(), uc.SubmitFigures("NOPE", "2014-15", figures()))


def test_the_periods_with_records_of_an_entity_are_newest_first(intake):
    assert uc.periods_with_records(intake(), "UNDP") == []
    uc.submit_annual_figures(intake(), uc.SubmitFigures("UNDP", "2013-14", figures()))
    uc.log_service_requests(intake(), [request(entity="UNDP").model_dump(mode="json"),
                                       request(entity="UNHCR", received_on="2012-09-01")
                                       .model_dump(mode="json")])
    assert uc.periods_with_records(intake(), "UNDP") == ["2014-15", "2013-14"]
    assert uc.periods_with_records(intake(), "UNHCR") == ["2012-13"]
    assert uc.periods_with_records(intake(), None) == ["2014-15", "2013-14", "2012-13"]
