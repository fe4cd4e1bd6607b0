"""Following the cycle up: compliance and non-filers, reminders, the verification sample and
the verifications."""
from shared.contracts.disclosure import ComplianceBy, VerificationRow
from shared.kernel.errors import Invalid, NotFound
from shared.kernel.pagination import Page, page_size
from shared.kernel.uow import retrying

from .. import domain
from ..domain import FilerReminder, Reminder, VerificationSample
from .commands import (Batch, ComplianceQuery, DrawSample, ForFiler, ListNonFilers,
                       ListReminders, Remind)
from .steps import (FilerMove, changeable_cycle, counters_seen, cycle_of, entity_asked,
                    save_changes)

# a verification is a per-filer request like the filers' (see filers.py)
VERIFICATION = FilerMove("verify", VerificationRow,
                         lambda filer, request, at: filer.verify(request))


# ---- compliance and reminders ----

def compliance(uow, command: ComplianceQuery) -> dict:
    """Required, filed, not filed and the reasons, by entity, duty station or category (a
    focal point's entity only)."""
    cycle_of(uow, command.year)
    by = ComplianceBy(command.by).value
    rows, total = domain.compliance(counters_seen(uow, command.year), by,
                                    uow.participants.categories())
    return {"year": command.year, "by": by, "rows": rows, "total": total}


@retrying
def send_reminders(uow, command: Remind) -> dict:
    """Queue `compliance_reminder_due` per entity naming its non-filers (one entity's, or every
    entity's with non-filers), for the notifications service to send; once per cycle, entity
    and number of days, and only while the cycle is open and its deadline ahead."""
    year, days, entity = command.year, command.days_before, command.entity
    queued, already = [], []
    if uow.actor.entity_scoped:  # a focal point reminds its own entity's non-filers
        entity = entity or uow.actor.entity
        domain.check_may_remind(uow.actor, entity)
    today, sender = uow.clock.today(), uow.actor.label or uow.actor.role.value
    with uow:
        cycle = cycle_of(uow, year)
        cycle.check_remindable(today)
        if entity is not None and entity not in set(uow.participants.codes()):
            raise Invalid.field("entity", f"{entity} does not take part in the programme")
        reminded = uow.reminders.sent(year, days)
        for due in domain.outstanding_entities(uow.counters.of(year)):
            if entity is not None and due != entity:
                continue
            if due in reminded:
                already.append(due)
                continue
            staff_ids = uow.filers.outstanding(year, due)
            uow.reminders.add(Reminder.due(year, cycle.deadline, due, days, staff_ids,
                                           today, sender))
            queued.append({"entity": due, "non_filers": len(staff_ids)})
        if queued:
            uow.cycles.still_open(cycle)
            uow.commit()
    return {"year": year, "deadline": cycle.deadline.isoformat(), "days_before": days,
            "entities": len(queued), "non_filers": sum(q["non_filers"] for q in queued),
            "queued": queued, "already_queued": already}


@retrying
def remind_filer(uow, command: ForFiler) -> dict:
    """Remind one filer who has not filed (see `domain.reminders`): its reminder is kept with
    its day and sender, and its `compliance_reminder_due` names the filer alone."""
    year, staff_id = command.year, command.staff_id
    with uow:
        cycle = cycle_of(uow, year)
        filer = uow.filers.get(year, staff_id)
        if filer is None:
            raise NotFound(f"{staff_id} is not enrolled in the {year} cycle")
        reminder = FilerReminder.send(uow.actor, cycle, staff_id, filer.entity, filer.status,
                                      uow.reminders.filer_days(year, staff_id),
                                      uow.clock.today())
        uow.reminders.add_for_filer(reminder)
        uow.cycles.still_open(cycle)
        uow.audit("remind_filer", f"disclosure/cycles/{year}/filers/{staff_id}",
                  filer.entity)
        uow.commit()
    return reminder.view()


def list_reminders(uow, command: ListReminders) -> list[dict]:
    """The reminders sent for one entity in a cycle (to all its non-filers, or to one),
    newest first."""
    entity = entity_asked(uow, command.entity)
    if not entity:
        raise Invalid.field("entity", "name the entity")
    cycle_of(uow, command.year)
    return domain.newest_first(uow.reminders.of(command.year, entity))


def send_due_reminders(uow, days: list[int]) -> list[dict]:
    """The reminders due today, `days` before the deadline of each cycle open today."""
    today = uow.clock.today()
    return [send_reminders(uow, Remind(cycle.year, d))
            for cycle in uow.cycles.all() if cycle.is_open and cycle.opens_on <= today
            for d in days if domain.reminder_due(cycle.deadline, d, today)]


def non_filers(uow, command: ListNonFilers) -> Page:
    """The filers of one entity who have not filed (outstanding or exempted)."""
    query = command.query
    entity = entity_asked(uow, query.entity)
    if not entity:
        raise Invalid.field("entity", "name the entity")
    cycle_of(uow, command.year)
    page = uow.filers.non_filers(command.year, entity, page_size(query.limit), query.cursor)
    return Page([f.non_filer_view() for f in page.items], page.next_cursor)


# ---- the verification sample ----

@retrying
def draw_verification_sample(uow, command: DrawSample) -> dict:
    """A stratified random sample of the filers who filed, stored once per cycle: the same
    request gets the same sample again, another one is a conflict."""
    year, request = command.year, command.request
    stored = uow.samples.get(year)
    if stored is not None:
        if stored.answers(request):
            return stored.view()
        raise stored.another_refused()
    with uow:
        cycle = changeable_cycle(uow, year)
        categories = uow.participants.categories()
        population = [{**f, "category": categories.get(f["entity"], "unclassified")}
                      for f in uow.filers.population(year)]
        sample = VerificationSample.draw(year, request, population)
        uow.samples.add(sample)
        changes = []
        for filer in uow.filers.many(year, sample.staff_ids).values():
            changes.append((filer.facts(), filer))
            filer.select_for_verification()
        save_changes(uow, cycle, changes, "select_for_verification")
        uow.commit()
    return sample.view()


def get_verification_sample(uow, year: int) -> dict:
    found = uow.samples.get(year)
    if found is None:
        raise NotFound(f"the {year} cycle has no verification sample yet")
    return found.view()


@retrying
def record_verification(uow, command: ForFiler) -> dict:
    return VERIFICATION.one(uow, command)


@retrying
def record_verifications(uow, command: Batch) -> dict:
    return VERIFICATION.many(uow, command)
