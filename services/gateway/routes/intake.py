"""Routes of the intake area: service requests, activities, retaliation inquiries and annual
figures. The intake service checks the actor and every rule again."""
from shared.contracts.intake import (MAX_BATCH_ROWS, ActivityIn, ActivityPage,
                                     AnnualFigures, Created, DecisionIn, FiguresVersion,
                                     InquiryCreated, InquiryIn, InquiryPage, NoteIn,
                                     ProtectionMeasureIn, RetaliationInquiry, ServiceRequestIn,
                                     ServiceRequestPage, ServiceRequestRecord, SubmittedFigures)

from ..api import PAGING, Reply, batch_route, body_json, forward, list_route, route

TAG = "intake"
BY_ENTITY = {"entity": "an entity code; a focal point sees its own entity only",
             "period": "a reporting period, e.g. 2014-15"}


class IntakeRoutes:
    # service requests

    log_service_request = route(
        "POST", "/service-requests", "Log one request for the ethics office's services",
        body=ServiceRequestIn, response=Created, status=201, tag=TAG)(
        forward("intake.log_service_request", body_json))
    log_service_requests = batch_route(
        "/service-requests/batch",
        f"Log up to {MAX_BATCH_ROWS} requests: JSON items or CSV with a header row",
        "intake.log_service_requests", body=ServiceRequestIn, tag=TAG)
    list_service_requests = list_route(
        "/service-requests", "Service requests, in the order they were logged",
        "intake.list_service_requests", response=ServiceRequestPage, tag=TAG,
        query={**BY_ENTITY, "category": "a request category", **PAGING})
    get_service_request = route(
        "GET", "/service-requests/{request_id}", "One service request",
        response=ServiceRequestRecord, tag=TAG)(forward("intake.get_service_request"))

    # activities

    record_activity = route(
        "POST", "/activities", "Record an outreach, training or education activity",
        body=ActivityIn, response=Created, status=201, tag=TAG)(
        forward("intake.record_activity", body_json))
    record_activities = batch_route(
        "/activities/batch", "Record many activities: JSON items or CSV",
        "intake.record_activities", body=ActivityIn, tag=TAG)
    list_activities = list_route(
        "/activities", "Activities, in the order they were recorded", "intake.list_activities",
        response=ActivityPage, tag=TAG, query={**BY_ENTITY, "kind": "an activity kind", **PAGING})

    # retaliation inquiries

    receive_retaliation_inquiry = route(
        "POST", "/retaliation-inquiries",
        "Receive a request for protection against retaliation (no complainant name)",
        body=InquiryIn, response=InquiryCreated, status=201, tag=TAG)(
        forward("intake.receive_retaliation_inquiry", body_json))
    decide_retaliation_inquiry = route(
        "POST", "/retaliation-inquiries/{inquiry_id}/decisions",
        "Record a decision on an inquiry; a move the inquiry's status does not allow is a 409",
        body=DecisionIn, response=RetaliationInquiry, status=201, tag=TAG)(
        forward("intake.decide_retaliation_inquiry", body_json))
    add_retaliation_note = route(
        "POST", "/retaliation-inquiries/{inquiry_id}/notes",
        "Add a dated note to an inquiry's case file; who wrote it is the caller",
        body=NoteIn, response=RetaliationInquiry, status=201, tag=TAG)(
        forward("intake.add_retaliation_note", body_json))
    record_protection_measure = route(
        "POST", "/retaliation-inquiries/{inquiry_id}/protection-measures",
        "Record an interim protection measure; a closed inquiry takes none (409)",
        body=ProtectionMeasureIn, response=RetaliationInquiry, status=201, tag=TAG)(
        forward("intake.record_protection_measure", body_json))
    list_retaliation_inquiries = list_route(
        "/retaliation-inquiries", "Retaliation inquiries, in the order received",
        "intake.list_retaliation_inquiries", response=InquiryPage, tag=TAG,
        query={**BY_ENTITY, "status": "an inquiry status",
               "overdue": "true: preliminary reviews open more than 45 days", **PAGING})
    get_retaliation_inquiry = route(
        "GET", "/retaliation-inquiries/{inquiry_id}",
        "One inquiry with its decisions, its review's due date, notes and protection measures",
        response=RetaliationInquiry, tag=TAG)(forward("intake.get_retaliation_inquiry"))

    # annual figures

    @route("PUT", "/annual-figures/{entity}/{period}",
           "Submit an entity's figures for a period: a new version (the same figures again "
           "change nothing and answer 200)",
           body=AnnualFigures, response=FiguresVersion, status=201, tag=TAG,
           also={200: "The same figures as the last version: nothing changed"},
           query={"submitted_on": "the day they were submitted, when the Ethics Office loads "
                                  "an earlier submission (default today)"})
    def submit_annual_figures(self, call, entity, period):
        answer = self.intake.submit_annual_figures(call.who, entity, period, body_json(call),
                                                   call.query.get("submitted_on"))
        return Reply({"version": answer["version"]}, 201 if answer["created"] else 200)

    annual_figures = route(
        "GET", "/annual-figures/{entity}/{period}", "The latest version of the figures",
        response=SubmittedFigures, tag=TAG)(forward("intake.annual_figures"))
    annual_figure_versions = route(
        "GET", "/annual-figures/{entity}/{period}/versions", "Every version, oldest first",
        response=[SubmittedFigures], tag=TAG)(forward("intake.annual_figure_versions"))
