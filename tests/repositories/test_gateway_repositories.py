"""The gateway's repositories and unit of work: the fake and the database keep the same
promises."""
import datetime as dt

import pytest
from conftest import backends

from services.gateway.domain import AccessToken, IdempotencyRecord
from services.gateway.domain.accounts import LocalAccount, digest
from services.gateway.domain.people import Grant, Person
from services.gateway.domain.sessions import PortalSession
from services.gateway.memory import GatewayMemory
from services.gateway.store import GatewayUnitOfWork
from shared.contracts.common import Actor, Role
from shared.kernel.errors import StaleState

backend = backends(GatewayMemory, GatewayUnitOfWork)
HOLDER = Actor(role=Role.focal_point, entity="UNHCR", label="UNHCR focal point")
AT = dt.datetime(2015, 7, 31, 12, tzinfo=dt.timezone.utc)


def issued(token: str = "epun_one", actor: Actor = HOLDER) -> AccessToken:
    return AccessToken.issue(token, actor, AT, "repository suite")


def test_a_token_is_found_by_its_hash_once_committed(backend):
    token = issued()
    with backend.uow() as uow:
        uow.tokens.add(token)
        uow.audit("issue_token", "tokens/UNHCR focal point", "UNHCR")
        assert uow.tokens.get(token.digest) is None  # staged, not written
        uow.commit()
    found = backend.uow().tokens.get(token.digest)
    assert found == token and found.actor == HOLDER and not found.revoked
    [audit] = backend.audit()
    assert (audit["action"], audit["entity"]) == ("issue_token", "UNHCR")
    assert backend.outbox() == []


def test_a_token_left_uncommitted_is_not_kept(backend):
    token = issued("epun_never")
    with backend.uow() as uow:
        uow.tokens.add(token)
    assert backend.uow().tokens.get(token.digest) is None
    assert backend.audit() == []


def test_an_unscoped_actor_s_token_keeps_its_actor(backend):
    token = issued("epun_auditor", Actor(role=Role.auditor, label="an auditor"))
    with backend.uow() as uow:
        uow.tokens.add(token)
        uow.commit()
    assert backend.uow().tokens.get(token.digest).actor.entity is None


def claimed(backend, key: str = "k1", fingerprint: str = "f1") -> IdempotencyRecord:
    record = IdempotencyRecord(key, fingerprint)
    with backend.uow() as uow:
        uow.idempotency.claim(record)
        uow.commit()
    return record


def test_a_claimed_key_is_unanswered_until_its_answer_is_kept(backend):
    assert backend.uow().idempotency.get("k1") is None
    record = claimed(backend)
    found = backend.uow().idempotency.get("k1")
    assert found == IdempotencyRecord("k1", "f1") and not found.answered
    with backend.uow() as uow:
        uow.idempotency.answer(record.answer(201, '{"a": 1}', "application/json"))
        uow.commit()
    assert backend.uow().idempotency.get("k1") == IdempotencyRecord(
        "k1", "f1", 201, '{"a": 1}', "application/json")


def test_a_key_claimed_twice_is_stale_state_and_keeps_the_first_claim(backend):
    claimed(backend, fingerprint="first")
    with pytest.raises(StaleState):
        claimed(backend, fingerprint="second")
    assert backend.uow().idempotency.get("k1").fingerprint == "first"


def test_releasing_lapses_an_unanswered_claim_only(backend):
    claimed(backend, "open")
    answered = claimed(backend, "done")
    with backend.uow() as uow:
        uow.idempotency.answer(answered.answer(200, "{}", "application/json"))
        uow.commit()
    for key in ("open", "done", "never"):
        with backend.uow() as uow:
            uow.idempotency.release(key)
            uow.commit()
    uow = backend.uow()
    released = uow.idempotency.get("open")
    assert released.lapsed(dt.datetime.now(dt.timezone.utc), after_seconds=60)
    assert uow.idempotency.get("never") is None
    assert uow.idempotency.get("done").status == 200


def test_an_answer_for_a_key_never_claimed_keeps_nothing(backend):
    with backend.uow() as uow:
        uow.idempotency.answer(IdempotencyRecord("nobody", "f", 200, "{}"))
        uow.commit()
    assert backend.uow().idempotency.get("nobody") is None


def committed(backend, write):
    with backend.uow() as uow:
        write(uow)
        uow.commit()


