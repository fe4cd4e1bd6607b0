"""What each request does to one filer: the change to store and the event it causes, or why the
row is refused. Each function takes the request's context and returns `decide(filer, request,
cycle)` for `DisclosureRepository.change_filers`."""
import datetime as dt

from shared.contracts.common import Actor, Role
from shared.contracts.disclosure import (ExemptionIn, FilerExempted, MitigationRecorded,
                                         PublicDisclosureDecided, PublicDisclosureIn,
                                         ReviewIn, ReviewOutcome, ReviewRecorded,
                                         StatementContents, StatementFiled, StatementIn,
                                         VerificationIn, VerificationRecorded)

from . import domain
from .store import Change, Rejection


def _ref(filer: dict) -> dict:
    return {"year": filer["year"], "staff_id": filer["staff_id"], "entity": filer["entity"]}


def _move(filer: dict, new: str) -> Rejection | None:
    problem = domain.move_problem(filer["status"], new)
    return Rejection(409, ["status"], f"{filer['staff_id']}: {problem}") if problem else None


def _own_statement(actor: Actor, filer: dict) -> Rejection | None:
    if actor.role == Role.filer and actor.staff_id != filer["staff_id"]:
        return Rejection(403, ["staff_id"], "a filer acts on its own statement only")
    return None


def _own_entity(actor: Actor, filer: dict) -> Rejection | None:
    if actor.entity_scoped and actor.entity != filer["entity"]:
        return Rejection(403, ["staff_id"], f"a {actor.role.value} of {actor.entity} acts for "
                                            f"{actor.entity}'s filers only")
    return None


def file_statement(actor: Actor, today: dt.date, seal):
    def decide(filer, statement: StatementIn, cycle):
        refused = _own_statement(actor, filer) or _move(filer, "filed")
        if refused:
            return refused
        filed_on = statement.filed_on or today
        problem = domain.filing_date_problem(filed_on, dt.date.fromisoformat(cycle["opens_on"]),
                                             today)
        if problem:
            return Rejection(422, ["filed_on"], problem)
        contents = StatementContents(**statement.model_dump(exclude={"filed_on", "staff_id"}))
        sealed = {"_id": filer["_id"], **_ref(filer), "filed_on": filed_on.isoformat(),
                  **seal(filer["year"], filer["staff_id"], contents)}
        return Change({"status": "filed", "filed_on": filed_on.isoformat()},
                      StatementFiled(**_ref(filer), filed_on=filed_on), [("statements", sealed)])
    return decide


def review(actor: Actor):
    def decide(filer, request: ReviewIn, cycle):
        refused = _move(filer, request.outcome.value)
        if refused:
            return refused
        fields = {"status": request.outcome.value}
        if request.outcome == ReviewOutcome.conflicts_found:
            fields["conflicts"] = [c.model_dump(mode="json") for c in request.conflicts]
        return Change(fields, ReviewRecorded(**_ref(filer), outcome=request.outcome.value,
                                             conflicts=domain.conflict_counts(request.conflicts)))
    return decide


def mitigate(actor: Actor):
    def decide(filer, request, cycle):
        return _move(filer, "mitigated") or Change({"status": "mitigated"},
                                                   MitigationRecorded(**_ref(filer)))
    return decide


def exempt(actor: Actor):
    def decide(filer, request: ExemptionIn, cycle):
        refused = _own_entity(actor, filer) or _move(filer, "exempted")
        if refused:
            return refused
        return Change({"status": "exempted", "exemption_reason": request.reason.value},
                      FilerExempted(**_ref(filer), reason=request.reason))
    return decide


def verify(actor: Actor):
    def decide(filer, request: VerificationIn, cycle):
        if not filer.get("sampled"):
            return Rejection(409, ["staff_id"], f"{filer['staff_id']} is not in the "
                                                "verification sample")
        if filer.get("verification"):
            return Rejection(409, ["staff_id"], f"{filer['staff_id']}'s verification is "
                                                "recorded already")
        return Change({"verification": request.outcome.value},
                      VerificationRecorded(**_ref(filer), outcome=request.outcome.value))
    return decide


def decide_public_disclosure(actor: Actor, today: dt.date):
    def decide(filer, request: PublicDisclosureIn, cycle):
        refused = _own_statement(actor, filer)
        if refused:
            return refused
        if not domain.public_disclosure_eligible(filer["grade"], filer["status"]):
            return Rejection(409, ["staff_id"], "voluntary public disclosure is for ASG and "
                             f"above who have filed; {filer['staff_id']} is {filer['grade']}, "
                             f"{filer['status']}")
        if filer.get("public_disclosure"):
            return Rejection(409, ["staff_id"], f"{filer['staff_id']} has decided already")
        outcome = "published" if request.publish else "declined"
        record = {"_id": filer["_id"], **_ref(filer), "grade": filer["grade"],
                  "decided_on": today.isoformat(), **request.model_dump(mode="json")}
        return Change({"public_disclosure": outcome},
                      PublicDisclosureDecided(**_ref(filer), publish=request.publish,
                                              declined_reason=request.declined_reason),
                      [("public_disclosures", record)])
    return decide
