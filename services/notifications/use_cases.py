"""The notifications' use cases: keep what the events say about people, cycles, meetings and
consultations, and queue the messages each event or due moment makes.

An event's messages are queued in the same transaction as the consumer's tracking record, so a
redelivered event queues nothing. The schedule writes in chunks; each message's id derives from
the due moment and the recipient, so running it again (after a crash, or each hour) queues
nothing twice.
"""
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from shared.auth import READ_ALL, require
from shared.contracts.common import Actor, Role
from shared.kernel.errors import Invalid, NotYetKnown
from shared.kernel.ids import new_id
from shared.kernel.uow import retrying

from . import domain
from .domain import Cycle, Notices, Recipient, contacts_of, office

CONSUMER = "notifications"
CHUNK = 1000  # the schedule's messages written per transaction
REMINDER_KINDS = ("filing_reminder", "compliance_summary", "overdue_notice")


@dataclass(frozen=True)
class Settings:
    portal_url: str = "http://127.0.0.1:8000"
    eo_mail: str | None = None
    offsets: tuple[int, ...] = (14, 7, 1)
    consultation_reminder_days: int = 2


@dataclass
class Queued:
    """What one event or run queued: counted by the service's metrics."""
    queued: int = 0
    skipped: int = 0
    fallbacks: Counter = field(default_factory=Counter)

    def __iadd__(self, other: "Queued"):
        self.queued += other.queued
        self.skipped += other.skipped
        self.fallbacks.update(other.fallbacks)
        return self


# ---- queueing ----

def _deliveries(notices: Notices, settings: Settings, now: dt.datetime) -> tuple[list, Queued]:
    docs, summary = [], Queued(skipped=notices.skipped)
    for notice in notices.items:
        composed = domain.compose(notice.kind, notice.recipient.language, notice.values,
                                  settings.portal_url)
        if composed.fell_back:
            summary.fallbacks[notice.recipient.language] += 1
        docs.append({
            "_id": notice.id, "seq": new_id(), "entity": notice.recipient.entity,
            "kind": notice.kind, "recipient": notice.recipient.email,
            "name": notice.recipient.name, "language": notice.recipient.language,
            "subject": composed.subject, "values": notice.values, "calendar": notice.calendar,
            "year": notice.year, "cause": notice.cause, "state": "queued", "reason": None,
            "attempts": 0, "queued_at": now, "sent_at": None, "next_at": now})
    summary.queued = len(docs)
    return docs, summary


def _commit_event(uow, event_id: str, notices: Notices, settings: Settings) -> Queued:
    docs, summary = _deliveries(notices, settings, uow.clock.now())
    docs = uow.deliveries.new_only(docs)
    summary.queued = len(docs)
    uow.deliveries.queue(docs)
    uow.processing(CONSUMER, event_id)
    return summary if uow.commit() else Queued()


def _step(uow, event_id: str) -> bool:
    """Record an event that changes what the service keeps and sends nothing."""
    uow.processing(CONSUMER, event_id)
    return uow.commit()


# ---- who people are ----

def participant_enrolled(uow, event_id: str, event, settings: Settings) -> Queued:
    with uow:
        uow.people.set_focal_points(event.entity, [c.model_dump(mode="json")
                                                   for c in event.contacts])
        _step(uow, event_id)
    return Queued()


def member_contacts(uow, event_id: str, entity: str, contacts: list | None,
                    active: bool | None) -> Queued:
    """panel_member_joined, panel_member_contacts_changed, panel_member_left."""
    with uow:
        uow.people.set_member(entity, None if contacts is None else
                              [c.model_dump(mode="json") for c in contacts], active)
        _step(uow, event_id)
    return Queued()


def _focal_points(uow, entity: str) -> list[Recipient]:
    return contacts_of(entity, uow.people.focal_points(entity))


def _members(uow, entities: list[str] | None = None) -> list[Recipient]:
    return [r for entity, contacts in uow.people.members(entities).items()
            for r in contacts_of(entity, contacts)]


# ---- the disclosure cycle ----

def _filer_recipient(filer: dict) -> Recipient:
    return Recipient(filer.get("email"), "", filer.get("language") or "en", filer["entity"])


