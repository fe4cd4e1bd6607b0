"""The filers' use cases: enrolment, lists, and the per-filer requests (filing, review,
mitigation, exemption, public disclosure and its review), each for one filer or a batch."""
from shared.auth import require_strictly
from shared.contracts.common import Role
from shared.contracts.disclosure import (AcknowledgementIn, ExemptionRow, FilerIn,
                                         MitigationRow, PublicDisclosureReturnRow,
                                         PublicDisclosureRow, ReviewRow, StaffRow, StatementRow)
from shared.kernel.batch import batch_items, sort_rows
from shared.kernel.errors import Forbidden, NotFound, problem
from shared.kernel.pagination import Page, page_size
from shared.kernel.uow import retrying

from .. import domain
from ..domain import Enrolment, Filer
from .commands import Batch, ForFiler, ListFilers
from .steps import (FilerMove, changeable_cycle, cycle_of, entity_asked, filer_record,
                    visible_filer)

STATEMENT_READERS = (Role.filer, Role.reviewer)
STATEMENT_READERS_ONLY = ("a statement's contents are for its filer and the reviewers only; "
                          "its filer's status says whether it was filed")

# what each per-filer request does to its filer
FILING = FilerMove("file_statement", StatementRow,
                   lambda filer, statement, at: filer.file(statement, at.actor, at.today,
                                                           at.cycle.opens_on, at.cycle.deadline),
                   domain.statement_problems, keep="statements")
REVIEW = FilerMove("review", ReviewRow, lambda filer, review, at: filer.review(review),
                   domain.review_problems)
MITIGATION = FilerMove(
    "record_mitigation", MitigationRow,
    lambda filer, request, at: filer.mitigate(
        getattr(request, "measure", None) and request.measure.value,
        getattr(request, "agreed_on", None), at.today))
ACKNOWLEDGEMENT = FilerMove(
    "acknowledge_recommendation", AcknowledgementIn,
    lambda filer, request, at: filer.acknowledge(request.comment, at.actor, at.today))
EXEMPTION = FilerMove("exempt", ExemptionRow,
                      lambda filer, request, at: filer.exempt(request, at.actor))
PUBLIC_DECISION = FilerMove(
    "decide_public_disclosure", PublicDisclosureRow,
    lambda filer, decision, at: filer.decide_public_disclosure(decision, at.actor, at.today),
    domain.public_decision_problems, keep="public_disclosures")
PUBLIC_APPROVAL = FilerMove(
    "approve_public_disclosure", StaffRow,
    lambda filer, _, at: filer.approve_public_disclosure(at.actor, at.today),
    keep="public_disclosures.review")
PUBLIC_RETURN = FilerMove(
    "return_public_disclosure", PublicDisclosureReturnRow,
    lambda filer, request, at: filer.return_public_disclosure(request, at.actor, at.today),
    keep="public_disclosures.review")


# ---- filers ----

@retrying
def enrol_filers(uow, command: Batch) -> dict:
    """Up to 10,000 filers at once: 422 for invalid rows, 403 for another entity's, 409 for a
    staff id already in the cycle (or earlier in the batch). A staff id who filed in an
    earlier cycle is not a first-time filer."""
    actor, year = uow.actor, command.year

    def own_entity(filer: FilerIn) -> list[dict]:
        if actor.entity_scoped and actor.entity != filer.entity:
            return [problem("entity", f"a {actor.role.value} of {actor.entity} enrols "
                                      f"{actor.entity}'s filers only", status=403)]
        return []
    rows = sort_rows(batch_items(command.items), FilerIn, own_entity, with_status=True)
    filers: list[Filer] = []
    with uow:
        cycle = changeable_cycle(uow, year)
        participants = set(uow.participants.codes())
        staff_ids = [f.staff_id for _, f in rows.accepted]
        enrolled = uow.filers.many(year, staff_ids)
        returning = uow.filers.filed_before(staff_ids, [c.year for c in uow.cycles.all()
                                                        if c.year < year])
        seen: set[str] = set()
        may_backdate = actor.role in (Role.admin, Role.ethics_office)
        for row, filer in rows.accepted:
            problems = domain.filer_problems(filer, participants) + \
                domain.enrolment_date_problems(filer.enrolled_on, cycle.opens_on,
                                               uow.clock.today(), may_backdate)
            if not problems and (filer.staff_id in enrolled or filer.staff_id in seen):
                refused = (f"{filer.staff_id} is enrolled in the {year} cycle earlier in this batch"
                           if filer.staff_id in seen else
                           f"{filer.staff_id} is enrolled in the {year} cycle already")
                problems = [problem("staff_id", refused, status=409)]
            if problems:
                rows.reject(row, problems, with_status=True)
                continue
            seen.add(filer.staff_id)
            filers.append(Filer.enrol(year, filer, filer.staff_id not in returning))
        if filers:
            enrolment = Enrolment.of(year, filers)
            uow.filers.add(enrolment)
            uow.counters.add(year, enrolment.counts)
            uow.cycles.still_open(cycle)
            uow.audit_many("enrol_filer", [(filer_record(f), f.entity) for f in filers])
            uow.commit()
    return rows.answer(accepted=len(filers))


