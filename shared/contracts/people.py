"""The directory of people, kept by the gateway: who may sign in to the portal, in which roles."""
import re
from typing import Annotated, Optional

from pydantic import Field, StringConstraints

from .common import Contract, EntityCode, Role
from .languages import CODES

EMAIL_PATTERN = re.compile(r"^[^@\s/]+@[^@\s/]+\.[^@\s/]+$")
Email = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=254,
                                         pattern=EMAIL_PATTERN.pattern)]


class RoleGrantIn(Contract):
    """One role a person holds: an entity role names its entity, the filer's role a staff id."""
    role: Role
    entity: Optional[EntityCode] = None
    staff_id: Optional[Annotated[str, StringConstraints(min_length=1, max_length=40)]] = None


class PersonIn(Contract):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    language: Optional[Annotated[str, Field(pattern=f"^({'|'.join(CODES)})$")]] = None
    roles: Annotated[list[RoleGrantIn], Field(min_length=1, max_length=20)]


class Person(PersonIn):
    email: Email
    language: str = "en"


class Enrolment(Contract):
    """An invitation to set up a local account: the link is shown this once."""
    email: Email
    enrolment_code: str
    enrolment_path: str
    expires_at: str


class EnrolmentIn(Contract):
    """Completing an invitation: the password chosen and the first code of the authenticator."""
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    totp_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=6,
                                                max_length=8)]


class EnrolmentShown(Contract):
    """What an invitation shows: whose account, and the TOTP secret to add to the app."""
    email: str
    secret: str
    otpauth_uri: str


class Enrolled(Contract):
    """The account is set up; the recovery codes are shown this once."""
    email: str
    recovery_codes: list[str]
