"""The gateway's rules in plain Python: reading batch bodies, idempotent replays."""
import csv
import hashlib
import io
import json

from shared.errors import BadRequest, Conflict


def parse_csv(text: str) -> tuple[list[dict | None], list[dict]]:
    """Rows of a CSV with a header row, as dicts; a row of the wrong width is None and rejected.

    Rows are numbered from 1, the first row after the header."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise BadRequest("the CSV file is empty: it needs a header row and at least one row")
    except csv.Error as exc:
        raise BadRequest(f"the CSV file cannot be read: {exc}")
    if not any(header):
        raise BadRequest("the CSV file's first row must name the columns")
    items, rejected = [], []
    try:
        for number, cells in enumerate(reader, start=1):
            if not any(c.strip() for c in cells):
                items.append(None)
                rejected.append({"row": number, "errors": [{"loc": [], "msg": "empty row"}]})
            elif len(cells) != len(header):
                items.append(None)
                rejected.append({"row": number, "errors": [{"loc": [], "msg":
                                 f"expected {len(header)} columns, found {len(cells)}"}]})
            else:
                items.append({h: (c.strip() or None) for h, c in zip(header, cells)})
    except csv.Error as exc:
        raise BadRequest(f"the CSV file cannot be read at row {len(items) + 1}: {exc}")
    if not items:
        raise BadRequest("the CSV file has a header row but no rows")
    return items, rejected


def parse_json_items(body) -> list:
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise BadRequest('a batch is {"items": [...]} or text/csv with a header row')
    return body["items"]


def merge_batch_answers(answer: dict, pre_rejected: list[dict]) -> dict:
    rejected = sorted(answer.get("rejected", []) + pre_rejected, key=lambda r: r["row"])
    return {**answer, "rejected": rejected}


def body_fingerprint(method: str, path: str, raw: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + raw).hexdigest()


def replay_decision(stored: dict | None, fingerprint: str):
    """None when the key is new; the stored answer when it is a replay; Conflict otherwise."""
    if stored is None:
        return None
    if stored["fingerprint"] != fingerprint:
        raise Conflict("this Idempotency-Key was used with another request body")
    if stored.get("status") is None:
        raise Conflict("a request with this Idempotency-Key is still being processed")
    return stored


def load_json(raw: bytes):
    try:
        return json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"the body is not valid JSON: {exc}")