def _cycle_values(cycle: Cycle, entity: str | None = None) -> dict:
    values = {"year": cycle.year, "opens_on": cycle.opens_on.isoformat(),
              "deadline": cycle.deadline.isoformat(), "link": f"/filer/{cycle.year}/statement"}
    if entity:
        values.update(entity=entity, link=f"/focal/{entity}/compliance/{cycle.year}")
    return values


def _opening(cycle: Cycle) -> str:
    """One opening notice per person and cycle, whichever event told the service of them."""
    return f"cycle:{cycle.year}:opened"


@retrying
def cycle_opened(uow, event_id: str, event, settings: Settings) -> Queued:
    with uow:
        known = uow.cycles.get(event.year)
        uow.cycles.take_turn(event.year)
        # the closing may arrive first (another queue): a cycle known closed stays closed
        cycle = Cycle(event.year, event.opens_on, event.deadline, bool(known and known.closed))
        uow.cycles.save(cycle)
        notices = Notices()
        if cycle.closed:
            return _commit_event(uow, event_id, notices, settings)
        for entity in uow.people.participants():
            for recipient in _focal_points(uow, entity):
                notices.add("cycle_opened_focal", [recipient],
                            {**_cycle_values(cycle, entity), "name": recipient.name},
                            _opening(cycle), year=cycle.year)
        notices.add("cycle_opened_filer", map(_filer_recipient, uow.filers.enrolled(cycle.year)),
                    _cycle_values(cycle), _opening(cycle), year=cycle.year)
        return _commit_event(uow, event_id, notices, settings)


@retrying
def cycle_closed(uow, event_id: str, event, settings: Settings) -> Queued:
    with uow:
        cycle = uow.cycles.get(event.year) or Cycle(event.year, event.closed_on,
                                                    event.closed_on)
        uow.cycles.take_turn(event.year)
        cycle.closed = True
        uow.cycles.save(cycle)
        _step(uow, event_id)
    return Queued()


@retrying
def filers_enrolled(uow, event_id: str, event, settings: Settings) -> Queued:
    """Filers enrolled while their cycle is open are told at once what the others were told
    when it opened."""
    with uow:
        cycle = uow.cycles.get(event.year)
        uow.cycles.take_turn(event.year)
        filers = [{"year": event.year, "staff_id": f.staff_id, "entity": f.entity,
                   "email": f.email, "language": f.language.value} for f in event.filers]
        uow.filers.enrol(event.year, filers)
        notices = Notices()
        today = uow.clock.today()
        if cycle and cycle.is_open(today) and today <= cycle.deadline:
            notices.add("cycle_opened_filer", map(_filer_recipient, filers),
                        _cycle_values(cycle), _opening(cycle), year=cycle.year)
        return _commit_event(uow, event_id, notices, settings)


def filer_changes(uow, event_id: str, changes: list, settings: Settings) -> Queued:
    """statement_filed, filer_exempted, review_recorded, public_disclosure_decided,
    public_disclosure_approved and public_disclosure_returned, alone or folded in one
    filer_changes_recorded: `changes` is
    [(type, payload model)]."""
    marking = ("statement_filed", "filer_exempted")
    with uow:
        notices = Notices()
        uow.filers.mark([(c.year, c.staff_id, c.entity,
                          "filed" if kind == "statement_filed" else "exempt")
                         for kind, c in changes if kind in marking])
        told = [c for kind, c in changes if kind not in marking]
        known = {(year, staff_id): filer for year in {c.year for c in told}
                 for staff_id, filer in uow.filers.many(
                     year, [c.staff_id for c in told if c.year == year]).items()}
        for kind, change in changes:
            filer = known.get((change.year, change.staff_id))
            if kind in marking or filer is None:
                continue
            recipient, cause = _filer_recipient(filer), f"{event_id}:{change.staff_id}"
            if kind == "review_recorded" and change.outcome.value == "conflicts_found":
                notices.add("review_outcome", [recipient], {
                    "year": change.year, "matters": sum(change.conflicts.values()) or 1,
                    "types": sorted(t.value for t in change.conflicts) or ["other"],
                    "link": f"/filer/{change.year}/statement"}, cause, year=change.year)
            elif kind == "public_disclosure_decided" and not change.publish:
                notices.add("public_disclosure_declined", [recipient], {
                    "year": change.year, "link": f"/filer/{change.year}/public-disclosure",
                    "reason": change.declined_reason.value if change.declined_reason else ""},
                    cause, year=change.year)
            elif kind == "public_disclosure_approved":  # a summary is published once approved
                notices.add("public_disclosure_published", [recipient], {
                    "year": change.year, "link": f"/filer/{change.year}/public-disclosure",
                    "reason": ""}, cause, year=change.year)
            elif kind == "public_disclosure_returned":  # to change and decide again
                notices.add("public_disclosure_returned", [recipient], {
                    "year": change.year, "link": f"/filer/{change.year}/public-disclosure",
                    "reason": change.reason}, cause, year=change.year)
        return _commit_event(uow, event_id, notices, settings)


