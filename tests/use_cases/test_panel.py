"""The Panel's use cases on the in-memory unit of work: each loads, asks the aggregate, saves,
emits and audits; a member acts for its own entity; a record changed meanwhile is read again."""
import datetime as dt

import pytest
from people import EO, TODAY

from services.panel import use_cases as uc
from services.panel.memory import PanelMemory
from shared.contracts import panel as c
from shared.contracts.common import Actor, Role
from shared.kernel.errors import Conflict, Forbidden, Invalid, NotFound, validated

CHAIR = Actor(role=Role.panel_chair, entity="EO", label="panel chair")
MEMBERS = ("EO", "UNDP", "UNICEF")


def member(entity: str) -> Actor:
    return Actor(role=Role.panel_member, entity=entity, label=f"{entity} head")


def day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


def step(record_id: str, model=c.StepDate, **body) -> uc.Step:
    return uc.Step(record_id, validated(model, body))


@pytest.fixture
def panel(state, clock):
    """`panel(actor)`: a unit of work acting for `actor`; EO, UNDP and UNICEF are members."""
    def make(actor: Actor = CHAIR) -> PanelMemory:
        return PanelMemory(state, actor, clock)
    for entity in MEMBERS:
        uc.join_member(make(), step(entity, c.MemberIn, head=f"Head of {entity}"))
    return make


def types(state, record_id: str) -> list[str]:
    return [e.type for e in state.outbox
            if record_id in (e.payload.get("id"), e.payload.get("consultation_id"))]


# ---- members ----

def test_joining_again_the_same_changes_nothing_and_leaving_is_recorded(panel, state):
    assert len(state.events("panel_member_joined")) == 3
    same = uc.join_member(panel(), step("UNDP", c.MemberIn, head="Head of UNDP"))
    assert same.status == c.MemberStatus.active and len(state.events("panel_member_joined")) == 3
    renamed = uc.join_member(panel(EO), step("UNDP", c.MemberIn, head="Acting head"))
    assert renamed.head == "Acting head" and len(state.events("panel_member_joined")) == 4
    uc.join_member(panel(), step("UNHCR", c.MemberIn, head="Head", joined_on=day(-30)))
    left = uc.leave_member(panel(), step("UNHCR", on=day(-1)))
    assert left.status == c.MemberStatus.left and left.left_on == day(-1)
    [event] = state.events("panel_member_left")
    assert event.entity == "UNHCR" and event.actor.role == Role.panel_chair
    # membership has dates: the events carry the days the member joined and left
    assert event.payload["left_on"] == day(-1).isoformat()
    assert state.events("panel_member_joined")[-1].payload["joined_on"] == day(-30).isoformat()
    assert state.events("panel_member_joined")[-2].payload["joined_on"] is not None  # renamed
    assert state.audit_log[-1]["action"] == "leave_member"
    assert state.audit_log[-1]["record"] == "members/UNHCR"
    assert state.audit_log[-1]["entity"] == "UNHCR"
    with pytest.raises(Conflict):
        uc.leave_member(panel(), step("UNHCR"))


HEAD = {"name": "Head of UNDP", "email": "head@undp.example.org"}
DEPUTY = {"name": "Zhang Min", "email": "Zhang.Min@undp.example.org", "language": "zh"}


def test_a_members_contacts_travel_in_its_events(panel, state):
    joined = uc.join_member(panel(), step("UNHCR", c.MemberIn, head="Head of UNHCR",
                                          contacts=[HEAD]))
    assert [k.email for k in joined.contacts] == ["head@undp.example.org"]
    assert state.events("panel_member_joined")[-1].payload["contacts"] == [
        {**HEAD, "language": "en"}]
    # the same head with new contacts: only the contacts change
    changed = uc.join_member(panel(), step("UNDP", c.MemberIn, head="Head of UNDP",
                                           contacts=[HEAD, DEPUTY]))
    assert len(state.events("panel_member_joined")) == 4
    [event] = state.events("panel_member_contacts_changed")
    assert event.entity == "UNDP" and event.payload["contacts"] == [
        {**HEAD, "language": "en"}, {**DEPUTY, "email": "zhang.min@undp.example.org"}]
    assert [k.language.value for k in changed.contacts] == ["en", "zh"]
    # the same again, or no contacts named: nothing changes
    uc.join_member(panel(), step("UNDP", c.MemberIn, head="Head of UNDP",
                                 contacts=[HEAD, DEPUTY]))
    kept = uc.join_member(panel(), step("UNDP", c.MemberIn, head="Head of UNDP"))
    assert len(kept.contacts) == 2 and len(state.events("panel_member_contacts_changed")) == 1
    # a new head: joined again, with the contacts it keeps
    uc.join_member(panel(), step("UNDP", c.MemberIn, head="Acting head"))
    assert len(state.events("panel_member_joined")[-1].payload["contacts"]) == 2
    uc.join_member(panel(), step("UNDP", c.MemberIn, head="Acting head", contacts=[]))
    assert state.events("panel_member_contacts_changed")[-1].payload["contacts"] == []


