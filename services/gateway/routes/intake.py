"""Routes of the intake area (API.md): service requests, activities, retaliation inquiries and
annual figures. The intake service checks the actor and every rule again."""
from shared.contracts.intake import (MAX_BATCH_ROWS, ActivityIn, ActivityPage,
                                     AnnualFigures, Created, DecisionIn, FiguresVersion,
                                     InquiryCreated, InquiryIn, InquiryPage, RetaliationInquiry,
                                     ServiceRequestIn, ServiceRequestPage, ServiceRequestRecord,
                                     SubmittedFigures)
from shared.errors import PayloadTooLarge

from ..api import Reply, route

PAGING = {"limit": "page size: default 100, at most 1000",
          "cursor": "next_cursor of the previous page"}
BY_ENTITY = {"entity": "an entity code; a focal point sees its own entity only",
             "period": "a reporting period, e.g. 2014-15"}


def _rows(items: list) -> list:
    if len(items) > MAX_BATCH_ROWS:
        raise PayloadTooLarge(f"{len(items)} rows; a batch holds at most {MAX_BATCH_ROWS}")
    return items


class IntakeRoutes:
    # service requests

    @route("POST", "/service-requests", "Log one request for the ethics office's services",
           body=ServiceRequestIn, response=Created, status=201, tag="intake")
    def log_service_request(self, call):
        return self.intake.log_service_request(call.who, call.body.model_dump(mode="json"))

    @route("POST", "/service-requests/batch",
           f"Log up to {MAX_BATCH_ROWS} requests: JSON items or CSV with a header row",
           body=ServiceRequestIn, batch=True, tag="intake")
    def log_service_requests(self, call):
        return self.intake.log_service_requests(call.who, _rows(call.body))

    @route("GET", "/service-requests", "Service requests, in the order they were logged",
           response=ServiceRequestPage, tag="intake",
           query={**BY_ENTITY, "category": "a request category", **PAGING})
    def list_service_requests(self, call):
        return self.intake.list_service_requests(call.who, call.query)

    @route("GET", "/service-requests/{request_id}", "One service request",
           response=ServiceRequestRecord, tag="intake")
    def get_service_request(self, call, request_id):
        return self.intake.get_service_request(call.who, request_id)

    # activities

    @route("POST", "/activities", "Record an outreach, training or education activity",
           body=ActivityIn, response=Created, status=201, tag="intake")
    def record_activity(self, call):
        return self.intake.record_activity(call.who, call.body.model_dump(mode="json"))

    @route("POST", "/activities/batch", "Record many activities: JSON items or CSV",
           body=ActivityIn, batch=True, tag="intake")
    def record_activities(self, call):
        return self.intake.record_activities(call.who, _rows(call.body))

    @route("GET", "/activities", "Activities, in the order they were recorded",
           response=ActivityPage, tag="intake",
           query={**BY_ENTITY, "kind": "an activity kind", **PAGING})
    def list_activities(self, call):
        return self.intake.list_activities(call.who, call.query)

    # retaliation inquiries

    @route("POST", "/retaliation-inquiries",
           "Receive a request for protection against retaliation (no complainant name)",
           body=InquiryIn, response=InquiryCreated, status=201, tag="intake")
    def receive_retaliation_inquiry(self, call):
        return self.intake.receive_retaliation_inquiry(call.who,
                                                       call.body.model_dump(mode="json"))

    @route("POST", "/retaliation-inquiries/{inquiry_id}/decisions",
           "Record a decision on an inquiry; a move API.md does not allow is a 409",
           body=DecisionIn, response=RetaliationInquiry, status=201, tag="intake")
    def decide_retaliation_inquiry(self, call, inquiry_id):
        return self.intake.decide_retaliation_inquiry(call.who, inquiry_id,
                                                      call.body.model_dump(mode="json"))

    @route("GET", "/retaliation-inquiries", "Retaliation inquiries, in the order received",
           response=InquiryPage, tag="intake",
           query={**BY_ENTITY, "status": "an inquiry status",
                  "overdue": "true: preliminary reviews open more than 45 days", **PAGING})
    def list_retaliation_inquiries(self, call):
        return self.intake.list_retaliation_inquiries(call.who, call.query)

    @route("GET", "/retaliation-inquiries/{inquiry_id}", "One inquiry with its decisions",
           response=RetaliationInquiry, tag="intake")
    def get_retaliation_inquiry(self, call, inquiry_id):
        return self.intake.get_retaliation_inquiry(call.who, inquiry_id)

    # annual figures

    @route("PUT", "/annual-figures/{entity}/{period}",
           "Submit an entity's figures for a period: a new version (the same figures again "
           "change nothing and answer 200)",
           body=AnnualFigures, response=FiguresVersion, status=201, tag="intake")
    def submit_annual_figures(self, call, entity, period):
        answer = self.intake.submit_annual_figures(call.who, entity, period,
                                                   call.body.model_dump(mode="json"))
        return Reply({"version": answer["version"]}, 201 if answer["created"] else 200)

    @route("GET", "/annual-figures/{entity}/{period}", "The latest version of the figures",
           response=SubmittedFigures, tag="intake")
    def annual_figures(self, call, entity, period):
        return self.intake.annual_figures(call.who, entity, period)

    @route("GET", "/annual-figures/{entity}/{period}/versions", "Every version, oldest first",
           response=[SubmittedFigures], tag="intake")
    def annual_figure_versions(self, call, entity, period):
        return self.intake.annual_figure_versions(call.who, entity, period)