def _reminders(uow, due: domain.Due, entities: list[str], non_filers: dict[str, list[dict]],
               settings: Settings) -> Notices:
    """The filers' reminders (not for the overdue notice) and the focal points' summaries."""
    notices = Notices()
    base = {"year": due.year, "deadline": due.deadline.isoformat(),
            "days_before": due.days_before}
    if not due.overdue:
        for entity in entities:
            notices.add("filing_reminder", map(_filer_recipient, non_filers.get(entity, [])),
                        {**base, "link": f"/filer/{due.year}/statement"}, due.key, year=due.year)
    kind = "overdue_notice" if due.overdue else "compliance_summary"
    for entity in entities:
        counts = uow.filers.counts(due.year, entity)
        if not counts["outstanding"]:
            continue
        values = {**base, **counts, "entity": entity,
                  "link": f"/focal/{entity}/compliance/{due.year}",
                  "non_filers_link": f"/focal/{entity}/compliance/{due.year}/non-filers.csv"}
        for recipient in [*_focal_points(uow, entity), *office(settings.eo_mail)]:
            notices.add(kind, [recipient], {**values, "name": recipient.name},
                        f"{due.key}:{entity}", year=due.year)
    return notices


def _filer_reminder(uow, due: domain.Due, event, event_id: str) -> Notices:
    """One filer's reminder, to that filer alone while it has not filed; its message derives
    from the event, so another day's reminder is another message."""
    filer = uow.filers.get(event.year, event.staff_id)
    notices = Notices()
    if filer is not None and filer.get("state") == "enrolled" and not due.overdue:
        notices.add("filing_reminder", [_filer_recipient(filer)], {
            "year": due.year, "deadline": due.deadline.isoformat(),
            "days_before": due.days_before, "link": f"/filer/{due.year}/statement"},
            f"{event_id}:{event.staff_id}", year=due.year)
    return notices


def reminder_requested(uow, event_id: str, event, settings: Settings) -> Queued:
    """compliance_reminder_due: the reminders one entity's focal point (or the Office) asked
    for, under the schedule's rules; naming one filer (`staff_id`), that filer's alone."""
    with uow:
        cycle = uow.cycles.get(event.year)
        unknown = set(event.non_filers) - uow.filers.known(event.year, event.entity)
        if cycle is None or unknown:
            raise NotYetKnown(f"the {event.year} cycle's opening or the enrolment of "
                              f"{len(unknown)} of its non-filers has not arrived yet")
        due = domain.on_demand(cycle, uow.clock.today(), event.days_before)
        notices = Notices()
        if due and event.staff_id:
            notices = _filer_reminder(uow, due, event, event_id)
        elif due:
            wanted = set(event.non_filers)
            non_filers = [f for f in uow.filers.outstanding(event.year, event.entity)
                          if not wanted or f["staff_id"] in wanted]
            notices = _reminders(uow, due, [event.entity], {event.entity: non_filers}, settings)
        return _commit_event(uow, event_id, notices, settings)


def run_schedule(uow_factory, settings: Settings) -> Queued:
    """The reminders due today for every cycle, in chunks of `CHUNK` messages."""
    total = Queued()
    with uow_factory() as uow:
        today, cycles = uow.clock.today(), uow.cycles.all()
    for cycle in cycles:
        due = domain.due(cycle, today, list(settings.offsets))
        if due is None:
            continue
        with uow_factory() as uow:
            outstanding = uow.filers.outstanding(cycle.year)
            non_filers: dict[str, list[dict]] = {}
            for filer in outstanding:
                non_filers.setdefault(filer["entity"], []).append(filer)
            notices = _reminders(uow, due, sorted(non_filers), non_filers, settings)
        total += _queue_in_chunks(uow_factory, notices, settings)
    total += consultation_reminders(uow_factory, settings)
    return total


