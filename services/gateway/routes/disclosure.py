"""Routes of the financial disclosure programme (docs/api.md): participants, cycles, filers,
statements, review, exemptions, the verification sample, compliance, voluntary public
disclosure and cost shares. The disclosure service checks the actor and every rule again."""
from shared.contracts.disclosure import (MAX_BATCH_ROWS, AcknowledgementIn, Compliance,
                                         CostShares, Cycle, CycleClose, CycleIn, ExemptionIn,
                                         ExemptionRow, Filer, FilerIn, FilerPage, KeyRotation,
                                         MitigationIn, MitigationRow, NonFilerPage,
                                         Participant, ParticipantIn, PublicDisclosureIn,
                                         PublicDisclosureRecord, PublicDisclosureReturn,
                                         PublicDisclosureRow, PublishedDisclosure,
                                         ReminderRequest, Reminders, ReviewIn, ReviewRow,
                                         SampleRequest, SentReminder, StaffRow, Statement,
                                         StatementContents, StatementDraft, StatementIn,
                                         StatementReceipt, StatementRow, VerificationIn,
                                         receipt_number,
                                         VerificationRow, VerificationSample)

from ..api import (PAGING, batch_route, body_json, forward, given_fields, list_route,
                   optional_body, query_string, query_value, route)

TAG = "disclosure"
CYCLE = "/disclosure/cycles/{year}"
FILER = CYCLE + "/filers/{staff_id}"


def _step(method: str, path: str, summary: str, rpc: str, *inputs, **spec):
    return route(method, path, summary, tag=TAG, **spec)(forward(f"disclosure.{rpc}", *inputs))


def _batch(path: str, summary: str, rpc: str, body):
    return batch_route(path, summary, f"disclosure.{rpc}", body=body, tag=TAG, status=201)


def _receipt(filer: dict) -> dict:
    return {**{k: filer[k] for k in ("year", "staff_id", "status", "filed_on")},
            "receipt": receipt_number(filer["year"], filer["staff_id"])}


