"""The gateway's own data in MongoDB: the directory of people, local accounts, portal sessions,
access tokens (only their hashes), ID-token nonces and idempotency records. Document shapes live
here only.

Tokens and sessions are read on every request, by `_id`, with no cache: a token revoked or a
session ended is refused at once by every gateway process."""
import datetime as dt

from pymongo.errors import DuplicateKeyError

from shared.auth import token_hash
from shared.contracts.common import Actor, Role
from shared.kernel.errors import StaleState
from shared.mongo import MongoRepository, MongoUnitOfWork

from .domain import RELEASED_AT, AccessToken, IdempotencyRecord
from .domain.accounts import LocalAccount
from .domain.people import Grant, Person
from .domain.sessions import PortalSession

PLATFORM = "-"  # the `entity` of records that belong to no entity


def _insert_once(collection, doc: dict, what: str):
    """A staged insert that is StaleState when the `_id` exists."""
    def write(session):
        try:
            collection.insert_one(doc, session=session)
        except DuplicateKeyError:
            raise StaleState(f"{what} exists already")
    return write


def _save_versioned(uow, collection: str, doc: dict, before):
    """Add `doc` (before is None) or change it from the version `before` was read at; either
    is StaleState at commit when someone else came first."""
    doc = {**doc, "version": (before.version if before else 0) + 1}
    if before is None:
        uow.stage(_insert_once(uow.db[collection], doc, doc["_id"]))
    else:
        uow.update(collection, {"_id": doc["_id"], "version": before.version},
                   {"$set": doc}, expect=True)


class Tokens(MongoRepository):
    def add(self, token: AccessToken):
        self.uow.insert("tokens", _token_doc(token))

    def save(self, token: AccessToken):
        self.uow.replace("tokens", {"_id": token.digest}, _token_doc(token))

    def get(self, digest: str) -> AccessToken | None:
        doc = self.db.tokens.find_one({"_id": digest})
        return _token(doc) if doc else None

    def by_id(self, token_id: str) -> AccessToken | None:
        doc = self.db.tokens.find_one({"id": token_id})
        return _token(doc) if doc else None

    def all(self) -> list[AccessToken]:
        return [_token(d) for d in self.db.tokens.find()]

    def of_person(self, email: str) -> list[AccessToken]:
        return [_token(d) for d in self.db.tokens.find({"person": email})]


class IdempotencyRecords(MongoRepository):
    def get(self, key: str) -> IdempotencyRecord | None:
        doc = self.db.idempotency.find_one({"_id": key})
        return _record(doc) if doc else None

    def claim(self, record: IdempotencyRecord):
        """Claim `record.key` for a first request; StaleState at commit if it is claimed."""
        self.uow.stage(_insert_once(self.db.idempotency, _claim_doc(record),
                                    "this Idempotency-Key's claim"), one_document=True)

    def take_over(self, lapsed: IdempotencyRecord, record: IdempotencyRecord):
        self.uow.update("idempotency", {"_id": record.key, "status": None,
                                        "created_at": lapsed.claimed_at},
                        {"$set": _claim_doc(record)}, expect=True)

    def answer(self, record: IdempotencyRecord):
        self.uow.update("idempotency", {"_id": record.key}, {"$set": {
            "status": record.status, "body": record.body,
            "content_type": record.content_type}})

    def release(self, key: str):
        """The claim of a request that has no answer lapses now; an answered key stays."""
        self.uow.update("idempotency", {"_id": key, "status": None},
                        {"$set": {"created_at": RELEASED_AT}})


class People(MongoRepository):
    def get(self, email: str) -> Person | None:
        doc = self.db.people.find_one({"_id": email})
        return _person(doc) if doc else None

    def all(self) -> list[Person]:
        return [_person(d) for d in self.db.people.find()]

    def save(self, person: Person, before: Person | None):
        _save_versioned(self.uow, "people", _person_doc(person), before)

    def remove(self, person: Person):
        def write(session):
            if self.db.people.delete_one({"_id": person.email, "version": person.version},
                                         session=session).deleted_count == 0:
                raise StaleState(f"{person.email} changed meanwhile")
        self.uow.stage(write)


class Accounts(MongoRepository):
    def get(self, email: str) -> LocalAccount | None:
        doc = self.db.accounts.find_one({"_id": email})
        return _account(doc) if doc else None

    def by_enrolment(self, code_digest: str) -> LocalAccount | None:
        doc = self.db.accounts.find_one({"entity": PLATFORM, "enrolment_digest": code_digest})
        return _account(doc) if doc else None

    def save(self, account: LocalAccount, before: LocalAccount | None):
        _save_versioned(self.uow, "accounts", _account_doc(account), before)

    def remove(self, email: str):
        self.uow.stage(lambda session: self.db.accounts.delete_one({"_id": email},
                                                                   session=session))


