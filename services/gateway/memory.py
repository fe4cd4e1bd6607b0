"""The gateway's repositories in memory: the fake the use-case tests run on. They keep the same
promises as `store.py` (the repository suite runs against both)."""
from dataclasses import replace

from shared.auth import token_hash
from shared.kernel.uow import InMemoryUnitOfWork

from .domain import AccessToken, IdempotencyRecord
from .domain.accounts import LocalAccount
from .domain.people import Person
from .domain.sessions import PortalSession


class Repository:
    collection = ""

    def __init__(self, uow: InMemoryUnitOfWork):
        self.uow = uow

    def _read(self, key):
        return self.uow.read(self.collection, key)

    def _all(self) -> list:
        return self.uow.records(self.collection)


class Tokens(Repository):
    collection = "tokens"

    def add(self, token: AccessToken):
        self.uow.stage(self.collection, token.digest, token)

    def save(self, token: AccessToken):
        self.uow.stage(self.collection, token.digest, token)

    def get(self, digest: str) -> AccessToken | None:
        return self._read(digest)

    def by_id(self, token_id: str) -> AccessToken | None:
        return next((t for t in self._all() if t.id == token_id), None)

    def all(self) -> list[AccessToken]:
        return self._all()

    def of_person(self, email: str) -> list[AccessToken]:
        return [t for t in self._all() if t.person == email]


class IdempotencyRecords(Repository):
    collection = "idempotency"

    def get(self, key: str) -> IdempotencyRecord | None:
        return self._read(key)

    def claim(self, record: IdempotencyRecord):
        self.uow.stage(self.collection, record.key, record,
                       expect=lambda current: current is None)

    def take_over(self, lapsed: IdempotencyRecord, record: IdempotencyRecord):
        """Claim a key whose first claim lapsed unanswered; StaleState if it changed."""
        self.uow.stage(self.collection, record.key, record,
                       expect=lambda current: current == lapsed)

    def answer(self, record: IdempotencyRecord):
        found = self.get(record.key)
        assert record.status is not None, "an answer has its status"
        if found is not None:
            self.uow.stage(self.collection, record.key,
                           found.answer(record.status, record.body, record.content_type))

    def release(self, key: str):
        found = self.get(key)
        if found is not None and not found.answered:
            self.uow.stage(self.collection, key, found.released())


def _same_version(before):
    version = before.version if before is not None else None
    return lambda current: (current.version if current is not None else None) == version


class People(Repository):
    collection = "people"

    def get(self, email: str) -> Person | None:
        return self._read(email)

    def all(self) -> list[Person]:
        return self._all()

    def save(self, person: Person, before: Person | None):
        """Add or change; StaleState at commit when it changed since `before` was read."""
        self.uow.stage(self.collection, person.email,
                       replace(person, version=(before.version if before else 0) + 1),
                       expect=_same_version(before))

    def remove(self, person: Person):
        self.uow.stage(self.collection, person.email, None, expect=_same_version(person))


class Accounts(Repository):
    collection = "accounts"

    def get(self, email: str) -> LocalAccount | None:
        return self._read(email)

    def by_enrolment(self, code_digest: str) -> LocalAccount | None:
        return next((a for a in self._all() if a.enrolment_digest == code_digest), None)

    def save(self, account: LocalAccount, before: LocalAccount | None):
        self.uow.stage(self.collection, account.email,
                       replace(account, version=(before.version if before else 0) + 1),
                       expect=_same_version(before))

    def remove(self, email: str):
        self.uow.stage(self.collection, email, None)


class Sessions(Repository):
    collection = "sessions"

    def get(self, session_id: str) -> PortalSession | None:
        return self._read(token_hash(session_id))

    def add(self, session: PortalSession):
        self.uow.stage(self.collection, session.digest, session)

    def save(self, session: PortalSession):
        self.uow.stage(self.collection, session.digest, session)


class Nonces(Repository):
    """The nonces of ID tokens accepted: an ID token is accepted once."""
    collection = "nonces"

    def used(self, nonce: str) -> bool:
        return self._read(token_hash(nonce)) is not None

    def use(self, nonce: str, at):
        self.uow.stage(self.collection, token_hash(nonce), at,
                       expect=lambda current: current is None)


class GatewayMemory(InMemoryUnitOfWork):
    """`GatewayMemory(state, actor, clock)`: a unit of work over in-memory collections."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tokens, self.idempotency = Tokens(self), IdempotencyRecords(self)
        self.people, self.accounts = People(self), Accounts(self)
        self.sessions, self.nonces = Sessions(self), Nonces(self)
