"""Routes of the financial disclosure programme (API.md): participants, cycles, filers,
statements, review, exemptions, the verification sample, compliance, voluntary public
disclosure and cost shares. The disclosure service checks the actor and every rule again."""
from shared.contracts.disclosure import (MAX_BATCH_ROWS, Compliance, CostShares, Cycle,
                                         CycleClose, CycleIn, ExemptionIn, ExemptionRow, Filer,
                                         FilerIn, FilerPage, KeyRotation, NonFilerPage,
                                         Participant, ParticipantIn, PublicDisclosureIn,
                                         PublicDisclosureRow, PublishedDisclosure,
                                         ReminderRequest, Reminders, ReviewIn, ReviewRow,
                                         SampleRequest, StaffRow, Statement, StatementIn,
                                         StatementReceipt, StatementRow, VerificationIn,
                                         VerificationRow, VerificationSample)
from shared.errors import BadRequest, PayloadTooLarge

from .. import domain
from ..api import route, validated

TAG = "disclosure"
CYCLE = "/disclosure/cycles/{year}"
FILER = CYCLE + "/filers/{staff_id}"
PAGING = {"limit": "page size: default 100, at most 1000",
          "cursor": "next_cursor of the previous page"}


def _rows(items: list) -> list:
    if len(items) > MAX_BATCH_ROWS:
        raise PayloadTooLarge(f"{len(items)} rows; a batch holds at most {MAX_BATCH_ROWS}")
    return items


def _optional_body(call, model) -> dict:
    """An optional JSON object body (no body at all is `{}`), validated as `model`."""
    raw = call.request.get_data(cache=True)
    if not raw.strip():
        return {}
    data = domain.load_json(raw)
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    return validated(model, data).model_dump(mode="json", exclude_none=True)


def _body(call) -> dict:
    return call.body.model_dump(mode="json", exclude_none=True)


