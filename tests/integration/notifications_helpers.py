"""Helpers of the notifications' integration tests: publishing events as the services do, and
reading what the local SMTP server received."""
import email
import email.policy
import itertools
import uuid
from pathlib import Path

from nameko.amqp.publish import Publisher
from nameko.standalone.events import get_event_exchange

from epun.mailserver import receptions
from shared.contracts.common import Actor, Role
from shared.contracts.envelope import EVENTS, Envelope

ACTOR = Actor(role=Role.admin, label="notifications test")
_codes = itertools.count(1)


def code(prefix: str) -> str:
    """A fresh entity code (letters only, as the directory's)."""
    return f"{prefix}{uuid.uuid4().hex[:6].upper()}"


def publish(stack, payload, entity: str) -> Envelope:
    """`payload` as the service that owns its type publishes it (an envelope on the source's
    event exchange, with publisher confirms)."""
    source, _ = EVENTS[payload.event_type]
    envelope = Envelope.of(payload, entity=entity, actor=ACTOR)
    exchange = get_event_exchange(source, {})
    Publisher(stack.amqp_uri, exchange=exchange, declare=[exchange], use_confirms=True,
              mandatory=True).publish(envelope.model_dump(mode="json"),
                                      routing_key=payload.event_type,
                                      message_id=envelope.event_id)
    return envelope


def mailbox(stack) -> list[email.message.EmailMessage]:
    """Every message the stack's SMTP server keeps."""
    found = []
    for path in Path(stack.mail_dir).glob("*.eml"):
        try:
            found.append(email.message_from_bytes(path.read_bytes(),
                                                  policy=email.policy.default))
        except FileNotFoundError:
            continue
    return found


def to(message) -> str:
    return message["To"].addresses[0].addr_spec


def messages_to(stack, address: str, kind: str | None = None) -> list:
    return [m for m in mailbox(stack) if to(m) == address
            and kind in (None, str(m["X-EPUN-Kind"]))]


def received(stack, addresses: set[str]) -> list[dict]:
    """The SMTP server's receptions for `addresses`, in the order it accepted them."""
    return [r for r in receptions(stack.mail_dir) if set(r["to"]) & addresses]


def body(message, subtype: str = "plain") -> str:
    return message.get_body(preferencelist=(subtype,)).get_content()


def calendar_part(message) -> bytes:
    return next(p for p in message.walk()
                if p.get_content_type() == "text/calendar").get_payload(decode=True)