def test_a_contact_whose_address_is_not_one_is_refused_by_its_field():
    with pytest.raises(Invalid) as refused:
        validated(c.MemberIn, {"head": "H", "contacts": [HEAD, {"name": "X", "email": "x@y"}]})
    [error] = refused.value.errors
    assert error["loc"] == ["contacts", 1, "email"]
    assert error["msg"] == "'x@y' is not an e-mail address (name@domain)"


def test_members_list_by_status_and_page_by_entity(panel):
    uc.leave_member(panel(), step("UNICEF"))
    active = uc.list_members(panel(), c.MemberQuery(status="active"))
    assert [m.entity for m in active.items] == ["EO", "UNDP"]
    first = uc.list_members(panel(), c.MemberQuery(limit=2))
    rest = uc.list_members(panel(), c.MemberQuery(limit=2, cursor=first.next_cursor))
    assert [m.entity for m in first.items + rest.items] == list(MEMBERS)
    assert rest.next_cursor is None
    assert uc.get_member(panel(), "UNDP").head == "Head of UNDP"
    with pytest.raises(NotFound):
        uc.get_member(panel(), "WFP")


# ---- meetings ----

def convened(panel, **body):
    fields = {"scheduled_for": day(-10), "kind": "formal", "agenda": ["Lessons learned"],
              "convened_on": day(-20), **body}
    return uc.convene_meeting(panel(), validated(c.MeetingIn, fields))


def test_a_meeting_from_convening_to_its_approved_record(panel, state):
    meeting = convened(panel)
    assert meeting.invited == list(MEMBERS) and meeting.convened_on == day(-20)
    uc.reschedule_meeting(panel(), step(meeting.id, c.MeetingReschedule,
                                        scheduled_for=day(-9)))
    record = {"held_on": day(-9), "attendees": ["EO", "UNDP"], "decisions": ["Adopt"],
              "minutes": "Minutes"}
    held = uc.record_meeting(panel(), step(meeting.id, c.MeetingRecordIn, **record))
    assert held.status == c.MeetingStatus.held and held.period == "2014-15"
    approved = uc.approve_meeting(panel(), step(meeting.id))
    assert approved.status == c.MeetingStatus.approved and approved.approved_on == TODAY
    assert types(state, meeting.id) == ["meeting_convened", "meeting_rescheduled",
                                        "meeting_recorded", "meeting_record_approved"]
    assert {e.entity for e in state.outbox if e.payload.get("id") == meeting.id} == {"EO"}
    [recorded] = state.events("meeting_recorded")
    assert recorded.payload["decisions"] == 1
    assert [a["action"] for a in state.audit_log[-4:]] == [
        "convene_meeting", "reschedule_meeting", "record_meeting", "approve_meeting"]
    assert uc.get_meeting(panel(member("UNDP")), meeting.id).minutes == "Minutes"


def test_a_meeting_refuses_strangers_and_moves_its_table_forbids(panel, state):
    meeting = convened(panel)
    with pytest.raises(Invalid) as strangers:
        uc.record_meeting(panel(), step(meeting.id, c.MeetingRecordIn, held_on=day(-9),
                                        attendees=["UNDP", "WFP"], minutes="Minutes"))
    assert strangers.value.errors[0]["loc"] == ["attendees"]  # the boundary adds "body"
    cancelled = uc.cancel_meeting(panel(), step(meeting.id))
    assert cancelled.status == c.MeetingStatus.cancelled and cancelled.cancelled_on == TODAY
    before = len(state.outbox)
    with pytest.raises(Conflict):
        uc.approve_meeting(panel(), step(meeting.id))
    assert len(state.outbox) == before
    with pytest.raises(NotFound):
        uc.cancel_meeting(panel(), step("0" * 24))
    with pytest.raises(NotFound):
        uc.get_meeting(panel(), "0" * 24)