class DisclosureRoutes:
    # participants

    @route("PUT", "/disclosure/participants/{entity}",
           "Enrol an entity in the programme (or change its cost sharing and focal points)",
           body=ParticipantIn, response=Participant, tag=TAG)
    def put_participant(self, call, entity):
        return self.disclosure.enrol_participant(call.who, entity, _body(call))

    @route("GET", "/disclosure/participants", "The entities taking part",
           response=[Participant], tag=TAG)
    def list_participants(self, call):
        return self.disclosure.list_participants(call.who)

    @route("GET", "/disclosure/participants/{entity}", "One participating entity",
           response=Participant, tag=TAG)
    def get_participant(self, call, entity):
        return self.disclosure.get_participant(call.who, entity)

    # cycles

    @route("POST", "/disclosure/cycles",
           "Open a filing cycle (1 March of its year by default; it covers the previous "
           "calendar year)", body=CycleIn, response=Cycle, status=201, tag=TAG)
    def open_cycle(self, call):
        return self.disclosure.open_cycle(call.who, _body(call))

    @route("GET", "/disclosure/cycles", "Every cycle", response=[Cycle], tag=TAG)
    def list_cycles(self, call):
        return self.disclosure.list_cycles(call.who)

    @route("GET", CYCLE, "One cycle with its figures (counts only)", response=Cycle, tag=TAG)
    def get_cycle(self, call, year):
        return self.disclosure.get_cycle(call.who, year)

    @route("POST", CYCLE + "/close",
           "Close a cycle: it accepts no more changes (body optional: {closed_on})",
           body=None, response=Cycle, tag=TAG)
    def close_cycle(self, call, year):
        return self.disclosure.close_cycle(call.who, year, _optional_body(call, CycleClose))

    # filers

    @route("POST", CYCLE + "/filers",
           f"Enrol up to {MAX_BATCH_ROWS} filers: JSON items or CSV with a header row; "
           "a staff id already in the cycle is a 409 for its row",
           body=FilerIn, batch=True, status=201, tag=TAG)
    def enrol_filers(self, call, year):
        return self.disclosure.enrol_filers(call.who, year, _rows(call.body))

    @route("GET", CYCLE + "/filers", "A cycle's filers (a focal point: its entity's)",
           response=FilerPage, tag=TAG,
           query={"entity": "an entity code", "status": "a filing status", **PAGING})
    def list_filers(self, call, year):
        return self.disclosure.list_filers(call.who, year, call.query)

    @route("GET", FILER, "One filer (a filer: itself)", response=Filer, tag=TAG)
    def get_filer(self, call, year, staff_id):
        return self.disclosure.get_filer(call.who, year, staff_id)

    @route("GET", CYCLE + "/non-filers",
           "The filers of an entity who have not filed, for its focal point to follow up",
           response=NonFilerPage, tag=TAG, query={"entity": "an entity code", **PAGING})
    def non_filers(self, call, year):
        return self.disclosure.non_filers(call.who, year, call.query)

    # statements

    @route("POST", FILER + "/statement",
           "File the confidential statement (encrypted at rest; never in events or reports)",
           body=StatementIn, response=StatementReceipt, status=201, tag=TAG)
    def file_statement(self, call, year, staff_id):
        filer = self.disclosure.file_statement(call.who, year, staff_id, _body(call))
        return {k: filer[k] for k in ("year", "staff_id", "status", "filed_on")}

    @route("GET", FILER + "/statement", "The statement's contents: to the filer and the "
           "reviewer only", response=Statement, tag=TAG)
    def get_statement(self, call, year, staff_id):
        return self.disclosure.get_statement(call.who, year, staff_id)

    @route("POST", CYCLE + "/statements", "File many statements (Ethics Office loads)",
           body=StatementRow, batch=True, status=201, tag=TAG)
    def file_statements(self, call, year):
        return self.disclosure.file_statements(call.who, year, _rows(call.body))

    # review

    @route("POST", FILER + "/review",
           "Record the review: under_review, cleared, or conflicts_found with typed conflicts",
           body=ReviewIn, response=Filer, status=201, tag=TAG)
    def review_filer(self, call, year, staff_id):
        return self.disclosure.review_filer(call.who, year, staff_id, _body(call))

    @route("POST", CYCLE + "/reviews", "Record many reviews", body=ReviewRow, batch=True,
           status=201, tag=TAG)
    def review_filers(self, call, year):
        return self.disclosure.review_filers(call.who, year, _rows(call.body))

    @route("POST", FILER + "/mitigation", "Record that the conflicts found were mitigated",
           body=None, response=Filer, status=201, tag=TAG)
    def record_mitigation(self, call, year, staff_id):
        return self.disclosure.record_mitigation(call.who, year, staff_id)

    @route("POST", CYCLE + "/mitigations", "Record many mitigations", body=StaffRow,
           batch=True, status=201, tag=TAG)
    def record_mitigations(self, call, year):
        return self.disclosure.record_mitigations(call.who, year, _rows(call.body))

    # exemptions

    @route("POST", FILER + "/exemption", "Exempt a filer, with the reason",
           body=ExemptionIn, response=Filer, status=201, tag=TAG)
    def exempt_filer(self, call, year, staff_id):
        return self.disclosure.exempt_filer(call.who, year, staff_id, _body(call))

    @route("POST", CYCLE + "/exemptions", "Exempt many filers", body=ExemptionRow, batch=True,
           status=201, tag=TAG)
    def exempt_filers(self, call, year):
        return self.disclosure.exempt_filers(call.who, year, _rows(call.body))

    # verification

    @route("POST", CYCLE + "/verification-sample",
           "Draw the stratified random sample of filers for verification (reproducible for "
           "the same seed and population; stored once per cycle)",
           body=SampleRequest, response=VerificationSample, status=201, tag=TAG)
    def draw_verification_sample(self, call, year):
        return self.disclosure.draw_verification_sample(call.who, year, _body(call))

    @route("GET", CYCLE + "/verification-sample", "The cycle's verification sample",
           response=VerificationSample, tag=TAG)
    def get_verification_sample(self, call, year):
        return self.disclosure.get_verification_sample(call.who, year)

    @route("POST", FILER + "/verification", "Record the verification of a sampled filer",
           body=VerificationIn, response=Filer, status=201, tag=TAG)
    def record_verification(self, call, year, staff_id):
        return self.disclosure.record_verification(call.who, year, staff_id, _body(call))

    @route("POST", CYCLE + "/verifications", "Record many verifications",
           body=VerificationRow, batch=True, status=201, tag=TAG)
    def record_verifications(self, call, year):
        return self.disclosure.record_verifications(call.who, year, _rows(call.body))

    # compliance

    @route("GET", CYCLE + "/compliance",
           "Required, filed, not filed and the reasons, by entity, duty station or category",
           response=Compliance, tag=TAG,
           query={"by": "entity (default), duty_station or category"})
    def compliance(self, call, year):
        return self.disclosure.compliance(call.who, year, call.query.get("by") or "entity")

    @route("POST", CYCLE + "/reminders",
           "Name each entity's non-filers in a compliance_reminder_due event (once per "
           "cycle, entity and number of days)",
           body=ReminderRequest, response=Reminders, tag=TAG)
    def send_reminders(self, call, year):
        return self.disclosure.send_reminders(call.who, year, call.body.days_before)

    # voluntary public disclosure

    @route("POST", FILER + "/public-disclosure",
           "Publish a summary or decline (ASG and above who have filed)",
           body=PublicDisclosureIn, response=Filer, status=201, tag=TAG)
    def decide_public_disclosure(self, call, year, staff_id):
        return self.disclosure.decide_public_disclosure(call.who, year, staff_id, _body(call))

    @route("POST", CYCLE + "/public-disclosures", "Record many public disclosure decisions",
           body=PublicDisclosureRow, batch=True, status=201, tag=TAG)
    def decide_public_disclosures(self, call, year):
        return self.disclosure.decide_public_disclosures(call.who, year, _rows(call.body))

    @route("GET", "/public/disclosures/{year}",
           "The summaries senior officials chose to publish (no token needed)",
           response=[PublishedDisclosure], public=True, tag="public")
    def published_disclosures(self, call, year):
        return self.disclosure.published_disclosures(year)

    # cost shares and keys

    @route("GET", CYCLE + "/cost-shares",
           "The programme's cost shared by filer count among cost-sharing participants",
           response=CostShares, tag=TAG)
    def cost_shares(self, call, year):
        return self.disclosure.cost_shares(call.who, year)

    @route("POST", "/disclosure/keys/rotate",
           "Re-encrypt every statement with the newest key of FDP_KEYS (admin)",
           body=None, response=KeyRotation, tag=TAG)
    def rotate_key(self, call):
        return self.disclosure.rotate_key(call.who)
