"""Roles and who may do what; checked in the gateway and again inside every service.

Tokens are random strings handed out once; only their SHA-256 hash is stored.
"""
import hashlib
import secrets
from typing import Iterable

from .contracts.common import Actor, Role
from .kernel.errors import Forbidden

READ_ALL = {Role.admin, Role.ethics_office, Role.auditor}


def as_actor(value) -> Actor:
    return value if isinstance(value, Actor) else Actor.model_validate(value)


def require(actor, roles: Iterable[Role], entity: str | None = None) -> Actor:
    """The actor, if its role is among `roles` and (when entity-scoped) `entity` is its own."""
    actor = as_actor(actor)
    allowed = {Role(r) for r in roles} | {Role.admin}
    if actor.role not in allowed:
        raise Forbidden(f"the {actor.role.value} role may not do this")
    if entity is not None:
        require_entity(actor, entity)
    return actor


def require_strictly(actor, roles: Iterable[Role], why: str) -> Actor:
    """The actor, if its own role is among `roles`: unlike `require`, admin is not let through
    (what even administrators may not read, such as the contents of a confidential statement)."""
    actor = as_actor(actor)
    if actor.role not in {Role(r) for r in roles}:
        raise Forbidden(why)
    return actor


def require_entity(actor: Actor, entity: str):
    if actor.entity_scoped and actor.entity != entity:
        raise Forbidden(f"a {actor.role.value} of {actor.entity} acts for {actor.entity} only")


def scope_filter(actor: Actor) -> dict:
    """The query restriction an actor's reads carry: entity-scoped roles see their entity only."""
    return {"entity": actor.entity} if actor.entity_scoped else {}


def new_token() -> str:
    return "epun_" + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
