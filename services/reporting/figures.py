"""The arithmetic every report's figures share."""
import math


def share(part, whole):
    """A percentage with one decimal, rounded down (so 100.0 means all of them)."""
    if not whole or part is None:
        return None
    return math.floor(1000 * part / whole) / 10


def full(keys: list, counts: dict | None) -> dict:
    counts = counts or {}
    return {k: int(counts.get(k, 0) or 0) for k in keys}


def records(doc: dict | None, kind: str) -> dict:
    return ((doc or {}).get(kind)) or {}
