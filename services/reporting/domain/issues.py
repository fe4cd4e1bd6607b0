"""Issued versions of a report: what the Ethics Office hands to its readers, frozen.

An issued version holds the whole computed report (every figure and table), who issued it and
when, and the day it counts to (`as_of`). It never changes: a reader asking for version N gets
exactly what was issued, whatever records arrive later. Issuing again with the same `as_of` when
nothing changed gives the version already issued.
"""
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from shared.contracts.common import ETHICS_OFFICE
from shared.contracts.reporting import ReportIssued, ReportKind
from shared.kernel.aggregate import Aggregate
from shared.kernel.errors import Invalid


def frozen(document: dict) -> str:
    """The report as the exact text an issued version keeps (and serves back, byte for byte)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def digest(document_text: str, symbol: str | None, note: str | None) -> str:
    text = json.dumps([document_text, symbol, note], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def check_as_of(as_of: dt.date, today: dt.date, starts: dt.date, what: str):
    """A report counts to a day that has come, and not before what it reports began."""
    if as_of > today:
        raise Invalid.field("as_of", f"cannot be later than today ({today.isoformat()})")
    if as_of < starts:
        raise Invalid.field("as_of", f"cannot be before {what} begins ({starts.isoformat()})")


@dataclass
class IssuedReport(Aggregate):
    report: ReportKind
    key: str  # the period, or the cycle year
    version: int
    as_of: dt.date
    issued_at: dt.datetime
    issued_by: str
    document: str  # `frozen(report)`
    digest: str
    symbol: str | None = None
    note: str | None = None
    entity: str = ETHICS_OFFICE

    @classmethod
    def issue(cls, latest: "IssuedReport | None", report: ReportKind, key: str,
              document: dict, as_of: dt.date, symbol: str | None, note: str | None,
              now: dt.datetime, by: str) -> tuple["IssuedReport", bool]:
        """The next version of the report, and True; or the latest version and False when it
        counts to the same day and holds the same report, symbol and note."""
        text = frozen(document)
        sealed = digest(text, symbol, note)
        if latest is not None and latest.as_of == as_of and latest.digest == sealed:
            return latest, False
        issued = cls(report, key, (latest.version if latest else 0) + 1, as_of, now, by, text,
                     sealed, symbol, note)
        issued.record(ReportIssued(report=report, key=key, version=issued.version,
                                   as_of=as_of, symbol=symbol), ETHICS_OFFICE)
        return issued, True

    def content(self) -> dict[str, Any]:
        return json.loads(self.document)

    def summary(self) -> dict:
        return {"version": self.version, "issued_at": self.issued_at, "as_of": self.as_of,
                "issued_by": self.issued_by, "symbol": self.symbol, "note": self.note}


# ---- how a live report differs from an issued version ----

ROW_KEYS = ("period", "year", "entity", "category", "key")  # what names a row of a list
NOT_FIGURES = {"as_of", "changes_since_issue", "from", "to"}


def figures_of(document: dict) -> dict[str, Any]:
    """Every figure of a report by its path (`financial_disclosure.filers`,
    `participation.rows.2015.total`): numbers, and lists of plain values as a whole."""
    found: dict = {}

    def walk(value, path):
        if isinstance(value, dict):
            for name, item in value.items():
                if name not in NOT_FIGURES:
                    walk(item, f"{path}.{name}" if path else str(name))
        elif isinstance(value, list):
            rows = [v for v in value if isinstance(v, dict)]
            if not rows:
                found[path] = list(value)
            for row in rows:
                name = next((row[k] for k in ROW_KEYS if k in row), None)
                if name is not None:
                    walk(row, f"{path}.{name}")
        elif value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
            found[path] = value
    walk(document, "")
    return found


def changes_between(issued: dict, live: dict) -> list[dict]:
    """The figures that moved from the issued report to the live one: `{figure, from, to}`, in
    the live report's order (figures that appeared or went away have None on their side)."""
    before, after = figures_of(issued), figures_of(live)
    paths = list(after) + [p for p in before if p not in after]
    return [{"figure": p, "from": before.get(p), "to": after.get(p)}
            for p in paths if before.get(p) != after.get(p)]
