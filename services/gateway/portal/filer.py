"""The filer's pages: the statement form with repeating rows (assets, liabilities, outside
interests, relatives in the UN), started from last year's statement and kept as a draft until it
is filed with its certification, the receipt; the filing's status in each cycle with the
reviewer's recommendation to acknowledge, and the decision on voluntary public disclosure when
the filer is eligible."""
from typing import Any

from shared.auth import require
from shared.contracts.common import Role
from shared.contracts.disclosure import (AcknowledgementIn, DeclineReason, PublicDisclosureIn,
                                         StatementContents, StatementIn,
                                         public_disclosure_eligible)
from shared.kernel.errors import NotFound

from .forms import attempt, figure, rows, text, validated
from .web import page

GROUPS = {
    "assets": ("description", "value_usd"),
    "liabilities": ("description", "value_usd"),
    "outside_interests": ("description", "role"),
    "relatives_in_un": ("name", "relationship", "entity"),
}
BLANK_ROWS = 2
SUMMARY = ("assets", "liabilities", "outside_interests")


MARKS = ("from_last_year", "confirmed")  # a carried row's mark, and the filer's confirmation


def statement_from_form(form) -> dict:
    """The statement's rows as typed (amounts without their thousands separators); blank rows
    are left out and empty cells are absent. A row carried over from last year keeps its mark
    until the filer ticks it confirmed."""
    found = {}
    for group, columns in GROUPS.items():
        kept = []
        for row in rows(form, group, [*columns, *MARKS]):
            item = {k: figure(v) if k == "value_usd" else v for k, v in row.items()
                    if v and k in columns}
            if not item:
                continue  # a carried row emptied: removed
            if row["from_last_year"] and not row["confirmed"]:
                item["from_last_year"] = True
            kept.append(item)
        found[group] = kept
    return found


def with_blank_rows(statement: dict, more: str | None = None) -> dict:
    """Each group's rows and then blank ones to fill (one more in the group `more`)."""
    shown = {}
    for group, columns in GROUPS.items():
        filled = [{**{c: "" if row.get(c) is None else row[c] for c in columns},
                   "from_last_year": bool(row.get("from_last_year"))}
                  for row in statement.get(group, [])]
        blanks = BLANK_ROWS + (1 if group == more else 0)
        shown[group] = filled + [{c: "" for c in columns} for _ in range(blanks)]
    return shown


def earlier_decision(record: dict) -> dict:
    """The form's values as the filer decided before."""
    summary = record.get("summary") or {}
    return {"publish": "yes" if record["publish"] else "no",
            "declined_reason": record.get("declined_reason") or "",
            "name": record.get("name") or "", "title": record.get("title") or "",
            **{f"summary.{s}": summary.get(s) or "" for s in SUMMARY}}


