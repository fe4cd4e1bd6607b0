"""Routes of the panel area (API.md): the Ethics Panel's members, meetings, consultations,
reviews of members' annual reports and the chair's reviews of retaliation determinations."""
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.contracts import panel as c
from shared.contracts.common import EntityCode, Period
from shared.errors import BadRequest, Invalid, NotFound, errors_from_validation

from ..api import Reply, route, validated
from ..domain import load_json

TAG = "panel"
PAGING = {"limit": "how many (default 100, at most 1000)",
          "cursor": "next_cursor of the previous page"}


class _Paged(BaseModel):
    model_config = ConfigDict(extra="ignore")
    limit: int = Field(100, ge=1, le=1000)
    cursor: Optional[str] = None


class MemberQuery(_Paged):
    status: Optional[c.MemberStatus] = None


class MeetingQuery(_Paged):
    period: Optional[Period] = None
    kind: Optional[c.MeetingKind] = None
    status: Optional[c.MeetingStatus] = None


class ConsultationQuery(_Paged):
    period: Optional[Period] = None
    status: Optional[c.ConsultationStatus] = None
    tag: Optional[str] = None


class ReportReviewQuery(_Paged):
    entity: Optional[EntityCode] = None
    period: Optional[Period] = None
    status: Optional[c.ReportReviewStatus] = None


class ChairReviewQuery(_Paged):
    entity: Optional[EntityCode] = None
    status: Optional[c.ChairReviewStatus] = None


class PeriodQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    period: Period


class _MemberPath(BaseModel):
    entity: EntityCode


def _query(model, call) -> dict:
    try:
        return model.model_validate(call.query).model_dump(mode="json")
    except ValidationError as exc:
        raise Invalid("invalid query", errors_from_validation(exc, ("query",)))


def _optional_body(call, model) -> dict:
    """The body of a step whose fields are all optional: no body is the same as {}."""
    raw = call.request.get_data(cache=True)
    data = load_json(raw) if raw.strip() else {}
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    return validated(model, data).model_dump(mode="json")


def _body(call) -> dict:
    return call.body.model_dump(mode="json")


