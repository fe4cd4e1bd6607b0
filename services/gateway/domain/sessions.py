"""Portal sessions kept by the gateway: the browser holds only a random id (signed, in a cookie);
the gateway keeps who signed in, how, the role they act in, and until when. Every request reads
the session and the person again, so a person removed from the directory, a role taken away or
a session ended anywhere ends it at the next request, in every gateway process."""
import datetime as dt
from dataclasses import dataclass, replace

from shared.auth import token_hash
from shared.contracts.common import Actor

SIGNED_IN = dt.timedelta(hours=8)


@dataclass(frozen=True)
class PortalSession:
    digest: str           # the hash of the id in the cookie
    email: str
    actor: Actor          # the role the person acts in now
    via: str              # "oidc" or "password"
    started_at: dt.datetime
    expires_at: dt.datetime
    ended_at: dt.datetime | None = None

    @classmethod
    def start(cls, session_id: str, actor: Actor, via: str,
              now: dt.datetime) -> "PortalSession":
        return cls(token_hash(session_id), actor.label, actor, via, now, now + SIGNED_IN)

    def live(self, now: dt.datetime) -> bool:
        return self.ended_at is None and now < self.expires_at

    def acting_as(self, actor: Actor) -> "PortalSession":
        return replace(self, actor=actor)

    def end(self, now: dt.datetime) -> "PortalSession":
        return replace(self, ended_at=self.ended_at or now)
