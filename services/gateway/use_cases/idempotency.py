"""Requests sent with an Idempotency-Key: claim the key for its first request, replay the kept
answer, keep the answer, release the claim of a request that failed."""
from shared.kernel.errors import StaleState
from shared.kernel.uow import retrying

from ..domain import CLAIM_SECONDS, IdempotencyRecord, replay_decision


def claim_idempotency_key(uow, claim: IdempotencyRecord,
                          claim_seconds: float = CLAIM_SECONDS) -> IdempotencyRecord | None:
    """None when this is the key's first request: the key is now claimed for it. The answered
    record when the same request comes again. The new claim, unanswered, when an earlier
    request with the key left no answer (its claim lapsed after `claim_seconds`, or was
    released): the key is claimed for this one, whose work the services may have done already.
    Conflict when the key was sent with another request, or its first request is still running.

    A key is nearly always new: its claim is written without reading the key first, and only a
    claim that finds the key taken reads what took it."""
    try:
        with uow:
            uow.idempotency.claim(IdempotencyRecord(claim.key, claim.fingerprint,
                                                    claimed_at=uow.clock.now()))
            uow.commit()
        return None
    except StaleState:
        return _claim_taken(uow, claim, claim_seconds)


@retrying
def _claim_taken(uow, claim: IdempotencyRecord, claim_seconds: float) -> IdempotencyRecord | None:
    with uow:
        found = uow.idempotency.get(claim.key)
        stored = replay_decision(found, claim.fingerprint, uow.clock.now(), claim_seconds)
        if stored is not None:
            return stored
        mine = IdempotencyRecord(claim.key, claim.fingerprint, claimed_at=uow.clock.now())
        if found is None:
            uow.idempotency.claim(mine)
        else:
            uow.idempotency.take_over(found, mine)
        uow.commit()  # StaleState when another request claimed the key meanwhile: read again
    return mine


def keep_answer(uow, answered: IdempotencyRecord):
    """The answer of a claimed key's request, for its replays."""
    with uow:
        uow.idempotency.answer(answered)
        uow.commit()


def release_idempotency_key(uow, key: str):
    """The claimed key's request failed: the key may be sent again (an answered key stays)."""
    with uow:
        uow.idempotency.release(key)
        uow.commit()
