"""The Ethics Office's own intake: its service requests (one at a time, or a CSV upload), its
activities, and the retaliation inquiries as case files with the preliminary review's 45 days.

The intake service keeps the rules (the review's due day, the moves an inquiry allows); these
pages list, filter and send forms. The auditor reads them without the forms."""
import datetime as dt
from typing import Any, Callable

from shared.auth import require
from shared.contracts.common import Role
from shared.contracts.intake import ActivityKind, AdviceTopic, Category, InquiryStatus, Source
from shared.kernel.errors import Invalid
from shared.kernel.pagination import PAGE_MAX

from .focal import REQUEST_COLUMNS
from .forms import FormErrors, attempt, number, text
from .tables import csv_download
from .web import page

WRITERS = [Role.ethics_office]
READERS = [Role.ethics_office, Role.auditor]
LIST_PAGE = 100

REQUEST_FIELDS = ("entity", "received_on", "category", "advice_topic", "source")
REQUEST_FILTERS = ("entity", "period", "category")
ACTIVITY_FIELDS = ("entity", "held_on", "kind", "participants")
ACTIVITY_FILTERS = ("entity", "period", "kind")
CSV_COLUMNS = ["id", "entity", "period", *REQUEST_FIELDS[1:]]


def filled(form, names, numbers=()) -> dict:
    """A contract body from a form: the fields filled in, numbers read as numbers."""
    read = {n: (number if n in numbers else text)(form, n) for n in names}
    return {k: v for k, v in read.items() if v is not None}


def options(visit, enum, prefix: str) -> list[tuple[str, str]]:
    return [(m.value, visit.t(prefix + m.value)) for m in enum]


def newest_first(items: list[dict], day: str) -> list[dict]:
    return sorted(items, key=lambda r: (r[day], r["id"]), reverse=True)


