"""The gateway's use cases on the in-memory unit of work: tokens, idempotency records."""
import datetime as dt
from dataclasses import replace

import pytest
from people import ADMIN, EO, focal

from services.gateway import use_cases as uc
from services.gateway.domain import IdempotencyRecord, body_fingerprint, idempotency_key
from services.gateway.memory import GatewayMemory
from shared.auth import token_hash
from shared.contracts.common import Actor
from shared.contracts.tokens import TokenRequest
from shared.kernel.errors import Conflict, Forbidden, Invalid, NotFound


@pytest.fixture
def gateway(state, clock):
    """`gateway(actor)`: a unit of work acting for `actor`, over one in-memory state."""
    def make(actor: Actor = ADMIN) -> GatewayMemory:
        return GatewayMemory(state, actor, clock)
    return make


def request(role="focal_point", entity="UNHCR", label="UNHCR focal point") -> TokenRequest:
    return TokenRequest(role=role, entity=entity, label=label)


# ---- tokens ----

def test_an_issued_token_stands_for_its_actor_and_is_kept_as_a_hash(gateway, state):
    issued = uc.issue_token(gateway(), request())
    assert issued.token.startswith("epun_") and issued.label == "UNHCR focal point"
    assert uc.actor_for_token(gateway(), issued.token) == focal("UNHCR")
    assert list(state.collection("tokens")) == [token_hash(issued.token)]
    assert state.outbox == []


def test_issuing_a_token_is_audited_with_who_issued_it(gateway, state, clock):
    issued = uc.issue_token(gateway(), request(role="auditor", entity=None, label="an auditor"))
    [audit] = state.audit_log
    assert (audit["action"], audit["record"], audit["who"], audit["entity"], audit["detail"]) \
        == ("issue_token", f"tokens/{issued.id}", "admin", "-", "an auditor")
    [stored] = state.collection("tokens").values()
    assert stored.created_by == "admin" and stored.created_at == clock.now()
    assert issued.expires_at == clock.now() + dt.timedelta(days=90)


def test_tokens_are_listed_without_secrets_and_a_revoked_one_stops_at_once(gateway, state):
    first = uc.issue_token(gateway(), request())
    second = uc.issue_token(gateway(), request(label="second", entity="UNDP"))
    listed = uc.list_tokens(gateway())
    assert {t["id"] for t in listed} == {first.id, second.id}
    assert all(first.token not in repr(t) and token_hash(first.token) not in repr(t)
               for t in listed)
    assert set(listed[0]) >= {"id", "label", "role", "entity", "staff_id", "created_at",
                              "expires_at"}
    revoked = uc.revoke_token(gateway(), first.id)
    assert revoked["revoked_at"] is not None
    assert uc.actor_for_token(gateway(), first.token) is None
    assert uc.actor_for_token(gateway(), second.token) == Actor(
        role="focal_point", entity="UNDP", label="second")
    assert state.audit_log[-1]["action"] == "revoke_token"
    with pytest.raises(Conflict):
        uc.revoke_token(gateway(), first.id)
    with pytest.raises(NotFound):
        uc.revoke_token(gateway(), "nosuchtoken")
    with pytest.raises(Forbidden):
        uc.list_tokens(gateway(EO))


def test_a_token_stops_at_its_expiry(gateway, clock):
    issued = uc.issue_token(gateway(), TokenRequest(role="auditor", label="a week",
                                                    expires_in_days=7))
    clock.advance(days=6.9)
    assert uc.credential_for_token(gateway(), issued.token).token_id == issued.id
    clock.advance(days=0.2)
    assert uc.credential_for_token(gateway(), issued.token) is None


def test_a_person_s_token_carries_a_role_they_hold_and_ends_with_it(gateway):
    from services.gateway.use_cases.people import PutPerson
    from shared.contracts.people import PersonIn
    uc.put_person(gateway(), PutPerson("ana@un.org", PersonIn(
        name="Ana", roles=[{"role": "focal_point", "entity": "UNHCR"}, {"role": "auditor"}])))
    with pytest.raises(Invalid):
        uc.issue_token(gateway(), TokenRequest(role="reviewer", label="x", person="ana@un.org"))
    with pytest.raises(Invalid):
        uc.issue_token(gateway(), TokenRequest(role="auditor", label="x", person="bo@un.org"))
    token = uc.issue_token(gateway(), TokenRequest(role="focal_point", entity="UNHCR",
                                                   label="Ana's uploads", person="ana@un.org"))
    assert uc.actor_for_token(gateway(), token.token).entity == "UNHCR"
    uc.put_person(gateway(), PutPerson("ana@un.org", PersonIn(name="Ana",
                                                              roles=[{"role": "auditor"}])))
    assert uc.actor_for_token(gateway(), token.token) is None
    assert [t["revoked_at"] is not None for t in uc.list_tokens(gateway())] == [True]


