"""The administrator's pages: the directory of people (their roles, an invitation to set up a
local account, removal) and the access tokens of programs (issue, shown once; revoke). The
gateway keeps both, so these pages call its own use cases; the auditors' page of the audit log
reads every service's entries, as the API does."""
from shared.auth import require
from shared.contracts.audit import AuditQuery
from shared.contracts.common import ENTITY_ROLES, STAFF_ROLES, Role
from shared.contracts.people import PersonIn
from shared.contracts.tokens import TokenRequest

from .. import use_cases as uc
from ..use_cases.people import PutPerson
from .forms import FormErrors, attempt, rows, text, validated
from .web import page

ROLE_COLUMNS = ["role", "entity", "staff_id"]
BLANK_ROLES = 2
AUDIT_FILTERS = ("entity", "actor", "action", "since")
AUDIT_PAGE = 50


def roles_with_blanks(roles: list[dict]) -> list[dict]:
    return [*roles, *({"role": "", "entity": "", "staff_id": ""} for _ in range(BLANK_ROLES))]


def person_from_form(form) -> dict:
    roles = [{k: v for k, v in row.items() if v} for row in rows(form, "roles", ROLE_COLUMNS)]
    return {"name": text(form, "name") or "", "language": text(form, "language"),
            "roles": roles}


class AdminPages:
    # ---- people ----

    @page("GET", "/admin/people")
    def portal_people(self, visit):
        return self._people_page(visit)

    def _people_page(self, visit, status=200, errors=None, values=None):
        require(visit.who, [Role.admin])
        values = values or {"email": "", "name": "", "language": "", "roles": []}
        return visit.render("admin/people.html", status,
                            people=uc.list_people(self.uow(visit.actor)),
                            values={**values, "roles": roles_with_blanks(values["roles"])},
                            roles=list(Role), errors=errors or FormErrors())

    @page("POST", "/admin/people")
    def portal_put_person(self, visit):
        require(visit.who, [Role.admin])
        email = text(visit.form, "email") or ""
        values = {"email": email, **person_from_form(visit.form)}

        def put():
            body = validated(PersonIn, {k: v for k, v in values.items()
                                        if k != "email" and v is not None})
            uc.put_person(self.uow(visit.actor), PutPerson(email, body))
            return visit.redirect(f"/admin/people/{email.strip().lower()}", note="person_saved")
        return attempt(put, lambda errors: self._people_page(visit, 422, errors.placed(
            ["email", "name", "language"] + [f"roles.{i}.{c}" for i in range(20)
                                            for c in ROLE_COLUMNS]), values))

    @page("GET", "/admin/people/<email>")
    def portal_person(self, visit, email):
        require(visit.who, [Role.admin])
        person = uc.get_person(self.uow(visit.actor), email)
        return visit.render("admin/person.html", person=person,
                            values={**person, "roles": roles_with_blanks(person["roles"])},
                            roles=list(Role), invitation=None)

    @page("POST", "/admin/people/<email>/enrolment")
    def portal_invite_person(self, visit, email):
        require(visit.who, [Role.admin])
        invitation = uc.invite_person(self.uow(visit.actor), email)
        link = visit.request.host_url.rstrip("/") + invitation["enrolment_path"]
        person = uc.get_person(self.uow(visit.actor), email)
        return visit.render("admin/person.html", person=person,
                            values={**person, "roles": roles_with_blanks(person["roles"])},
                            roles=list(Role), invitation={**invitation, "link": link})

    @page("POST", "/admin/people/<email>/delete")
    def portal_delete_person(self, visit, email):
        require(visit.who, [Role.admin])
        uc.delete_person(self.uow(visit.actor), email)
        return visit.redirect("/admin/people", note="person_deleted", email=email)

    # ---- tokens ----

    @page("GET", "/admin/tokens")
    def portal_tokens(self, visit):
        return self._tokens_page(visit)

    def _tokens_page(self, visit, status=200, errors=None, values=None, issued=None):
        require(visit.who, [Role.admin])
        return visit.render("admin/tokens.html", status,
                            tokens=uc.list_tokens(self.uow(visit.actor)),
                            values=values or {"expires_in_days": 90}, roles=list(Role),
                            entity_roles=[r.value for r in ENTITY_ROLES],
                            staff_roles=[r.value for r in STAFF_ROLES], issued=issued,
                            errors=errors or FormErrors())

    @page("POST", "/admin/tokens")
    def portal_issue_token(self, visit):
        require(visit.who, [Role.admin])
        form = visit.form
        values = {k: text(form, k) for k in ("label", "role", "entity", "staff_id", "person",
                                             "expires_in_days")}

        def issue():
            body = validated(TokenRequest, {k: v for k, v in values.items() if v is not None})
            issued = uc.issue_token(self.uow(visit.actor), body)
            return self._tokens_page(visit, 201, issued=issued)
        return attempt(issue, lambda errors: self._tokens_page(
            visit, 422, errors.placed(list(values)), values))

    @page("POST", "/admin/tokens/<token_id>/revoke")
    def portal_revoke_token(self, visit, token_id):
        require(visit.who, [Role.admin])
        uc.revoke_token(self.uow(visit.actor), token_id)
        return visit.redirect("/admin/tokens", note="token_revoked")

    # ---- the audit log ----

    @page("GET", "/audit")
    def portal_audit(self, visit):
        require(visit.who, [Role.auditor, Role.admin])
        filters = {k: visit.query.get(k) for k in AUDIT_FILTERS if visit.query.get(k)}
        query = validated(AuditQuery, {**filters, "limit": AUDIT_PAGE,
                                       "cursor": visit.query.get("cursor") or None})
        found = self._audit_across(visit.actor, query)
        return visit.render("audit.html", entries=found["items"], filters=filters,
                            next_cursor=found["next_cursor"])
