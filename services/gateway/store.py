"""The gateway's own data: access tokens (hashed) and idempotency records."""
import time

from pymongo.errors import DuplicateKeyError

from shared.auth import new_token, token_hash
from shared.contracts.common import Actor
from shared.storage import Repository, utcnow

TOKEN_CACHE_SECONDS = 30


class GatewayRepository(Repository):
    indexes = {
        "tokens": [([("entity", 1), ("role", 1)], {})],
        "idempotency": [([("entity", 1), ("created_at", 1)], {})],
    }
    _token_cache: dict = {}

    def issue_token(self, actor: Actor) -> str:
        token = new_token()
        self.atomically(lambda uow: (
            uow["tokens"].insert_one({
                "_id": token_hash(token), "entity": actor.entity or "-", "role": actor.role.value,
                "actor": actor.model_dump(mode="json"), "created_at": utcnow(),
                "created_by": self.actor.label}),
            uow.audit("issue_token", f"tokens/{actor.label}", entity=actor.entity)))
        return token

    def actor_for(self, token: str) -> Actor | None:
        digest = token_hash(token)
        cached = self._token_cache.get(digest)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        doc = self.db.tokens.find_one({"_id": digest, "revoked": {"$ne": True}})
        actor = Actor.model_validate(doc["actor"]) if doc else None
        if actor:
            self._token_cache[digest] = (actor, time.monotonic() + TOKEN_CACHE_SECONDS)
        return actor

    def idempotency_record(self, key_id: str) -> dict | None:
        return self.db.idempotency.find_one({"_id": key_id})

    def claim_idempotency_key(self, key_id: str, fingerprint: str) -> bool:
        try:
            self.db.idempotency.insert_one({"_id": key_id, "entity": "-", "fingerprint": fingerprint,
                                            "status": None, "created_at": utcnow()})
            return True
        except DuplicateKeyError:
            return False

    def store_idempotent_answer(self, key_id: str, status: int, body: str, content_type: str):
        self.db.idempotency.update_one({"_id": key_id}, {"$set": {
            "status": status, "body": body, "content_type": content_type}})

    def release_idempotency_key(self, key_id: str):
        self.db.idempotency.delete_one({"_id": key_id, "status": None})
