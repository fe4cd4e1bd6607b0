"""Who the platform writes to: a person's address and the language they read."""
from typing import Annotated

from pydantic import AfterValidator, StringConstraints
from pydantic_core import PydanticCustomError

from .common import Contract
from .languages import Language
from .people import EMAIL_PATTERN


def _check_address(value: str) -> str:
    if not EMAIL_PATTERN.fullmatch(value):
        raise PydanticCustomError("email", "{value} is not an e-mail address (name@domain)",
                                  {"value": repr(value)[:80]})
    return value


# an e-mail address where a person enters one: a clear sentence when it is not one
Address = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=254),
                    AfterValidator(_check_address)]


class Contact(Contract):
    """Someone to write to for an office: a focal point, the head of a member office, ..."""
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    email: Address
    language: Language = Language.en