def _queue_in_chunks(uow_factory, notices: Notices, settings: Settings) -> Queued:
    summary = Queued(skipped=notices.skipped)
    for start in range(0, len(notices.items), CHUNK):
        chunk = Notices(notices.items[start:start + CHUNK])
        with uow_factory() as uow:
            docs, queued = _deliveries(chunk, settings, uow.clock.now())
            docs = uow.deliveries.new_only(docs)
            uow.deliveries.queue(docs)
            uow.commit()
        queued.queued = len(docs)
        summary += queued
    return summary


# ---- the Panel ----

def _meeting_values(meeting: dict) -> dict:
    return {"meeting_kind": meeting["kind"], "day": meeting["day"], "agenda": meeting["agenda"],
            "link": f"/panel/meetings/{meeting['id']}"}


def _meeting_notices(uow, meeting: dict, kind: str, event_id: str, settings: Settings):
    notices = Notices()
    recipients = [*_members(uow, meeting["invited"] or None), *office(settings.eo_mail)]
    calendar = {"id": meeting["id"], "day": meeting["day"], "sequence": meeting["sequence"],
                "cancelled": kind == "meeting_cancelled"}
    for recipient in recipients:
        notices.add(kind, [recipient], {**_meeting_values(meeting), "name": recipient.name},
                    event_id, calendar=calendar)
    return notices


def meeting_convened(uow, event_id: str, event, settings: Settings) -> Queued:
    with uow:
        meeting = {"id": event.id, "kind": event.kind.value, "day": event.scheduled_for.isoformat(),
                   "agenda": list(event.agenda), "invited": list(event.invited), "sequence": 0,
                   "cancelled": False}
        uow.meetings.save(meeting)
        return _commit_event(uow, event_id, _meeting_notices(
            uow, meeting, "meeting_invitation", event_id, settings), settings)


def meeting_changed(uow, event_id: str, event, cancelled: bool, settings: Settings) -> Queued:
    """meeting_rescheduled (an update, SEQUENCE + 1) or meeting_cancelled (METHOD:CANCEL)."""
    with uow:
        meeting = uow.meetings.get(event.id)
        if meeting is None:
            _step(uow, event_id)
            return Queued()
        meeting["sequence"] += 1
        if cancelled:
            meeting["cancelled"] = True
        else:
            meeting["day"] = event.scheduled_for.isoformat()
        uow.meetings.save(meeting)
        kind = "meeting_cancelled" if cancelled else "meeting_update"
        return _commit_event(uow, event_id, _meeting_notices(uow, meeting, kind, event_id,
                                                             settings), settings)


def _consultation_values(consultation: dict) -> dict:
    return {"topic": consultation["topic"], "respond_by": consultation["respond_by"],
            "link": f"/panel/consultations/{consultation['id']}"}


def consultation_opened(uow, event_id: str, event, settings: Settings) -> Queued:
    with uow:
        consultation = {"id": event.id, "topic": event.topic,
                        "respond_by": event.respond_by.isoformat(), "answered": [],
                        "concluded": False}
        uow.consultations.save(consultation)
        notices = Notices()
        for recipient in _members(uow):
            notices.add("consultation_invitation", [recipient],
                        {**_consultation_values(consultation), "name": recipient.name}, event_id)
        return _commit_event(uow, event_id, notices, settings)


def consultation_changed(uow, event_id: str, consultation_id: str, change: dict) -> Queued:
    """position_submitted (`answered`: an entity) and consultation_extended (`respond_by`)."""
    with uow:
        consultation = uow.consultations.get(consultation_id)
        if consultation is not None:
            if "answered" in change and change["answered"] not in consultation["answered"]:
                consultation["answered"].append(change["answered"])
            if "respond_by" in change:
                consultation["respond_by"] = change["respond_by"]
            uow.consultations.save(consultation)
        _step(uow, event_id)
    return Queued()


