"""Reporting's rules, in plain Python: how each event changes the read models.

A projection turns one event into changes of small read-model documents:
- `Add`: counters to increase on one document (created at zero). The store sums the Adds of an
  event per document, so a batch of 10,000 service requests becomes a few `$inc` updates.
- `Revise`: a record whose new state is `change(before)`. When the record feeds counters
  (`feeds(record) -> [Add]`), the counters move by what it feeds after minus what it fed before.

Events of different types travel on different queues and are handled by concurrent workers, so
they may arrive in any order: every change here commutes (counters add up, a record's fields are
set by one kind of event each, and "latest wins" compares the events' own times or versions).

Keys: every document carries `entity`. The programme-wide models (`fdp`, `enrolment`, `cycles`,
`samples`) and the Panel's own records (`meetings`, `consultations`) belong to the Ethics Office,
which runs the programme and chairs the Panel; an `fdp` document names the filers' entity in
`unit`, and a cycle's `enrolment` document counts its filers by entity (figure V reads a few of
those rather than every entity's `fdp` document of every year).
"""
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable, Optional

from shared.contracts.common import ETHICS_OFFICE, period_of

# ---- periods and cycles ----


def cycle_of_period(period: str) -> int:
    """The disclosure cycle a period's report covers: the cycle named by the period's first year.

    The 2014 cycle opens on 1 March 2014, five months before the 2014/15 period starts, and its
    filing, review and verification are what the 2014/15 report gives (A/70/307 paras 21-30):
    so the 2014-15 report shows the 2014 cycle, the 2015 cycle (opened 2015-03-01, still
    enrolling on 31 July 2015) belongs to the 2015-16 report."""
    return int(period[:4])


def last_finished_period(today: dt.date) -> str:
    """The latest reporting period that has ended by `today`."""
    return earlier_periods(period_of(today), 2)[0]


def earlier_periods(period: str, count: int) -> list[str]:
    """`count` periods ending with `period`, oldest first."""
    start = int(period[:4])
    return [f"{y}-{(y + 1) % 100:02d}" for y in range(start - count + 1, start + 1)]


# ---- the changes a projection asks for ----


@dataclass
class Add:
    model: str
    key: dict
    amounts: dict


@dataclass
class Revise:
    model: str
    key: dict
    change: Callable[[Optional[dict]], dict]
    feeds: Optional[Callable[[dict], list]] = None


def setting(**fields) -> Callable[[Optional[dict]], dict]:
    """A change that sets `fields` and keeps the rest of the record."""
    return lambda before: {**(before or {}), **fields}


def latest(at: str, **fields) -> Callable[[Optional[dict]], dict]:
    """Set `fields` unless the record already holds a later state (`as_of` compares ISO times)."""
    def change(before):
        if before and before.get("as_of", "") > at:
            return before
        return {**(before or {}), **fields, "as_of": at}
    return change


def adding_to(list_field: str, *values) -> Callable[[Optional[dict]], dict]:
    def change(before):
        before = before or {}
        return {**before, list_field: sorted({*before.get(list_field, []), *values})}
    return change


def counter_changes(before: list, after: list) -> list:
    """The Adds that turn the counters fed by `before` into those fed by `after`."""
    totals: dict = {}
    for sign, adds in ((-1, before), (1, after)):
        for add in adds:
            slot = totals.setdefault((add.model, tuple(sorted(add.key.items()))), Counter())
            for name, amount in add.amounts.items():
                slot[name] += sign * amount
    return [Add(model, dict(key), {n: a for n, a in amounts.items() if a})
            for (model, key), amounts in totals.items() if any(amounts.values())]


def merged(adds: list) -> list:
    """The same Adds summed per document."""
    return counter_changes([], adds)


# ---- the registry of projections ----

PROJECTIONS: dict[str, Callable] = {}


def projects(*event_types: str):
    def register(fn):
        for event_type in event_types:
            PROJECTIONS[event_type] = fn
        return fn
    return register


def project(event_type: str, payload: dict, occurred_at: str) -> list:
    """The read-model changes an event makes; KeyError when no projection knows its type."""
    return PROJECTIONS[event_type](event_type, payload, occurred_at)


# ---- the directory ----

@projects("entity_registered")
def entity_registered(_, p, at):
    key = {"entity": p["code"]}
    return [Revise("directory", key, setting(name=p["name"], category=p["category"],
                                             parent=p.get("parent"))),
            Add("directory", key, {"registrations": 1})]


# ---- intake: service requests, activities, retaliation, annual figures ----

def request_amounts(record: dict) -> Counter:
    amounts = Counter({"total": 1, f"category.{record['category']}": 1,
                       f"source.{record['source']}": 1})
    if record.get("advice_topic"):
        amounts[f"topic.{record['advice_topic']}"] += 1
    return amounts


@projects("service_request_logged")
def service_request_logged(_, p, at):
    return [Add("tallies", {"entity": p["entity"], "period": p["period"]},
                {f"requests.{k}": v for k, v in request_amounts(p).items()})]


