"""Batches: up to 10,000 rows a request; each row is validated alone, valid rows are kept and
every other row is reported with its reasons."""
import time
from dataclasses import dataclass, field
from typing import Callable, Generic, Iterable, Iterator, Sequence, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import Invalid, TooLarge

MAX_BATCH_ROWS = 10_000
ROWS_PER_PASS = 1000  # rows handled between two yields to other work of the process

Row = TypeVar("Row", bound=BaseModel)


def chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def pause():
    """Let other work of the process run (the services' event loop patches `time.sleep`)."""
    time.sleep(0)


@dataclass
class SortedRows(Generic[Row]):
    """A batch split into the rows to keep (with their row numbers) and the rejected rows."""
    accepted: list[tuple[int, Row]] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)

    def reject(self, row: int, problems: list[dict], with_status: bool = False):
        entry: dict = {"row": row}
        if with_status:
            entry["status"] = max(p.get("status", 422) for p in problems)
        entry["errors"] = [{"loc": list(p["loc"]), "msg": p["msg"]} for p in problems]
        self.rejected.append(entry)

    def answer(self, accepted: int | None = None, rejected: Iterable[dict] = ()) -> dict:
        """`{accepted, rejected}` in row order, with rows a later step refused."""
        rows = sorted([*self.rejected, *rejected], key=lambda r: r["row"])
        return {"accepted": len(self.accepted) if accepted is None else accepted,
                "rejected": rows}


def batch_items(items) -> list:
    """The rows of a batch request, or why it is not one."""
    if not isinstance(items, list):
        raise Invalid.field(["body", "items"], "must be a list")
    if len(items) > MAX_BATCH_ROWS:
        raise TooLarge(f"{len(items)} rows; a batch holds at most {MAX_BATCH_ROWS}")
    return items


def sort_rows(items: Iterable, model: type[Row],
              check: Callable[[Row], list] | None = None, first_row: int = 1,
              into: SortedRows[Row] | None = None, with_status: bool = False) -> SortedRows[Row]:
    """Validate each item as `model`, then `check` it; rows are numbered from `first_row`.

    A `None` item is a row the caller rejected already (a CSV row of the wrong width)."""
    out: SortedRows[Row] = into or SortedRows()
    for row, item in enumerate(items, start=first_row):
        if row % ROWS_PER_PASS == 0:
            pause()
        if item is None:
            continue
        try:
            record = model.model_validate(item)
        except ValidationError as exc:
            out.reject(row, [{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()],
                       with_status)
            continue
        problems = check(record) if check else []
        if problems:
            out.reject(row, problems, with_status)
        else:
            out.accepted.append((row, record))
    return out