def test_meetings_list_with_filters_and_cursor(panel):
    formal, informal = convened(panel), convened(panel, kind="informal")
    convened(panel, kind="informal", scheduled_for=day(10), convened_on=None)
    first = uc.list_meetings(panel(), c.MeetingQuery(kind="informal", limit=1))
    rest = uc.list_meetings(panel(), c.MeetingQuery(kind="informal", cursor=first.next_cursor))
    assert first.items[0].id == informal.id and len(rest.items) == 1
    assert [m.id for m in uc.list_meetings(panel(), c.MeetingQuery(period="2014-15",
                                                                   kind="formal")).items] == [
        formal.id]
    assert uc.list_meetings(panel(), c.MeetingQuery(status="held")).items == []


def test_only_the_chair_dates_a_step_another_day(panel):
    with pytest.raises(Forbidden):
        uc.convene_meeting(panel(member("UNDP")), validated(c.MeetingIn, {
            "scheduled_for": day(1), "kind": "formal", "agenda": ["x"], "convened_on": day(-1)}))
    with pytest.raises(Invalid) as future:
        uc.leave_member(panel(), step("UNDP", on=day(1)))
    assert future.value.errors[0]["loc"] == ["on"]


# ---- consultations ----

def opened(panel, actor=CHAIR, **body):
    fields = {"topic": "Use of social media", "question": "What guidance?",
              "respond_by": day(14), "tags": ["social-media "], **body}
    return uc.open_consultation(panel(actor), validated(c.ConsultationIn, fields))


def position(panel, actor, consultation_id, entity, text="Our position", **body):
    return uc.submit_position(panel(actor), step(consultation_id, c.PositionIn, entity=entity,
                                                 position=text, **body))


def test_a_consultation_opened_answered_extended_and_concluded(panel, state, clock):
    consultation = opened(panel, respond_by=day(3))
    assert consultation.status == c.ConsultationStatus.open
    assert consultation.not_answered == list(MEMBERS) and consultation.tags == ["social-media"]
    first = position(panel, member("UNDP"), consultation.id, "UNDP")
    again = position(panel, member("UNDP"), consultation.id, "UNDP", "Considered")
    assert (first.amended, again.amended, again.versions) == (False, True, 2)
    [one, two] = state.events("position_submitted")
    assert (one.entity, one.payload["amended"], two.payload["amended"]) == ("UNDP", False, True)
    clock.advance(days=4)
    assert uc.consultations_past_answer_date(panel()) == 1
    with pytest.raises(Conflict):
        position(panel, member("UNICEF"), consultation.id, "UNICEF")
    extended = uc.extend_consultation(panel(), step(consultation.id, c.ConsultationExtension,
                                                    respond_by=day(30)))
    assert extended.past_answer_date is False and uc.consultations_past_answer_date(panel()) == 0
    concluded = uc.conclude_consultation(panel(), step(
        consultation.id, c.ConsultationConclusionIn, outcome="Agreed", guidance="A note"))
    assert concluded.answered == ["UNDP"] and concluded.not_answered == ["EO", "UNICEF"]
    assert types(state, consultation.id) == [
        "consultation_opened", "position_submitted", "position_submitted",
        "consultation_extended", "consultation_concluded"]
    [conclusion] = state.events("consultation_concluded")
    assert (conclusion.payload["outcome"], conclusion.payload["guidance"]) == ("Agreed",
                                                                               "A note")
    shown = uc.get_consultation(panel(member("UNICEF")), consultation.id)
    assert [p.position for p in shown.positions] == ["Considered"]
    assert state.audit_log[-1]["record"] == f"consultations/{consultation.id}"


def test_a_member_answers_for_its_own_entity_today_only(panel):
    consultation = opened(panel, opened_on=day(-5))
    with pytest.raises(Forbidden):
        position(panel, member("UNDP"), consultation.id, "UNICEF")
    with pytest.raises(Forbidden):
        position(panel, member("UNDP"), consultation.id, "UNDP", submitted_on=day(-1))
    by_chair = position(panel, CHAIR, consultation.id, "UNDP", submitted_on=day(-1))
    assert by_chair.submitted_on == day(-1)
    with pytest.raises(Forbidden):  # not a member at all
        position(panel, member("WFP"), consultation.id, "WFP")
    with pytest.raises(NotFound):
        position(panel, CHAIR, "0" * 24, "UNDP")