@projects("service_request_batch_logged")
def service_request_batch_logged(_, p, at):
    per_document: dict = defaultdict(Counter)
    for record in p["requests"]:
        per_document[(record["entity"], record["period"])].update(request_amounts(record))
    return [Add("tallies", {"entity": entity, "period": period},
                {f"requests.{k}": v for k, v in amounts.items()})
            for (entity, period), amounts in sorted(per_document.items())]


@projects("activity_recorded")
def activity_recorded(_, p, at):
    return [Add("tallies", {"entity": p["entity"], "period": p["period"]},
                {"activities.total": 1, "activities.participants": p["participants"],
                 f"activities.kind.{p['kind']}": 1})]


@projects("retaliation_inquiry_received")
def retaliation_inquiry_received(_, p, at):
    return [Add("tallies", {"entity": p["entity"], "period": p["period"]},
                {"retaliation.inquiries": 1, "retaliation.status.received": 1})]


@projects("retaliation_decision_recorded")
def retaliation_decision_recorded(_, p, at):
    """An inquiry leaves its previous status for its new one; counted in the period it was
    received in. The two moves add up to the right counts whatever order decisions arrive in."""
    return [Add("tallies", {"entity": p["entity"], "period": p["period"]},
                {f"retaliation.status.{p['status']}": 1,
                 f"retaliation.status.{p['previous_status']}": -1})]


@projects("annual_figures_submitted")
def annual_figures_submitted(_, p, at):
    def keep_latest_version(before):
        if before and before.get("version", 0) >= p["version"]:
            return before
        return {**(before or {}), "version": p["version"], "figures": p["figures"],
                "submitted_at": at}
    return [Revise("submitted", {"entity": p["entity"], "period": p["period"]},
                   keep_latest_version)]


# ---- disclosure: the financial disclosure programme ----

SENIOR_GRADES = {"ASG", "USG", "DSG", "SG"}  # ASG level and above: may disclose publicly


def is_senior(grade: Optional[str]) -> bool:
    return (grade or "").strip().upper().replace(" ", "") in SENIOR_GRADES


def filer_feeds(filer: dict) -> list:
    """The programme counters one filer's record adds to (nothing until it is enrolled)."""
    if not filer.get("enrolled"):
        return []
    exempted = bool(filer.get("exempted"))
    filed = bool(filer.get("filed")) and not exempted
    conflicts = {t: n for t, n in (filer.get("conflicts") or {}).items() if n}
    amounts = {
        "enrolled": 1, "first_time": int(bool(filer.get("first_time"))),
        "exempted": int(exempted), "required": int(not exempted), "filed": int(filed),
        "eligible": int(filed and is_senior(filer.get("grade"))),
        "published": int(filer.get("publish") is True),
        "declined": int(filer.get("publish") is False),
        "conflicted": int(bool(conflicts)), "mitigated": int(bool(filer.get("mitigated"))),
        "verified": int(bool(filer.get("verification"))),
        **{f"matters.{t}": n for t, n in conflicts.items()},
    }
    return [Add("fdp", fdp_key(filer["entity"], filer["year"]), amounts),
            Add("enrolment", {"entity": ETHICS_OFFICE, "year": filer["year"]},
                {f"units.{filer['entity']}": 1})]


def fdp_key(unit: str, year: int) -> dict:
    return {"entity": ETHICS_OFFICE, "year": year, "unit": unit}


def filer_change(p: dict, change) -> Revise:
    key = {"entity": p["entity"], "year": p["year"], "staff_id": p["staff_id"]}
    return Revise("filers", key, lambda before: {**key, **change(before)}, filer_feeds)


@projects("filers_enrolled")
def filers_enrolled(_, p, at):
    return [filer_change({**f, "year": p["year"]}, setting(
        enrolled=True, grade=f["grade"], duty_station=f["duty_station"],
        designation=f["designation"], first_time=f["first_time"])) for f in p["filers"]]


@projects("statement_filed")
def statement_filed(_, p, at):
    return [filer_change(p, setting(filed=True, filed_on=p["filed_on"]))]


@projects("filer_changes_recorded")
def filer_changes_recorded(_, p, at):
    """A batch request's changes to many filers: each one as its own per-filer event."""
    return [change for item in p["changes"]
            for change in project(item["type"], item["payload"], at)]


@projects("review_recorded")
def review_recorded(_, p, at):
    return [filer_change(p, setting(review=p["outcome"], conflicts=p.get("conflicts") or {}))]


@projects("mitigation_recorded")
def mitigation_recorded(_, p, at):
    return [filer_change(p, setting(mitigated=True))]


@projects("filer_exempted")
def filer_exempted(_, p, at):
    return [filer_change(p, setting(exempted=True, exemption_reason=p["reason"]))]


@projects("verification_recorded")
def verification_recorded(_, p, at):
    return [filer_change(p, setting(verification=p["outcome"]))]


@projects("public_disclosure_decided")
def public_disclosure_decided(_, p, at):
    return [filer_change(p, setting(publish=p["publish"],
                                    declined_reason=p.get("declined_reason")))]