class FilerPages:
    # given by the gateway service, of which these pages are a part
    disclosure: Any

    def _portal_filer(self, visit, year) -> dict:
        require(visit.who, [Role.filer])
        return self.disclosure.get_filer(visit.who, year, visit.actor.staff_id)

    @page("GET", "/filer")
    def portal_filer_home(self, visit):
        return self._portal_home(visit)

    def _portal_home(self, visit, status=200, errors=None):
        require(visit.who, [Role.filer])
        filings = []
        for cycle in sorted(self.disclosure.list_cycles(visit.who), key=lambda c: -c["year"]):
            try:
                filer = self.disclosure.get_filer(visit.who, cycle["year"], visit.actor.staff_id)
            except NotFound:
                continue
            eligible = public_disclosure_eligible(filer["grade"], filer["status"])
            filings.append({"cycle": cycle, "filer": filer, "eligible": eligible})
        return visit.render("filer/home.html", status, filings=filings,
                            **({"errors": errors} if errors else {}))

    @page("GET", "/filer/<int:year>/statement")
    def portal_statement_form(self, visit, year):
        """The receipt of a filed statement with what it says; else the form, as the draft
        left it or started from last year's statement."""
        filer = self._portal_filer(visit, year)
        if filer["status"] != "invited":
            statement = self.disclosure.get_statement(visit.who, year, filer["staff_id"])
            return visit.render("filer/statement_filed.html", filer=filer,
                                statement=statement, groups=GROUPS)
        draft = self.disclosure.get_draft(visit.who, year, filer["staff_id"])
        return visit.render("filer/statement.html", filer=filer, groups=GROUPS, draft=draft,
                            shown=with_blank_rows(draft))

    @page("POST", "/filer/<int:year>/statement")
    def portal_file_statement(self, visit, year):
        filer = self._portal_filer(visit, year)
        statement = statement_from_form(visit.form)
        certified = visit.form.get("certified") == "yes"
        action = visit.form.get("action") or "file"
        again = {"filer": filer, "groups": GROUPS, "certified": certified,
                 "draft": {"saved_on": visit.form.get("saved_on") or None}}
        if action.startswith("add:"):
            return visit.render("filer/statement.html", **again,
                                shown=with_blank_rows(statement, action[4:]),
                                focus=action[4:])

        def file_():
            body = validated(StatementIn, {**statement, "certified": certified})
            self.disclosure.file_statement(visit.who, year, filer["staff_id"],
                                           body.model_dump(mode="json", exclude_none=True))
            return visit.redirect(f"/filer/{year}/statement", note="statement_filed", year=year)

        def save():
            body = validated(StatementContents, statement)
            self.disclosure.save_draft(visit.who, year, filer["staff_id"],
                                       body.model_dump(mode="json"))
            return visit.redirect(f"/filer/{year}/statement", note="draft_saved")

        def discard():
            self.disclosure.discard_draft(visit.who, year, filer["staff_id"])
            return visit.redirect(f"/filer/{year}/statement", note="draft_discarded")
        act = {"save": save, "discard": discard}.get(action, file_)
        return attempt(act, lambda errors: visit.render(
            "filer/statement.html", 422, **again, shown=with_blank_rows(statement),
            errors=errors))

    @page("POST", "/filer/<int:year>/acknowledgement")
    def portal_acknowledge_recommendation(self, visit, year):
        """The filer's answer to the reviewer's recommendation, with an optional comment."""
        filer = self._portal_filer(visit, year)

        def acknowledge():
            body = validated(AcknowledgementIn, {"comment": text(visit.form, "comment")})
            self.disclosure.acknowledge_recommendation(visit.who, year, filer["staff_id"],
                                                       body.model_dump(mode="json"))
            return visit.redirect("/filer", note="recommendation_acknowledged")
        return attempt(acknowledge, lambda errors: self._portal_home(visit, 422, errors))

    @page("GET", "/filer/<int:year>/public-disclosure")
    def portal_public_disclosure_form(self, visit, year):
        filer = self._portal_filer(visit, year)
        values = {}
        if filer["public_review"] == "returned":  # the summary returned, to change
            values = earlier_decision(self.disclosure.get_public_disclosure(
                visit.who, year, filer["staff_id"]))
        return visit.render("filer/public_disclosure.html", filer=filer, values=values,
                            eligible=public_disclosure_eligible(filer["grade"], filer["status"]),
                            reasons=list(DeclineReason))

    @page("POST", "/filer/<int:year>/public-disclosure")
    def portal_decide_public_disclosure(self, visit, year):
        filer = self._portal_filer(visit, year)
        form = visit.form
        values = {k: form.get(k, "") for k in ("publish", "declined_reason", "name", "title",
                                               *(f"summary.{s}" for s in SUMMARY))}
        publish = form.get("publish")

        def decide():
            body = {"publish": publish == "yes" if publish in ("yes", "no") else publish}
            if publish == "yes":
                body["summary"] = {s: text(form, f"summary.{s}") for s in SUMMARY}
                body.update({k: text(form, k) for k in ("name", "title") if text(form, k)})
            elif text(form, "declined_reason"):
                body["declined_reason"] = text(form, "declined_reason")
            decision = validated(PublicDisclosureIn, body)
            self.disclosure.decide_public_disclosure(visit.who, year, filer["staff_id"],
                                                     decision.model_dump(mode="json"))
            return visit.redirect("/filer", note="public_disclosure_decided", year=year)
        return attempt(decide, lambda errors: visit.render(
            "filer/public_disclosure.html", 422, filer=filer, values=values,
            eligible=public_disclosure_eligible(filer["grade"], filer["status"]),
            reasons=list(DeclineReason), errors=errors.placed(list(values) + ["summary"])))