class Sessions(MongoRepository):
    def get(self, session_id: str) -> PortalSession | None:
        doc = self.db.sessions.find_one({"_id": token_hash(session_id)})
        return _session(doc) if doc else None

    def add(self, session: PortalSession):
        self.uow.insert("sessions", _session_doc(session))

    def save(self, session: PortalSession):
        self.uow.replace("sessions", {"_id": session.digest}, _session_doc(session))


class Nonces(MongoRepository):
    def used(self, nonce: str) -> bool:
        return self.db.nonces.find_one({"_id": token_hash(nonce)}) is not None

    def use(self, nonce: str, at: dt.datetime):
        self.uow.stage(_insert_once(self.db.nonces, {
            "_id": token_hash(nonce), "entity": PLATFORM, "at": at}, "this nonce"))


class GatewayUnitOfWork(MongoUnitOfWork):
    tokens: Tokens
    people: People
    sessions: Sessions
    repositories = {"tokens": Tokens, "idempotency": IdempotencyRecords, "people": People,
                    "accounts": Accounts, "sessions": Sessions, "nonces": Nonces}
    # every request reads tokens, sessions and people by `_id`; the lists are short
    indexes = {
        "tokens": [([("entity", 1), ("role", 1)], {})],
        "idempotency": [([("entity", 1), ("created_at", 1)], {})],
        "people": [([("entity", 1), ("name", 1)], {})],
        "accounts": [([("entity", 1), ("enrolment_digest", 1)], {})],
        "sessions": [([("entity", 1), ("email", 1)], {})],
        "nonces": [([("entity", 1), ("at", 1)], {})],
    }


# ---- document shapes ----

def _token_doc(token: AccessToken) -> dict:
    return {"_id": token.digest, "id": token.id, "entity": token.actor.entity or PLATFORM,
            "role": token.actor.role.value, "actor": token.actor.model_dump(mode="json"),
            "person": token.person, "created_at": token.created_at,
            "created_by": token.created_by, "expires_at": token.expires_at,
            "revoked": token.revoked, "revoked_at": token.revoked_at}


def _token(doc: dict) -> AccessToken:
    return AccessToken(doc["_id"], Actor.model_validate(doc["actor"]), doc["created_at"],
                       doc.get("created_by"), bool(doc.get("revoked")), doc.get("id") or "",
                       doc.get("expires_at"), doc.get("person"), doc.get("revoked_at"))


def _claim_doc(record: IdempotencyRecord) -> dict:
    return {"_id": record.key, "entity": PLATFORM, "fingerprint": record.fingerprint,
            "status": None, "created_at": record.claimed_at}


def _record(doc: dict) -> IdempotencyRecord:
    return IdempotencyRecord(doc["_id"], doc["fingerprint"], doc.get("status"),
                             doc.get("body") or "", doc.get("content_type") or "application/json",
                             doc.get("created_at"))


def _person_doc(person: Person) -> dict:
    return {"_id": person.email, "entity": person.entity, "name": person.name,
            "language": person.language,
            "roles": [{"role": g.role.value, "entity": g.entity, "staff_id": g.staff_id}
                      for g in person.roles]}


def _person(doc: dict) -> Person:
    return Person(doc["_id"], doc["name"],
                  [Grant(Role(g["role"]), g.get("entity"), g.get("staff_id"))
                   for g in doc["roles"]], doc.get("language") or "en", doc.get("version", 0))


ACCOUNT_FIELDS = ("totp_secret", "password_hash", "enrolled", "enrolment_digest",
                  "enrolment_expires", "recovery", "failures", "locked_until", "last_step")


def _account_doc(account: LocalAccount) -> dict:
    return {"_id": account.email, "entity": PLATFORM,
            **{name: getattr(account, name) for name in ACCOUNT_FIELDS}}


def _account(doc: dict) -> LocalAccount:
    return LocalAccount(doc["_id"], **{name: doc[name] for name in ACCOUNT_FIELDS
                                       if doc.get(name) is not None},
                        version=doc.get("version", 0))


def _session_doc(session: PortalSession) -> dict:
    return {"_id": session.digest, "entity": PLATFORM, "email": session.email,
            "actor": session.actor.model_dump(mode="json"), "via": session.via,
            "started_at": session.started_at, "expires_at": session.expires_at,
            "ended_at": session.ended_at}


def _session(doc: dict) -> PortalSession:
    return PortalSession(doc["_id"], doc["email"], Actor.model_validate(doc["actor"]),
                         doc["via"], doc["started_at"], doc["expires_at"], doc.get("ended_at"))
