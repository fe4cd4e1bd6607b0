"""The Ethics Office's review of voluntary public disclosures: a cycle's summaries waiting for
approval, each approved (then public) or returned to its filer with the reason."""
from typing import Any

from shared.auth import require
from shared.contracts.common import Role
from shared.contracts.disclosure import PublicDisclosureReturn

from .forms import FormErrors, attempt, text, validated
from .web import page

OFFICE = [Role.ethics_office]
PENDING = "/review/public-disclosures"


class PublicReviewPages:
    # given by the gateway service, of which these pages are a part
    disclosure: Any

    @page("GET", PENDING)
    def portal_pending_disclosures(self, visit):
        return self._portal_pending_page(visit, visit.query.get("year", type=int))

    def _portal_pending_page(self, visit, year, status=200, errors=None, returning=None,
                             values=None):
        require(visit.who, OFFICE)
        years = sorted((c["year"] for c in self.disclosure.list_cycles(visit.who)),
                       reverse=True)
        year = year or (years[0] if years else None)
        pending = self.disclosure.pending_public_disclosures(visit.who, year) if year else []
        return visit.render("review/public_disclosures.html", status, years=years, year=year,
                            pending=pending, errors=errors or FormErrors(),
                            returning=returning, values=values or {})

    @page("POST", PENDING + "/<int:year>/<staff_id>/approve")
    def portal_approve_disclosure(self, visit, year, staff_id):
        require(visit.who, OFFICE)

        def approve():
            self.disclosure.approve_public_disclosure(visit.who, year, staff_id)
            return visit.redirect(PENDING, note="public_disclosure_approved", year=year,
                                  staff_id=staff_id)
        return attempt(approve, lambda errors: self._portal_pending_page(
            visit, year, 409, errors))

    @page("POST", PENDING + "/<int:year>/<staff_id>/return")
    def portal_return_disclosure(self, visit, year, staff_id):
        require(visit.who, OFFICE)
        reason = text(visit.form, "reason")

        def return_it():
            body = validated(PublicDisclosureReturn, {"reason": reason})
            self.disclosure.return_public_disclosure(visit.who, year, staff_id,
                                                     body.model_dump(mode="json"))
            return visit.redirect(PENDING, note="public_disclosure_returned", year=year,
                                  staff_id=staff_id)
        return attempt(return_it, lambda errors: self._portal_pending_page(
            visit, year, 422, errors, staff_id, {"reason": reason or ""}))