def list_filers(uow, command: ListFilers) -> Page:
    """A page of the cycle's filers in (entity, staff id) order; a focal point's are its
    entity's."""
    query = command.query
    entity = entity_asked(uow, query.entity)
    status = query.status.value if query.status else None
    page = uow.filers.page(command.year, entity, status, page_size(query.limit), query.cursor)
    return Page([f.view(uow.actor) for f in page.items], page.next_cursor)


def get_filer(uow, command: ForFiler) -> dict:
    return visible_filer(uow, command.year, command.staff_id).view(uow.actor)


# ---- statements ----

@retrying
def file_statement(uow, command: ForFiler) -> dict:
    """A filer files its own statement today; the Ethics Office may load an earlier filing."""
    if command.request.filed_on and uow.actor.role == Role.filer:
        raise Forbidden("filed_on is set by the Ethics Office only; a filer files today")
    return FILING.one(uow, command)


@retrying
def file_statements(uow, command: Batch) -> dict:
    return FILING.many(uow, command)


def get_statement(uow, command: ForFiler) -> dict:
    """The statement's contents: to the filer (its own) and the reviewers only; admin and the
    Ethics Office see that it was filed (the filer's status), never what it says. Every read is
    an audit entry, written before the contents are handed out."""
    actor = require_strictly(uow.actor, STATEMENT_READERS, STATEMENT_READERS_ONLY)
    if actor.role == Role.filer and actor.staff_id != command.staff_id:
        raise Forbidden("a filer reads its own statement only")
    with uow:
        found = uow.statements.get(command.year, command.staff_id)
        if found is None:
            raise NotFound(f"{command.staff_id} has filed no statement in the "
                           f"{command.year} cycle")
        uow.audit("read_statement", f"{filer_record(found)}/statement", found.entity)
        uow.commit()
    return found.view()


# ---- review, mitigation, exemption ----

@retrying
def review_filer(uow, command: ForFiler) -> dict:
    return REVIEW.one(uow, command)


@retrying
def review_filers(uow, command: Batch) -> dict:
    return REVIEW.many(uow, command)


@retrying
def record_mitigation(uow, command: ForFiler) -> dict:
    return MITIGATION.one(uow, command)


@retrying
def record_mitigations(uow, command: Batch) -> dict:
    return MITIGATION.many(uow, command)


@retrying
def acknowledge_recommendation(uow, command: ForFiler) -> dict:
    """The filer's answer to the reviewer's recommendation, with an optional comment."""
    return ACKNOWLEDGEMENT.one(uow, command)


@retrying
def exempt_filer(uow, command: ForFiler) -> dict:
    return EXEMPTION.one(uow, command)


@retrying
def exempt_filers(uow, command: Batch) -> dict:
    return EXEMPTION.many(uow, command)


# ---- voluntary public disclosure ----

@retrying
def decide_public_disclosure(uow, command: ForFiler) -> dict:
    """Publish a summary or decline: ASG and above who have filed, once (again when the Ethics
    Office returned the summary). A summary is public once the Office approves it."""
    return PUBLIC_DECISION.one(uow, command)


@retrying
def decide_public_disclosures(uow, command: Batch) -> dict:
    return PUBLIC_DECISION.many(uow, command)


def get_public_disclosure(uow, command: ForFiler) -> dict:
    """The filer's decision with its review (a filer: its own)."""
    visible_filer(uow, command.year, command.staff_id)
    found = uow.public_disclosures.get(command.year, command.staff_id)
    if found is None:
        raise NotFound(f"{command.staff_id} has not decided on public disclosure in the "
                       f"{command.year} cycle")
    return found.view()


def pending_public_disclosures(uow, year: int) -> list[dict]:
    """The summaries waiting for the Ethics Office's review, by staff id."""
    cycle_of(uow, year)
    return [d.view() for d in uow.public_disclosures.pending(year)]


@retrying
def approve_public_disclosure(uow, command: ForFiler) -> dict:
    """The summary is public from today."""
    return PUBLIC_APPROVAL.one(uow, command)


@retrying
def approve_public_disclosures(uow, command: Batch) -> dict:
    return PUBLIC_APPROVAL.many(uow, command)


@retrying
def return_public_disclosure(uow, command: ForFiler) -> dict:
    """Back to the filer with the reason, to decide again."""
    return PUBLIC_RETURN.one(uow, command)


def published_disclosures(uow, year: int) -> list[dict]:
    """The approved summaries: public, without staff ids."""
    return [d.published_view() for d in uow.public_disclosures.published(year)]
