"""Reporting's use cases, `(uow, command) -> result`: events applied to the read models, the
reports read from them, and the rebuild of the read models from every service's event log.

Events are applied to every live generation of the read models (the active one and, during a
rebuild, the one being built), each at most once per generation: a generation's tracking records
are written with its changes, in one transaction.
"""
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Callable, Iterator

from pydantic import BaseModel

from shared.auth import require_entity
from shared.contracts.common import ETHICS_OFFICE
from shared.contracts.envelope import Envelope
from shared.contracts.periods import last_finished_period, period_bounds
from shared.contracts.reporting import ReportKind
from shared.kernel.batch import pause
from shared.kernel.errors import Invalid, NotFound, PermanentFailure, StaleState
from shared.kernel.uow import retrying

from . import domain, programme
from . import report as reports
from .domain import CLAIMED, Generations, consumer_of
from .domain.issues import IssuedReport, changes_between, check_as_of
from .projections import project, weight
from .system_wide import system_wide as system_wide_report
from .view import AsOf

log = logging.getLogger(__name__)

Delivered = tuple[Envelope, BaseModel]  # an envelope and its payload as its model

SOURCES = ("intake", "disclosure", "panel", "reporting")
STALE_AFTER = dt.timedelta(minutes=5)  # a rebuild with no progress for this long was lost
CHUNK_WEIGHT = 3000  # records a replay changes per transaction, about
YEARS_BEFORE = 4  # figure V on its own shows, by default, this year and the four before


# ---- commands ----

@dataclass(frozen=True)
class AnnualReport:
    period: str
    entity: str | None = None  # the Ethics Office's, or an entity-scoped actor's own
    as_of: dt.date | None = None  # default: today
    version: int | None = None  # an issued version, instead of the live report


@dataclass(frozen=True)
class SystemWide:
    period: str
    as_of: dt.date | None = None
    version: int | None = None


@dataclass(frozen=True)
class Annex:
    year: int
    as_of: dt.date | None = None
    version: int | None = None


@dataclass(frozen=True)
class Participation:
    first: int | None = None
    last: int | None = None
    as_of: dt.date | None = None


@dataclass(frozen=True)
class UnitCost:
    first: int | None = None
    last: int | None = None
    as_of: dt.date | None = None


@dataclass(frozen=True)
class IssueReport:
    """Freeze the report `report` of `key` (a period, or a cycle year) as it stands on `as_of`."""
    report: ReportKind
    key: str
    as_of: dt.date
    symbol: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class IssuedVersions:
    report: ReportKind
    key: str


@dataclass(frozen=True)
class Replay:
    """Events read from an event log (a model of None: no contract reads it) for `generation`."""
    generation: int
    events: list[tuple[Envelope, BaseModel | None]]


@dataclass(frozen=True)
class Rebuild:
    """Replay into `generation` what `fetch(source, after)` gives, a page of envelopes at a time
    after the event `after` (None: from the start), until a page is empty."""
    generation: int
    fetch: Callable[[str, str | None], list[Envelope]]


# ---- events into the read models ----

@retrying
def apply_events(uow, events: list[Delivered]) -> set[str]:
    """Apply delivered events, `(envelope, event)` pairs, to the live generations in one
    transaction: each event once per generation. Returns the ids of the events new to one.

    A delivery is almost always new: its changes are written without first reading which
    events the generations hold, and only when a tracking record says one was there already
    is the group written again with that read."""
    unique = _by_id(events)
    changes: dict[str, list] = {}
    try:
        return _apply(uow, unique, None, delivered_changes, changes, read_held=False)
    except _HeldAlready:
        return _apply(uow, unique, None, delivered_changes, changes)


@retrying
def replay_events(uow, command: Replay) -> int:
    """Apply events to one generation in one transaction (skipping those it holds already);
    returns how many were new to it. Events no projection can read change nothing, as the live
    consumer dead-letters them."""
    return len(_apply(uow, _by_id(command.events), [command.generation], replayed_changes, {}))


class _HeldAlready(Exception):
    """A group written as new held an event that a generation had applied already."""


def _by_id(events: list) -> dict:
    """`(envelope, event)` pairs by event id, each once."""
    return {envelope.event_id: (envelope, event) for envelope, event in events}


