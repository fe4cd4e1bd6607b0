"""The gateway's rules in plain Python: reading batch bodies, access tokens, idempotent replays;
the directory of people (`people`), their local accounts (`accounts`) and portal sessions
(`sessions`) have modules of their own."""
import csv
import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass, replace

from shared.auth import token_hash
from shared.contracts.common import Actor
from shared.kernel.errors import Conflict, Invalid, Malformed

from .bodies import check_csv_shape, check_depth

# ---- batch bodies ----


def parse_csv(text: str) -> tuple[list[dict | None], list[dict]]:
    """Rows of a CSV with a header row, as dicts; a row of the wrong width is None and rejected.

    Rows are numbered from 1, the first row after the header."""
    check_csv_shape(text)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise Malformed("the CSV file is empty: it needs a header row and at least one row")
    except csv.Error as exc:
        raise Malformed(f"the CSV file cannot be read: {exc}")
    if not any(header):
        raise Malformed("the CSV file's first row must name the columns")
    items: list[dict | None] = []
    rejected: list[dict] = []
    try:
        for number, cells in enumerate(reader, start=1):
            if not any(c.strip() for c in cells):
                items.append(None)
                rejected.append({"row": number, "errors": [{"loc": [], "msg": "empty row"}]})
            elif len(cells) != len(header):
                items.append(None)
                rejected.append({"row": number, "errors": [{"loc": [], "msg":
                                 f"expected {len(header)} columns, found {len(cells)}"}]})
            else:
                items.append({h: (c.strip() or None) for h, c in zip(header, cells)})
    except csv.Error as exc:
        raise Malformed(f"the CSV file cannot be read at row {len(items) + 1}: {exc}")
    return items, rejected


def parse_json_items(body) -> list:
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise Malformed('a batch is {"items": [...]} or text/csv with a header row')
    return body["items"]


def merge_batch_answers(answer: dict, pre_rejected: list[dict]) -> dict:
    rejected = sorted(answer.get("rejected", []) + pre_rejected, key=lambda r: r["row"])
    return {**answer, "rejected": rejected}


def load_json(raw: bytes):
    check_depth(raw or b"")
    try:
        return json.loads(raw or b"null")
    except RecursionError:
        raise Malformed("the JSON body nests too deeply")
    except (ValueError, UnicodeDecodeError) as exc:
        raise Malformed(f"the body is not valid JSON: {exc}")


# ---- access tokens ----

TOKEN_DAYS = 90


@dataclass(frozen=True)
class AccessToken:
    """A token handed out once: the platform keeps only its hash, whom it stands for (a person,
    by e-mail, or a service account when `person` is None), until when, and whether it was
    revoked. `id` names it in lists and revocations; the hash never leaves the gateway."""
    digest: str
    actor: Actor
    created_at: dt.datetime
    created_by: str | None = None
    revoked: bool = False
    id: str = ""
    expires_at: dt.datetime | None = None
    person: str | None = None
    revoked_at: dt.datetime | None = None

    @classmethod
    def issue(cls, token: str, actor: Actor, now: dt.datetime, by: str | None,
              days: int = TOKEN_DAYS, person: str | None = None,
              token_id: str = "") -> "AccessToken":
        return cls(token_hash(token), actor, now, by, id=token_id,
                   expires_at=now + dt.timedelta(days=days), person=person)

    def usable(self, now: dt.datetime) -> bool:
        return not self.revoked and (self.expires_at is None or now < self.expires_at)

    def revoke(self, now: dt.datetime) -> "AccessToken":
        if self.revoked:
            raise Conflict(f"token {self.id} was revoked already")
        return replace(self, revoked=True, revoked_at=now)

    def view(self) -> dict:
        """The token as lists show it: never its secret, never its hash."""
        return {"id": self.id, "label": self.actor.label, "role": self.actor.role.value,
                "entity": self.actor.entity, "staff_id": self.actor.staff_id,
                "person": self.person, "created_at": self.created_at,
                "created_by": self.created_by, "expires_at": self.expires_at,
                "revoked_at": self.revoked_at}


# ---- idempotent replays ----


CLAIM_SECONDS = 60


RELEASED_AT = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)  # the claim time of a release


@dataclass(frozen=True)
class IdempotencyRecord:
    """A request sent with an Idempotency-Key: the fingerprint of its method, path and body and,
    once it is answered, the answer to replay (`status` None while the first request runs).
    `claimed_at` is when its first request began: a claim never answered (its request died
    before the answer was kept) lapses after a while, so the key can be sent again."""
    key: str
    fingerprint: str
    status: int | None = None
    body: str = ""
    content_type: str = "application/json"
    claimed_at: dt.datetime | None = None

    @property
    def answered(self) -> bool:
        return self.status is not None

    def answer(self, status: int, body: str, content_type: str) -> "IdempotencyRecord":
        return replace(self, status=status, body=body, content_type=content_type)

    def released(self) -> "IdempotencyRecord":
        """The claim of a request that failed, lapsed at once: the key may be sent again, and
        the request that sends it is told an earlier one left no answer."""
        return replace(self, claimed_at=RELEASED_AT)

    def lapsed(self, now: dt.datetime, after_seconds: float) -> bool:
        return (not self.answered and self.claimed_at is not None
                and now - self.claimed_at >= dt.timedelta(seconds=after_seconds))


def body_fingerprint(method: str, path: str, raw: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + raw).hexdigest()


IDEMPOTENCY_KEY_MAX = 200


def check_idempotency_key(key: str) -> str:
    """A client's Idempotency-Key, refused when it is longer than the document allows."""
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise Invalid.field(["header", "Idempotency-Key"],
                            f"at most {IDEMPOTENCY_KEY_MAX} characters")
    return key


def idempotency_key(owner: str, key: str) -> str:
    """The stored id of a key: keys are their sender's own (its token's id), so two senders'
    keys never meet."""
    return token_hash(f"{owner}|{key}")


def replay_decision(stored: IdempotencyRecord | None, fingerprint: str, now: dt.datetime,
                    claim_seconds: float = CLAIM_SECONDS):
    """None when the key is new or its unanswered claim lapsed; the stored answer when it is a
    replay; Conflict otherwise."""
    if stored is None or stored.lapsed(now, claim_seconds):
        return None
    if stored.fingerprint != fingerprint:
        raise Conflict("this Idempotency-Key was used with another request body")
    if not stored.answered:
        raise Conflict("a request with this Idempotency-Key is still being processed")
    return stored
