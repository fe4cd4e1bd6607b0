"""The steps the use cases share: finding the cycle and what the actor may see, and the
machinery of per-filer requests (one filer, or a batch of them in one transaction)."""
import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

from shared.auth import require_entity
from shared.contracts.common import Actor, Role
from shared.kernel.batch import ROWS_PER_PASS, batch_items, pause, sort_rows
from shared.kernel.errors import (Conflict, DomainError, Forbidden, Invalid, NotFound, problem,
                                  refuse)

from ..domain import Cycle, Filer, FilerChanges
from .commands import Batch, ForFiler

# a refused row answers with the status its refusal would have alone; the rest are 422
ROW_STATUS = ((NotFound, 404), (Forbidden, 403), (Conflict, 409))


@dataclass(frozen=True)
class At:
    """What a move may need besides the filer and the request."""
    actor: Actor
    today: dt.date
    cycle: Cycle


@dataclass(frozen=True)
class FilerMove:
    """One kind of per-filer request, alone or in a batch: its audit action, its batch row, how
    it moves the filer, the check a complete request passes first, and the repository that
    keeps the records the move makes (`repository` adds them, `repository.method` takes
    them otherwise)."""
    action: str
    row: type
    move: Callable[[Filer, Any, At], Any]
    check: Callable[[Any], list] | None = None
    keep: str | None = None

    def one(self, uow, command: ForFiler) -> dict:
        """The filer after the move; a refusal is raised as it is (only invalid values name
        their fields, as they would in the body)."""
        if self.check:
            refuse(self.check(command.request))
        changed, refused = change_filers(uow, command.year,
                                         [(1, command.staff_id, command.request)], self)
        if refused:
            exc = refused[0][1]
            raise exc if isinstance(exc, Invalid) else type(exc)(exc.detail)
        return changed[0].view(uow.actor)

    def many(self, uow, command: Batch) -> dict:
        rows = sort_rows(batch_items(command.items), self.row, self.check, with_status=True)
        changed, refused = change_filers(uow, command.year, [
            (row, r.staff_id, r) for row, r in rows.accepted], self)
        for row, exc in refused:
            rows.reject(row, row_problems(exc), with_status=True)
        return rows.answer(accepted=len(changed))


def change_filers(uow, year: int, requests: list[tuple[int, str, Any]],
                  how: FilerMove) -> tuple[list[Filer], list]:
    """Move each row's filer, all in one transaction: the changed filers, and the refused rows
    with their refusal (not enrolled, twice in the batch, or what the move said)."""
    refused, changes, kept, seen = [], [], [], set()
    with uow:
        cycle = changeable_cycle(uow, year)
        at = At(uow.actor, uow.clock.today(), cycle)
        found = uow.filers.many(year, [staff_id for _, staff_id, _ in requests])
        for n, (row, staff_id, request) in enumerate(requests, start=1):
            if n % ROWS_PER_PASS == 0:
                pause()
            filer = found.get(staff_id)
            try:
                if filer is None:
                    raise NotFound(f"{staff_id} is not enrolled in the {year} cycle")
                if staff_id in seen:
                    raise Conflict(f"{staff_id} appears twice in the batch")
                before = filer.facts()
                record = how.move(filer, request, at)
            except DomainError as exc:
                refused.append((row, exc))
                continue
            seen.add(staff_id)
            changes.append((before, filer))
            if record is not None:
                kept.append(record)
        if changes:
            save_changes(uow, cycle, changes, how.action)
            if how.keep and kept:
                repository, _, method = how.keep.partition(".")
                getattr(getattr(uow, repository), method or "add")(kept)
            uow.commit()
    return [f for _, f in changes], refused


def save_changes(uow, cycle: Cycle, changes: list[tuple[dict, Filer]], action: str):
    """The changed filers with their folded event, their counters and audit entries, written
    only while the cycle is open."""
    folded = FilerChanges.of(cycle.year, changes)
    uow.filers.save(folded)
    uow.counters.add(cycle.year, folded.counts)
    uow.cycles.still_open(cycle)
    uow.audit_many(action, [(filer_record(f), f.entity) for f in folded.filers])


def row_problems(exc: DomainError) -> list[dict]:
    """A refusal as a batch row's problems: its fields (the filer's staff id when it names
    none), with the status it would have alone."""
    status = next((s for kind, s in ROW_STATUS if isinstance(exc, kind)), 422)
    found = exc.errors or [problem("staff_id", exc.detail)]
    return [problem(e["loc"], e["msg"], status=status) for e in found]


def filer_record(filer: Filer) -> str:
    return f"disclosure/cycles/{filer.year}/filers/{filer.staff_id}"


def cycle_of(uow, year: int) -> Cycle:
    found = uow.cycles.get(year)
    if found is None:
        raise NotFound(f"no {year} cycle")
    return found


def changeable_cycle(uow, year: int) -> Cycle:
    """The cycle, which must be open to take changes."""
    cycle = cycle_of(uow, year)
    cycle.check_open()
    return cycle


def visible(uow, entity: str) -> bool:
    return not uow.actor.entity_scoped or uow.actor.entity == entity


def counters_seen(uow, year: int) -> list[dict]:
    return [c for c in uow.counters.of(year) if visible(uow, c["entity"])]


def entity_asked(uow, entity: str | None) -> str | None:
    """The entity a list is for: the one asked (Forbidden when it is another's), else a focal
    point's own."""
    entity = entity or (uow.actor.entity if uow.actor.entity_scoped else None)
    if entity:
        require_entity(uow.actor, entity)
    return entity


def visible_filer(uow, year: int, staff_id: str) -> Filer:
    actor, filer = uow.actor, uow.filers.get(year, staff_id)
    if filer is None:
        raise NotFound(f"{staff_id} is not enrolled in the {year} cycle")
    if ((actor.role == Role.filer and actor.staff_id != staff_id)
            or not visible(uow, filer.entity)):
        raise Forbidden(f"a {actor.role.value} reads its own filers only")
    return filer
