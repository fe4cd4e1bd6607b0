"""Reading a service's audit log back: pages for the auditors, and the check of its hash chain.

Nothing here changes or removes an entry: the log is written only by the unit of work's commit
(`shared.mongo.append_audit`)."""
import datetime as dt

from .contracts.audit import AuditEntryView, ServiceAuditQuery
from .kernel.audit import Break, breaks
from .mongo import AUDIT, audit_head

SHOWN = ("seq", "at", "entity", "who", "role", "action", "record", "detail", "hash", "prev")


def _since(value) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time(), tzinfo=dt.timezone.utc)


def audit_page(db, service: str, query: ServiceAuditQuery) -> dict:
    """Up to `query.limit` entries after number `query.after` that match the filter, in the
    order they were written, and whether more follow."""
    match: dict = {"_id": {"$gt": query.after}}
    for name, field in (("entity", "entity"), ("actor", "who"), ("action", "action")):
        if getattr(query, name) is not None:
            match[field] = getattr(query, name)
    if query.since is not None:
        match["at"] = {"$gte": _since(query.since)}
    found = list(db[AUDIT].find(match).sort("_id", 1).limit(query.limit + 1))
    items = [AuditEntryView(service=service, **{k: doc.get(k) for k in SHOWN}).model_dump(
        mode="json") for doc in found[:query.limit]]
    return {"items": items, "more": len(found) > query.limit}


def verify_chain(db) -> dict:
    """`{entries, breaks: [{seq, reason}]}` for the chain of `db`'s audit log."""
    entries = db[AUDIT].find({"seq": {"$exists": True}}).sort("_id", 1)
    counted = []

    def each():
        for entry in entries:
            counted.append(1)
            yield entry
    found: list[Break] = breaks(each(), audit_head(db))
    return {"entries": len(counted),
            "breaks": [{"seq": b.seq, "reason": b.reason} for b in found]}
