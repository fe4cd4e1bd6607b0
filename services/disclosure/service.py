"""Disclosure: the financial disclosure programme. Entrypoints only: unpack the contract, check
the actor, call the rules (domain.py, moves.py) and the store."""
import datetime as dt
import logging

from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy, rpc
from nameko.timer import timer
from shared.auth import READ_ALL, require
from shared.contracts.common import SYSTEM, Actor, Role
from shared.contracts.disclosure import (ComplianceBy, CycleClose, CycleIn,
                                         ExemptionIn, ExemptionRow, FilerIn, ParticipantIn,
                                         PublicDisclosureIn, PublicDisclosureRow, ReviewIn,
                                         ReviewRow, SampleRequest, StaffRow, StatementIn,
                                         StatementRow, VerificationIn, VerificationRow)
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.service import ServiceBase

from . import domain, moves, unpack
from .store import DisclosureStorage

log = logging.getLogger(__name__)

PROGRAMME = {Role.ethics_office}  # runs cycles and participants (admin always may)
READERS = READ_ALL | {Role.focal_point, Role.reviewer}
REVIEWERS = {Role.reviewer}


def today() -> dt.date:
    return dt.date.today()


class DisclosureService(ServiceBase):
    name = "disclosure"
    storage = DisclosureStorage()
    intake = RpcProxy("intake")
    config = Config()

    # participants

    @rpc
    def enrol_participant(self, actor, entity, body):
        actor = require(actor, PROGRAMME)
        unpack.entity_code(entity)
        request = unpack.validated(ParticipantIn, body)
        try:
            category = self.intake.get_entity(actor.model_dump(mode="json"), entity)["category"]
        except NotFound:
            raise Invalid.field(["path", "entity"], f"{entity} is not in the directory of "
                                                    "entities; add it there first")
        return self.storage.as_actor(actor).enrol_participant(
            entity, request.cost_sharing, [f.model_dump(mode="json", exclude_none=True)
                                           for f in request.focal_points], category)

    @rpc
    def get_participant(self, actor, entity):
        require(actor, READERS, entity=entity)
        found = self.storage.get_participant(entity)
        if not found:
            raise NotFound(f"{entity} does not take part in the programme")
        return found

    @rpc
    def list_participants(self, actor):
        actor = require(actor, READERS)
        return self.storage.list_participants(
            {"entity": actor.entity} if actor.entity_scoped else None)

    # cycles

    @rpc
    def open_cycle(self, actor, body):
        actor = require(actor, PROGRAMME)
        request = unpack.validated(CycleIn, body)
        opens_on = request.opens_on or domain.cycle_opening(request.year)
        unpack.refuse(domain.cycle_problems(request.year, opens_on, request.deadline), "body")
        return self.storage.as_actor(actor).open_cycle(request.year, opens_on, request.deadline,
                                                       request.programme_cost)

    @rpc
    def close_cycle(self, actor, year, body=None):
        actor = require(actor, PROGRAMME)
        request = unpack.validated(CycleClose, body or {})
        return self.storage.as_actor(actor).close_cycle(unpack.year(year),
                                                        request.closed_on or today())

    @rpc
    def get_cycle(self, actor, year):
        actor = require(actor, READERS)
        year = unpack.year(year)
        return {**self._cycle(year),
                "figures": domain.cycle_figures(self._counters(actor, year))}

    @rpc
    def list_cycles(self, actor):
        require(actor, READERS | {Role.filer})
        return self.storage.list_cycles()

    # filers

    @rpc
    def enrol_filers(self, actor, year, items):
        """A batch of up to 10,000 filers: valid rows are enrolled together; each other row is
        reported with its reason (422 invalid, 403 another entity's, 409 already enrolled)."""
        actor = require(actor, PROGRAMME | {Role.focal_point})
        year = unpack.year(year)
        accepted, rejected = unpack.sort_rows(items, FilerIn,
                                              lambda f: unpack.entity_problem(actor, f))
        answer = self.storage.as_actor(actor).enrol_filers(year, accepted)
        return unpack.merged(answer, rejected)

    @rpc
    def list_filers(self, actor, year, query=None):
        actor = require(actor, READERS)
        year, query = unpack.year(year), query or {}
        entity = unpack.entity_query(actor, query)
        docs, cursor = self.storage.list_filers(year, entity, query.get("status"),
                                                unpack.limit(query), query.get("cursor"))
        return {"items": [unpack.filer_view(d, actor) for d in docs], "next_cursor": cursor}

    @rpc
    def get_filer(self, actor, year, staff_id):
        actor = require(actor, READERS | {Role.filer})
        return unpack.filer_view(self._visible_filer(actor, unpack.year(year), staff_id), actor)

    # statements

    @rpc
    def file_statement(self, actor, year, staff_id, body):
        actor = require(actor, PROGRAMME | {Role.filer})
        statement = unpack.validated(StatementIn, body)
        if statement.filed_on and actor.role == Role.filer:
            raise Forbidden("filed_on is set by the Ethics Office only; a filer files today")
        return self._one(actor, year, staff_id, statement, "file_statement",
                         moves.file_statement(actor, today(), self.storage.seal))

    @rpc
    def file_statements(self, actor, year, items):
        actor = require(actor, PROGRAMME)
        return self._batch(actor, year, items, StatementRow, "file_statement",
                           moves.file_statement(actor, today(), self.storage.seal))

    @rpc
    def get_statement(self, actor, year, staff_id):
        """The statement's contents: to the filer and the reviewer only."""
        actor = require(actor, [Role.filer, Role.reviewer])
        year = unpack.year(year)
        if actor.role == Role.filer and actor.staff_id != staff_id:
            raise Forbidden("a filer reads its own statement only")
        statement = self.storage.read_statement(year, staff_id)
        if statement is None:
            raise NotFound(f"{staff_id} has filed no statement in the {year} cycle")
        return statement

    # review

    @rpc
    def review_filer(self, actor, year, staff_id, body):
        actor = require(actor, REVIEWERS)
        review = unpack.validated(ReviewIn, body)
        unpack.refuse(domain.review_problems(review), "body")
        return self._one(actor, year, staff_id, review, "review", moves.review(actor))

    @rpc
    def review_filers(self, actor, year, items):
        actor = require(actor, REVIEWERS)
        return self._batch(actor, year, items, ReviewRow, "review", moves.review(actor),
                           domain.review_problems)

    @rpc
    def record_mitigation(self, actor, year, staff_id):
        actor = require(actor, REVIEWERS | PROGRAMME)
        return self._one(actor, year, staff_id, None, "record_mitigation", moves.mitigate(actor))

    @rpc
    def record_mitigations(self, actor, year, items):
        actor = require(actor, REVIEWERS | PROGRAMME)
        return self._batch(actor, year, items, StaffRow, "record_mitigation",
                           moves.mitigate(actor))

    # exemptions

    @rpc
    def exempt_filer(self, actor, year, staff_id, body):
        actor = require(actor, PROGRAMME | {Role.focal_point})
        return self._one(actor, year, staff_id, unpack.validated(ExemptionIn, body), "exempt",
                         moves.exempt(actor))

    @rpc
    def exempt_filers(self, actor, year, items):
        actor = require(actor, PROGRAMME | {Role.focal_point})
        return self._batch(actor, year, items, ExemptionRow, "exempt", moves.exempt(actor))

    # verification

    @rpc
    def draw_verification_sample(self, actor, year, body):
        """A stratified random sample of the filers who filed; the same request on the same
        population gives the same sample, which is stored once per cycle."""
        actor = require(actor, PROGRAMME)
        year, request = unpack.year(year), unpack.validated(SampleRequest, body)
        wanted = request.model_dump(mode="json")
        stored = self.storage.get_sample(year)
        if stored:
            if {k: stored[k] for k in wanted} == wanted:
                return stored
            raise Conflict(f"the {year} cycle has its verification sample already "
                           f"(size {stored['size']}, seed {stored['seed']})")
        self._cycle(year, to_change=True)
        population = self.storage.filed_population(year)
        categories = self.storage.categories()
        for filer in population:
            filer["category"] = categories.get(filer["entity"], "unclassified")
        try:
            sample = domain.draw_stratified_sample(population, request.size,
                                                   domain.strata_key(wanted["strata"]),
                                                   request.seed)
        except ValueError as exc:
            raise Invalid.field(["body", "size"], str(exc))
        filed = sum(p for _, p, _ in sample.allocation)
        return self.storage.as_actor(actor).store_sample(year, wanted, sample, filed)

    @rpc
    def get_verification_sample(self, actor, year):
        require(actor, READ_ALL | REVIEWERS)
        year = unpack.year(year)
        stored = self.storage.get_sample(year)
        if not stored:
            raise NotFound(f"the {year} cycle has no verification sample yet")
        return stored

    @rpc
    def record_verification(self, actor, year, staff_id, body):
        actor = require(actor, REVIEWERS | PROGRAMME)
        return self._one(actor, year, staff_id, unpack.validated(VerificationIn, body), "verify",
                         moves.verify(actor))

    @rpc
    def record_verifications(self, actor, year, items):
        actor = require(actor, REVIEWERS | PROGRAMME)
        return self._batch(actor, year, items, VerificationRow, "verify", moves.verify(actor))

    # compliance

    @rpc
    def compliance(self, actor, year, by="entity"):
        actor = require(actor, READ_ALL | {Role.focal_point})
        year = unpack.year(year)
        try:
            by = ComplianceBy(by or "entity").value
        except ValueError:
            raise Invalid.field(["query", "by"], "by is entity, duty_station or category")
        self._cycle(year)
        rows, total = domain.compliance(self._counters(actor, year), by,
                                        self.storage.categories())
        return {"year": year, "by": by, "rows": rows, "total": total}

    @rpc
    def non_filers(self, actor, year, query=None):
        """The filers of one entity who have not filed (outstanding or exempted)."""
        actor = require(actor, READ_ALL | {Role.focal_point})
        year, query = unpack.year(year), query or {}
        entity = unpack.entity_query(actor, query)
        if not entity:
            raise Invalid.field(["query", "entity"], "name the entity")
        self._cycle(year)
        docs, cursor = self.storage.non_filers(year, entity, unpack.limit(query),
                                               query.get("cursor"))
        return {"items": [{k: d.get(k) for k in ("staff_id", "entity", "duty_station", "grade",
                                                 "status", "exemption_reason")} for d in docs],
                "next_cursor": cursor}

    @rpc
    def send_reminders(self, actor, year, days_before):
        """`compliance_reminder_due` per entity naming its non-filers; once per cycle, entity
        and number of days."""
        actor = require(actor, PROGRAMME)
        cycle = self._cycle(unpack.year(year), to_change=True)
        return self._remind(actor, cycle, int(days_before))

    @timer(interval=3600)
    def send_due_reminders(self):
        """Each hour: the reminders the configured days before an open cycle's deadline."""
        days = [int(d) for d in str(self.config.get("FDP_REMINDER_DAYS") or "").split(",")
                if d.strip().isdigit()]
        for cycle in self.storage.list_cycles():
            if cycle["status"] != "open":
                continue
            deadline = dt.date.fromisoformat(cycle["deadline"])
            for d in days:
                if domain.reminder_due(deadline, d, today()):
                    self._remind(SYSTEM, cycle, d)

    def _remind(self, actor, cycle, days_before: int) -> dict:
        year = cycle["year"]
        outstanding = self.storage.outstanding_by_entity(year)
        deadline = dt.date.fromisoformat(cycle["deadline"])
        sent, already = self.storage.as_actor(actor).record_reminders(year, deadline,
                                                                      days_before, outstanding)
        return {"year": year, "deadline": deadline.isoformat(), "days_before": days_before,
                "sent": sent, "already_sent": already}

    # voluntary public disclosure

    @rpc
    def decide_public_disclosure(self, actor, year, staff_id, body):
        actor = require(actor, PROGRAMME | {Role.filer})
        decision = unpack.validated(PublicDisclosureIn, body)
        unpack.refuse(domain.public_decision_problems(decision), "body")
        return self._one(actor, year, staff_id, decision, "decide_public_disclosure",
                         moves.decide_public_disclosure(actor, today()))

    @rpc
    def decide_public_disclosures(self, actor, year, items):
        actor = require(actor, PROGRAMME)
        return self._batch(actor, year, items, PublicDisclosureRow, "decide_public_disclosure",
                           moves.decide_public_disclosure(actor, today()),
                           domain.public_decision_problems)

    @rpc
    def published_disclosures(self, year):
        """The summaries officials chose to publish: public, no actor needed."""
        year = unpack.year(year)
        fields = ("year", "staff_id", "entity", "grade", "name", "title", "summary")
        return [{k: d.get(k) for k in fields} for d in self.storage.published(year)]

    # cost shares

    @rpc
    def cost_shares(self, actor, year):
        actor = require(actor, READ_ALL | {Role.focal_point})
        year = unpack.year(year)
        cycle = self._cycle(year)
        sharing = {p["entity"] for p in self.storage.list_participants({"cost_sharing": True})}
        filers: dict[str, int] = {e: 0 for e in sharing}
        for counter in self.storage.counters(year):
            if counter["entity"] in sharing:
                filers[counter["entity"]] += counter.get("enrolled", 0)
        unit, shares = domain.cost_shares(cycle["programme_cost"], filers)
        rows = [{"entity": e, "filers": filers[e], "share": shares[e]} for e in sorted(filers)
                if not actor.entity_scoped or e == actor.entity]
        return {"year": year, "programme_cost": cycle["programme_cost"],
                "filers": sum(filers.values()), "unit_cost": unit, "rows": rows}

    # keys

    @rpc
    def rotate_key(self, actor):
        """Re-seal every statement with the newest key of FDP_KEYS."""
        actor = require(actor, [Role.admin])
        answer = self.storage.as_actor(actor).rotate_key()
        log.info("statement key rotation: %(reencrypted)s of %(statements)s statements "
                 "re-sealed with key %(key_id)s", answer)
        return answer

    # helpers

    def _cycle(self, year: int, to_change: bool = False) -> dict:
        cycle = self.storage.get_cycle(year)
        if cycle is None:
            raise NotFound(f"no {year} cycle")
        if to_change and cycle["status"] != "open":
            raise Conflict(f"the {year} cycle is closed; it accepts no more changes")
        return cycle

    def _counters(self, actor: Actor, year: int) -> list[dict]:
        counters = self.storage.counters(year)
        if actor.entity_scoped:
            counters = [c for c in counters if c["entity"] == actor.entity]
        return counters

    def _visible_filer(self, actor: Actor, year: int, staff_id: str) -> dict:
        filer = self.storage.get_filer(year, staff_id)
        visible = filer is not None and not (
            (actor.role == Role.filer and actor.staff_id != staff_id)
            or (actor.entity_scoped and actor.entity != filer["entity"]))
        if filer is not None and not visible:
            raise Forbidden(f"a {actor.role.value} reads its own filers only")
        if filer is None:
            raise NotFound(f"{staff_id} is not enrolled in the {year} cycle")
        return filer

    def _batch(self, actor, year, items, model, action, decide, check=None) -> dict:
        year = unpack.year(year)
        accepted, rejected = unpack.sort_rows(items, model, check)
        rows = [(row, r.staff_id, r) for row, r in accepted]
        answer = self.storage.as_actor(actor).change_filers(year, rows, decide, action)
        return unpack.merged(answer, rejected)

    def _one(self, actor, year, staff_id, request, action, decide) -> dict:
        """One filer's change: a refused row becomes the matching error."""
        year = unpack.year(year)
        answer = self.storage.as_actor(actor).change_filers(
            year, [(1, staff_id, request)], decide, action)
        for row in answer["rejected"]:
            errors = [{"loc": ["path" if e["loc"] == ["staff_id"] else "body", *e["loc"]],
                       "msg": e["msg"]} for e in row["errors"]]
            detail = "; ".join(e["msg"] for e in row["errors"])
            raise {404: NotFound, 409: Conflict, 403: Forbidden}.get(
                row["status"], Invalid)(detail, errors if row["status"] == 422 else None)
        return unpack.filer_view(self.storage.get_filer(year, staff_id), actor)
