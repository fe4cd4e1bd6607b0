"""Disclosure: the financial disclosure programme. Entrypoints only: require the actor, validate
the input with its contract, call a use case, answer."""
import datetime as dt
import logging

from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy, rpc
from nameko.timer import timer

from shared.auth import READ_ALL, require, require_strictly
from shared.contracts.common import SYSTEM, EntityCode, Role
from shared.contracts.disclosure import (AcknowledgementIn, ComplianceBy, CycleClose, CycleIn,
                                         ExemptionIn, FilerQuery, MitigationIn, NonFilerQuery,
                                         ParticipantIn, StatementContents,
                                         PublicDisclosureIn, PublicDisclosureReturn,
                                         ReminderRequest, ReviewIn,
                                         SampleRequest, StatementIn, VerificationIn, Year)
from shared.kernel.errors import Invalid, NotFound, checked, located, validated
from shared.rpc import answer
from shared.service import ServiceBase

from . import use_cases as uc
from .store import DisclosureStore

log = logging.getLogger(__name__)

PROGRAMME = {Role.ethics_office}  # runs cycles and participants (admin always may)
READERS = READ_ALL | {Role.focal_point, Role.reviewer}
REVIEWERS = {Role.reviewer}
PATH = ("year", "staff_id", "entity")  # the fields a request names in its path
QUERY = {"where": "query", "path": ("year",)}  # a list's fields come from the query string


def _year(value) -> int:
    return checked(Year, value, "year")


def annual_deadline(setting: str) -> tuple[int, int]:
    """`MM-DD` as (month, day); a setting that is no day of the year is refused, naming it."""
    month, _, day = setting.partition("-")
    try:
        dt.date(2000, int(month), int(day))
    except ValueError:
        raise ValueError(f"FDP_ANNUAL_DEADLINE is {setting!r}; it takes a month-day as 05-31")
    return int(month), int(day)


def _for_filer(year, staff_id, model=None, body=None) -> uc.ForFiler:
    return uc.ForFiler(_year(year), staff_id, validated(model, body) if model else None)