def test_a_token_is_found_by_its_id_and_its_person_and_a_revocation_is_kept(backend):
    token = AccessToken.issue("epun_person", HOLDER, AT, "suite", 90, "ana@un.org", "t1")
    committed(backend, lambda uow: uow.tokens.add(token))
    uow = backend.uow()
    assert uow.tokens.by_id("t1") == token and uow.tokens.of_person("ana@un.org") == [token]
    assert uow.tokens.by_id("t2") is None and uow.tokens.of_person("bo@un.org") == []
    assert token.expires_at == AT + dt.timedelta(days=90)
    committed(backend, lambda uow: uow.tokens.save(token.revoke(AT)))
    found = backend.uow().tokens.get(token.digest)
    assert found.revoked and found.revoked_at == AT and not found.usable(AT)
    assert [t.id for t in backend.uow().tokens.all()] == ["t1"]


def test_a_lapsed_claim_is_taken_over_once(backend):
    lapsed = IdempotencyRecord("k1", "f1", claimed_at=AT)
    committed(backend, lambda uow: uow.idempotency.claim(lapsed))
    mine = IdempotencyRecord("k1", "f2", claimed_at=AT + dt.timedelta(minutes=2))
    committed(backend, lambda uow: uow.idempotency.take_over(lapsed, mine))
    assert backend.uow().idempotency.get("k1") == mine
    with pytest.raises(StaleState):
        committed(backend, lambda uow: uow.idempotency.take_over(lapsed, mine))


ANA = Person("ana@un.org", "Ana Lima", [Grant(Role.focal_point, "UNHCR"), Grant(Role.auditor)])


def test_a_person_is_kept_with_their_roles_and_changes_only_from_what_was_read(backend):
    committed(backend, lambda uow: uow.people.save(ANA, None))
    stored = backend.uow().people.get("ana@un.org")
    assert (stored.roles, stored.name, stored.version) == (ANA.roles, "Ana Lima", 1)
    with pytest.raises(StaleState):
        committed(backend, lambda uow: uow.people.save(ANA, None))  # added twice
    changed = Person(ANA.email, "Ana L.", [Grant(Role.auditor)], "zh", stored.version)
    committed(backend, lambda uow: uow.people.save(changed, stored))
    with pytest.raises(StaleState):
        committed(backend, lambda uow: uow.people.save(changed, stored))  # read before
    latest = backend.uow().people.get(ANA.email)
    assert (latest.roles, latest.language, latest.version) == ([Grant(Role.auditor)], "zh", 2)
    assert [p.email for p in backend.uow().people.all()] == [ANA.email]
    committed(backend, lambda uow: uow.people.remove(latest))
    assert backend.uow().people.get(ANA.email) is None


def test_a_local_account_is_found_by_its_enrolment_code_and_keeps_its_counts(backend):
    invited = LocalAccount.invite("ana@un.org", "the-code", AT)
    committed(backend, lambda uow: uow.accounts.save(invited, None))
    found = backend.uow().accounts.by_enrolment(digest("the-code"))
    assert found.email == "ana@un.org" and found.totp_secret == invited.totp_secret
    assert found.enrolment_expires == AT + dt.timedelta(days=7) and not found.enrolled
    assert backend.uow().accounts.by_enrolment(digest("another")) is None
    failed = LocalAccount(**{**found.__dict__, "failures": 3, "locked_until": AT,
                             "recovery": ["r1", "r2"], "last_step": 7})
    committed(backend, lambda uow: uow.accounts.save(failed, found))
    again = backend.uow().accounts.get("ana@un.org")
    assert (again.failures, again.locked_until, again.recovery, again.last_step,
            again.version) == (3, AT, ["r1", "r2"], 7, 2)
    with pytest.raises(StaleState):
        committed(backend, lambda uow: uow.accounts.save(failed, found))
    committed(backend, lambda uow: uow.accounts.remove("ana@un.org"))
    assert backend.uow().accounts.get("ana@un.org") is None


def test_a_session_is_found_by_its_id_never_by_its_hash_and_ends(backend):
    actor = Actor(role=Role.focal_point, entity="UNHCR", label="ana@un.org")
    session = PortalSession.start("the-session-id", actor, "oidc", AT)
    committed(backend, lambda uow: uow.sessions.add(session))
    assert backend.uow().sessions.get("the-session-id") == session
    assert backend.uow().sessions.get(session.digest) is None
    committed(backend, lambda uow: uow.sessions.save(session.end(AT)))
    ended = backend.uow().sessions.get("the-session-id")
    assert ended.ended_at == AT and not ended.live(AT)


def test_a_nonce_is_used_once(backend):
    assert not backend.uow().nonces.used("n1")
    committed(backend, lambda uow: uow.nonces.use("n1", AT))
    assert backend.uow().nonces.used("n1")
    with pytest.raises(StaleState):
        committed(backend, lambda uow: uow.nonces.use("n1", AT))
