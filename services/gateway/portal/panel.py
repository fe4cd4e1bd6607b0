"""The Ethics Panel's pages. The chair convenes, records and approves meetings, opens, extends
and concludes consultations and conducts chair reviews; a member answers or amends its position
and submits its office's annual report for review. The panel service decides who may do what.

Every form is sent the same way (`_sent`): its fields fill a contract, the panel service takes
it, and the visitor lands on the record's page with a note; when the service refuses the values,
the form is shown again with each error next to its field and the values as typed."""
import datetime as dt

from shared.auth import READ_ALL, require
from shared.contracts import panel as c
from shared.contracts.common import Role

from .forms import FormErrors, attempt, lines, number, text, validated
from .web import page

READERS = [*READ_ALL, Role.panel_chair, Role.panel_member]
CHAIR = [Role.panel_chair]
MEMBER_OR_CHAIR = [Role.panel_chair, Role.panel_member]
MEMBERSHIP = [Role.panel_chair, Role.ethics_office]
REPORT_SUBMITTERS = [Role.panel_member, Role.panel_chair, Role.ethics_office]
ANSWERERS = (Role.panel_chair, Role.panel_member, Role.admin)
LIST_LIMIT = 200

MEETINGS, CONSULTATIONS = "meetings", "consultations"
REPORT_REVIEWS, CHAIR_REVIEWS = "report-reviews", "chair-reviews"
# the record pages: kind -> the panel service's getter, the template, the record's name in it
RECORDS = {
    MEETINGS: ("get_meeting", "panel/meeting.html", "meeting"),
    CONSULTATIONS: ("get_consultation", "panel/consultation.html", "consultation"),
    REPORT_REVIEWS: ("get_report_review", "panel/report_review.html", "review"),
    CHAIR_REVIEWS: ("get_chair_review", "panel/chair_review.html", "review"),
}


def tags(form, name: str) -> list[str]:
    """Tags separated by commas."""
    return [t.strip() for t in (form.get(name) or "").split(",") if t.strip()]


def chosen(form, name: str) -> list[str]:
    """The boxes ticked."""
    return form.getlist(name)


def _present(**values) -> dict:
    """A contract body without the fields left empty (so their defaults apply)."""
    return {k: v for k, v in values.items() if v not in (None, "", [])}


class Form:
    """What a form sends: the contract its fields fill and how each field is read (`text`,
    `lines`, `number`, `tags`, `chosen`). A form without fields sends a step dated today."""

    def __init__(self, model=None, **fields):
        self.model, self.fields = model, fields

    def body(self, form, given: dict) -> dict:
        """The contract from the fields filled in and those the page sets (`given`)."""
        if self.model is None:
            return {}
        read = {name: reader(form, name) for name, reader in self.fields.items()}
        return validated(self.model, _present(**{**read, **given})).model_dump(mode="json")

    def typed(self, form, given: dict) -> dict:
        """The values as typed, to show the form again."""
        typed = {name: chosen(form, name) if reader is chosen else form.get(name, "")
                 for name, reader in self.fields.items()}
        return {**typed, **given}


STEP = Form()
MEETING = Form(c.MeetingIn, scheduled_for=text, kind=text, agenda=lines)
RESCHEDULE = Form(c.MeetingReschedule, scheduled_for=text)
CANCEL = Form(c.StepDate, on=text)
MEMBER = Form(c.MemberIn, head=text, joined_on=text)
LEAVING = Form(c.StepDate, on=text)
MEETING_RECORD = Form(c.MeetingRecordIn, held_on=text, attendees=chosen, decisions=lines,
                      minutes=text)
CONSULTATION = Form(c.ConsultationIn, topic=text, question=text, respond_by=text, tags=tags,
                    opened_on=text)