class DisclosureService(ServiceBase):
    name = "disclosure"
    uow = DisclosureStore()
    intake = RpcProxy("intake")
    config = Config()

    def _call(self, actor, use_case, make_command, where: str = "body", path=PATH):
        """`use_case(uow, make_command())`, with every field at fault named where it came
        from: `path` lists the fields of the path, the others are under `where`."""
        with located(where, path=path):
            return answer(use_case(self.uow(actor), make_command()))

    # participants

    @rpc
    def enrol_participant(self, actor, entity, body):
        actor = require(actor, PROGRAMME)

        def command():
            code = checked(EntityCode, entity, "entity")
            return uc.EnrolParticipant(code, validated(ParticipantIn, body),
                                       self._category(actor, code))
        return self._call(actor, uc.enrol_participant, command)

    def _category(self, actor, entity: str) -> str:
        """The entity's category in intake's directory of entities."""
        try:
            return self.intake.get_entity(actor.model_dump(mode="json"), entity)["category"]
        except NotFound:
            raise Invalid.field("entity", f"{entity} is not in the directory of entities; "
                                          "add it there first")

    @rpc
    def get_participant(self, actor, entity):
        actor = require(actor, READERS, entity=entity)
        return answer(uc.get_participant(self.uow(actor), entity))

    @rpc
    def list_participants(self, actor):
        return answer(uc.list_participants(self.uow(require(actor, READERS))))

    # cycles

    @rpc
    def open_cycle(self, actor, body):
        actor = require(actor, PROGRAMME)
        return self._call(actor, uc.open_cycle, lambda: validated(CycleIn, body), path=())

    @rpc
    def close_cycle(self, actor, year, body=None):
        actor = require(actor, PROGRAMME)
        return self._call(actor, uc.close_cycle, lambda: uc.CloseCycle(
            _year(year), validated(CycleClose, body or {}).closed_on))

    @rpc
    def get_cycle(self, actor, year):
        return self._call(require(actor, READERS), uc.get_cycle, lambda: _year(year))

    @rpc
    def list_cycles(self, actor):
        return answer(uc.list_cycles(self.uow(require(actor, READERS | {Role.filer}))))

    # filers

    @rpc
    def enrol_filers(self, actor, year, items):
        """A batch of up to 10,000 filers: valid rows are enrolled together; each other row is
        reported with its reason (422 invalid, 403 another entity's, 409 already enrolled)."""
        actor = require(actor, PROGRAMME | {Role.focal_point})
        return self._call(actor, uc.enrol_filers, lambda: uc.Batch(_year(year), items))

    @rpc
    def list_filers(self, actor, year, query=None):
        return self._call(require(actor, READERS), uc.list_filers, lambda: uc.ListFilers(
            _year(year), validated(FilerQuery, query or {})), **QUERY)

    @rpc
    def get_filer(self, actor, year, staff_id):
        actor = require(actor, READERS | {Role.filer})
        return self._call(actor, uc.get_filer, lambda: _for_filer(year, staff_id))

    @rpc
    def non_filers(self, actor, year, query=None):
        """The filers of one entity who have not filed (outstanding or exempted)."""
        actor = require(actor, READ_ALL | {Role.focal_point})
        return self._call(actor, uc.non_filers, lambda: uc.ListNonFilers(
            _year(year), validated(NonFilerQuery, query or {})), **QUERY)

    # statements

    @rpc
    def file_statement(self, actor, year, staff_id, body):
        actor = require(actor, PROGRAMME | {Role.filer})
        return self._call(actor, uc.file_statement,
                          lambda: _for_filer(year, staff_id, StatementIn, body))

    @rpc
    def file_statements(self, actor, year, items):
        actor = require(actor, PROGRAMME)
        return self._call(actor, uc.file_statements, lambda: uc.Batch(_year(year), items))

    @rpc
    def get_statement(self, actor, year, staff_id):
        """The statement's contents: to the filer and the reviewers only (not even to admin);
        each read is audited."""
        actor = require_strictly(actor, uc.STATEMENT_READERS, uc.STATEMENT_READERS_ONLY)
        return self._call(actor, uc.get_statement, lambda: _for_filer(year, staff_id))

    # drafts: the filer's own only

    @rpc
    def get_draft(self, actor, year, staff_id):
        """The saved draft, or where the statement starts (from the latest earlier one)."""
        actor = require(actor, [Role.filer])
        return self._call(actor, uc.get_draft, lambda: _for_filer(year, staff_id))

    @rpc
    def save_draft(self, actor, year, staff_id, body):
        actor = require(actor, [Role.filer])
        return self._call(actor, uc.save_draft,
                          lambda: _for_filer(year, staff_id, StatementContents, body))

    @rpc
    def discard_draft(self, actor, year, staff_id):
        actor = require(actor, [Role.filer])
        return self._call(actor, uc.discard_draft, lambda: _for_filer(year, staff_id))

    # review

    @rpc
    def review_filer(self, actor, year, staff_id, body):
        actor = require(actor, REVIEWERS)
        return self._call(actor, uc.review_filer,
                          lambda: _for_filer(year, staff_id, ReviewIn, body))

    @rpc
    def review_filers(self, actor, year, items):
        actor = require(actor, REVIEWERS)
        return self._call(actor, uc.review_filers, lambda: uc.Batch(_year(year), items))

    @rpc
    def record_mitigation(self, actor, year, staff_id, body=None):
        """The mitigation agreed, with its measure and day (a body is optional)."""
        actor = require(actor, REVIEWERS | PROGRAMME)
        return self._call(actor, uc.record_mitigation, lambda: _for_filer(
            year, staff_id, MitigationIn if body else None, body))

    @rpc
    def acknowledge_recommendation(self, actor, year, staff_id, body=None):
        actor = require(actor, [Role.filer])
        return self._call(actor, uc.acknowledge_recommendation, lambda: _for_filer(
            year, staff_id, AcknowledgementIn, body or {}))

    @rpc
    def record_mitigations(self, actor, year, items):
        actor = require(actor, REVIEWERS | PROGRAMME)
        return self._call(actor, uc.record_mitigations, lambda: uc.Batch(_year(year), items))

    # exemptions

    @rpc
    def exempt_filer(self, actor, year, staff_id, body):
        actor = require(actor, PROGRAMME | {Role.focal_point})
        return self._call(actor, uc.exempt_filer,
                          lambda: _for_filer(year, staff_id, ExemptionIn, body))

    @rpc
    def exempt_filers(self, actor, year, items):
        actor = require(actor, PROGRAMME | {Role.focal_point})
        return self._call(actor, uc.exempt_filers, lambda: uc.Batch(_year(year), items))

    # verification

    @rpc
    def draw_verification_sample(self, actor, year, body):
        """A stratified random sample of the filers who filed; the same request on the same
        population gives the same sample, which is stored once per cycle."""
        actor = require(actor, PROGRAMME)
        return self._call(actor, uc.draw_verification_sample, lambda: uc.DrawSample(
            _year(year), validated(SampleRequest, body)))

    @rpc
    def get_verification_sample(self, actor, year):
        actor = require(actor, READ_ALL | REVIEWERS)
        return self._call(actor, uc.get_verification_sample, lambda: _year(year))

    @rpc
    def record_verification(self, actor, year, staff_id, body):
        actor = require(actor, REVIEWERS | PROGRAMME)
        return self._call(actor, uc.record_verification,
                          lambda: _for_filer(year, staff_id, VerificationIn, body))

    @rpc
    def record_verifications(self, actor, year, items):
        actor = require(actor, REVIEWERS | PROGRAMME)
        return self._call(actor, uc.record_verifications, lambda: uc.Batch(_year(year), items))

    # compliance and reminders

    @rpc
    def compliance(self, actor, year, by="entity"):
        actor = require(actor, READ_ALL | {Role.focal_point})
        return self._call(actor, uc.compliance, lambda: uc.ComplianceQuery(
            _year(year), checked(ComplianceBy, by or "entity", "by")), **QUERY)

    @rpc
    def send_reminders(self, actor, year, days_before, entity=None):
        """Queue `compliance_reminder_due` per entity naming its non-filers (one entity's, or
        all; a focal point: its own); once per cycle, entity and number of days."""
        actor = require(actor, PROGRAMME | {Role.focal_point})

        def command():
            request = validated(ReminderRequest, {"days_before": days_before, "entity": entity})
            return uc.Remind(_year(year), request.days_before, request.entity)
        return self._call(actor, uc.send_reminders, command, path=("year",))

    @rpc
    def remind_filer(self, actor, year, staff_id):
        """Remind one filer who has not filed (its entity's focal point or the Office)."""
        actor = require(actor, PROGRAMME | {Role.focal_point})
        return self._call(actor, uc.remind_filer, lambda: _for_filer(year, staff_id))

    @rpc
    def list_reminders(self, actor, year, query=None):
        """The reminders sent for one entity in a cycle, newest first."""
        actor = require(actor, READ_ALL | {Role.focal_point})
        entity = (query or {}).get("entity") or None
        return self._call(actor, uc.list_reminders, lambda: uc.ListReminders(
            _year(year), checked(EntityCode, entity, "entity") if entity else None), **QUERY)

    @timer(interval=3600)
    def send_due_reminders(self):
        """Each hour: the reminders the configured days before an open cycle's deadline."""
        days = [int(d) for d in str(self.config.get("FDP_REMINDER_DAYS") or "").split(",")
                if d.strip().isdigit()]
        uc.send_due_reminders(self.uow(SYSTEM), days)

    @timer(interval=3600)
    def open_annual_cycle(self):
        """Each hour, when `FDP_ANNUAL_CYCLE` is on: this year's cycle, from 1 March."""
        if str(self.config.get("FDP_ANNUAL_CYCLE", "off")).lower() not in ("on", "true", "1"):
            return
        deadline = annual_deadline(str(self.config.get("FDP_ANNUAL_DEADLINE") or "05-31"))
        opened = uc.open_annual_cycle(self.uow(SYSTEM), deadline)
        if opened:
            log.info("opened the %s cycle (deadline %s)", opened["year"], opened["deadline"])

    # voluntary public disclosure

    @rpc
    def decide_public_disclosure(self, actor, year, staff_id, body):
        actor = require(actor, PROGRAMME | {Role.filer})
        return self._call(actor, uc.decide_public_disclosure,
                          lambda: _for_filer(year, staff_id, PublicDisclosureIn, body))

    @rpc
    def decide_public_disclosures(self, actor, year, items):
        actor = require(actor, PROGRAMME)
        return self._call(actor, uc.decide_public_disclosures,
                          lambda: uc.Batch(_year(year), items))

    @rpc
    def get_public_disclosure(self, actor, year, staff_id):
        actor = require(actor, PROGRAMME | {Role.filer})
        return self._call(actor, uc.get_public_disclosure, lambda: _for_filer(year, staff_id))

    @rpc
    def pending_public_disclosures(self, actor, year):
        actor = require(actor, PROGRAMME)
        return self._call(actor, uc.pending_public_disclosures, lambda: _year(year))

    @rpc
    def approve_public_disclosure(self, actor, year, staff_id):
        actor = require(actor, PROGRAMME)
        return self._call(actor, uc.approve_public_disclosure,
                          lambda: _for_filer(year, staff_id))

    @rpc
    def approve_public_disclosures(self, actor, year, items):
        actor = require(actor, PROGRAMME)
        return self._call(actor, uc.approve_public_disclosures,
                          lambda: uc.Batch(_year(year), items))

    @rpc
    def return_public_disclosure(self, actor, year, staff_id, body):
        actor = require(actor, PROGRAMME)
        return self._call(actor, uc.return_public_disclosure,
                          lambda: _for_filer(year, staff_id, PublicDisclosureReturn, body))

    @rpc
    def published_disclosures(self, year):
        """The summaries the Ethics Office approved: public, no actor needed."""
        return self._call(SYSTEM, uc.published_disclosures, lambda: _year(year))

    # cost shares and keys

    @rpc
    def cost_shares(self, actor, year):
        actor = require(actor, READ_ALL | {Role.focal_point})
        return self._call(actor, uc.cost_shares, lambda: _year(year))

    @rpc
    def rotate_key(self, actor):
        """Re-seal every statement with the newest key of FDP_KEYS."""
        rotated = uc.rotate_key(self.uow(require(actor, [Role.admin])))
        log.info("statement key rotation: %(reencrypted)s of %(statements)s statements "
                 "re-sealed with key %(key_id)s", rotated)
        return rotated
