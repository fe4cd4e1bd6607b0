"""The Ethics Office's pages of the financial disclosure programme: the cycles (open one,
close one after confirming), the participants and their focal points, a cycle's verification
sample and the verifications, the cost shares with the unit cost across the years; and the
focal point's reminders of its non-filers (all of them, or one), sent from its compliance
page. The disclosure service applies every rule again."""
import datetime as dt
from typing import Any

from shared.auth import require
from shared.contracts.common import Role
from shared.contracts.contacts import Language
from shared.contracts.disclosure import StratumField, VerificationOutcome
from shared.kernel.errors import Conflict, NotFound

from .charts import line_chart
from .forms import FormErrors, attempt, figure, number, rows, text
from .tables import csv_download
from .web import page

OFFICE = [Role.ethics_office]
REMINDERS = [Role.focal_point, Role.ethics_office]
FOCAL_POINT_ROWS = 3  # blank rows offered for more focal points
FOCAL_POINT_COLUMNS = ["name", "email", "language"]
SAMPLE_PAGE = 100  # the sampled filers shown with their verification


def _present(body: dict) -> dict:
    return {k: v for k, v in body.items() if v not in (None, "")}


def cycle_body(form) -> dict:
    """`CycleIn` from the form: the fields left empty are left out."""
    cost = text(form, "programme_cost")
    return _present({"year": number(form, "year"), "opens_on": text(form, "opens_on"),
                     "deadline": text(form, "deadline"),
                     "programme_cost": figure(cost) if cost else None})


def participant_body(form) -> dict:
    """`ParticipantIn` from the form: the focal points' filled rows."""
    return {"cost_sharing": form.get("cost_sharing") == "yes",
            "focal_points": [_present(r) for r in rows(form, "focal_points",
                                                       FOCAL_POINT_COLUMNS)]}


def sample_body(form) -> dict:
    return _present({"size": number(form, "size"), "seed": text(form, "seed"),
                     "strata": form.getlist("strata")})


def days_before(deadline: str, today: dt.date) -> int:
    """The days left to a cycle's deadline (a reminder's number of days)."""
    return max((dt.date.fromisoformat(deadline) - today).days, 0)


def last_reminded(reminders: list[dict]) -> dict[str, str]:
    """The day each filer was last reminded alone (reminders newest first)."""
    found: dict[str, str] = {}
    for reminder in reminders:
        if reminder["staff_id"] and reminder["sent_on"]:
            found.setdefault(reminder["staff_id"], reminder["sent_on"])
    return found


