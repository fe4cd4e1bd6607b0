"""The audit log's hash chain: every entry carries the hash of the entry before it, so an entry
changed, removed or added afterwards breaks the chain at that place.

Each service's database holds one chain: entries are numbered from 1 (`seq`) in the order they
were committed, and a head record keeps the last number and hash. The unit of work extends the
chain in the commit's transaction (`chained`); `breaks` checks a chain read back.
"""
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Iterable

GENESIS = "0" * 64
HASHED = ("seq", "entity", "at", "who", "role", "action", "record", "detail", "prev")


@dataclass(frozen=True)
class Head:
    """The end of a chain: the last entry's number and hash (GENESIS before the first)."""
    seq: int = 0
    hash: str = GENESIS


@dataclass(frozen=True)
class Break:
    """Where a chain does not hold, and why."""
    seq: int | None
    reason: str


def stored_time(at: dt.datetime) -> dt.datetime:
    """`at` as a database keeps it: in UTC, to the millisecond."""
    at = at.astimezone(dt.timezone.utc) if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def _canonical(value):
    if isinstance(value, dt.datetime):
        return stored_time(value).isoformat(timespec="milliseconds")
    return value


def entry_hash(entry: dict) -> str:
    """The hash of an entry's fields (its `prev` among them)."""
    fields = {name: _canonical(entry.get(name)) for name in HASHED}
    return hashlib.sha256(json.dumps(fields, sort_keys=True, separators=(",", ":"),
                                     ensure_ascii=False).encode()).hexdigest()


def chained(entries: list[dict], head: Head) -> tuple[list[dict], Head]:
    """`entries` numbered after `head`, each with the hash of the one before; the new head."""
    out, seq, prev = [], head.seq, head.hash
    for entry in entries:
        seq += 1
        linked = {**entry, "at": stored_time(entry["at"]), "seq": seq, "prev": prev}
        linked["hash"] = prev = entry_hash(linked)
        out.append(linked)
    return out, Head(seq, prev)


def breaks(entries: Iterable[dict], head: Head | None) -> list[Break]:
    """Every place the chain `entries` (read in `seq` order) does not hold: an entry whose
    fields no longer give its hash, one that does not follow the entry before it, a number
    missing; and a head that does not name the last entry (entries cut off the end)."""
    found, last = [], Head()
    for entry in entries:
        seq = entry.get("seq")
        if seq != last.seq + 1:
            found.append(Break(seq, f"expected entry {last.seq + 1}, found {seq}: "
                                    "entries are missing or out of place"))
        if entry.get("prev") != last.hash:
            found.append(Break(seq, "does not follow the entry before it"))
        if entry_hash(entry) != entry.get("hash"):
            found.append(Break(seq, "its contents were changed after it was written"))
        last = Head(seq if isinstance(seq, int) else last.seq + 1, entry.get("hash") or "")
    if head is not None and (head.seq, head.hash) != (last.seq, last.hash):
        found.append(Break(head.seq, f"the chain's head names entry {head.seq}, the last "
                                     f"entry is {last.seq}: entries were removed or replaced "
                                     "at the end"))
    return found