POSITION = Form(c.PositionIn, entity=text, position=text)
EXTENSION = Form(c.ConsultationExtension, respond_by=text)
CONCLUSION = Form(c.ConsultationConclusionIn, outcome=text, guidance=text)
ACCEPTANCE = Form(c.ConsultationAcceptance, respond_by=text)
REPORT = Form(c.ReportReviewIn, entity=text, period=text, document=text,
              figures_version=number)
COMMENT = Form(c.ReportReviewComment, comment=text)
REPORT_CONCLUSION = Form(c.ReportReviewConclusionIn, summary=text)
CHAIR_REVIEW = Form(c.ChairReviewIn, entity=text, case_ref=text, requested_on=text,
                    determination_notified_on=text)
CHAIR_CONCLUSION = Form(c.ChairReviewConclusionIn, outcome=text, reasons=text)


def conflict_or_invalid(errors: FormErrors) -> int:
    """409 when the service refused the step itself (a late position), 422 for its values."""
    return 409 if errors.general else 422


def today() -> str:
    return dt.date.today().isoformat()


def meetings_in_order(meetings: list[dict], on: str) -> list[dict]:
    """Upcoming meetings (convened for `on` or later) soonest first, then the others newest
    first; dates are ISO days, which sort as text."""
    upcoming = [m for m in meetings if m["status"] == "convened" and m["scheduled_for"] >= on]
    past = [m for m in meetings if m not in upcoming]
    return (sorted(upcoming, key=lambda m: (m["scheduled_for"], m["id"]))
            + sorted(past, key=lambda m: (m["scheduled_for"], m["id"]), reverse=True))


def membership_rows(members: list[dict]) -> list[dict]:
    """The Panel's members with their dates: those serving by entity, then those who left,
    the latest to leave first."""
    serving = sorted((m for m in members if m["status"] == "active"), key=lambda m: m["entity"])
    left = sorted((m for m in members if m["status"] != "active"),
                  key=lambda m: (m.get("left_on") or "", m["entity"]), reverse=True)
    return [{"entity": m["entity"], "head": m["head"], "status": m["status"],
             "joined_on": m["joined_on"], "left_on": m.get("left_on")} for m in serving + left]


def confirmed(form) -> bool:
    return form.get("confirm") == "yes"