class OfficeDisclosurePages:
    # given by the gateway service, of which these pages are a part
    disclosure: Any
    reporting: Any

    # cycles

    @page("GET", "/office/cycles")
    def portal_office_cycles(self, visit):
        require(visit.who, OFFICE)
        return self._portal_cycles_page(visit, {})

    @page("POST", "/office/cycles")
    def portal_office_open_cycle(self, visit):
        require(visit.who, OFFICE)

        def opened():
            cycle = self.disclosure.open_cycle(visit.who, cycle_body(visit.form))
            return visit.redirect("/office/cycles", note="office_fdp_cycle_opened",
                                  year=cycle["year"])
        return attempt(opened, lambda errors: self._portal_cycles_page(
            visit, visit.form.to_dict(), errors, 422))

    def _portal_cycles_page(self, visit, values, errors=None, status=200):
        cycles = [self.disclosure.get_cycle(visit.who, c["year"])
                  for c in self.disclosure.list_cycles(visit.who)]
        cycles.sort(key=lambda c: -c["year"])
        errors = (errors or FormErrors()).placed(
            ["year", "opens_on", "deadline", "programme_cost"])
        return visit.render("office/disclosure/cycles.html", status, cycles=cycles,
                            values=values, errors=errors)

    @page("GET", "/office/cycles/<int:year>/close")
    def portal_office_close_form(self, visit, year):
        require(visit.who, OFFICE)
        cycle = self.disclosure.get_cycle(visit.who, year)
        if cycle["status"] == "closed":
            raise Conflict(f"the {year} cycle is closed already")
        return visit.render("office/disclosure/close.html", cycle=cycle)

    @page("POST", "/office/cycles/<int:year>/close")
    def portal_office_close_cycle(self, visit, year):
        require(visit.who, OFFICE)
        self.disclosure.close_cycle(visit.who, year, {})
        return visit.redirect("/office/cycles", note="office_fdp_cycle_closed", year=year)

    # participants

    @page("GET", "/office/participants")
    def portal_office_participants(self, visit):
        require(visit.who, OFFICE)
        chosen = visit.query.get("entity")
        values = {}
        for participant in self.disclosure.list_participants(visit.who):
            if participant["entity"] == chosen:
                values = {"entity": chosen, "cost_sharing": participant["cost_sharing"],
                          "focal_points": participant["focal_points"]}
        return self._portal_participants_page(visit, values)

    @page("POST", "/office/participants")
    def portal_office_save_participant(self, visit):
        require(visit.who, OFFICE)
        entity = (text(visit.form, "entity") or "").upper()
        body = participant_body(visit.form)

        def saved():
            self.disclosure.enrol_participant(visit.who, entity, body)
            return visit.redirect("/office/participants", note="office_fdp_participant_saved",
                                  entity=entity)
        return attempt(saved, lambda errors: self._portal_participants_page(
            visit, {"entity": entity, **body}, errors, 422))

    def _portal_participants_page(self, visit, values, errors=None, status=200):
        participants = sorted(self.disclosure.list_participants(visit.who),
                              key=lambda p: p["entity"])
        shown = list(values.get("focal_points") or [])
        shown += [{}] * FOCAL_POINT_ROWS
        names = ["entity", "cost_sharing"] + [f"focal_points.{n}.{c}" for n in range(len(shown))
                                              for c in FOCAL_POINT_COLUMNS]
        return visit.render("office/disclosure/participants.html", status,
                            participants=participants, values=values, focal_points=shown,
                            languages=[m.value for m in Language],
                            errors=(errors or FormErrors()).placed(names))

    # the verification sample

    @page("GET", "/office/cycles/<int:year>/sample")
    def portal_office_sample(self, visit, year):
        require(visit.who, OFFICE)
        return self._portal_sample_page(visit, year)

    @page("POST", "/office/cycles/<int:year>/sample")
    def portal_office_draw_sample(self, visit, year):
        require(visit.who, OFFICE)
        body = sample_body(visit.form)

        def drawn():
            self.disclosure.draw_verification_sample(visit.who, year, body)
            return visit.redirect(f"/office/cycles/{year}/sample",
                                  note="office_fdp_sample_drawn")
        return attempt(drawn, lambda errors: self._portal_sample_page(
            visit, year, visit.form.to_dict(), errors.placed(["size", "seed", "strata"]), 422))

    @page("POST", "/office/cycles/<int:year>/sample/<staff_id>/verification")
    def portal_office_record_verification(self, visit, year, staff_id):
        require(visit.who, OFFICE)
        body = _present({"outcome": text(visit.form, "outcome")})

        def recorded():
            self.disclosure.record_verification(visit.who, year, staff_id, body)
            return visit.redirect(f"/office/cycles/{year}/sample",
                                  note="office_fdp_verification_recorded", staff_id=staff_id)
        return attempt(recorded, lambda errors: self._portal_sample_page(
            visit, year, {}, errors.placed(["outcome"]), 422, failed=staff_id))

    def _portal_sample_page(self, visit, year, values=None, errors=None, status=200,
                            failed=None):
        cycle = self.disclosure.get_cycle(visit.who, year)
        try:
            sample = self.disclosure.get_verification_sample(visit.who, year)
        except NotFound:
            sample = None
        sampled = [self.disclosure.get_filer(visit.who, year, s)
                   for s in (sample["staff_ids"][:SAMPLE_PAGE] if sample else [])]
        return visit.render("office/disclosure/sample.html", status, cycle=cycle,
                            sample=sample, sampled=sampled, values=values or {},
                            strata=[m.value for m in StratumField],
                            outcomes=[m.value for m in VerificationOutcome], failed=failed,
                            errors=errors, more=bool(sample) and len(sample["staff_ids"])
                            > SAMPLE_PAGE)

    # cost shares

    @page("GET", "/office/cycles/<int:year>/cost-shares")
    def portal_office_cost_shares(self, visit, year):
        require(visit.who, OFFICE)
        shares = self.disclosure.cost_shares(visit.who, year)
        trend = self._portal_unit_costs(visit)
        chart = line_chart([(r["year"], r.get("unit_cost")) for r in trend])
        return visit.render("office/disclosure/cost_shares.html", year=year, shares=shares,
                            trend=trend, chart=chart)

    @page("GET", "/office/cycles/<int:year>/cost-shares.csv")
    def portal_office_cost_shares_csv(self, visit, year):
        require(visit.who, OFFICE)
        shares = self.disclosure.cost_shares(visit.who, year)
        return csv_download(f"cost-shares-{year}.csv", ["entity", "filers", "share_usd"],
                            [[r["entity"], r["filers"], f"{r['share']:.2f}"]
                             for r in shares["rows"]])

    @page("GET", "/office/unit-cost.csv")
    def portal_office_unit_cost_csv(self, visit):
        require(visit.who, OFFICE)
        return csv_download("unit-cost.csv", ["year", "filers", "cost_usd", "unit_cost_usd"],
                            [[r["year"], r["filers"], r.get("cost") or "",
                              r.get("unit_cost") or ""] for r in self._portal_unit_costs(visit)])

    def _portal_unit_costs(self, visit) -> list[dict]:
        """The unit cost of each cycle, as the reporting service keeps it, oldest first."""
        report = self.reporting.unit_cost(visit.who, None, None, "json", visit.lang)
        return sorted(report["body"]["rows"], key=lambda r: r["year"])

    # the focal point's reminders

    def _portal_reminders(self, visit, year: int, entity: str) -> dict:
        """What the compliance page shows of the reminders sent for `entity`."""
        sent = self.disclosure.list_reminders(visit.who, year, {"entity": entity})
        return {"sent": sent, "by_filer": last_reminded(sent),
                "may_send": visit.actor.role in REMINDERS}

    @page("POST", "/focal/<entity>/compliance/<int:year>/reminders")
    def portal_remind_non_filers(self, visit, entity, year):
        require(visit.who, REMINDERS, entity=entity)
        cycle = self.disclosure.get_cycle(visit.who, year)
        back = f"/focal/{entity}/compliance/{year}"
        try:
            sent = self.disclosure.send_reminders(
                visit.who, year, days_before(cycle["deadline"], dt.date.today()), entity)
        except Conflict:
            return visit.redirect(back, note="office_fdp_reminders_refused")
        note = "office_fdp_reminders_sent" if sent["queued"] else "office_fdp_reminded_already"
        return visit.redirect(back, note=note, non_filers=sent["non_filers"])

    @page("POST", "/focal/<entity>/compliance/<int:year>/non-filers/<staff_id>/reminder")
    def portal_remind_filer(self, visit, entity, year, staff_id):
        require(visit.who, REMINDERS, entity=entity)
        back = f"/focal/{entity}/compliance/{year}"
        try:
            self.disclosure.remind_filer(visit.who, year, staff_id)
        except Conflict:
            return visit.redirect(back, note="office_fdp_filer_not_reminded",
                                  staff_id=staff_id)
        return visit.redirect(back, note="office_fdp_filer_reminded", staff_id=staff_id)
