"""Lists page with `?limit=` (default 100, at most 1000) and an opaque `?cursor=`."""
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

PAGE_DEFAULT = 100
PAGE_MAX = 1000


def page_size(limit: int | None) -> int:
    """`limit` within 1..1000 (a contract refuses anything below 1 before it gets here)."""
    return max(1, min(int(PAGE_DEFAULT if limit is None else limit), PAGE_MAX))


@dataclass
class Page:
    items: list = field(default_factory=list)
    next_cursor: str | None = None

    def as_dict(self, shape: Callable[[Any], Any] = lambda item: item) -> dict:
        return {"items": [shape(i) for i in self.items], "next_cursor": self.next_cursor}


def page_of(found: Sequence, limit: int, cursor_of: Callable[[Any], str]) -> Page:
    """A page from up to `limit + 1` records read in order: the extra one says there is more."""
    items = list(found[:limit])
    more = len(found) > limit and bool(items)
    return Page(items, cursor_of(items[-1]) if more else None)
