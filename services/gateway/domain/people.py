"""The directory of people: who may sign in to the portal, and in which roles.

A person is known by their e-mail address and holds one or more roles (a head of office who is
also a Panel member); each role of an entity names the entity, the filer's role a staff id.
Signed in, a person acts in one of their roles at a time.
"""
import re
from dataclasses import dataclass

from shared.contracts.common import ENTITY_ROLES, STAFF_ROLES, Actor, Role
from shared.kernel.errors import Invalid, problem, refuse

EMAIL = re.compile(r"^[^@\s/]+@[^@\s/]+\.[^@\s/]+$")
LANGUAGES = ("en", "zh")


def normal_email(email: str) -> str:
    """An e-mail address as the directory keys it (case does not matter), or Invalid."""
    email = (email or "").strip().lower()
    if not EMAIL.match(email) or len(email) > 254:
        raise Invalid.field("email", f"{email or 'an empty value'} is not an e-mail address")
    return email


@dataclass(frozen=True)
class Grant:
    """One role a person holds: for an entity role its entity, for a filer its staff id."""
    role: Role
    entity: str | None = None
    staff_id: str | None = None

    def problems(self, index: int) -> list[dict]:
        loc = ("roles", index)
        if self.role in ENTITY_ROLES and not self.entity:
            return [problem((*loc, "entity"), f"a {self.role.value} acts for an entity: name it")]
        if self.role in STAFF_ROLES and not self.staff_id:
            return [problem((*loc, "staff_id"), "a filer is named by a staff id")]
        return []

    def actor(self, email: str) -> Actor:
        return Actor(role=self.role, entity=self.entity if self.role in ENTITY_ROLES else None,
                     staff_id=self.staff_id if self.role in STAFF_ROLES else None, label=email)

    @property
    def key(self) -> str:
        """The grant as one word (a form's choice): `focal_point:UNHCR`, `filer::S100`."""
        return ":".join([self.role.value, self.entity or "", self.staff_id or ""]).rstrip(":")


def grant_of(actor: Actor) -> Grant:
    return Grant(actor.role, actor.entity, actor.staff_id)


@dataclass
class Person:
    email: str
    name: str
    roles: list[Grant]
    language: str = "en"
    version: int = 0

    @classmethod
    def register(cls, email: str, name: str, roles: list[Grant], language: str | None,
                 version: int = 0) -> "Person":
        """A person as the directory keeps them, or Invalid naming each field at fault."""
        found = []
        if not roles:
            found.append(problem("roles", "a person holds at least one role"))
        for index, grant in enumerate(roles):
            found += grant.problems(index)
        if language is not None and language not in LANGUAGES:
            found.append(problem("language", f"the portal speaks {', '.join(LANGUAGES)}"))
        refuse(found)
        unique = list(dict.fromkeys(Grant(g.role, g.entity if g.role in ENTITY_ROLES else None,
                                          g.staff_id if g.role in STAFF_ROLES else None)
                                    for g in roles))
        return cls(normal_email(email), name.strip(), unique, language or "en", version)

    def holds(self, actor: Actor) -> bool:
        """Whether `actor` acts in one of this person's roles (a session, a person's token)."""
        return grant_of(actor) in self.roles

    def actor(self, key: str | None = None) -> Actor:
        """The person acting in the role `key` names (Grant.key), or in their first role."""
        for grant in self.roles:
            if key is None or grant.key == key:
                return grant.actor(self.email)
        raise Invalid.field("role", f"{self.email} holds no role {key}")

    @property
    def actors(self) -> list[Actor]:
        return [grant.actor(self.email) for grant in self.roles]

    @property
    def entity(self) -> str:
        """The entity a person's record is filed under: their first role's, or '-'."""
        return next((g.entity for g in self.roles if g.entity), "-")

    def removed_grants(self, before: "Person | None") -> list[Grant]:
        return [g for g in (before.roles if before else []) if g not in self.roles]

    def view(self) -> dict:
        return {"email": self.email, "name": self.name, "language": self.language,
                "roles": [{"role": g.role.value, "entity": g.entity, "staff_id": g.staff_id}
                          for g in self.roles]}