def consultation_concluded(uow, event_id: str, event, settings: Settings) -> Queued:
    with uow:
        consultation = uow.consultations.get(event.id) or {
            "id": event.id, "topic": event.topic, "respond_by": event.concluded_on.isoformat(),
            "answered": list(event.answered)}
        consultation["concluded"] = True
        uow.consultations.save(consultation)
        values = {**_consultation_values(consultation), "topic": event.topic,
                  "concluded_on": event.concluded_on.isoformat(), "outcome": event.outcome,
                  "guidance": event.guidance}
        notices = Notices()
        for recipient in [*_members(uow), *office(settings.eo_mail)]:
            notices.add("consultation_concluded", [recipient],
                        {**values, "name": recipient.name}, event_id)
        return _commit_event(uow, event_id, notices, settings)


def consultation_reminders(uow_factory, settings: Settings) -> Queued:
    """Before `respond_by`, a reminder to the members that have not answered (once for each
    answering day: an extension makes a new one)."""
    summary = Queued()
    with uow_factory() as uow:
        today, open_ = uow.clock.today(), uow.consultations.open()
    for consultation in open_:
        respond_by = dt.date.fromisoformat(consultation["respond_by"])
        window = respond_by - dt.timedelta(days=settings.consultation_reminder_days)
        if not window <= today <= respond_by:
            continue
        with uow_factory() as uow:
            members = uow.people.members(None)
            waiting = [e for e in members if e not in consultation["answered"]]
            notices = Notices()
            for recipient in _members(uow, waiting):
                notices.add("consultation_reminder", [recipient],
                            {**_consultation_values(consultation), "name": recipient.name},
                            f"consultation:{consultation['id']}:{consultation['respond_by']}")
        summary += _queue_in_chunks(uow_factory, notices, settings)
    return summary


def figures_submitted(uow, event_id: str, event, settings: Settings) -> Queued:
    """A receipt to the member office (its Panel contacts and focal points) naming the
    version of its annual figures."""
    with uow:
        values = {"entity": event.entity, "period": event.period, "version": event.version,
                  "link": f"/focal/{event.entity}/figures/{event.period}"}
        notices = Notices()
        for recipient in [*_members(uow, [event.entity]), *_focal_points(uow, event.entity),
                          *office(settings.eo_mail)]:
            notices.add("figures_receipt", [recipient], {**values, "name": recipient.name},
                        event_id)
        return _commit_event(uow, event_id, notices, settings)


# ---- reading it back ----

DELIVERY_READERS = READ_ALL
LIMIT_MAX = 500


@dataclass(frozen=True)
class DeliveryQuery:
    recipient: str | None = None
    kind: str | None = None
    since: dt.datetime | None = None
    cursor: str | None = None
    limit: int = 50


def deliveries(uow, actor: Actor, query: DeliveryQuery) -> dict:
    require(actor, DELIVERY_READERS)
    if not 1 <= query.limit <= LIMIT_MAX:
        raise Invalid.field("limit", f"a page holds 1 to {LIMIT_MAX} deliveries")
    if query.kind and query.kind not in domain.kinds():
        raise Invalid.field("kind", "no such kind of message")
    items = uow.deliveries.page(query.recipient, query.kind, query.since, query.cursor,
                                query.limit + 1)
    more = len(items) > query.limit
    items = items[:query.limit]
    return {"items": [_delivery_item(d) for d in items],
            "next": items[-1]["seq"] if more else None}


def _delivery_item(doc: dict) -> dict:
    def when(value):
        return value.isoformat() if value else None
    return {"id": doc["_id"], "kind": doc["kind"], "recipient": doc["recipient"],
            "language": doc["language"], "subject": doc["subject"], "state": doc["state"],
            "reason": doc.get("reason"), "attempts": doc.get("attempts", 0),
            "queued_at": when(doc.get("queued_at")), "sent_at": when(doc.get("sent_at"))}


def last_reminders(uow, actor: Actor, year: int, entity: str) -> dict:
    """The day `entity` was last sent a reminder of cycle `year` (None: never)."""
    require(actor, DELIVERY_READERS | {Role.focal_point}, entity=entity)
    last = uow.deliveries.last_queued(year, entity, REMINDER_KINDS)
    return {"entity": entity, "year": year,
            "last_reminder_on": last.date().isoformat() if last else None}
