"""What a request carries, read and checked: the cycle's year, the body, the rows of a batch,
the paging; and how a filer looks to each reader."""
import eventlet
from pydantic import BaseModel, TypeAdapter, ValidationError

from shared.auth import require_entity
from shared.contracts.common import Actor, EntityCode, Role
from shared.contracts.disclosure import MAX_BATCH_ROWS, FilerIn
from shared.errors import Invalid, PayloadTooLarge, errors_from_validation

from . import domain

ROWS_PER_PASS = 1000  # rows validated between two yields to the event loop
PAGE_MAX = 1000
ENTITY_CODE = TypeAdapter(EntityCode)
CONFLICT_READERS = {Role.admin, Role.ethics_office, Role.reviewer}


def year(value) -> int:
    """The cycle named in the path."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Invalid.field(["path", "year"], "a cycle is named by its year, e.g. 2014")
    if not 2000 <= number <= 2100:
        raise Invalid.field(["path", "year"], "a cycle's year lies between 2000 and 2100")
    return number


def entity_code(value: str) -> str:
    try:
        return ENTITY_CODE.validate_python(value)
    except ValidationError:
        raise Invalid.field(["path", "entity"], "an entity code is 2 to 16 capitals, digits "
                                                "or hyphens, starting with a capital")


def validated(model: type[BaseModel], data) -> BaseModel:
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        raise Invalid("invalid values", errors_from_validation(exc, ("body",)))


def refuse(problems: list[dict], under: str):
    if problems:
        errors = [{"loc": [under, *p["loc"]], "msg": p["msg"]} for p in problems]
        raise Invalid("; ".join(p["msg"] for p in problems), errors)


def sort_rows(items, model, check=None) -> tuple[list, list]:
    """Each item validated as `model` (and by `check`); rows numbered from 1. A None item is a
    row the gateway rejected already (a CSV row of the wrong width)."""
    if not isinstance(items, list):
        raise Invalid.field(["body", "items"], "must be a list")
    if len(items) > MAX_BATCH_ROWS:
        raise PayloadTooLarge(f"{len(items)} rows; a batch holds at most {MAX_BATCH_ROWS}")
    accepted, rejected = [], []
    for row, item in enumerate(items, start=1):
        if row % ROWS_PER_PASS == 0:
            eventlet.sleep(0)
        if item is None:
            continue
        try:
            record = model.model_validate(item)
        except ValidationError as exc:
            rejected.append({"row": row, "status": 422, "errors": [
                {"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()]})
            continue
        problems = check(record) if check else []
        if problems:
            rejected.append({"row": row, "status": max(p.get("status", 422) for p in problems),
                             "errors": [{"loc": p["loc"], "msg": p["msg"]} for p in problems]})
        else:
            accepted.append((row, record))
    return accepted, rejected


def merged(answer: dict, rejected: list) -> dict:
    return {"accepted": answer["accepted"],
            "rejected": sorted(answer["rejected"] + rejected, key=lambda r: r["row"])}


def entity_problem(actor: Actor, filer: FilerIn) -> list[dict]:
    if actor.entity_scoped and actor.entity != filer.entity:
        return [domain.problem("entity", f"a {actor.role.value} of {actor.entity} enrols "
                                         f"{actor.entity}'s filers only", 403)]
    return []


def entity_query(actor: Actor, query: dict) -> str | None:
    entity = query.get("entity") or (actor.entity if actor.entity_scoped else None)
    if entity:
        require_entity(actor, entity)
    return entity


def limit(query: dict) -> int:
    try:
        limit = int(query.get("limit") or 100)
    except ValueError:
        raise Invalid.field(["query", "limit"], "a whole number from 1 to 1000")
    if limit < 1:
        raise Invalid.field(["query", "limit"], "a whole number from 1 to 1000")
    return min(limit, PAGE_MAX)


def filer_view(doc: dict, actor: Actor) -> dict:
    out = {k: doc.get(k) for k in ("year", "staff_id", "entity", "duty_station", "grade",
                                   "designation", "first_time", "status", "filed_on",
                                   "exemption_reason", "verification", "public_disclosure")}
    out["in_verification_sample"] = bool(doc.get("sampled"))
    own = actor.role == Role.filer and actor.staff_id == doc["staff_id"]
    out["conflicts"] = doc.get("conflicts") if (own or actor.role in CONFLICT_READERS) else None
    return out
