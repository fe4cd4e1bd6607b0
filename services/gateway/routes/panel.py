"""Routes of the panel area: the Ethics Panel's members, meetings, consultations, reviews of
members' annual reports and the chair's reviews of retaliation determinations. The panel service
validates what it is sent (its query contracts are in shared/contracts/panel.py) and checks the
actor again."""
from shared.contracts import panel as c
from shared.contracts.common import EntityCode
from shared.kernel.errors import Invalid, NotFound, checked, located

from ..api import Reply, forward, list_route, optional_body, route

TAG = "panel"
PAGING = {"limit": "how many (default 100, at most 1000)",
          "cursor": "next_cursor of the previous page"}


def _body(call) -> dict:
    """The body as the route's contract read it, or, for a step whose fields are all optional,
    the JSON object sent (no body is the same as {})."""
    return call.body.model_dump(mode="json") if call.body is not None else optional_body(call)


def _listing(path: str, summary: str, rpc: str, response, query: dict):
    """GET `path`: the panel service's `rpc(actor, query string)`."""
    return list_route(path, summary, f"panel.{rpc}", response=response, tag=TAG, query=query)


def _one(path: str, summary: str, rpc: str, response):
    """GET `path` of one record: `rpc(actor, the path's parameter)`."""
    return route("GET", path, summary, response=response, tag=TAG)(forward(f"panel.{rpc}"))


def _step(method: str, path: str, summary: str, rpc: str, response, body=None, status=200):
    """`method path`: `rpc(actor, the path's parameter if it has one, the body)`."""
    return route(method, path, summary, body=body, response=response, status=status,
                 tag=TAG)(forward(f"panel.{rpc}", _body))


