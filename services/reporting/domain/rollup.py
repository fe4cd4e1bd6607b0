"""The system-wide roll-up's rule: whose figures make each row.

- The rows are the Panel's members in the period (membership has dates), the Ethics Office
  included; an entity that was no member in the period never appears.
- For a member office, its latest annual figures submitted by the report's date are its
  certified figures, and they are what its row gives. The records the platform holds for that
  office are shown beside them as a reconciliation (`records_total` and the difference), never
  instead: a single uploaded record does not replace an office's certified figures.
- A member office that has submitted no figures has no certified figures: its row says so and
  gives its records only in the reconciliation.
- The Ethics Office's own figures come from its records.
"""
import datetime as dt

from shared.contracts.common import ETHICS_OFFICE

from .dates import member_during

RECORDS, SUBMITTED, NOT_SUBMITTED = "records", "submitted", "not_submitted"


def members_in(members: list[dict], start: dt.date, end: dt.date, as_of: dt.date) -> list[str]:
    """The entities that were Panel members at some time in [start, end], as known on `as_of`."""
    return sorted(m["entity"] for m in members if member_during(m, start, end, as_of))


def rows_of(members: list[str]) -> list[str]:
    """The roll-up's rows: the members, and the Ethics Office, which chairs the Panel."""
    return sorted({*members, ETHICS_OFFICE})


def source_of(entity: str, certified: dict | None) -> str:
    """Where a row's figures come from."""
    if entity == ETHICS_OFFICE:
        return RECORDS
    return SUBMITTED if certified else NOT_SUBMITTED


def reconciliation(shown: dict | None, records: dict, columns: list[str]) -> dict:
    """The records beside the figures a row shows: the records' figures, their total of
    requests and how far the shown total is from it (None where the row shows nothing)."""
    total = records.get("requests") or 0
    shown_total = (shown or {}).get("requests")
    return {"records_total": total,
            "difference": None if shown_total is None else shown_total - total,
            "records": {c: records.get(c) for c in columns}}