class PanelRoutes:
    # ---- members ----

    @route("PUT", "/panel/members/{entity}", "An entity joins the Panel with its head, or names "
           "a new head (chair, Ethics Office)", body=c.MemberIn, response=c.Member, tag=TAG)
    def panel_join(self, call, entity):
        validated(_MemberPath, {"entity": entity}, path={"entity"})
        try:
            self.intake.get_entity(call.who, entity)
        except NotFound:
            raise Invalid.field(["path", "entity"], f"{entity} is not in the directory of entities")
        return self.panel.join_member(call.who, entity, _body(call))

    @route("DELETE", "/panel/members/{entity}", "An entity leaves the Panel (chair, Ethics "
           "Office); optional body {on}", response=c.Member, tag=TAG)
    def panel_leave(self, call, entity):
        return self.panel.leave_member(call.who, entity, _optional_body(call, c.StepDate))

    @route("GET", "/panel/members", "The Panel's members", response=c.MemberPage, tag=TAG,
           query={**PAGING, "status": "active or left"})
    def panel_members(self, call):
        return self.panel.list_members(call.who, **_query(MemberQuery, call))

    @route("GET", "/panel/members/{entity}", "One member", response=c.Member, tag=TAG)
    def panel_member(self, call, entity):
        return self.panel.get_member(call.who, entity)

    # ---- meetings ----

    @route("POST", "/panel/meetings", "The chair convenes a meeting; the current members are "
           "invited", body=c.MeetingIn, response=c.Meeting, status=201, tag=TAG)
    def panel_convene(self, call):
        return self.panel.convene_meeting(call.who, _body(call))

    @route("GET", "/panel/meetings", "The Panel's meetings", response=c.MeetingPage, tag=TAG,
           query={**PAGING, "period": "YYYY-YY", "kind": "formal or informal",
                  "status": "convened, held, approved or cancelled"})
    def panel_meetings(self, call):
        return self.panel.list_meetings(call.who, **_query(MeetingQuery, call))

    @route("GET", "/panel/meetings/{id}", "One meeting", response=c.Meeting, tag=TAG)
    def panel_meeting(self, call, id):
        return self.panel.get_meeting(call.who, id)

    @route("POST", "/panel/meetings/{id}/reschedule", "The chair moves a convened meeting",
           body=c.MeetingReschedule, response=c.Meeting, tag=TAG)
    def panel_reschedule(self, call, id):
        return self.panel.reschedule_meeting(call.who, id, _body(call))

    @route("POST", "/panel/meetings/{id}/cancel", "The chair cancels a convened meeting; "
           "optional body {on}", response=c.Meeting, tag=TAG)
    def panel_cancel(self, call, id):
        return self.panel.cancel_meeting(call.who, id, _optional_body(call, c.StepDate))

    @route("POST", "/panel/meetings/{id}/record", "The chair records the meeting held (or "
           "corrects the record until it is approved)", body=c.MeetingRecordIn,
           response=c.Meeting, tag=TAG)
    def panel_record(self, call, id):
        return self.panel.record_meeting(call.who, id, _body(call))

    @route("POST", "/panel/meetings/{id}/approve", "The chair approves the record; it can no "
           "longer change; optional body {on}", response=c.Meeting, tag=TAG)
    def panel_approve(self, call, id):
        return self.panel.approve_meeting(call.who, id, _optional_body(call, c.StepDate))

    # ---- consultations ----

    @route("POST", "/panel/consultations", "The chair opens a consultation (a member's is a "
           "proposal the chair accepts)", body=c.ConsultationIn, response=c.Consultation,
           status=201, tag=TAG)
    def panel_open(self, call):
        return self.panel.open_consultation(call.who, _body(call))

    @route("GET", "/panel/consultations", "Consultations, with who answered and who did not",
           response=c.ConsultationPage, tag=TAG,
           query={**PAGING, "period": "YYYY-YY", "status": "proposed, open, concluded, declined",
                  "tag": "a topic tag"})
    def panel_consultations(self, call):
        return self.panel.list_consultations(call.who, **_query(ConsultationQuery, call))

    @route("GET", "/panel/consultations/{id}", "One consultation with its positions",
           response=c.Consultation, tag=TAG)
    def panel_consultation(self, call, id):
        return self.panel.get_consultation(call.who, id)

    @route("POST", "/panel/consultations/{id}/accept", "The chair accepts a member's proposal: "
           "the consultation opens; optional body {on, respond_by}", response=c.Consultation,
           tag=TAG)
    def panel_accept(self, call, id):
        return self.panel.accept_consultation(
            call.who, id, _optional_body(call, c.ConsultationAcceptance))

    @route("POST", "/panel/consultations/{id}/decline", "The chair declines a member's "
           "proposal; optional body {on}", response=c.Consultation, tag=TAG)
    def panel_decline(self, call, id):
        return self.panel.decline_consultation(call.who, id, _optional_body(call, c.StepDate))

    @route("POST", "/panel/consultations/{id}/positions", "A member's position (201), or its "
           "amendment (200), until the date to answer by", body=c.PositionIn,
           response=c.PositionRecorded, status=201, tag=TAG)
    def panel_position(self, call, id):
        answer = self.panel.submit_position(call.who, id, _body(call))
        return Reply(answer, 200 if answer["amended"] else 201)

    @route("POST", "/panel/consultations/{id}/extension", "The chair gives a later date to "
           "answer by", body=c.ConsultationExtension, response=c.Consultation, tag=TAG)
    def panel_extend(self, call, id):
        return self.panel.extend_consultation(call.who, id, _body(call))

    @route("POST", "/panel/consultations/{id}/conclusion", "The chair concludes with an outcome "
           "and guidance", body=c.ConsultationConclusionIn, response=c.Consultation, tag=TAG)
    def panel_conclude(self, call, id):
        return self.panel.conclude_consultation(call.who, id, _body(call))

    @route("GET", "/panel/topics", "The topics of the consultations opened in a period",
           response=[c.TopicOfPeriod], tag=TAG, query={"period": "YYYY-YY (required)"})
    def panel_topics(self, call):
        return self.panel.topics(call.who, _query(PeriodQuery, call)["period"])

    # ---- reviews of members' annual reports ----

    @route("POST", "/panel/report-reviews", "A member submits its office's annual report for "
           "the Panel's review", body=c.ReportReviewIn, response=c.ReportReview, status=201,
           tag=TAG)
    def panel_submit_report(self, call):
        return self.panel.submit_report_review(call.who, _body(call))

    @route("GET", "/panel/report-reviews", "Reviews of members' annual reports",
           response=c.ReportReviewPage, tag=TAG,
           query={**PAGING, "entity": "a member", "period": "YYYY-YY",
                  "status": "submitted, commented or concluded"})
    def panel_report_reviews(self, call):
        return self.panel.list_report_reviews(call.who, **_query(ReportReviewQuery, call))

    @route("GET", "/panel/report-reviews/{id}", "One report review", response=c.ReportReview,
           tag=TAG)
    def panel_report_review(self, call, id):
        return self.panel.get_report_review(call.who, id)

    @route("POST", "/panel/report-reviews/{id}/comments", "A comment of the Panel on the report",
           body=c.ReportReviewComment, response=c.ReportReview, tag=TAG)
    def panel_comment_report(self, call, id):
        return self.panel.comment_report_review(call.who, id, _body(call))

    @route("POST", "/panel/report-reviews/{id}/conclusion", "The chair concludes the review; "
           "optional body {summary, concluded_on}", response=c.ReportReview, tag=TAG)
    def panel_conclude_report(self, call, id):
        return self.panel.conclude_report_review(
            call.who, id, _optional_body(call, c.ReportReviewConclusionIn))

    # ---- the chair's reviews (ST/SGB/2007/11) ----

    @route("POST", "/panel/chair-reviews", "The chair records a staff member's request to review "
           "a member office's retaliation determination", body=c.ChairReviewIn,
           response=c.ChairReview, status=201, tag=TAG)
    def panel_request_review(self, call):
        return self.panel.request_chair_review(call.who, _body(call))

    @route("GET", "/panel/chair-reviews", "The chair's reviews, with their time limits",
           response=c.ChairReviewPage, tag=TAG,
           query={**PAGING, "entity": "a member", "status": "requested, under_review, concluded"})
    def panel_chair_reviews(self, call):
        return self.panel.list_chair_reviews(call.who, **_query(ChairReviewQuery, call))

    @route("GET", "/panel/chair-reviews/{id}", "One chair review", response=c.ChairReview,
           tag=TAG)
    def panel_chair_review(self, call, id):
        return self.panel.get_chair_review(call.who, id)

    @route("POST", "/panel/chair-reviews/{id}/review", "The chair starts the review; optional "
           "body {on}", response=c.ChairReview, tag=TAG)
    def panel_start_review(self, call, id):
        return self.panel.start_chair_review(call.who, id, _optional_body(call, c.StepDate))

    @route("POST", "/panel/chair-reviews/{id}/conclusion", "The chair's outcome: determination "
           "upheld, or a different determination with its reasons",
           body=c.ChairReviewConclusionIn, response=c.ChairReview, tag=TAG)
    def panel_conclude_review(self, call, id):
        return self.panel.conclude_chair_review(call.who, id, _body(call))