@projects("compliance_reminder_due")
def compliance_reminder_due(_, p, at):
    return [Add("fdp", fdp_key(p["entity"], p["year"]), {"reminders": 1})]


@projects("participant_enrolled")
def participant_enrolled(_, p, at):
    return [Revise("participants", {"entity": p["entity"]},
                   latest(at, cost_sharing=p["cost_sharing"], focal_points=p["focal_points"]))]


@projects("cycle_opened")
def cycle_opened(_, p, at):
    return [Revise("cycles", {"entity": ETHICS_OFFICE, "year": p["year"]},
                   setting(opens_on=p["opens_on"], deadline=p["deadline"],
                           programme_cost=p["programme_cost"]))]


@projects("cycle_closed")
def cycle_closed(_, p, at):
    return [Revise("cycles", {"entity": ETHICS_OFFICE, "year": p["year"]},
                   setting(closed_on=p["closed_on"]))]


@projects("verification_sample_drawn")
def verification_sample_drawn(_, p, at):
    """A cycle's sample: a later draw replaces an earlier one."""
    return [Revise("samples", {"entity": ETHICS_OFFICE, "year": p["year"]},
                   latest(at, size=p["size"], by_entity=p["by_entity"], strata=p["strata"]))]


# ---- panel ----

@projects("panel_member_joined")
def panel_member_joined(_, p, at):
    return [Revise("members", {"entity": p["entity"]}, latest(at, member=True, head=p["head"]))]


@projects("panel_member_left")
def panel_member_left(_, p, at):
    return [Revise("members", {"entity": p["entity"]}, latest(at, member=False))]


def panel_record(model: str, record_id: str, change) -> Revise:
    return Revise(model, {"entity": ETHICS_OFFICE, "id": record_id}, change)


@projects("meeting_convened")
def meeting_convened(_, p, at):
    return [panel_record("meetings", p["id"], setting(
        kind=p["kind"], scheduled_for=p["scheduled_for"], invited=p["invited"]))]


@projects("meeting_rescheduled")
def meeting_rescheduled(_, p, at):
    return [panel_record("meetings", p["id"], setting(scheduled_for=p["scheduled_for"]))]


@projects("meeting_cancelled")
def meeting_cancelled(_, p, at):
    return [panel_record("meetings", p["id"], setting(cancelled=True))]


@projects("meeting_recorded")
def meeting_recorded(_, p, at):
    """A held meeting counts in the period it was held in (its `period`)."""
    return [panel_record("meetings", p["id"], setting(
        kind=p["kind"], held=True, held_on=p["held_on"], period=p["period"],
        attendees=p["attendees"], decisions=p["decisions"]))]


@projects("meeting_record_approved")
def meeting_record_approved(_, p, at):
    return [panel_record("meetings", p["id"], setting(approved=True))]


@projects("consultation_opened")
def consultation_opened(_, p, at):
    """A consultation counts in the period it was opened in."""
    return [panel_record("consultations", p["id"], setting(
        topic=p["topic"], tags=p.get("tags", []), opened_on=p["opened_on"],
        period=p["period"], respond_by=p["respond_by"]))]


@projects("position_submitted")
def position_submitted(_, p, at):
    return [panel_record("consultations", p["consultation_id"],
                         adding_to("positions", p["entity"]))]


@projects("consultation_extended")
def consultation_extended(_, p, at):
    return [panel_record("consultations", p["id"], setting(extended_to=p["respond_by"]))]


@projects("consultation_concluded")
def consultation_concluded(_, p, at):
    def conclude(before):
        before = before or {}
        return {**before, "topic": before.get("topic") or p["topic"], "concluded": True,
                "concluded_on": p["concluded_on"], "answered": p["answered"],
                "not_answered": p["not_answered"]}
    return [panel_record("consultations", p["id"], conclude)]


@projects("report_review_submitted")
def report_review_submitted(_, p, at):
    return [Revise("report_reviews", {"entity": p["entity"], "id": p["id"]},
                   setting(period=p["period"], submitted=True))]


@projects("report_review_concluded")
def report_review_concluded(_, p, at):
    return [Revise("report_reviews", {"entity": p["entity"], "id": p["id"]},
                   setting(period=p["period"], concluded=True))]


@projects("chair_review_requested")
def chair_review_requested(_, p, at):
    return [Revise("chair_reviews", {"entity": p["entity"], "id": p["id"]},
                   setting(period=p["period"], requested_on=p["requested_on"]))]


@projects("chair_review_concluded")
def chair_review_concluded(_, p, at):
    return [Revise("chair_reviews", {"entity": p["entity"], "id": p["id"]},
                   setting(period=p["period"], outcome=p["outcome"], concluded=True))]


# ---- the business gauge ----

def figures_missing(members: list[str], submitted: set[str], recorded: set[str]) -> dict:
    """1 for each Panel member with neither submitted annual figures nor records for the period
    (a member whose office keeps its records in the system has nothing to submit), else 0."""
    return {m: int(m not in submitted and m not in recorded) for m in members}