def _apply(uow, unique: dict, generations: list[int] | None, changes_of, changes: dict,
           read_held: bool = True) -> set[str]:
    """The events of `unique` new to each generation, applied in one transaction (their
    changes kept in `changes` for another attempt); without `read_held`, every event is taken
    as new, and _HeldAlready is raised when one was not."""
    applied: set = set()
    with uow:
        for generation in generations or uow.generations.get().live():
            held = uow.models.held(generation, list(unique)) if read_held else set()
            fresh = [event_id for event_id in unique if event_id not in held]
            for event_id in fresh:
                if event_id not in changes:
                    changes[event_id] = changes_of(*unique[event_id])
            if fresh:
                uow.models.apply(generation, [c for i in fresh for c in changes[i]])
                uow.processing_many(consumer_of(generation), fresh)
                applied.update(fresh)
        if applied and not uow.commit():
            if not read_held:
                raise _HeldAlready
            raise StaleState("another writer applied some of these events meanwhile")
    return applied


def delivered_changes(envelope: Envelope, event: BaseModel) -> list:
    try:
        return project(event, envelope.occurred_at.isoformat())
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentFailure(f"no projection can read this {envelope.type} event: {exc!r}")


def replayed_changes(envelope: Envelope, event: BaseModel | None) -> list:
    try:
        return project(event, envelope.occurred_at.isoformat()) if event is not None else []
    except (KeyError, TypeError, ValueError) as exc:
        log.error("replay skips %s event %s: %r", envelope.type, envelope.event_id, exc)
        return []


def readable(envelope: Envelope) -> tuple[Envelope, BaseModel | None]:
    """An envelope of an event log with its payload as its model, or None when none reads it."""
    try:
        return envelope, envelope.parsed()
    except (KeyError, ValueError) as exc:
        log.error("replay skips %s event %s: %r", envelope.type, envelope.event_id, exc)
        return envelope, None


# ---- the reports ----

def annual_report(uow, query: AnnualReport) -> dict:
    actor = uow.actor
    entity = query.entity or (actor.entity if actor.entity_scoped else ETHICS_OFFICE)
    if entity is None:
        raise Invalid.field("entity", "an entity code, for example EO or UNHCR")
    require_entity(actor, entity)
    if query.version is not None:
        if entity != ETHICS_OFFICE:
            raise Invalid.field("version", "issued versions are of the Ethics Office's report")
        return issued_version(uow, ReportKind.annual, query.period, query.version, query.as_of)
    report = _annual(uow, entity, query.period, query.as_of)
    if entity == ETHICS_OFFICE:
        report["changes_since_issue"] = changes_since_issue(uow, ReportKind.annual,
                                                            query.period, report)
    return report


def system_wide(uow, query: SystemWide) -> dict:
    if query.version is not None:
        return issued_version(uow, ReportKind.system_wide, query.period, query.version,
                              query.as_of)
    report = _system_wide(uow, query.period, query.as_of)
    report["changes_since_issue"] = changes_since_issue(uow, ReportKind.system_wide,
                                                        query.period, report)
    return report


def annex(uow, query: Annex) -> dict:
    if query.version is not None:
        return issued_version(uow, ReportKind.annex, str(query.year), query.version,
                              query.as_of)
    report = _annex(uow, str(query.year), query.as_of)
    report["changes_since_issue"] = changes_since_issue(uow, ReportKind.annex,
                                                        str(query.year), report)
    return report


def _annual(uow, entity: str, period: str, as_of: dt.date | None) -> dict:
    return reports.annual_report(as_of_view(uow, as_of, *_period_start(period)), entity, period)


def _system_wide(uow, period: str, as_of: dt.date | None) -> dict:
    return system_wide_report(as_of_view(uow, as_of, *_period_start(period)), period)


def _annex(uow, key: str, as_of: dt.date | None) -> dict:
    year = int(key)
    view = as_of_view(uow, as_of, *_cycle_start(uow, year))
    return programme.annex(year, view.fdp(year), view.directory(), view.iso)


def _period_start(period: str) -> tuple[dt.date, str]:
    return period_bounds(period)[0], f"the period {period}"