class DisclosureRoutes:
    # participants

    put_participant = _step(
        "PUT", "/disclosure/participants/{entity}",
        "Enrol an entity in the programme (or change its cost sharing and focal points)",
        "enrol_participant", given_fields, body=ParticipantIn, response=Participant)
    list_participants = _step("GET", "/disclosure/participants", "The entities taking part",
                              "list_participants", response=[Participant])
    get_participant = _step("GET", "/disclosure/participants/{entity}",
                            "One participating entity", "get_participant", response=Participant)

    # cycles

    open_cycle = _step(
        "POST", "/disclosure/cycles",
        "Open a filing cycle (1 March of its year by default; it covers the previous "
        "calendar year)", "open_cycle", given_fields, body=CycleIn, response=Cycle, status=201)
    list_cycles = _step("GET", "/disclosure/cycles", "Every cycle", "list_cycles",
                        response=[Cycle])
    get_cycle = _step("GET", CYCLE, "One cycle with its figures (counts only)", "get_cycle",
                      response=Cycle)
    close_cycle = _step(
        "POST", CYCLE + "/close",
        "Close a cycle: it accepts no more changes (body optional: {closed_on})", "close_cycle",
        lambda call: optional_body(call, CycleClose, exclude_none=True), body=None,
        response=Cycle)

    # filers

    enrol_filers = _batch(
        CYCLE + "/filers",
        f"Enrol up to {MAX_BATCH_ROWS} filers: JSON items or CSV with a header row; "
        "a staff id already in the cycle is a 409 for its row", "enrol_filers", FilerIn)
    list_filers = list_route(
        CYCLE + "/filers", "A cycle's filers (a focal point: its entity's)",
        "disclosure.list_filers", response=FilerPage, tag=TAG,
        query={"entity": "an entity code", "status": "a filing status", **PAGING})
    get_filer = _step("GET", FILER, "One filer (a filer: itself)", "get_filer", response=Filer)
    non_filers = list_route(
        CYCLE + "/non-filers",
        "The filers of an entity who have not filed, for its focal point to follow up",
        "disclosure.non_filers", response=NonFilerPage, tag=TAG,
        query={"entity": "an entity code", **PAGING})

    # statements

    file_statement = route(
        "POST", FILER + "/statement",
        "File the confidential statement, certified true and complete (`certified: true`) "
        "with no item left marked from last year (encrypted at rest; never in events or "
        "reports); its draft is removed",
        body=StatementIn, response=StatementReceipt, status=201, tag=TAG)(
        forward("disclosure.file_statement", given_fields, answer=_receipt))
    get_statement = _step("GET", FILER + "/statement", "The statement's contents: to the filer "
                          "and the reviewer only", "get_statement", response=Statement)
    file_statements = _batch(CYCLE + "/statements", "File many statements (Ethics Office loads)",
                             "file_statements", StatementRow)
    get_draft = _step(
        "GET", FILER + "/draft",
        "The filer's saved draft, or where the statement starts (saved_on null): the items of "
        "its latest statement of an earlier cycle, each marked from_last_year (the filer only)",
        "get_draft", response=StatementDraft)
    save_draft = _step(
        "PUT", FILER + "/draft",
        "Save the statement as a draft, to file later (not a filing; the filer only)",
        "save_draft", body_json, body=StatementContents, response=StatementDraft)
    discard_draft = _step(
        "DELETE", FILER + "/draft",
        "Discard the saved draft: answers where the statement starts again (the filer only)",
        "discard_draft", response=StatementDraft)

    # review

    review_filer = _step(
        "POST", FILER + "/review",
        "Record the review: under_review, cleared, or conflicts_found with typed conflicts",
        "review_filer", given_fields, body=ReviewIn, response=Filer, status=201)
    review_filers = _batch(CYCLE + "/reviews", "Record many reviews", "review_filers",
                           ReviewRow)
    record_mitigation = _step(
        "POST", FILER + "/mitigation",
        "Record that the conflicts found were mitigated (body optional: the measure agreed, "
        "divestiture, recusal, waiver or other, and agreed_on, today when not given)",
        "record_mitigation", lambda call: optional_body(call, MitigationIn, exclude_none=True)
        or None, body=None, response=Filer, status=201)
    record_mitigations = _batch(CYCLE + "/mitigations", "Record many mitigations",
                                "record_mitigations", MitigationRow)
    acknowledge_recommendation = _step(
        "POST", FILER + "/acknowledgement",
        "The filer acknowledges the reviewer's recommendation, with an optional comment (once)",
        "acknowledge_recommendation", given_fields, body=AcknowledgementIn, response=Filer,
        status=201)

    # exemptions

    exempt_filer = _step("POST", FILER + "/exemption", "Exempt a filer, with the reason",
                         "exempt_filer", given_fields, body=ExemptionIn, response=Filer,
                         status=201)
    exempt_filers = _batch(CYCLE + "/exemptions", "Exempt many filers", "exempt_filers",
                           ExemptionRow)

    # verification

    draw_verification_sample = _step(
        "POST", CYCLE + "/verification-sample",
        "Draw the stratified random sample of filers for verification (reproducible for "
        "the same seed and population; stored once per cycle)", "draw_verification_sample",
        given_fields, body=SampleRequest, response=VerificationSample, status=201)
    get_verification_sample = _step("GET", CYCLE + "/verification-sample",
                                    "The cycle's verification sample",
                                    "get_verification_sample", response=VerificationSample)
    record_verification = _step("POST", FILER + "/verification",
                                "Record the verification of a sampled filer",
                                "record_verification", given_fields, body=VerificationIn,
                                response=Filer, status=201)
    record_verifications = _batch(CYCLE + "/verifications", "Record many verifications",
                                  "record_verifications", VerificationRow)

    # compliance

    compliance = _step(
        "GET", CYCLE + "/compliance",
        "Required, filed, not filed and the reasons, by entity, duty station or category",
        "compliance", query_value("by", "entity"), response=Compliance,
        query={"by": "entity (default), duty_station or category"})
    send_reminders = _step(
        "POST", CYCLE + "/reminders",
        "Queue the reminders of one entity's or every entity's non-filers for the "
        "notifications service to send (once per cycle, entity and number of days; only "
        "while the cycle is open and its deadline ahead)", "send_reminders",
        lambda call: call.body.days_before, lambda call: call.body.entity,
        body=ReminderRequest, response=Reminders, status=202)
    remind_filer = _step(
        "POST", FILER + "/reminder",
        "Remind one filer who has not filed (its entity's focal point or the Ethics Office; "
        "once a day, while the cycle is open and its deadline ahead)", "remind_filer",
        body=None, response=SentReminder, status=201)
    list_reminders = route(
        "GET", CYCLE + "/reminders",
        "The reminders sent for one entity (to all its non-filers or to one), newest first",
        response=[SentReminder], tag=TAG, query={"entity": "an entity code (a focal point: "
                                                           "its own by default)"})(
        forward("disclosure.list_reminders", query_string))

    # voluntary public disclosure

    decide_public_disclosure = _step(
        "POST", FILER + "/public-disclosure",
        "Publish a summary or decline (ASG and above who have filed)",
        "decide_public_disclosure", given_fields, body=PublicDisclosureIn, response=Filer,
        status=201)
    decide_public_disclosures = _batch(CYCLE + "/public-disclosures",
                                       "Record many public disclosure decisions",
                                       "decide_public_disclosures", PublicDisclosureRow)
    get_public_disclosure = _step(
        "GET", FILER + "/public-disclosure",
        "The filer's decision on public disclosure with the Ethics Office's review (a filer: "
        "its own)", "get_public_disclosure", response=PublicDisclosureRecord)
    pending_public_disclosures = _step(
        "GET", CYCLE + "/public-disclosures/pending",
        "The summaries waiting for the Ethics Office's review", "pending_public_disclosures",
        response=[PublicDisclosureRecord])
    approve_public_disclosure = _step(
        "POST", FILER + "/public-disclosure/approval",
        "Approve a pending summary: it is public from today", "approve_public_disclosure",
        body=None, response=Filer, status=201)
    approve_public_disclosures = _batch(CYCLE + "/public-disclosure-approvals",
                                        "Approve many pending summaries",
                                        "approve_public_disclosures", StaffRow)
    return_public_disclosure = _step(
        "POST", FILER + "/public-disclosure/return",
        "Return a pending summary to its filer with the reason, to decide again",
        "return_public_disclosure", given_fields, body=PublicDisclosureReturn, response=Filer,
        status=201)
    published_disclosures = route(
        "GET", "/public/disclosures/{year}",
        "The summaries the Ethics Office approved for publication, without staff ids (no "
        "token needed)", response=[PublishedDisclosure], public=True, tag="public")(
        lambda self, call, year: self.disclosure.published_disclosures(year))

    # cost shares and keys

    cost_shares = _step(
        "GET", CYCLE + "/cost-shares",
        "The programme's cost shared by filer count among cost-sharing participants",
        "cost_shares", response=CostShares)
    rotate_key = _step("POST", "/disclosure/keys/rotate",
                       "Re-encrypt every statement with the newest key of FDP_KEYS (admin)",
                       "rotate_key", body=None, response=KeyRotation)
