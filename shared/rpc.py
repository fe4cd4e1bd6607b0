"""The answer of an RPC entrypoint: contracts and pages as plain JSON-ready data."""
import datetime as dt
from dataclasses import asdict, is_dataclass
from enum import Enum

from pydantic import BaseModel

from .kernel.pagination import Page


def answer(result):
    """`result` (a contract, a page, or lists and dicts of them) as JSON-ready data."""
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json")
    if isinstance(result, Page):
        return {"items": [answer(i) for i in result.items], "next_cursor": result.next_cursor}
    if isinstance(result, (list, tuple)):
        return [answer(i) for i in result]
    if isinstance(result, dict):
        return {k: answer(v) for k, v in result.items()}
    if is_dataclass(result) and not isinstance(result, type):
        return answer(asdict(result))
    if isinstance(result, (dt.date, dt.datetime)):
        return result.isoformat()
    if isinstance(result, Enum):
        return result.value
    return result