def _cycle_start(uow, year: int) -> tuple[dt.date, str]:
    """The day a cycle opened (1 March of its year when reporting has not heard of it)."""
    opens_on = (active_view(uow).cycle(year) or {}).get("opens_on")
    return (dt.date.fromisoformat(opens_on) if opens_on else dt.date(year, 3, 1),
            f"the {year} cycle")


def participation(uow, query: Participation) -> dict:
    """Figure V for the cycles `first` to `last` (by default this year and the four before)."""
    this_year = uow.clock.today().year
    first = query.first if query.first is not None else this_year - YEARS_BEFORE
    last = query.last if query.last is not None else this_year
    if first > last:
        raise Invalid.field("from", "must not be after 'to'")
    return programme.participation(as_of_view(uow, query.as_of), first, last)


def unit_cost(uow, query: UnitCost) -> dict:
    """The unit cost per filer of each cycle from `first` to `last` (every cycle by default)."""
    if query.first is not None and query.last is not None and query.first > query.last:
        raise Invalid.field("from", "must not be after 'to'")
    return programme.unit_cost(as_of_view(uow, query.as_of), query.first, query.last)


def as_of_view(uow, as_of: dt.date | None, starts: dt.date | None = None,
               what: str = "") -> AsOf:
    """The active read models as of `as_of`, which must have come and, for a report of a period
    or cycle, not be before it begins; by default as of today (everything recorded)."""
    today = uow.clock.today()
    if as_of is not None:
        check_as_of(as_of, today, starts or dt.date.min, what)
    return AsOf(active_view(uow), as_of or today, today)


# ---- issued versions ----

ISSUABLE = {ReportKind.annual: lambda uow, key, as_of: _annual(uow, ETHICS_OFFICE, key, as_of),
            ReportKind.system_wide: _system_wide, ReportKind.annex: _annex}


@retrying
def issue_report(uow, command: IssueReport) -> dict:
    """Freeze the report as it stands on `as_of` as its next version: `{version, issued_at,
    as_of, created}`; the same day and the same report again gives the version issued
    already (created False)."""
    document = ISSUABLE[command.report](uow, command.key, command.as_of)
    actor = uow.actor
    with uow:
        issued, created = IssuedReport.issue(
            uow.issues.latest(command.report, command.key), command.report, command.key,
            document, command.as_of, command.symbol, command.note, uow.clock.now(),
            actor.label or actor.role.value)
        if created:
            uow.issues.add(issued)
            uow.audit("issue_report", f"reports/{command.report.value}/{command.key}/issues/"
                      f"{issued.version}", ETHICS_OFFICE)
            uow.commit()
    return {"version": issued.version, "issued_at": issued.issued_at, "as_of": issued.as_of,
            "created": created}


def issued_versions(uow, query: IssuedVersions) -> dict:
    return {"report": query.report, "key": query.key,
            "items": [v.summary() for v in uow.issues.versions(query.report, query.key)]}


def issued_version(uow, report: ReportKind, key: str, version: int,
                   as_of: dt.date | None = None) -> dict:
    """Exactly what was issued as `version`, with the facts of its issue."""
    if as_of is not None:
        raise Invalid.field("as_of", "an issued version counts to the day it was issued as of; "
                                     "give either version or as_of")
    issued = uow.issues.get(report, key, version)
    if issued is None:
        raise NotFound(f"no version {version} of the {report.value} report of {key}")
    return {**issued.content(), "issue": jsonable(issued.summary())}


def changes_since_issue(uow, report: ReportKind, key: str, live: dict) -> dict | None:
    """How the live report differs from its latest issued version (None: none was issued)."""
    latest = uow.issues.latest(report, key)
    if latest is None:
        return None
    return {"version": latest.version, "as_of": latest.as_of.isoformat(),
            "changes": changes_between(latest.content(), live)}


def jsonable(summary: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v
            for k, v in summary.items()}


