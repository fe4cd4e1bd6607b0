"""The arguments of the report entrypoints, as types `shared.kernel.errors.checked` validates;
each refusal says how the argument is written."""
import datetime as dt
from typing import Annotated, Callable

from pydantic import PlainValidator, TypeAdapter
from pydantic_core import PydanticCustomError

from shared.contracts.common import EntityCode
from shared.kernel.errors import located

from .labels import languages
from .render import FORMATS


def argument(parse: Callable, message: str):
    """The type of a report's argument: `parse(value)` is its value, a failure says `message`."""
    def validate(value):
        try:
            return parse(value)
        except (TypeError, ValueError):
            raise PydanticCustomError("report_argument", message)
    return Annotated[object, PlainValidator(validate)]


def _one_of(allowed: Callable[[], list], default=None):
    def parse(value):
        if (value or default) not in [default, *allowed()]:
            raise ValueError(value)
        return value or default
    return parse


def _year(value) -> int:
    if not 1900 <= int(value) <= 2999:
        raise ValueError(value)
    return int(value)


def _optional(parse: Callable):
    return lambda value: parse(value) if value not in (None, "") else None


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _version(value) -> int:
    if not str(value).isdigit() or int(value) < 1:
        raise ValueError(value)
    return int(value)


Entity = argument(_optional(TypeAdapter(EntityCode).validate_python),
                  "an entity code, for example EO or UNHCR")
Year = argument(_year, "a year is written YYYY, for example 2014")
OptionalYear = argument(_optional(_year), "a year is written YYYY, for example 2014")
Format = argument(_one_of(lambda: list(FORMATS), "json"),
                  f"a format is one of {', '.join(FORMATS)}")
Lang = argument(_one_of(languages), f"a language is one of {', '.join(languages())}")
Day = argument(_optional(_day), "a date is written YYYY-MM-DD, for example 2015-07-31")
Version = argument(_optional(_version), "an issued version is a number, 1 or more")


def arguments():
    """Where a report's arguments come from: the period and year from the path, the rest from
    the query string."""
    return located(where="query", path=("period", "year"))
