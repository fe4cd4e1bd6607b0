"""Routes of who-is-who: the directory of people, access tokens for programs, and the audit log
read across every service (for auditors and admin). The gateway keeps people and tokens itself;
the audit log is each service's own, asked over RPC and merged by time."""
from typing import Any

import eventlet

from shared.audit_log import audit_page
from shared.auth import require
from shared.contracts.audit import AuditPage, AuditQuery, ServiceAuditQuery
from shared.contracts.common import Role
from shared.contracts.people import (Enrolled, Enrolment, EnrolmentIn, EnrolmentShown, Person,
                                     PersonIn)
from shared.contracts.tokens import TokenIssued, TokenRequest, TokenView
from shared.kernel.errors import NotFound, Unavailable, located, validated
from shared.kernel.pagination import page_size
from shared.rpc import answer

from .. import use_cases as uc
from ..api import Reply, route
from ..domain.audit import decode_cursor, merge_pages
from ..use_cases.people import PutPerson

TAG = "people and tokens"
AUDIT_TIMEOUT = 10
AUDIT_QUERY = {"entity": "the entity of the record ('-' for the platform's own)",
               "actor": "who acted: an e-mail address or a token's label",
               "action": "what was done (read_statement, sign_in_refused, ...)",
               "since": "a day (YYYY-MM-DD) or a time: entries from then on",
               "limit": "page size: default 100, at most 1000",
               "cursor": "next_cursor of the previous page"}


class AccessRoutes:
    # given by the gateway service, of which these routes are a part
    backends: Any
    uow: Any

    # ---- people ----

    @route("PUT", "/people/{email}", "Add a person to the directory or change their roles "
           "(admin)", body=PersonIn, response=Person, tag=TAG)
    def put_person(self, call, email):
        with located(path=("email",)):
            return answer(uc.put_person(self.uow(call.actor), PutPerson(email, call.body)))

    @route("GET", "/people", "The directory of people (admin)", response=[Person], tag=TAG)
    def list_people(self, call):
        return uc.list_people(self.uow(call.actor))

    @route("GET", "/people/{email}", "One person, and whether their local account is set up "
           "(admin)", response=Person, tag=TAG)
    def get_person(self, call, email):
        with located(path=("email",)):
            return uc.get_person(self.uow(call.actor), email)

    @route("DELETE", "/people/{email}", "Remove a person: their sessions end at their next "
           "request, their tokens are revoked (admin)", tag=TAG)
    def delete_person(self, call, email):
        with located(path=("email",)):
            return uc.delete_person(self.uow(call.actor), email)

    @route("POST", "/people/{email}/enrolment", "A one-time link to set up (or reset) the "
           "person's local account: password and TOTP (admin)", response=Enrolment,
           status=201, tag=TAG)
    def invite_person(self, call, email):
        with located(path=("email",)):
            return uc.invite_person(self.uow(call.actor), email)

    @route("GET", "/enrolments/{code}", "What an invitation shows: the TOTP secret to add to "
           "an authenticator app (the code is the credential)", response=EnrolmentShown,
           public=True, tag=TAG)
    def show_enrolment(self, call, code):
        shown = uc.enrolment_for(self.uow(), code)
        if shown is None:
            raise NotFound("this enrolment code is not valid or has expired")
        return {"email": shown["email"], "secret": shown["secret"],
                "otpauth_uri": shown["uri"]}

    @route("POST", "/enrolments/{code}", "Set up the invited local account: a password and the "
           "first TOTP code; answers the recovery codes, shown this once",
           body=EnrolmentIn, response=Enrolled, status=201, public=True, tag=TAG)
    def complete_enrolment(self, call, code):
        shown = uc.enrolment_for(self.uow(), code)
        if shown is None:
            raise NotFound("this enrolment code is not valid or has expired")
        with located():
            codes = uc.enrol(self.uow(), uc.Enrol(code, call.body.password,
                                                  call.body.totp_code))
        return {"email": shown["email"], "recovery_codes": codes}

    # ---- tokens ----

    @route("POST", "/tokens", "Issue an access token for a person or a service account "
           "(admin); the token is shown this once", body=TokenRequest, response=TokenIssued,
           status=201, tag=TAG)
    def create_token(self, call):
        require(call.actor, [Role.admin])
        return answer(uc.issue_token(self.uow(call.actor), call.body))

    @route("GET", "/tokens", "Every token, without its secret (admin)", response=[TokenView],
           tag=TAG)
    def list_tokens(self, call):
        return answer([TokenView(**t) for t in uc.list_tokens(self.uow(call.actor))])

    @route("DELETE", "/tokens/{id}", "Revoke a token: refused from its next request on (admin)",
           response=TokenView, tag=TAG)
    def revoke_token(self, call, id):
        return answer(TokenView(**uc.revoke_token(self.uow(call.actor), id)))

    # ---- the audit log ----

    @route("GET", "/audit", "The audit log of every service, merged by time (auditor, admin)",
           response=AuditPage, tag=TAG, query=AUDIT_QUERY)
    def audit(self, call):
        with located("query"):
            query = validated(AuditQuery, call.query)
        return Reply(self._audit_across(call.actor, query))

    def _audit_across(self, actor, query: AuditQuery) -> dict:
        """One page of every service's audit entries (the gateway's own among them), merged by
        time: `{items, next_cursor}`. A service that does not answer makes it a 503: a page
        with a service left out would mislead."""
        require(actor, [Role.auditor, Role.admin])
        who = actor.model_dump(mode="json")
        positions, limit = decode_cursor(query.cursor), page_size(query.limit)
        asked = query.model_dump(mode="json", exclude={"cursor", "limit"}, exclude_none=True)

        def part(service: str) -> dict:
            return ServiceAuditQuery(**asked, after=positions.get(service, 0),
                                     limit=limit).model_dump(mode="json")
        pending = {name: getattr(self, name).audit_entries.call_async(who, part(name))
                   for name in self.backends}
        pages = {"gateway": audit_page(self.uow.db, "gateway",
                                       ServiceAuditQuery.model_validate(part("gateway")))}
        for name, reply in pending.items():
            try:
                with eventlet.Timeout(AUDIT_TIMEOUT):
                    pages[name] = reply.result()
            except eventlet.Timeout:
                raise Unavailable(f"the {name} service did not answer: its audit entries "
                                  "cannot be shown now; try again")
        items, cursor = merge_pages(pages, positions, limit)
        return {"items": items, "next_cursor": cursor}