def catalogue(uow) -> dict:
    """The periods and cycles the read models hold records of, each with the versions of its
    reports that were issued (`{version, as_of, symbol}`)."""
    view = active_view(uow)
    issued: dict = {}
    for doc in view.issued():
        issued[(doc["report"], doc["key"])] = [
            {"version": int(n), **v} for n, v in sorted(doc.get("versions", {}).items(),
                                                      key=lambda item: int(item[0]))]
    periods = sorted({d["period"] for d in view._docs("tallies")}
                     | {d["period"] for d in view._docs("submitted")}
                     | {key for report, key in issued if report != "annex"}, reverse=True)
    years = sorted({c["year"] for c in view.cycles()}
                   | {int(key) for report, key in issued if report == "annex"}, reverse=True)
    return {"periods": [{"period": p, "annual": issued.get(("annual", p), []),
                         "system_wide": issued.get(("system-wide", p), [])} for p in periods],
            "years": [{"year": y, "annex": issued.get(("annex", str(y)), [])} for y in years]}


def directory(uow) -> list[dict]:
    """The entities reporting knows of, by code."""
    return [{"code": code, **{k: d.get(k) for k in ("name", "category", "parent")}}
            for code, d in sorted(active_view(uow).directory().items())]


def figures_missing(uow) -> dict[str, int]:
    """Per Panel member, 1 when it has no annual figures (submitted or recorded) for the last
    finished reporting period, else 0."""
    view = active_view(uow)
    period = last_finished_period(uow.clock.today())
    members = sorted(m["entity"] for m in view.members() if m.get("member"))
    return domain.figures_missing(members, view.has_submitted(period),
                                  view.has_records(period))


def active_view(uow):
    return uow.models.view(uow.generations.get().active)


# ---- rebuilding the read models ----

def begin_rebuild(uow) -> int:
    """Claim the rebuild (Conflict while another runs) and prepare a fresh generation for it;
    returns its number."""
    before, claimed = _change_state(uow, lambda state, now: state.claim(now, STALE_AFTER))
    if before.stalled() is not None:
        uow.models.drop(before.stalled())
    generation = claimed.newest
    uow.models.drop(generation)
    uow.models.prepare(generation)
    _change_state(uow, lambda state, now: state.building_now(generation, now)
                  if state.building == CLAIMED else None)
    return generation


def rebuild(uow, command: Rebuild) -> int:
    """Replay every source's events into the generation being built, in chunks of about
    `CHUNK_WEIGHT` records, noting progress after each page; returns how many were new to it."""
    replayed = 0
    for source in SOURCES:
        after = None
        while page := command.fetch(source, after):
            for chunk in chunks([readable(envelope) for envelope in page]):
                replayed += replay_events(uow, Replay(command.generation, chunk))
                pause()
            after = page[-1].event_id
            _change_state(uow, lambda state, now: state.progressed(replayed, now)
                          if state.building == command.generation else None)
    return replayed


def chunks(events: list, limit: int = CHUNK_WEIGHT) -> Iterator[list]:
    chunk: list = []
    load = 0
    for envelope, event in events:
        size = weight(event) if event is not None else 1
        if chunk and load + size > limit:
            yield chunk
            chunk, load = [], 0
        chunk.append((envelope, event))
        load += size
    if chunk:
        yield chunk


def finish_rebuild(uow, generation: int) -> int | None:
    """Make `generation` the active one; returns the generation it replaces (None when the
    rebuild was no longer `generation`'s)."""
    before, after = _change_state(uow, lambda state, now: state.finished(now)
                                  if state.building == generation else None)
    return before.active if after is not None else None


def abandon_rebuild(uow, generation: int, error: str):
    """The rebuild failed: the active generation stays, and `generation` is dropped."""
    _change_state(uow, lambda state, now: state.abandoned(error)
                  if state.building == generation else None)
    uow.models.drop(generation)


def drop_generation(uow, generation: int):
    uow.models.drop(generation)


def rebuild_status(uow) -> dict:
    state = uow.generations.get()
    return {"active": state.active, "building": state.building, "running": state.running,
            "replayed": state.replayed, "error": state.error,
            **{k: getattr(state, k).isoformat() if getattr(state, k) else None
               for k in ("started_at", "finished_at")}}


@retrying
def _change_state(uow, change: Callable[[Generations, dt.datetime], Generations | None]):
    """`change(state, now)` made to the generations' state; None or the same state changes
    nothing. Returns the state before and after."""
    with uow:
        before = uow.generations.get()
        after = change(before, uow.clock.now())
        if after is not None and after != before:
            uow.generations.save(before, after)
            uow.commit()
    return before, after