class PanelRoutes:
    # ---- members ----

    @route("PUT", "/panel/members/{entity}", "An entity joins the Panel with its head and "
           "contacts, or names a new head or new contacts (chair, Ethics Office)",
           body=c.MemberIn, response=c.Member, tag=TAG)
    def panel_join(self, call, entity):
        with located(path=("entity",)):
            checked(EntityCode, entity, "entity")
        try:
            self.intake.get_entity(call.who, entity)
        except NotFound:
            raise Invalid.field(["path", "entity"], f"{entity} is not in the directory of entities")
        return self.panel.join_member(call.who, entity, _body(call))

    panel_leave = _step("DELETE", "/panel/members/{entity}", "An entity leaves the Panel (chair, "
                        "Ethics Office); optional body {on}", "leave_member", c.Member)
    panel_members = _listing("/panel/members", "The Panel's members", "list_members",
                             c.MemberPage, {**PAGING, "status": "active or left"})
    panel_member = _one("/panel/members/{entity}", "One member", "get_member", c.Member)

    # ---- meetings ----

    panel_convene = _step("POST", "/panel/meetings", "The chair convenes a meeting; the current "
                          "members are invited", "convene_meeting", c.Meeting, body=c.MeetingIn,
                          status=201)
    panel_meetings = _listing("/panel/meetings", "The Panel's meetings", "list_meetings",
                              c.MeetingPage,
                              {**PAGING, "period": "YYYY-YY", "kind": "formal or informal",
                               "status": "convened, held, approved or cancelled"})
    panel_meeting = _one("/panel/meetings/{id}", "One meeting", "get_meeting", c.Meeting)
    panel_reschedule = _step("POST", "/panel/meetings/{id}/reschedule", "The chair moves a "
                             "convened meeting", "reschedule_meeting", c.Meeting,
                             body=c.MeetingReschedule)
    panel_cancel = _step("POST", "/panel/meetings/{id}/cancel", "The chair cancels a convened "
                         "meeting; optional body {on}", "cancel_meeting", c.Meeting)
    panel_record = _step("POST", "/panel/meetings/{id}/record", "The chair records the meeting "
                         "held (or corrects the record until it is approved)", "record_meeting",
                         c.Meeting, body=c.MeetingRecordIn)
    panel_approve = _step("POST", "/panel/meetings/{id}/approve", "The chair approves the "
                          "record; it can no longer change; optional body {on}",
                          "approve_meeting", c.Meeting)

    # ---- consultations ----

    panel_open = _step("POST", "/panel/consultations", "The chair opens a consultation (a "
                       "member's is a proposal the chair accepts)", "open_consultation",
                       c.Consultation, body=c.ConsultationIn, status=201)
    panel_consultations = _listing(
        "/panel/consultations", "Consultations, with who answered and who did not",
        "list_consultations", c.ConsultationPage,
        {**PAGING, "period": "YYYY-YY", "status": "proposed, open, concluded, declined",
         "tag": "a topic tag"})
    panel_consultation = _one("/panel/consultations/{id}", "One consultation with its positions",
                              "get_consultation", c.Consultation)
    panel_accept = _step("POST", "/panel/consultations/{id}/accept", "The chair accepts a "
                         "member's proposal: the consultation opens; optional body {on, "
                         "respond_by}", "accept_consultation", c.Consultation)
    panel_decline = _step("POST", "/panel/consultations/{id}/decline", "The chair declines a "
                          "member's proposal; optional body {on}", "decline_consultation",
                          c.Consultation)

    @route("POST", "/panel/consultations/{id}/positions", "A member's position (201), or its "
           "amendment (200), until the date to answer by", body=c.PositionIn,
           response=c.PositionRecorded, status=201, tag=TAG,
           also={200: "The member's position amended"})
    def panel_position(self, call, id):
        answer = self.panel.submit_position(call.who, id, _body(call))
        return Reply(answer, 200 if answer["amended"] else 201)

    panel_extend = _step("POST", "/panel/consultations/{id}/extension", "The chair gives a later "
                         "date to answer by", "extend_consultation", c.Consultation,
                         body=c.ConsultationExtension)
    panel_conclude = _step("POST", "/panel/consultations/{id}/conclusion", "The chair concludes "
                           "with an outcome and guidance", "conclude_consultation",
                           c.Consultation, body=c.ConsultationConclusionIn)
    panel_topics = _listing("/panel/topics", "The topics of the consultations opened in a "
                            "period", "topics", [c.TopicOfPeriod],
                            {"period": "YYYY-YY (required)"})

    # ---- reviews of members' annual reports ----

    panel_submit_report = _step("POST", "/panel/report-reviews", "A member submits its office's "
                                "annual report for the Panel's review", "submit_report_review",
                                c.ReportReview, body=c.ReportReviewIn, status=201)
    panel_report_reviews = _listing(
        "/panel/report-reviews", "Reviews of members' annual reports", "list_report_reviews",
        c.ReportReviewPage, {**PAGING, "entity": "a member", "period": "YYYY-YY",
                             "status": "submitted, commented or concluded"})
    panel_report_review = _one("/panel/report-reviews/{id}", "One report review",
                               "get_report_review", c.ReportReview)
    panel_comment_report = _step("POST", "/panel/report-reviews/{id}/comments", "A comment of "
                                 "the Panel on the report", "comment_report_review",
                                 c.ReportReview, body=c.ReportReviewComment)
    panel_conclude_report = _step("POST", "/panel/report-reviews/{id}/conclusion", "The chair "
                                  "concludes the review; optional body {summary, concluded_on}",
                                  "conclude_report_review", c.ReportReview)

    # ---- the chair's reviews (ST/SGB/2007/11) ----

    panel_request_review = _step("POST", "/panel/chair-reviews", "The chair records a staff "
                                 "member's request to review a member office's retaliation "
                                 "determination", "request_chair_review", c.ChairReview,
                                 body=c.ChairReviewIn, status=201)
    panel_chair_reviews = _listing(
        "/panel/chair-reviews", "The chair's reviews, with their time limits",
        "list_chair_reviews", c.ChairReviewPage,
        {**PAGING, "entity": "a member", "status": "requested, under_review, concluded"})
    panel_chair_review = _one("/panel/chair-reviews/{id}", "One chair review", "get_chair_review",
                              c.ChairReview)
    panel_start_review = _step("POST", "/panel/chair-reviews/{id}/review", "The chair starts the "
                               "review; optional body {on}", "start_chair_review", c.ChairReview)
    panel_conclude_review = _step("POST", "/panel/chair-reviews/{id}/conclusion", "The chair's "
                                  "outcome: determination upheld, or a different determination "
                                  "with its reasons", "conclude_chair_review", c.ChairReview,
                                  body=c.ChairReviewConclusionIn)