def test_only_an_admin_issues_tokens(gateway, state):
    with pytest.raises(Forbidden):
        uc.issue_token(gateway(EO), request())
    assert state.collection("tokens") == {} and state.audit_log == []


def test_an_unknown_empty_or_revoked_token_stands_for_nobody(gateway, state):
    assert uc.actor_for_token(gateway(), "epun_unknown") is None
    assert uc.actor_for_token(gateway(), "") is None
    issued = uc.issue_token(gateway(), request())
    records, digest = state.collection("tokens"), token_hash(issued.token)
    records[digest] = replace(records[digest], revoked=True)
    assert uc.actor_for_token(gateway(), issued.token) is None


# ---- idempotency records ----

def claim_of(body: bytes = b"{}", key: str = "key-1") -> IdempotencyRecord:
    return IdempotencyRecord(idempotency_key("token-id", key),
                             body_fingerprint("PUT", "/api/v1/entities/UNDP", body))


def test_a_new_key_is_claimed_then_its_answer_is_replayed(gateway):
    claim = claim_of()
    assert uc.claim_idempotency_key(gateway(), claim) is None
    uc.keep_answer(gateway(), claim.answer(201, '{"code": "UNDP"}', "application/json"))
    replayed = uc.claim_idempotency_key(gateway(), claim_of())
    assert (replayed.status, replayed.body, replayed.content_type) == (
        201, '{"code": "UNDP"}', "application/json")


def test_a_key_sent_with_another_body_or_while_its_request_runs_is_a_conflict(gateway):
    assert uc.claim_idempotency_key(gateway(), claim_of()) is None
    with pytest.raises(Conflict, match="still being processed"):
        uc.claim_idempotency_key(gateway(), claim_of())
    uc.keep_answer(gateway(), claim_of().answer(200, "{}", "application/json"))
    with pytest.raises(Conflict, match="another request body"):
        uc.claim_idempotency_key(gateway(), claim_of(b'{"name": "other"}'))


def test_keys_are_each_sender_s_own():
    assert idempotency_key("token-1", "k") != idempotency_key("token-2", "k")


def test_a_claim_never_answered_lapses_and_the_key_may_be_sent_again(gateway, clock):
    assert uc.claim_idempotency_key(gateway(), claim_of(), claim_seconds=60) is None
    clock.advance(seconds=59)
    with pytest.raises(Conflict, match="still being processed"):
        uc.claim_idempotency_key(gateway(), claim_of(), claim_seconds=60)
    clock.advance(seconds=2)
    retaken = uc.claim_idempotency_key(gateway(), claim_of(b'{"a": 2}'), claim_seconds=60)
    assert not retaken.answered and retaken.fingerprint == claim_of(b'{"a": 2}').fingerprint
    uc.keep_answer(gateway(), claim_of(b'{"a": 2}').answer(201, "{}", "application/json"))
    clock.advance(days=1)  # an answered key never lapses
    assert uc.claim_idempotency_key(gateway(), claim_of(b'{"a": 2}')).status == 201


def test_a_released_key_may_be_sent_again_but_an_answered_one_stays(gateway, state):
    claim = claim_of()
    uc.claim_idempotency_key(gateway(), claim)
    uc.release_idempotency_key(gateway(), claim.key)
    again = uc.claim_idempotency_key(gateway(), claim)  # told an earlier request left none
    assert again is not None and not again.answered
    uc.keep_answer(gateway(), claim.answer(200, "{}", "application/json"))
    uc.release_idempotency_key(gateway(), claim.key)
    assert uc.claim_idempotency_key(gateway(), claim).status == 200


def test_a_key_claimed_at_the_same_moment_is_read_and_found_running(gateway, state):
    """Two first requests at once: the later commit finds the key taken (StaleState), reads
    it, and sees the first request still running."""
    claim, racing = claim_of(), gateway()
    original_claim = racing.idempotency.claim

    def claim_after_the_other(record):
        uc.claim_idempotency_key(gateway(), claim)
        racing.idempotency.claim = original_claim
        original_claim(record)
    racing.idempotency.claim = claim_after_the_other
    with pytest.raises(Conflict, match="still being processed"):
        uc.claim_idempotency_key(racing, claim)
    assert len(state.collection("idempotency")) == 1


def test_a_new_key_is_claimed_without_reading_it_first(gateway):
    fresh = gateway()
    fresh.idempotency.get = lambda key: pytest.fail("a new key was read before its claim")
    assert uc.claim_idempotency_key(fresh, claim_of(key="never-sent")) is None


def test_an_answer_for_a_key_never_claimed_keeps_nothing(gateway, state):
    uc.keep_answer(gateway(), claim_of().answer(200, "{}", "application/json"))
    assert state.collection("idempotency") == {}
