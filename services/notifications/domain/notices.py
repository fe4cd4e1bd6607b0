"""Who is told what: each notice is a kind, a recipient and the values its template needs.

Recipients come from the events the service has kept (focal points, Panel members' contacts,
filers with an address); one without an address is skipped and counted, never an error. Each
message's id derives from what caused it (an event id, or a due moment of the schedule) and the
recipient, so the same cause never makes two messages for one person.
"""
import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Recipient:
    email: str | None
    name: str
    language: str = "en"
    entity: str = "-"


@dataclass
class Notice:
    kind: str
    recipient: Recipient
    values: dict
    cause: str                 # the event id or the schedule's key the message comes from
    year: int | None = None    # the disclosure cycle it is about, if any
    calendar: dict | None = None  # a meeting's invitation: id, day, sequence, cancelled

    @property
    def id(self) -> str:
        return message_id(self.cause, self.recipient.email or "")


@dataclass
class Notices:
    """The notices a cause makes, and the recipients skipped for want of an address."""
    items: list[Notice] = field(default_factory=list)
    skipped: int = 0

    def add(self, kind: str, recipients, values: dict, cause: str, **extra):
        seen = {n.recipient.email for n in self.items if n.kind == kind}
        for recipient in recipients:
            if not recipient.email:
                self.skipped += 1
                continue
            if recipient.email in seen:
                continue
            seen.add(recipient.email)
            self.items.append(Notice(kind, recipient, dict(values), cause, **extra))
        return self


def message_id(cause: str, email: str) -> str:
    return hashlib.sha256(f"{cause}|{email.lower()}".encode()).hexdigest()[:32]


def contacts_of(entity: str, contacts: list[dict]) -> list[Recipient]:
    return [Recipient(c.get("email"), c.get("name") or "", c.get("language") or "en", entity)
            for c in contacts]


def office(eo_mail: str | None) -> list[Recipient]:
    """The Ethics Office's own address (configuration), copied where the Office should know."""
    return [Recipient(eo_mail, "Ethics Office", "en", "EO")] if eo_mail else []
