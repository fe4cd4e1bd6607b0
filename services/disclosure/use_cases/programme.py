"""The programme's use cases: participants, cycles, cost shares, the statement keys."""
from shared.auth import require_entity
from shared.contracts.common import ETHICS_OFFICE
from shared.contracts.disclosure import CycleIn
from shared.kernel.batch import pause
from shared.kernel.errors import Conflict, NotFound, StaleState
from shared.kernel.uow import retrying

from .. import domain
from ..domain import Cycle, Participant
from .commands import CloseCycle, EnrolParticipant
from .steps import counters_seen, cycle_of, visible


# ---- participants ----

def enrol_participant(uow, command: EnrolParticipant) -> dict:
    """Enrol an entity (or change its cost sharing and focal points); the same again changes
    nothing."""
    with uow:
        participant = Participant.enrol(uow.participants.get(command.entity), command.entity,
                                        command.request, command.category)
        if participant.events:
            uow.participants.save(participant)
            uow.audit("enrol_participant", f"disclosure/participants/{command.entity}",
                      entity=command.entity)
            uow.commit()
    return participant.view()


def get_participant(uow, entity: str) -> dict:
    require_entity(uow.actor, entity)
    found = uow.participants.get(entity)
    if found is None:
        raise NotFound(f"{entity} does not take part in the programme")
    return found.view()


def list_participants(uow) -> list[dict]:
    own = uow.actor.entity if uow.actor.entity_scoped else None
    return [p.view() for p in uow.participants.all(own)]


# ---- cycles ----

def open_cycle(uow, request: CycleIn) -> dict:
    with uow:
        cycle = Cycle.open(uow.cycles.get(request.year), request)
        uow.cycles.add(cycle)
        uow.audit("open_cycle", f"disclosure/cycles/{cycle.year}", entity=ETHICS_OFFICE)
        uow.commit()
    return cycle_view(uow, cycle)


@retrying
def close_cycle(uow, command: CloseCycle) -> dict:
    with uow:
        before = cycle_of(uow, command.year)
        after = before.close(command.closed_on or uow.clock.today())
        uow.cycles.save(before, after)
        uow.audit("close_cycle", f"disclosure/cycles/{after.year}", entity=ETHICS_OFFICE)
        uow.commit()
    return cycle_view(uow, after)


def get_cycle(uow, year: int) -> dict:
    """The cycle with its figures (counts only; an entity's own, for a focal point)."""
    cycle = cycle_of(uow, year)
    figures = domain.cycle_figures(counters_seen(uow, year))
    return {**cycle.view(uow.clock.today(), figures["not_filed"]), "figures": figures}


def list_cycles(uow) -> list[dict]:
    """Every cycle, newest first, in its state today."""
    return [cycle_view(uow, c) for c in reversed(uow.cycles.all())]


def cycle_view(uow, cycle: Cycle) -> dict:
    """The cycle in its state today: overdue counts the filers outstanding that the actor
    sees (a focal point's cycle is overdue while its own entity's filers are)."""
    outstanding = domain.cycle_figures(counters_seen(uow, cycle.year))["not_filed"]
    return cycle.view(uow.clock.today(), outstanding)


def open_annual_cycle(uow, deadline: tuple[int, int]) -> dict | None:
    """The annual job: this year's cycle opened on 1 March, when it is due and not open yet."""
    today, cycles = uow.clock.today(), uow.cycles.all()
    earlier = [c for c in cycles if c.year < today.year]
    request = domain.annual_cycle_due(today, {c.year for c in cycles},
                                      earlier[-1] if earlier else None, deadline)
    if request is None:
        return None
    try:
        return open_cycle(uow, request)
    except Conflict:  # another process of the service opened it meanwhile
        return None


# ---- cost shares and keys ----

def cost_shares(uow, year: int) -> dict:
    """The programme's cost shared by filer count among the cost-sharing participants (a focal
    point sees its own row)."""
    cycle = cycle_of(uow, year)
    filers = domain.enrolled_by_entity(uow.counters.of(year), uow.participants.cost_sharing())
    unit, shares = domain.cost_shares(cycle.programme_cost, filers)
    return {"year": year, "programme_cost": cycle.programme_cost,
            "filers": sum(filers.values()), "unit_cost": unit,
            "rows": [{"entity": e, "filers": filers[e], "share": shares[e]}
                     for e in sorted(filers) if visible(uow, e)]}


def rotate_key(uow) -> dict:
    """Seal every statement and draft sealed with an older key with the newest one, a page at
    a time, entity by entity; a page changed meanwhile is read again, so none is lost."""
    resealed = {"statements": 0, "drafts": 0}
    for entity in uow.participants.codes():
        for name in resealed:
            while True:
                with uow:
                    sealed = getattr(uow, name)
                    page = sealed.sealed_with_older_keys(entity)
                    if not page:
                        break
                    sealed.reseal(page)
                    try:
                        uow.commit()
                    except StaleState:
                        continue
                resealed[name] += len(page)
                pause()
    return {"key_id": uow.statements.newest_key, "statements": uow.statements.count(),
            "reencrypted": resealed["statements"], "drafts": uow.drafts.count(),
            "drafts_reencrypted": resealed["drafts"]}