class OfficePages:
    # given by the gateway service, of which these pages are a part
    intake: Any
    # the focal point's upload, which these pages share (FocalPages)
    _portal_upload: Callable[..., Any]

    def _office_choices(self, visit, chosen_period: str = "") -> dict:
        """The filters' and forms' options: the directory's entities, the periods with records
        newest first (and the one asked for), the enumerations' values in the visitor's
        language."""
        periods = self.intake.periods_with_records(visit.who)
        if chosen_period and chosen_period not in periods:
            periods.append(chosen_period)
        entities = self.intake.list_entities(visit.who)
        choices = {
            "entity": [(e["code"], f"{e['code']} · {e['name']}") for e in entities],
            "period": [(p, p) for p in periods],
            "category": options(visit, Category, "requests_by_category."),
            "advice_topic": options(visit, AdviceTopic, "advice_by_topic."),
            "source": options(visit, Source, "requests_by_source."),
            "kind": options(visit, ActivityKind, "activity.kind."),
            "status": options(visit, InquiryStatus, "inquiry.status."),
        }
        return {"choices": choices, "may_write": visit.actor.role in WRITERS,
                "today": dt.date.today().isoformat(),
                "request_cursor": visit.query.get("cursor") or None}

    def _office_list(self, visit, rpc, names) -> tuple[dict, dict, FormErrors]:
        """One page of a list with the query's filters; a filter the service refuses is shown
        next to its field, with an empty list."""
        filters = {n: visit.query.get(n) for n in names if visit.query.get(n)}
        query = {**filters, "limit": LIST_PAGE, "cursor": visit.query.get("cursor") or None}
        try:
            return rpc(visit.who, query), filters, FormErrors()
        except Invalid as exc:
            return {"items": []}, filters, FormErrors.of_exception(exc).placed(names)

    # service requests

    @page("GET", "/office/service-requests")
    def portal_office_requests(self, visit):
        return self._office_requests_page(visit)

    def _office_requests_page(self, visit, status=200, errors=None, values=None):
        require(visit.who, READERS)
        found, filters, filter_errors = self._office_list(
            visit, self.intake.list_service_requests, REQUEST_FILTERS)
        return visit.render(
            "office/service_requests.html", status, items=newest_first(found["items"],
                                                                       "received_on"),
            next_cursor=found.get("next_cursor"), filters=filters,
            filter_errors=filter_errors.in_language(visit.lang), values=values or {},
            errors=errors, filter_names=REQUEST_FILTERS,
            **self._office_choices(visit, filters.get("period", "")))

    @page("POST", "/office/service-requests")
    def portal_office_log_request(self, visit):
        require(visit.who, WRITERS)

        def log():
            self.intake.log_service_request(visit.who, filled(visit.form, REQUEST_FIELDS))
            return visit.redirect("/office/service-requests", note="office_request_logged")
        return attempt(log, lambda errors: self._office_requests_page(
            visit, 422, errors.placed(REQUEST_FIELDS), visit.form.to_dict()))

    @page("GET", "/office/service-requests.csv")
    def portal_office_requests_csv(self, visit):
        require(visit.who, READERS)
        filters = {n: visit.query.get(n) for n in REQUEST_FILTERS if visit.query.get(n)}
        found, cursor = [], None
        while True:
            page_ = self.intake.list_service_requests(
                visit.who, {**filters, "limit": PAGE_MAX, "cursor": cursor})
            found += page_["items"]
            cursor = page_.get("next_cursor")
            if not cursor:
                break
        return csv_download("service-requests.csv", CSV_COLUMNS,
                            [[r.get(c) or "" for c in CSV_COLUMNS]
                             for r in newest_first(found, "received_on")])

    @page("GET", "/office/service-requests/upload")
    def portal_office_upload_form(self, visit):
        require(visit.who, WRITERS)
        return visit.render("focal/upload.html", **self._office_upload_context(visit))

    @page("POST", "/office/service-requests/upload")
    def portal_office_upload(self, visit):
        require(visit.who, WRITERS)
        context = self._office_upload_context(visit)
        del context["action"]  # the upload sends its page's own address
        return self._portal_upload(
            visit, context.pop("entity"), context.pop("kind"), context.pop("columns"),
            lambda items: self.intake.log_service_requests(visit.who, items), **context)

    @staticmethod
    def _office_upload_context(visit) -> dict:
        """The focal point's upload page, for rows of any entity (each row names its own)."""
        return {"entity": {"code": "", "name": visit.t("office.requests.title")},
                "kind": "office_service_requests", "columns": REQUEST_COLUMNS,
                "action": visit.request.path, "back": "/office/service-requests"}

    # activities

    @page("GET", "/office/activities")
    def portal_office_activities(self, visit):
        return self._office_activities_page(visit)

    def _office_activities_page(self, visit, status=200, errors=None, values=None):
        require(visit.who, READERS)
        found, filters, filter_errors = self._office_list(
            visit, self.intake.list_activities, ACTIVITY_FILTERS)
        return visit.render(
            "office/activities.html", status, items=newest_first(found["items"], "held_on"),
            next_cursor=found.get("next_cursor"), filters=filters,
            filter_errors=filter_errors.in_language(visit.lang), values=values or {},
            errors=errors, filter_names=ACTIVITY_FILTERS,
            **self._office_choices(visit, filters.get("period", "")))

    @page("POST", "/office/activities")
    def portal_office_record_activity(self, visit):
        require(visit.who, WRITERS)

        def record():
            self.intake.record_activity(visit.who, filled(visit.form, ACTIVITY_FIELDS,
                                                          numbers=("participants",)))
            return visit.redirect("/office/activities", note="office_activity_recorded")
        return attempt(record, lambda errors: self._office_activities_page(
            visit, 422, errors.placed(ACTIVITY_FIELDS), visit.form.to_dict()))

    # retaliation inquiries

    @page("GET", "/office/retaliation")
    def portal_office_retaliation(self, visit):
        return self._office_queue_page(visit)

    def _office_queue_page(self, visit, status=200, errors=None, values=None):
        require(visit.who, READERS)
        chosen = visit.query.get("status") or ""
        try:
            queue = self.intake.retaliation_queue(visit.who, chosen or None)
        except Invalid:
            chosen, queue = "", self.intake.retaliation_queue(visit.who)
        return visit.render("office/retaliation.html", status, queue=queue,
                            filters={"status": chosen} if chosen else {},
                            filter_names=("status",), values=values or {}, errors=errors,
                            **self._office_choices(visit))

    @page("POST", "/office/retaliation")
    def portal_office_receive_inquiry(self, visit):
        require(visit.who, WRITERS)

        def receive():
            created = self.intake.receive_retaliation_inquiry(
                visit.who, filled(visit.form, ("entity", "received_on")))
            return visit.redirect(f"/office/retaliation/{created['id']}",
                                  note="office_inquiry_received")
        return attempt(receive, lambda errors: self._office_queue_page(
            visit, 422, errors.placed(["entity", "received_on"]), visit.form.to_dict()))

    @page("GET", "/office/retaliation/<inquiry_id>")
    def portal_office_inquiry(self, visit, inquiry_id):
        return self._office_inquiry_page(visit, inquiry_id)

    def _office_inquiry_page(self, visit, inquiry_id, status=200, errors=None, values=None,
                             sent=None):
        """The case file; `sent` names the form shown again with its errors."""
        require(visit.who, READERS)
        inquiry = self.intake.get_retaliation_inquiry(visit.who, inquiry_id)
        decided = {d["decision"]: d for d in inquiry["decisions"]}
        return visit.render("office/inquiry.html", status, inquiry=inquiry,
                            referral=decided.get(InquiryStatus.prima_facie_referred.value),
                            final=inquiry["decisions"][-1] if inquiry["closed"] else None,
                            decision_options=[(d, visit.t("inquiry.status." + d))
                                              for d in inquiry["next_decisions"]],
                            values=values or {}, errors=errors, sent=sent,
                            no_errors=FormErrors(), may_write=visit.actor.role in WRITERS,
                            today=dt.date.today().isoformat())

    @page("POST", "/office/retaliation/<inquiry_id>/decisions")
    def portal_office_decide(self, visit, inquiry_id):
        return self._office_case_form(visit, inquiry_id, "decision",
                                      self.intake.decide_retaliation_inquiry,
                                      ("decision", "decided_on"), "office_decision_recorded")

    @page("POST", "/office/retaliation/<inquiry_id>/protection-measures")
    def portal_office_protect(self, visit, inquiry_id):
        return self._office_case_form(visit, inquiry_id, "measure",
                                      self.intake.record_protection_measure,
                                      ("measure", "decided_on"), "office_measure_recorded")

    @page("POST", "/office/retaliation/<inquiry_id>/notes")
    def portal_office_note(self, visit, inquiry_id):
        return self._office_case_form(visit, inquiry_id, "note",
                                      self.intake.add_retaliation_note,
                                      ("text", "noted_on"), "office_note_added")

    def _office_case_form(self, visit, inquiry_id, sent, send, fields, note):
        """A form of the case file: sent, then the case file with `note`; a refusal shows the
        case file again with the errors next to that form's fields (409 for a move refused)."""
        require(visit.who, WRITERS)

        def go():
            send(visit.who, inquiry_id, filled(visit.form, fields))
            return visit.redirect(f"/office/retaliation/{inquiry_id}", note=note)

        def again(errors: FormErrors):
            status = 422 if errors.by_field else 409
            return self._office_inquiry_page(visit, inquiry_id, status, errors.placed(fields),
                                             visit.form.to_dict(), sent)
        return attempt(go, again)
