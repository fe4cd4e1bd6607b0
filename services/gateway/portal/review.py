"""The reviewer's pages: the queue of filed statements of a cycle, one statement, and the review
form with its typed conflicts of interest (the external reviewer's recommendations)."""
from typing import Any

from shared.auth import require
from shared.contracts.common import Role
from shared.contracts.disclosure import (ConflictType, MitigationIn, MitigationMeasure, ReviewIn,
                                         ReviewOutcome)

from .filer import GROUPS
from .forms import FormErrors, attempt, rows, text, validated
from .web import page

QUEUE_READERS = [Role.reviewer, Role.ethics_office]
WAITING = ("filed", "under_review")
CONFLICT_COLUMNS = ("type", "recommendation")
BLANK_CONFLICTS = 2
QUEUE_PAGE = 200


def opening_cycle(years: list[int], filers_of) -> int | None:
    """The cycle the queue opens on: the newest that has filers (`filers_of(year)`, asked
    newest first until one has), else the newest."""
    newest = sorted(years, reverse=True)
    return next((y for y in newest if filers_of(y) > 0), newest[0] if newest else None)


def conflicts_with_blanks(conflicts: list[dict], more: bool = False) -> list[dict]:
    blanks = BLANK_CONFLICTS + (1 if more else 0)
    return [*conflicts, *({"type": "", "recommendation": ""} for _ in range(blanks))]


class ReviewPages:
    # given by the gateway service, of which these pages are a part
    disclosure: Any

    @page("GET", "/review")
    def portal_review_queue(self, visit):
        require(visit.who, QUEUE_READERS)
        years = sorted((c["year"] for c in self.disclosure.list_cycles(visit.who)),
                       reverse=True)
        chosen = visit.query.get("year", type=int) or opening_cycle(years, lambda year: (
            self.disclosure.get_cycle(visit.who, year).get("figures") or {}).get("filers", 0))
        queues = {}
        if chosen is not None:
            for status in WAITING:
                queues[status] = self.disclosure.list_filers(
                    visit.who, chosen, {"status": status, "limit": QUEUE_PAGE})["items"]
        return visit.render("review/queue.html", years=years, year=chosen, queues=queues)

    @page("GET", "/review/<int:year>/<staff_id>")
    def portal_review_statement(self, visit, year, staff_id):
        return self._portal_review_page(visit, year, staff_id)

    def _portal_review_page(self, visit, year, staff_id, status=200, errors=None, values=None):
        require(visit.who, [Role.reviewer])
        filer = self.disclosure.get_filer(visit.who, year, staff_id)
        statement = self.disclosure.get_statement(visit.who, year, staff_id)
        values = values or {"outcome": "", "conflicts": conflicts_with_blanks([])}
        return visit.render("review/statement.html", status, filer=filer, statement=statement,
                            groups=GROUPS, values=values, errors=errors or FormErrors(),
                            outcomes=list(ReviewOutcome), types=list(ConflictType),
                            measures=list(MitigationMeasure))

    @page("POST", "/review/<int:year>/<staff_id>")
    def portal_record_review(self, visit, year, staff_id):
        require(visit.who, [Role.reviewer])
        form = visit.form
        conflicts = rows(form, "conflicts", list(CONFLICT_COLUMNS))
        values = {"outcome": form.get("outcome", ""), "conflicts": conflicts}
        if form.get("action") == "add":
            values["conflicts"] = conflicts_with_blanks(conflicts, more=True)
            return self._portal_review_page(visit, year, staff_id, values=values)

        def review():
            body = validated(ReviewIn, {"outcome": form.get("outcome") or None,
                                        "conflicts": conflicts})
            self.disclosure.review_filer(visit.who, year, staff_id,
                                         body.model_dump(mode="json"))
            return visit.redirect(f"/review/{year}/{staff_id}", note="review_recorded")
        values["conflicts"] = conflicts_with_blanks(conflicts)
        return attempt(review, lambda errors: self._portal_review_page(
            visit, year, staff_id, 422, errors, values))

    @page("POST", "/review/<int:year>/<staff_id>/mitigation")
    def portal_record_mitigation(self, visit, year, staff_id):
        require(visit.who, [Role.reviewer])

        def mitigate():
            body = validated(MitigationIn, {k: text(visit.form, k)
                                            for k in ("measure", "agreed_on")})
            self.disclosure.record_mitigation(visit.who, year, staff_id,
                                              body.model_dump(mode="json", exclude_none=True))
            return visit.redirect(f"/review/{year}/{staff_id}", note="mitigation_recorded")
        return attempt(mitigate, lambda errors: self._portal_review_page(
            visit, year, staff_id, 422, errors))
