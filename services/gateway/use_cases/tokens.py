"""Access tokens for programs: issued by an admin for a person or a service account, shown once,
kept as hashes, listed without secrets, revoked at once."""
from dataclasses import dataclass

from shared.auth import new_token, require, token_hash
from shared.contracts.common import Actor, Role
from shared.contracts.tokens import TokenIssued, TokenRequest
from shared.kernel.errors import Invalid, NotFound
from shared.kernel.ids import new_id

from ..domain import AccessToken
from ..domain.people import Grant


@dataclass(frozen=True)
class Credential:
    """Who a request's bearer token stands for, and the token's own id (idempotency keys are
    scoped by it)."""
    actor: Actor
    token_id: str


def issue_token(uow, request: TokenRequest) -> TokenIssued:
    """A new token for the actor `request` describes; the token itself is shown this once. A
    person's token must carry one of the person's roles."""
    require(uow.actor, [Role.admin])
    fields = request.model_dump(exclude={"person", "expires_in_days"})
    actor = Actor(**fields)
    token, token_id, now = new_token(), new_id(), uow.clock.now()
    with uow:
        if request.person is not None:
            person = uow.people.get(request.person)
            if person is None:
                raise Invalid.field("person", f"{request.person} is not in the directory")
            if Grant(actor.role, actor.entity, actor.staff_id) not in person.roles:
                raise Invalid.field("role", f"{request.person} does not hold this role")
        issued = AccessToken.issue(token, actor, now, uow.actor.label, request.expires_in_days,
                                   request.person, token_id)
        uow.tokens.add(issued)
        uow.audit("issue_token", f"tokens/{token_id}", entity=actor.entity,
                  detail=actor.label)
        uow.commit()
    return TokenIssued(id=token_id, token=token, expires_at=issued.expires_at,
                       person=request.person, **fields)


def list_tokens(uow, _=None) -> list[dict]:
    """Every token, newest first, without its secret."""
    require(uow.actor, [Role.admin])
    return [t.view() for t in sorted(uow.tokens.all(), key=lambda t: t.created_at,
                                     reverse=True)]


def revoke_token(uow, token_id: str) -> dict:
    """The token stops working now, in every gateway process (each request reads it)."""
    require(uow.actor, [Role.admin])
    with uow:
        found = uow.tokens.by_id(token_id)
        if found is None:
            raise NotFound(f"no token {token_id}")
        revoked = found.revoke(uow.clock.now())
        uow.tokens.save(revoked)
        uow.audit("revoke_token", f"tokens/{token_id}", entity=found.actor.entity,
                  detail=found.actor.label)
        uow.commit()
    return revoked.view()


def credential_for_token(uow, token: str) -> Credential | None:
    """Who holds `token`; None for a token never issued, revoked, expired, or of a person who no
    longer holds its role. One read by the token's hash (and one of its person)."""
    found = uow.tokens.get(token_hash(token)) if token else None
    if found is None or not found.usable(uow.clock.now()):
        return None
    if found.person is not None:
        person = uow.people.get(found.person)
        if person is None or not person.holds(found.actor):
            return None
    return Credential(found.actor, found.id or found.digest)


def actor_for_token(uow, token: str) -> Actor | None:
    credential = credential_for_token(uow, token)
    return credential.actor if credential else None
