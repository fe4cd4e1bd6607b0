"""CSV uploads as a person sees them in a spreadsheet: the line of each row (the header is line
1), what each column takes, a template to fill in, and the rejected rows to correct.

A batch numbers its rows from 1, the first row after the header (`parse_csv`, `sort_rows`);
`spreadsheet_line` is the one place that turns that number into the spreadsheet's line."""
import csv
import io
import typing
from dataclasses import dataclass
from enum import Enum

HEADER_LINES = 1
LINE, REASON = "line", "reason"


def spreadsheet_line(row: int) -> int:
    """The spreadsheet's line of the batch's row `row` (1: the first after the header)."""
    return row + HEADER_LINES


def with_lines(answer: dict) -> dict:
    """A batch's answer with each rejected row's spreadsheet `line` beside its `row`."""
    return {**answer, "rejected": [{**r, LINE: spreadsheet_line(r["row"])}
                                   for r in answer.get("rejected", [])]}


def reason_of(rejected_row: dict) -> str:
    """A rejected row's errors in one cell: `field: message; ...`."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" if e.get("loc")
                     else e["msg"] for e in rejected_row.get("errors", []))


def read_cells(text: str) -> tuple[list[str], list[list[str]]]:
    """The header and each row's cells as typed, in the order of the file."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return ([h.strip() for h in rows[0]], rows[1:]) if rows else ([], [])


def rejected_rows_csv(header: list[str], cells: list[list[str]], rejected: list[dict]) -> str:
    """The rejected rows as typed (`cells` in the order of the file) with their spreadsheet
    `line` and `reason`, to correct and upload again; a row of another width is cut or padded
    to the header's."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*header, LINE, REASON])
    for r in rejected:
        typed = cells[r["row"] - 1] if 0 < r["row"] <= len(cells) else []
        fitted = (list(typed) + [""] * len(header))[:len(header)]
        writer.writerow([*fitted, spreadsheet_line(r["row"]), reason_of(r)])
    return out.getvalue()


def template_csv(columns: list[str], example: dict) -> str:
    """A header row and one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerow([example.get(c, "") for c in columns])
    return out.getvalue()


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    values: tuple[str, ...] = ()  # the allowed values, when the column takes one of a list


def enumeration_of(annotation) -> type[Enum] | None:
    """The enumeration a field takes (also inside Optional[...])."""
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return annotation
    for arg in typing.get_args(annotation):
        found = enumeration_of(arg)
        if found is not None:
            return found
    return None


def column_guide(model, columns: list[str], optional=(), values: dict | None = None
                 ) -> list[Column]:
    """Each column of an upload of `model` rows: required unless the contract has a default or
    the page fills it (`optional`), and its allowed values (an enumeration's, or `values`)."""
    fields, values = model.model_fields, values or {}
    guide = []
    for name in columns:
        field = fields.get(name)
        enum = enumeration_of(field.annotation) if field is not None else None
        allowed = tuple(values.get(name) or (m.value for m in enum or ()))
        required = field is not None and field.is_required() and name not in optional
        guide.append(Column(name, required, allowed))
    return guide