class PanelPages:
    @page("GET", "/panel")
    def portal_panel_dashboard(self, visit):
        require(visit.who, READERS)
        panel, who, most = self.panel, visit.who, {"limit": LIST_LIMIT}
        listed = {
            "members": panel.list_members(who, {**most, "status": "active"}),
            "meetings": panel.list_meetings(who, most),
            "open": panel.list_consultations(who, {**most, "status": "open"}),
            "proposed": panel.list_consultations(who, {**most, "status": "proposed"}),
            "concluded": panel.list_consultations(who, {**most, "status": "concluded"}),
            "report_reviews": panel.list_report_reviews(who, most),
            "chair_reviews": panel.list_chair_reviews(who, most),
        }
        newest_first = {k: list(reversed(v["items"])) for k, v in listed.items()}
        newest_first["meetings"] = meetings_in_order(listed["meetings"]["items"], today())
        return visit.render("panel/dashboard.html", today=today(), **newest_first)

    # members

    @page("GET", "/panel/members")
    def portal_panel_members(self, visit):
        return self._members_page(visit)

    def _members_page(self, visit, status=200, errors=None, values=None, sent=None):
        require(visit.who, MEMBERSHIP)
        found = self.panel.list_members(visit.who, {"limit": LIST_LIMIT})["items"]
        return visit.render("panel/members.html", status, members=membership_rows(found),
                            errors=errors or FormErrors(), values=values or {}, form=sent,
                            today=today())

    @page("POST", "/panel/members")
    def portal_join_member(self, visit):
        require(visit.who, MEMBERSHIP)
        entity = (visit.form.get("entity") or "").strip()
        return self._members_step(
            visit, MEMBER, lambda body: self.panel.join_member(visit.who, entity, body),
            "member_joined", "join", {"entity": entity})

    @page("POST", "/panel/members/<entity>/leave")
    def portal_member_leaves(self, visit, entity):
        require(visit.who, MEMBERSHIP)
        return self._members_step(
            visit, LEAVING, lambda body: self.panel.leave_member(visit.who, entity, body),
            "member_left", entity, {})

    def _members_step(self, visit, form, send, note, sent, typed):
        def go():
            answer = send(form.body(visit.form, {}))
            return visit.redirect("/panel/members", note=note, entity=answer["entity"])

        def show_again(errors: FormErrors):
            values = {**form.typed(visit.form, {}), **typed}
            return self._members_page(visit, 422, errors.placed([*form.fields, "entity"]),
                                      values, sent)
        return attempt(go, show_again)

    # meetings

    @page("GET", "/panel/meetings/new")
    def portal_meeting_form(self, visit):
        require(visit.who, CHAIR)
        return visit.render("panel/meeting_new.html", values={})

    @page("POST", "/panel/meetings/new")
    def portal_convene_meeting(self, visit):
        require(visit.who, CHAIR)
        return self._new(visit, MEETINGS, MEETING, self.panel.convene_meeting,
                         "meeting_convened", "panel/meeting_new.html")

    @page("GET", "/panel/meetings/<meeting_id>")
    def portal_meeting(self, visit, meeting_id):
        return self._record_page(visit, MEETINGS, meeting_id)

    @page("POST", "/panel/meetings/<meeting_id>/record")
    def portal_record_meeting(self, visit, meeting_id):
        require(visit.who, CHAIR)
        return self._step(visit, MEETINGS, meeting_id, self.panel.record_meeting,
                          "meeting_recorded", MEETING_RECORD)

    @page("POST", "/panel/meetings/<meeting_id>/reschedule")
    def portal_reschedule_meeting(self, visit, meeting_id):
        require(visit.who, CHAIR)
        return self._step(visit, MEETINGS, meeting_id, self.panel.reschedule_meeting,
                          "meeting_rescheduled", RESCHEDULE, "reschedule",
                          refused=conflict_or_invalid)

    @page("POST", "/panel/meetings/<meeting_id>/cancel")
    def portal_cancel_meeting(self, visit, meeting_id):
        require(visit.who, CHAIR)
        return self._step(visit, MEETINGS, meeting_id, self.panel.cancel_meeting,
                          "meeting_cancelled", CANCEL, "cancel", refused=conflict_or_invalid)

    @page("POST", "/panel/meetings/<meeting_id>/approve")
    def portal_approve_meeting(self, visit, meeting_id):
        require(visit.who, CHAIR)
        return self._step(visit, MEETINGS, meeting_id, self.panel.approve_meeting,
                          "meeting_approved")

    # consultations

    @page("GET", "/panel/consultations/new")
    def portal_consultation_form(self, visit):
        require(visit.who, MEMBER_OR_CHAIR)
        return visit.render("panel/consultation_new.html", values={})

    @page("POST", "/panel/consultations/new")
    def portal_open_consultation(self, visit):
        require(visit.who, MEMBER_OR_CHAIR)
        return self._new(visit, CONSULTATIONS, CONSULTATION, self.panel.open_consultation,
                         lambda found: {"note": "consultation_opened" if found["status"] == "open"
                                        else "consultation_proposed"},
                         "panel/consultation_new.html")

    @page("GET", "/panel/consultations/<consultation_id>")
    def portal_consultation(self, visit, consultation_id):
        return self._record_page(visit, CONSULTATIONS, consultation_id)

    @page("POST", "/panel/consultations/<consultation_id>/position")
    def portal_submit_position(self, visit, consultation_id):
        require(visit.who, MEMBER_OR_CHAIR)
        return self._step(visit, CONSULTATIONS, consultation_id, self.panel.submit_position,
                          lambda recorded: {"note": "position_amended" if recorded["amended"]
                                            else "position_recorded",
                                            "entity": recorded["entity"]},
                          POSITION, "position", given=self._own_entity(visit),
                          refused=conflict_or_invalid)

    @page("POST", "/panel/consultations/<consultation_id>/extend")
    def portal_extend_consultation(self, visit, consultation_id):
        require(visit.who, CHAIR)
        return self._step(visit, CONSULTATIONS, consultation_id, self.panel.extend_consultation,
                          "consultation_extended", EXTENSION, "extend")

    @page("POST", "/panel/consultations/<consultation_id>/conclude")
    def portal_conclude_consultation(self, visit, consultation_id):
        require(visit.who, CHAIR)
        outstanding = self.panel.get_consultation(visit.who, consultation_id)["not_answered"]
        if outstanding and not confirmed(visit.form):
            # members have not answered: the chair concludes only once it says so
            errors = FormErrors()
            errors.add("confirm", visit.t("panel.confirm_needed",
                                          count=len(outstanding)))
            return self._record_page(visit, CONSULTATIONS, consultation_id, 409, errors,
                                     CONCLUSION.typed(visit.form, {}), "conclude")
        return self._step(visit, CONSULTATIONS, consultation_id,
                          self.panel.conclude_consultation, "consultation_concluded",
                          CONCLUSION, "conclude")

    @page("POST", "/panel/consultations/<consultation_id>/accept")
    def portal_accept_consultation(self, visit, consultation_id):
        require(visit.who, CHAIR)
        return self._step(visit, CONSULTATIONS, consultation_id, self.panel.accept_consultation,
                          "consultation_opened", ACCEPTANCE, "accept")

    @page("POST", "/panel/consultations/<consultation_id>/decline")
    def portal_decline_consultation(self, visit, consultation_id):
        require(visit.who, CHAIR)
        return self._step(visit, CONSULTATIONS, consultation_id,
                          self.panel.decline_consultation, "consultation_declined")

    # reviews of members' annual reports

    @page("GET", "/panel/report-reviews/new")
    def portal_report_review_form(self, visit):
        require(visit.who, REPORT_SUBMITTERS)
        return visit.render("panel/report_review_new.html", values={})

    @page("POST", "/panel/report-reviews/new")
    def portal_submit_report_review(self, visit):
        require(visit.who, REPORT_SUBMITTERS)
        return self._new(visit, REPORT_REVIEWS, REPORT, self.panel.submit_report_review,
                         "report_submitted", "panel/report_review_new.html",
                         given=self._own_entity(visit))

    @page("GET", "/panel/report-reviews/<review_id>")
    def portal_report_review(self, visit, review_id):
        return self._record_page(visit, REPORT_REVIEWS, review_id)

    @page("POST", "/panel/report-reviews/<review_id>/comment")
    def portal_comment_report_review(self, visit, review_id):
        require(visit.who, MEMBER_OR_CHAIR)
        return self._step(visit, REPORT_REVIEWS, review_id, self.panel.comment_report_review,
                          "comment_added", COMMENT)

    @page("POST", "/panel/report-reviews/<review_id>/conclude")
    def portal_conclude_report_review(self, visit, review_id):
        require(visit.who, CHAIR)
        return self._step(visit, REPORT_REVIEWS, review_id, self.panel.conclude_report_review,
                          "report_review_concluded", REPORT_CONCLUSION)

    # the chair's reviews of members' retaliation determinations

    @page("GET", "/panel/chair-reviews/new")
    def portal_chair_review_form(self, visit):
        require(visit.who, CHAIR)
        return visit.render("panel/chair_review_new.html", values={}, today=today())

    @page("POST", "/panel/chair-reviews/new")
    def portal_request_chair_review(self, visit):
        require(visit.who, CHAIR)
        return self._new(visit, CHAIR_REVIEWS, CHAIR_REVIEW, self.panel.request_chair_review,
                         "chair_review_requested", "panel/chair_review_new.html",
                         today=today())

    @page("GET", "/panel/chair-reviews/<review_id>")
    def portal_chair_review(self, visit, review_id):
        return self._record_page(visit, CHAIR_REVIEWS, review_id)

    @page("POST", "/panel/chair-reviews/<review_id>/start")
    def portal_start_chair_review(self, visit, review_id):
        require(visit.who, CHAIR)
        return self._step(visit, CHAIR_REVIEWS, review_id, self.panel.start_chair_review,
                          "chair_review_started")

    @page("POST", "/panel/chair-reviews/<review_id>/conclude")
    def portal_conclude_chair_review(self, visit, review_id):
        require(visit.who, CHAIR)
        return self._step(visit, CHAIR_REVIEWS, review_id, self.panel.conclude_chair_review,
                          "chair_review_concluded", CHAIR_CONCLUSION)

    # the pages and forms of every record

    def _record_page(self, visit, kind, record_id, status=200, errors=None, values=None,
                     sent=None):
        """A record's page; `sent` names the form shown again, if one was refused."""
        require(visit.who, READERS)
        getter, template, name = RECORDS[kind]
        record = getattr(self.panel, getter)(visit.who, record_id)
        extra = self._answering(visit, record) if kind == CONSULTATIONS else {}
        return visit.render(template, status, **{name: record}, values=values or {},
                            errors=errors or FormErrors(), form=sent, today=today(), **extra)

    @staticmethod
    def _answering(visit, consultation) -> dict:
        """Who may answer a consultation, for whom, and the visitor's own position."""
        actor = visit.actor
        own = next((p for p in consultation.get("positions") or []
                    if p["entity"] == actor.entity), None)
        members = sorted(set(consultation["answered"]) | set(consultation["not_answered"]))
        return {"own": own, "members": members, "may_answer": actor.role in ANSWERERS}

    @staticmethod
    def _own_entity(visit) -> dict:
        """A member acts for its own entity; the chair and the Ethics Office name one."""
        actor = visit.actor
        return {"entity": actor.entity} if actor.role == Role.panel_member else {}

    def _step(self, visit, kind, record_id, send, note, form=STEP, sent=None, given=None,
              refused=None):
        """A form on a record's page: `send(actor, record_id, body)`, then the record's page
        with `note`, or shown again with the refusal (409 for a step without fields)."""
        return self._sent(
            visit, form, lambda body: send(visit.who, record_id, body),
            lambda answer: (f"/panel/{kind}/{record_id}", answer),
            note, lambda status, errors, values: self._record_page(
                visit, kind, record_id, status, errors, values, sent),
            given, refused or (409 if form is STEP else 422))

    def _new(self, visit, kind, form, send, note, template, given=None, **context):
        """A form that makes a record: `send(actor, body)`, then the new record's page."""
        return self._sent(
            visit, form, lambda body: send(visit.who, body),
            lambda answer: (f"/panel/{kind}/{answer['id']}", answer),
            note, lambda status, errors, values: visit.render(
                template, status, values=values, errors=errors, **context),
            given, 422)

    @staticmethod
    def _sent(visit, form: Form, send, landing, note, again, given, refused):
        """`form` sent: `send(body)` answers, `landing(answer)` is where the visitor goes, with
        `note` (a note's key, or `note(answer)`: the query of the landing page); a refusal
        shows `again(status, errors, values)`, its status `refused` (or `refused(errors)`)."""
        given = given or {}

        def go():
            path, answer = landing(send(form.body(visit.form, given)))
            return visit.redirect(path, **(note(answer) if callable(note) else {"note": note}))

        def show_again(errors: FormErrors):
            status = refused(errors) if callable(refused) else refused
            return again(status, errors.placed(form.fields), form.typed(visit.form, given))
        return attempt(go, show_again)