def test_a_members_proposal_is_accepted_or_declined_by_the_chair(panel, state):
    proposal = opened(panel, member("UNICEF"), topic="Internal relationships")
    assert proposal.status == c.ConsultationStatus.proposed and proposal.proposed_by == "UNICEF"
    assert types(state, proposal.id) == []
    accepted = uc.accept_consultation(panel(), step(proposal.id, c.ConsultationAcceptance,
                                                    respond_by=day(20)))
    assert accepted.status == c.ConsultationStatus.open and accepted.respond_by == day(20)
    assert types(state, proposal.id) == ["consultation_opened"]
    other = opened(panel, member("UNDP"))
    declined = uc.decline_consultation(panel(), step(other.id))
    assert declined.status == c.ConsultationStatus.declined
    assert types(state, other.id) == [] and state.audit_log[-1]["action"] == (
        "decline_consultation")
    with pytest.raises(Conflict):
        uc.accept_consultation(panel(), step(other.id, c.ConsultationAcceptance))


def test_consultations_list_by_status_and_tag_and_give_the_topics(panel):
    first = opened(panel)
    opened(panel, topic="use of social media", tags=["policy"])
    opened(panel, member("UNDP"), topic="Proposed")
    uc.conclude_consultation(panel(), step(first.id, c.ConsultationConclusionIn,
                                           outcome="Agreed", guidance="Note"))
    tagged = uc.list_consultations(panel(), c.ConsultationQuery(tag=" POLICY "))
    assert [x.topic for x in tagged.items] == ["use of social media"]
    proposed = uc.list_consultations(panel(), c.ConsultationQuery(status="proposed"))
    assert [x.topic for x in proposed.items] == ["Proposed"]
    [topic] = uc.topics(panel(), c.PeriodQuery(period="2014-15"))
    assert (topic.consultations, topic.concluded, topic.tags) == (2, 1, ["policy",
                                                                         "social-media"])
    assert uc.topics(panel(), c.PeriodQuery(period="2013-14")) == []
    with pytest.raises(NotFound):
        uc.get_consultation(panel(), "0" * 24)


# ---- reviews of members' annual reports ----

def report(entity="UNDP", **body) -> c.ReportReviewIn:
    return validated(c.ReportReviewIn, {"entity": entity, "period": "2014-15",
                                        "document": "Annual report", **body})


def test_a_report_is_submitted_once_commented_and_concluded(panel, state):
    with pytest.raises(Forbidden):
        uc.submit_report_review(panel(member("UNICEF")), report("UNDP"))
    review = uc.submit_report_review(panel(member("UNDP")), report(figures_version=2))
    assert review.submitted_on == TODAY and review.figures_version == 2
    with pytest.raises(Conflict) as twice:
        uc.submit_report_review(panel(member("UNDP")), report())
    assert "already recorded" in twice.value.detail
    with pytest.raises(Conflict):  # concluded only after a comment
        uc.conclude_report_review(panel(), step(review.id, c.ReportReviewConclusionIn))
    commented = uc.comment_report_review(panel(member("UNICEF")), step(
        review.id, c.ReportReviewComment, comment="Useful figures"))
    assert commented.comments[0].by == "UNICEF"
    by_chair = uc.comment_report_review(panel(), step(review.id, c.ReportReviewComment,
                                                      comment="Noted"))
    assert by_chair.comments[1].by == "EO"
    with pytest.raises(Forbidden):
        uc.comment_report_review(panel(member("UNICEF")), step(
            review.id, c.ReportReviewComment, comment="As UNDP", by="UNDP"))
    concluded = uc.conclude_report_review(panel(), step(review.id, c.ReportReviewConclusionIn,
                                                        summary="Reviewed"))
    assert concluded.status == c.ReportReviewStatus.concluded
    assert types(state, review.id) == ["report_review_submitted", "report_review_concluded"]
    assert {e.entity for e in state.outbox if e.payload.get("id") == review.id} == {"UNDP"}
    assert state.audit_log[-1]["entity"] == "UNDP"
    listed = uc.list_report_reviews(panel(member("UNICEF")), c.ReportReviewQuery(entity="UNDP"))
    assert [r.id for r in listed.items] == [review.id]
    assert uc.get_report_review(panel(), review.id).summary == "Reviewed"
    with pytest.raises(NotFound):
        uc.get_report_review(panel(), "0" * 24)


