"""The audit log read across services: each service's entries come in the order it wrote them;
a page takes the earliest of them by time, and its cursor says, for each service, the last
entry taken (so the next page goes on from there, missing nothing and repeating nothing)."""
import base64
import binascii
import datetime as dt
import heapq
import json

from shared.kernel.errors import Invalid

Positions = dict[str, int]  # service -> the number of the last entry taken


def encode_cursor(positions: Positions) -> str:
    raw = json.dumps(positions, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str | None) -> Positions:
    if not cursor:
        return {}
    try:
        positions = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        positions = None
    if not isinstance(positions, dict) or not all(
            isinstance(k, str) and isinstance(v, int) and v >= 0 for k, v in positions.items()):
        raise Invalid.field(("query", "cursor"), "this is not a cursor of the audit log")
    return positions


def instant(entry: dict) -> dt.datetime:
    """When `entry` was written: its time read as a time, since as text a whole second
    ("12:00:18Z") sorts after a later fraction of it ("12:00:18.440Z")."""
    return dt.datetime.fromisoformat(entry["at"].replace("Z", "+00:00"))


def merge_pages(pages: dict[str, dict], positions: Positions,
                limit: int) -> tuple[list[dict], str | None]:
    """The first `limit` entries of the services' pages (`{items, more}` each, in the order
    each wrote them) by time, and the cursor of the rest (None when nothing is left)."""
    # each service's entries stay in its own order (a later number may carry an earlier time
    # when commits overlap), so what is taken of each service is always a beginning of it
    streams = [page["items"] for _, page in sorted(pages.items())]
    merged = list(heapq.merge(*streams, key=instant))
    taken = merged[:limit]
    after = dict(positions)
    for entry in taken:
        after[entry["service"]] = max(after.get(entry["service"], 0), entry["seq"])
    more = len(merged) > limit or any(page["more"] for page in pages.values())
    return taken, encode_cursor(after) if more else None
