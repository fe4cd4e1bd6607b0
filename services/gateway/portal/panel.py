"""The Ethics Panel's pages. The chair convenes, records and approves meetings, opens, extends
and concludes consultations and conducts chair reviews; a member answers or amends its position
and submits its office's annual report for review. The panel service decides who may do what."""
import datetime as dt

from shared.auth import READ_ALL, require
from shared.contracts import panel as c
from shared.contracts.common import Role

from .forms import FormErrors, attempt, lines, number, text, validated
from .web import page

READERS = [*READ_ALL, Role.panel_chair, Role.panel_member]
ANSWERERS = (Role.panel_chair, Role.panel_member, Role.admin)
LIST_LIMIT = 200


def tags_of(form) -> list[str]:
    return [t.strip() for t in (form.get("tags") or "").split(",") if t.strip()]


def _present(**values) -> dict:
    """A contract body without the fields left empty (so their defaults apply)."""
    return {k: v for k, v in values.items() if v not in (None, "", [])}


class PanelPages:
    @page("GET", "/panel")
    def portal_panel_dashboard(self, visit):
        require(visit.who, READERS)
        panel = self.panel
        listed = {
            "members": panel.list_members(visit.who, status="active", limit=LIST_LIMIT),
            "meetings": panel.list_meetings(visit.who, limit=LIST_LIMIT),
            "open": panel.list_consultations(visit.who, status="open", limit=LIST_LIMIT),
            "proposed": panel.list_consultations(visit.who, status="proposed",
                                                 limit=LIST_LIMIT),
            "concluded": panel.list_consultations(visit.who, status="concluded",
                                                  limit=LIST_LIMIT),
            "report_reviews": panel.list_report_reviews(visit.who, limit=LIST_LIMIT),
            "chair_reviews": panel.list_chair_reviews(visit.who, limit=LIST_LIMIT),
        }
        newest_first = {k: list(reversed(v["items"])) for k, v in listed.items()}
        return visit.render("panel/dashboard.html", today=dt.date.today().isoformat(),
                            **newest_first)

    # meetings

    @page("GET", "/panel/meetings/new")
    def portal_meeting_form(self, visit):
        require(visit.who, [Role.panel_chair])
        return visit.render("panel/meeting_new.html", values={})

    @page("POST", "/panel/meetings/new")
    def portal_convene_meeting(self, visit):
        require(visit.who, [Role.panel_chair])
        form = visit.form
        values = {"scheduled_for": text(form, "scheduled_for"), "kind": text(form, "kind"),
                  "agenda": form.get("agenda", "")}

        def convene():
            body = validated(c.MeetingIn, _present(scheduled_for=values["scheduled_for"],
                                                   kind=values["kind"],
                                                   agenda=lines(form, "agenda")))
            meeting = self.panel.convene_meeting(visit.who, body.model_dump(mode="json"))
            return visit.redirect(f"/panel/meetings/{meeting['id']}", note="meeting_convened")
        return attempt(convene, lambda errors: visit.render(
            "panel/meeting_new.html", 422, values=values, errors=errors))

    @page("GET", "/panel/meetings/<meeting_id>")
    def portal_meeting(self, visit, meeting_id):
        return self._portal_meeting_page(visit, meeting_id)

    def _portal_meeting_page(self, visit, meeting_id, status=200, errors=None, values=None):
        require(visit.who, READERS)
        meeting = self.panel.get_meeting(visit.who, meeting_id)
        return visit.render("panel/meeting.html", status, meeting=meeting,
                            values=values or {}, errors=errors or FormErrors(),
                            today=dt.date.today().isoformat())

    @page("POST", "/panel/meetings/<meeting_id>/record")
    def portal_record_meeting(self, visit, meeting_id):
        require(visit.who, [Role.panel_chair])
        form = visit.form
        values = {"held_on": text(form, "held_on"), "attendees": form.getlist("attendees"),
                  "decisions": form.get("decisions", ""), "minutes": form.get("minutes", "")}

        def record():
            body = validated(c.MeetingRecordIn, _present(
                held_on=values["held_on"], attendees=values["attendees"],
                decisions=lines(form, "decisions"), minutes=text(form, "minutes")))
            self.panel.record_meeting(visit.who, meeting_id, body.model_dump(mode="json"))
            return visit.redirect(f"/panel/meetings/{meeting_id}", note="meeting_recorded")
        return attempt(record, lambda errors: self._portal_meeting_page(
            visit, meeting_id, 422, errors, values))

    @page("POST", "/panel/meetings/<meeting_id>/approve")
    def portal_approve_meeting(self, visit, meeting_id):
        require(visit.who, [Role.panel_chair])

        def approve():
            self.panel.approve_meeting(visit.who, meeting_id, {})
            return visit.redirect(f"/panel/meetings/{meeting_id}", note="meeting_approved")
        return attempt(approve, lambda errors: self._portal_meeting_page(
            visit, meeting_id, 409, errors))

    # consultations

    @page("GET", "/panel/consultations/new")
    def portal_consultation_form(self, visit):
        require(visit.who, [Role.panel_chair, Role.panel_member])
        return visit.render("panel/consultation_new.html", values={})

    @page("POST", "/panel/consultations/new")
    def portal_open_consultation(self, visit):
        require(visit.who, [Role.panel_chair, Role.panel_member])
        form = visit.form
        values = {k: form.get(k, "") for k in ("topic", "question", "respond_by", "tags",
                                               "opened_on")}

        def open_():
            body = validated(c.ConsultationIn, _present(
                topic=text(form, "topic"), question=text(form, "question"),
                respond_by=text(form, "respond_by"), tags=tags_of(form),
                opened_on=text(form, "opened_on")))
            found = self.panel.open_consultation(visit.who, body.model_dump(mode="json"))
            note = "consultation_opened" if found["status"] == "open" else "consultation_proposed"
            return visit.redirect(f"/panel/consultations/{found['id']}", note=note)
        return attempt(open_, lambda errors: visit.render(
            "panel/consultation_new.html", 422, values=values, errors=errors))

    @page("GET", "/panel/consultations/<consultation_id>")
    def portal_consultation(self, visit, consultation_id):
        return self._portal_consultation_page(visit, consultation_id)

    def _portal_consultation_page(self, visit, consultation_id, status=200, errors=None,
                                  values=None, form=None):
        require(visit.who, READERS)
        found = self.panel.get_consultation(visit.who, consultation_id)
        actor = visit.actor
        own = next((p for p in found.get("positions") or [] if p["entity"] == actor.entity),
                   None)
        members = sorted(set(found["answered"]) | set(found["not_answered"]))
        return visit.render("panel/consultation.html", status, consultation=found, own=own,
                            members=members, may_answer=actor.role in ANSWERERS,
                            values=values or {}, errors=errors or FormErrors(), form=form,
                            today=dt.date.today().isoformat())

    @page("POST", "/panel/consultations/<consultation_id>/position")
    def portal_submit_position(self, visit, consultation_id):
        actor = visit.actor
        require(visit.who, [Role.panel_chair, Role.panel_member])
        form = visit.form
        entity = actor.entity if actor.role == Role.panel_member else text(form, "entity")
        values = {"position": form.get("position", ""), "entity": entity}

        def answer():
            body = validated(c.PositionIn, _present(entity=entity,
                                                    position=text(form, "position")))
            recorded = self.panel.submit_position(visit.who, consultation_id,
                                                  body.model_dump(mode="json"))
            return visit.redirect(f"/panel/consultations/{consultation_id}",
                                  note="position_amended" if recorded["amended"]
                                  else "position_recorded", entity=recorded["entity"])
        return attempt(answer, lambda errors: self._portal_consultation_page(
            visit, consultation_id, 409 if errors.general else 422,
            errors.placed(["position", "entity"]), values, "position"))

    @page("POST", "/panel/consultations/<consultation_id>/extend")
    def portal_extend_consultation(self, visit, consultation_id):
        require(visit.who, [Role.panel_chair])
        values = {"respond_by": visit.form.get("respond_by", "")}

        def extend():
            body = validated(c.ConsultationExtension,
                             _present(respond_by=text(visit.form, "respond_by")))
            self.panel.extend_consultation(visit.who, consultation_id,
                                           body.model_dump(mode="json"))
            return visit.redirect(f"/panel/consultations/{consultation_id}",
                                  note="consultation_extended")
        return attempt(extend, lambda errors: self._portal_consultation_page(
            visit, consultation_id, 422, errors.placed(["respond_by"]), values, "extend"))

    @page("POST", "/panel/consultations/<consultation_id>/conclude")
    def portal_conclude_consultation(self, visit, consultation_id):
        require(visit.who, [Role.panel_chair])
        form = visit.form
        values = {"outcome": form.get("outcome", ""), "guidance": form.get("guidance", "")}

        def conclude():
            body = validated(c.ConsultationConclusionIn, _present(
                outcome=text(form, "outcome"), guidance=text(form, "guidance")))
            self.panel.conclude_consultation(visit.who, consultation_id,
                                             body.model_dump(mode="json"))
            return visit.redirect(f"/panel/consultations/{consultation_id}",
                                  note="consultation_concluded")
        return attempt(conclude, lambda errors: self._portal_consultation_page(
            visit, consultation_id, 422, errors.placed(["outcome", "guidance"]), values,
            "conclude"))

    @page("POST", "/panel/consultations/<consultation_id>/accept")
    def portal_accept_consultation(self, visit, consultation_id):
        require(visit.who, [Role.panel_chair])
        values = {"respond_by": visit.form.get("respond_by", "")}

        def accept():
            body = validated(c.ConsultationAcceptance,
                             _present(respond_by=text(visit.form, "respond_by")))
            self.panel.accept_consultation(visit.who, consultation_id,
                                           body.model_dump(mode="json"))
            return visit.redirect(f"/panel/consultations/{consultation_id}",
                                  note="consultation_opened")
        return attempt(accept, lambda errors: self._portal_consultation_page(
            visit, consultation_id, 422, errors.placed(["respond_by"]), values, "accept"))

    @page("POST", "/panel/consultations/<consultation_id>/decline")
    def portal_decline_consultation(self, visit, consultation_id):
        require(visit.who, [Role.panel_chair])

        def decline():
            self.panel.decline_consultation(visit.who, consultation_id, {})
            return visit.redirect(f"/panel/consultations/{consultation_id}",
                                  note="consultation_declined")
        return attempt(decline, lambda errors: self._portal_consultation_page(
            visit, consultation_id, 409, errors))

    # reviews of members' annual reports

    @page("GET", "/panel/report-reviews/new")
    def portal_report_review_form(self, visit):
        require(visit.who, [Role.panel_member, Role.panel_chair, Role.ethics_office])
        return visit.render("panel/report_review_new.html", values={})

    @page("POST", "/panel/report-reviews/new")
    def portal_submit_report_review(self, visit):
        require(visit.who, [Role.panel_member, Role.panel_chair, Role.ethics_office])
        actor, form = visit.actor, visit.form
        entity = actor.entity if actor.role == Role.panel_member else text(form, "entity")
        values = {k: form.get(k, "") for k in ("period", "document", "figures_version")}
        values["entity"] = entity

        def submit():
            body = validated(c.ReportReviewIn, _present(
                entity=entity, period=text(form, "period"), document=text(form, "document"),
                figures_version=number(form, "figures_version")))
            review = self.panel.submit_report_review(visit.who, body.model_dump(mode="json"))
            return visit.redirect(f"/panel/report-reviews/{review['id']}",
                                  note="report_submitted")
        return attempt(submit, lambda errors: visit.render(
            "panel/report_review_new.html", 422, values=values,
            errors=errors.placed(["entity", "period", "document", "figures_version"])))

    @page("GET", "/panel/report-reviews/<review_id>")
    def portal_report_review(self, visit, review_id):
        return self._portal_report_review_page(visit, review_id)

    def _portal_report_review_page(self, visit, review_id, status=200, errors=None, values=None):
        require(visit.who, READERS)
        review = self.panel.get_report_review(visit.who, review_id)
        return visit.render("panel/report_review.html", status, review=review,
                            values=values or {}, errors=errors or FormErrors())

    @page("POST", "/panel/report-reviews/<review_id>/comment")
    def portal_comment_report_review(self, visit, review_id):
        require(visit.who, [Role.panel_chair, Role.panel_member])
        values = {"comment": visit.form.get("comment", "")}

        def comment():
            body = validated(c.ReportReviewComment,
                             _present(comment=text(visit.form, "comment")))
            self.panel.comment_report_review(visit.who, review_id,
                                             body.model_dump(mode="json"))
            return visit.redirect(f"/panel/report-reviews/{review_id}", note="comment_added")
        return attempt(comment, lambda errors: self._portal_report_review_page(
            visit, review_id, 422, errors.placed(["comment"]), values))

    @page("POST", "/panel/report-reviews/<review_id>/conclude")
    def portal_conclude_report_review(self, visit, review_id):
        require(visit.who, [Role.panel_chair])
        values = {"summary": visit.form.get("summary", "")}

        def conclude():
            body = validated(c.ReportReviewConclusionIn,
                             _present(summary=text(visit.form, "summary")))
            self.panel.conclude_report_review(visit.who, review_id,
                                              body.model_dump(mode="json"))
            return visit.redirect(f"/panel/report-reviews/{review_id}",
                                  note="report_review_concluded")
        return attempt(conclude, lambda errors: self._portal_report_review_page(
            visit, review_id, 422, errors.placed(["summary"]), values))

    # the chair's reviews of members' retaliation determinations

    @page("GET", "/panel/chair-reviews/new")
    def portal_chair_review_form(self, visit):
        require(visit.who, [Role.panel_chair])
        return visit.render("panel/chair_review_new.html", values={},
                            today=dt.date.today().isoformat())

    @page("POST", "/panel/chair-reviews/new")
    def portal_request_chair_review(self, visit):
        require(visit.who, [Role.panel_chair])
        form = visit.form
        values = {k: form.get(k, "") for k in ("entity", "case_ref", "requested_on",
                                               "determination_notified_on")}

        def request():
            body = validated(c.ChairReviewIn, _present(**{k: text(form, k) for k in values}))
            review = self.panel.request_chair_review(visit.who, body.model_dump(mode="json"))
            return visit.redirect(f"/panel/chair-reviews/{review['id']}",
                                  note="chair_review_requested")
        return attempt(request, lambda errors: visit.render(
            "panel/chair_review_new.html", 422, values=values,
            errors=errors.placed(list(values)), today=dt.date.today().isoformat()))

    @page("GET", "/panel/chair-reviews/<review_id>")
    def portal_chair_review(self, visit, review_id):
        return self._portal_chair_review_page(visit, review_id)

    def _portal_chair_review_page(self, visit, review_id, status=200, errors=None, values=None):
        require(visit.who, READERS)
        review = self.panel.get_chair_review(visit.who, review_id)
        return visit.render("panel/chair_review.html", status, review=review,
                            values=values or {}, errors=errors or FormErrors())

    @page("POST", "/panel/chair-reviews/<review_id>/start")
    def portal_start_chair_review(self, visit, review_id):
        require(visit.who, [Role.panel_chair])

        def start():
            self.panel.start_chair_review(visit.who, review_id, {})
            return visit.redirect(f"/panel/chair-reviews/{review_id}",
                                  note="chair_review_started")
        return attempt(start, lambda errors: self._portal_chair_review_page(
            visit, review_id, 409, errors))

    @page("POST", "/panel/chair-reviews/<review_id>/conclude")
    def portal_conclude_chair_review(self, visit, review_id):
        require(visit.who, [Role.panel_chair])
        form = visit.form
        values = {"outcome": form.get("outcome", ""), "reasons": form.get("reasons", "")}

        def conclude():
            body = validated(c.ChairReviewConclusionIn, _present(
                outcome=text(form, "outcome"), reasons=text(form, "reasons")))
            self.panel.conclude_chair_review(visit.who, review_id,
                                             body.model_dump(mode="json"))
            return visit.redirect(f"/panel/chair-reviews/{review_id}",
                                  note="chair_review_concluded")
        return attempt(conclude, lambda errors: self._portal_chair_review_page(
            visit, review_id, 422, errors.placed(["outcome", "reasons"]), values))
