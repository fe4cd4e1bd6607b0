"""The directory of people (admin): add or change a person and their roles, list, remove, and
invite a person to set up a local account. Removing a person, or a role, ends their access at
once: every request of a session or of a person's token checks the person again, and their
tokens are revoked."""
from dataclasses import dataclass

from shared.auth import require
from shared.contracts.common import Role
from shared.contracts.people import PersonIn
from shared.kernel.errors import NotFound
from shared.kernel.uow import retrying

from ..domain.accounts import LocalAccount, new_enrolment_code
from ..domain.people import Grant, Person, normal_email

ENROLMENT_PATH = "/enrol/{code}"


@dataclass(frozen=True)
class PutPerson:
    email: str
    person: PersonIn


@retrying
def put_person(uow, command: PutPerson) -> dict:
    require(uow.actor, [Role.admin])
    body = command.person
    with uow:
        before = uow.people.get(normal_email(command.email))
        person = Person.register(command.email, body.name,
                                 [Grant(g.role, g.entity, g.staff_id) for g in body.roles],
                                 body.language, before.version if before else 0)
        uow.people.save(person, before)
        removed = person.removed_grants(before)
        revoked = _revoke_tokens(uow, person.email, removed)
        uow.audit("put_person", f"people/{person.email}", person.entity,
                  detail=f"roles: {', '.join(g.key for g in person.roles)}"
                         + (f"; {revoked} token(s) revoked" if revoked else ""))
        uow.commit()
    return {**person.view(), "created": before is None}


def list_people(uow, _=None) -> list[dict]:
    require(uow.actor, [Role.admin])
    return [p.view() for p in sorted(uow.people.all(), key=lambda p: p.email)]


def get_person(uow, email: str) -> dict:
    require(uow.actor, [Role.admin])
    person = uow.people.get(normal_email(email))
    if person is None:
        raise NotFound(f"{email} is not in the directory")
    account = uow.accounts.get(person.email)
    return {**person.view(), "local_account": _account_state(account)}


@retrying
def delete_person(uow, email: str) -> dict:
    """The person leaves the directory: their sessions end at their next request, their tokens
    and their local account go."""
    require(uow.actor, [Role.admin])
    email = normal_email(email)
    with uow:
        person = uow.people.get(email)
        if person is None:
            raise NotFound(f"{email} is not in the directory")
        uow.people.remove(person)
        revoked = _revoke_tokens(uow, email, person.roles)
        if uow.accounts.get(email) is not None:
            uow.accounts.remove(email)
        uow.audit("delete_person", f"people/{email}", person.entity,
                  detail=f"{revoked} token(s) revoked" if revoked else None)
        uow.commit()
    return {"email": email, "deleted": True, "tokens_revoked": revoked}


@retrying
def invite_person(uow, email: str) -> dict:
    """A one-time enrolment link for a local account (a new one, or a reset: the password, the
    second factor and the recovery codes start again). Shown this once."""
    require(uow.actor, [Role.admin])
    email, code, now = normal_email(email), new_enrolment_code(), uow.clock.now()
    with uow:
        person = uow.people.get(email)
        if person is None:
            raise NotFound(f"{email} is not in the directory")
        before = uow.accounts.get(email)
        invited = LocalAccount.invite(email, code, now, before)
        uow.accounts.save(invited, before)
        uow.audit("invite_person", f"people/{email}", person.entity,
                  detail="reset" if before is not None else None)
        uow.commit()
    assert invited.enrolment_expires is not None, "an invitation expires"
    return {"email": email, "enrolment_code": code,
            "enrolment_path": ENROLMENT_PATH.format(code=code),
            "expires_at": invited.enrolment_expires.isoformat()}


def _revoke_tokens(uow, email: str, grants: list[Grant]) -> int:
    """Revoke the person's tokens that carry one of `grants`; how many."""
    now, count = uow.clock.now(), 0
    for token in uow.tokens.of_person(email):
        if not token.revoked and Grant(token.actor.role, token.actor.entity,
                                       token.actor.staff_id) in grants:
            uow.tokens.save(token.revoke(now))
            count += 1
    return count


def _account_state(account: LocalAccount | None) -> str:
    if account is None:
        return "none"
    return "enrolled" if account.enrolled else "invited"