# ---- the chair's reviews ----

def requested(panel, entity="UNDP", case_ref="PAR-1"):
    return uc.request_chair_review(panel(), validated(c.ChairReviewIn, {
        "entity": entity, "case_ref": case_ref, "requested_on": day(-50),
        "determination_notified_on": day(-60)}))


def test_a_chair_review_from_request_to_outcome(panel, state):
    review = requested(panel)
    assert review.requested_in_time is True and review.overdue is True
    with pytest.raises(Conflict):
        requested(panel)  # the same case again
    with pytest.raises(Conflict):
        uc.conclude_chair_review(panel(), step(review.id, c.ChairReviewConclusionIn,
                                               outcome="upheld"))
    started = uc.start_chair_review(panel(), step(review.id, on=day(-40)))
    assert started.status == c.ChairReviewStatus.under_review
    done = uc.conclude_chair_review(panel(), step(
        review.id, c.ChairReviewConclusionIn, outcome="different_determination",
        reasons="It contributed"))
    assert done.overdue is False and done.concluded_in_time is False
    assert types(state, review.id) == ["chair_review_requested", "chair_review_concluded"]
    assert state.events("chair_review_concluded")[0].payload["due_on"] == day(-5).isoformat()
    with pytest.raises(Invalid) as stranger:
        requested(panel, entity="WFP")
    assert stranger.value.errors[0]["loc"] == ["entity"]


def test_a_member_sees_the_chair_reviews_of_its_own_office_only(panel):
    undp, unicef = requested(panel), requested(panel, "UNICEF")
    assert uc.get_chair_review(panel(member("UNDP")), undp.id).id == undp.id
    with pytest.raises(Forbidden):
        uc.get_chair_review(panel(member("UNDP")), unicef.id)
    own = uc.list_chair_reviews(panel(member("UNDP")), c.ChairReviewQuery(entity="UNICEF"))
    assert [r.id for r in own.items] == [undp.id]
    every = uc.list_chair_reviews(panel(EO), c.ChairReviewQuery(status="requested"))
    assert [r.id for r in every.items] == [undp.id, unicef.id]
    with pytest.raises(NotFound):
        uc.get_chair_review(panel(), "0" * 24)


# ---- records changed meanwhile ----

def racing(uow, records: str, race):
    """`uow` whose first read of `records` lets `race()` change the record first."""
    repository = getattr(uow, records)
    real_get, raced = repository.get, []

    def get_then_race(record_id):
        found = real_get(record_id)
        if not raced:
            raced.append(True)
            race()
        return found
    repository.get = get_then_race
    return uow


def test_two_positions_at_once_both_count(panel):
    """Without the version check the second save would drop the first member's position."""
    consultation = opened(panel)
    uow = racing(panel(member("UNDP")), "consultations",
                 lambda: position(panel, member("UNICEF"), consultation.id, "UNICEF"))
    uc.submit_position(uow, step(consultation.id, c.PositionIn, entity="UNDP", position="Ours"))
    assert uc.get_consultation(panel(), consultation.id).answered == ["UNDP", "UNICEF"]


def test_a_step_on_a_record_that_moved_meanwhile_is_decided_again(panel, state):
    meeting = convened(panel)
    uow = racing(panel(), "meetings", lambda: uc.cancel_meeting(panel(), step(meeting.id)))
    with pytest.raises(Conflict):  # read again: a cancelled meeting is not recorded
        uc.record_meeting(uow, step(meeting.id, c.MeetingRecordIn, held_on=day(-9),
                                    attendees=["UNDP"], minutes="Minutes"))
    assert uc.get_meeting(panel(), meeting.id).status == c.MeetingStatus.cancelled
    assert types(state, meeting.id) == ["meeting_convened", "meeting_cancelled"]


def test_a_member_joining_twice_at_once_joins_once(panel, state):
    uow = racing(panel(), "members", lambda: uc.join_member(
        panel(), step("WFP", c.MemberIn, head="Head of WFP")))
    joined = uc.join_member(uow, step("WFP", c.MemberIn, head="Head of WFP"))
    assert joined.status == c.MemberStatus.active
    assert [e.entity for e in state.events("panel_member_joined")].count("WFP") == 1
