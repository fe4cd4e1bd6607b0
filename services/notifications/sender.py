"""Sending the queued messages over SMTP, in the order they were queued.

One process of the service sends at a time (a lease in the database, as the outbox relay's).
Each message is marked sent as soon as the server accepts it. A server that cannot be reached
(or answers 421) stops the pass and is tried again with a growing delay, so nothing is lost and
the order holds; a temporary refusal of one message (4xx) retries that message later; a
permanent one (5xx, an address that is not one) marks it failed with its reason and the sender
goes on with the next.
"""
import datetime as dt
import logging
import os
import re
import smtplib
import socket
import ssl
import urllib.parse
import uuid
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

import eventlet
import eventlet.hubs
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError, PyMongoError

from shared.kernel.clock import utcnow

from .domain import compose, meeting_calendar
from .metrics import FAILED, OLDEST_QUEUED, QUEUED, SENT
from .store import DELIVERIES

log = logging.getLogger(__name__)

LEASE, LEASE_SECONDS = "sender_lease", 15
BATCH = 200
MAX_ATTEMPTS = 8           # temporary refusals of one message before it is given up
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 30.0
ADDRESS = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")


class ServerDown(Exception):
    """The server cannot take mail now: try the whole queue again later."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "127.0.0.1"
    port: int = 25
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    tls: bool = False
    timeout: float = 30

    @classmethod
    def parse(cls, url: str) -> "SmtpSettings":
        """`smtp://user:password@host:587?starttls=true`, or `smtps://host:465` for TLS."""
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError("SMTP_URL is smtp://[user:password@]host[:port][?starttls=true] "
                             "or smtps://...")
        query = dict(urllib.parse.parse_qsl(parts.query))
        tls = parts.scheme == "smtps"
        return cls(parts.hostname or "127.0.0.1", parts.port or (465 if tls else 25),
                   urllib.parse.unquote(parts.username) if parts.username else None,
                   urllib.parse.unquote(parts.password) if parts.password else None,
                   query.get("starttls", "false").lower() in ("1", "true", "yes"), tls,
                   float(query.get("timeout", 30)))


def message_of(doc: dict, sender: str, portal_url: str) -> EmailMessage:
    """The e-mail of a delivery: plain text and HTML, and a meeting's iCalendar part."""
    composed = compose(doc["kind"], doc["language"], doc["values"], portal_url)
    msg = EmailMessage()
    msg["From"] = Address("Ethics Office of the United Nations", addr_spec=sender)
    msg["To"] = Address(doc.get("name") or "", addr_spec=doc["recipient"])
    msg["Subject"] = composed.subject
    msg["Message-ID"] = f"<{doc['_id']}@notifications.epun>"
    msg["Date"] = format_datetime(doc["queued_at"])
    msg["X-EPUN-Kind"] = doc["kind"]
    msg.set_content(composed.text)
    msg.add_alternative(composed.html, subtype="html")
    calendar = doc.get("calendar")
    if calendar:
        ics = meeting_calendar(calendar["id"], dt.date.fromisoformat(calendar["day"]),
                               composed.subject, composed.text, calendar["sequence"], sender,
                               doc["recipient"], calendar["cancelled"], doc["queued_at"])
        method = "CANCEL" if calendar["cancelled"] else "REQUEST"
        msg.add_alternative(ics, maintype="text", subtype="calendar",
                            params={"method": method, "charset": "utf-8"})
    msg["Content-Language"] = composed.language  # after the parts: set_content drops it
    return msg


class Sender:
    def __init__(self, db, smtp: SmtpSettings, mail_from: str, portal_url: str):
        self.db, self.smtp, self.mail_from, self.portal_url = db, smtp, mail_from, portal_url
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.running, self.idle = True, 0.5
        self._connection: smtplib.SMTP | None = None
        self._backoff = 0.0

    # the loop

    def run(self):
        while self.running:
            try:
                sent = self.send_once() if self.hold_lease() else 0
                self._backoff = 0.0
            except ServerDown as exc:
                self._backoff = min(max(self._backoff * 2, BACKOFF_FIRST), BACKOFF_MAX)
                log.warning("SMTP server unavailable (%s); trying again in %.0f s", exc,
                            self._backoff)
                self._close()
                self._wait(self._backoff)
                continue
            except PyMongoError:
                log.exception("the sender could not read or write its deliveries")
                sent = 0
            if not sent:
                self._close()
                eventlet.sleep(self.idle)

    def _wait(self, seconds: float):
        """Sleep through a backoff, keeping the queue's age fresh for the alert."""
        deadline = eventlet.hubs.get_hub().clock() + seconds
        while self.running and eventlet.hubs.get_hub().clock() < deadline:
            eventlet.sleep(min(5.0, seconds))
            try:
                self.measure(utcnow())
            except PyMongoError:
                pass

    def stop(self):
        self.running = False
        self._close()
        try:
            self.db[LEASE].delete_one({"_id": "sender", "owner": self.owner})
        except PyMongoError:
            pass

    def hold_lease(self) -> bool:
        now = utcnow()
        try:
            doc = self.db[LEASE].find_one_and_update(
                {"_id": "sender", "$or": [{"owner": self.owner}, {"until": {"$lt": now}}]},
                {"$set": {"owner": self.owner, "entity": "-",
                          "until": now + dt.timedelta(seconds=LEASE_SECONDS)}},
                upsert=True, return_document=ReturnDocument.AFTER)
        except DuplicateKeyError:
            return False
        return doc is not None and doc["owner"] == self.owner

    def send_once(self) -> int:
        """Send up to BATCH queued messages that are due, in order; how many were tried."""
        now = utcnow()
        batch = list(self.db[DELIVERIES].find({"state": "queued", "next_at": {"$lte": now}})
                     .sort("seq", 1).limit(BATCH))
        self.measure(now)
        for n, doc in enumerate(batch, start=1):
            if n % 50 == 0 and not self.hold_lease():
                break
            self.deliver(doc)
        return len(batch)

    def measure(self, now: dt.datetime):
        oldest = self.db[DELIVERIES].find_one({"state": "queued"}, {"queued_at": 1},
                                              sort=[("seq", 1)])
        age = (now - oldest["queued_at"]).total_seconds() if oldest else 0
        OLDEST_QUEUED.set(max(age, 0))
        QUEUED.set(self.db[DELIVERIES].count_documents({"state": "queued"}) if oldest else 0)

    # one message

    def deliver(self, doc: dict):
        if not ADDRESS.match(doc["recipient"] or ""):
            return self._failed(doc, "bad_address", "not an e-mail address")
        message = message_of(doc, self.mail_from, self.portal_url)
        try:
            self._send(message, doc["recipient"])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            return self._refused(doc, code, text)
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            return self._refused(doc, exc.smtp_code, exc.smtp_error)
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
            self._attempted(doc, f"server unavailable: {exc}")
            raise ServerDown(str(exc)) from exc
        self.db[DELIVERIES].update_one({"_id": doc["_id"]}, {
            "$set": {"state": "sent", "sent_at": utcnow(), "reason": None},
            "$inc": {"attempts": 1}})
        SENT.labels(doc["kind"]).inc()

    def _refused(self, doc, code: int, text):
        reason = f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
        if code == 421:
            self._attempted(doc, reason)
            raise ServerDown(reason)
        if 500 <= code < 600:
            return self._failed(doc, "rejected", reason)
        if doc.get("attempts", 0) + 1 >= MAX_ATTEMPTS:
            return self._failed(doc, "gave_up", f"after {MAX_ATTEMPTS} attempts: {reason}")
        delay = min(BACKOFF_FIRST * 2 ** doc.get("attempts", 0), BACKOFF_MAX)
        self._attempted(doc, reason, next_at=utcnow() + dt.timedelta(seconds=delay))

    def _attempted(self, doc, reason: str, next_at=None):
        change = {"reason": reason[:500]}
        if next_at:
            change["next_at"] = next_at
        self.db[DELIVERIES].update_one({"_id": doc["_id"]},
                                       {"$set": change, "$inc": {"attempts": 1}})

    def _failed(self, doc, label: str, reason: str):
        self.db[DELIVERIES].update_one({"_id": doc["_id"]}, {
            "$set": {"state": "failed", "reason": reason[:500]}, "$inc": {"attempts": 1}})
        FAILED.labels(doc["kind"], label).inc()
        log.warning("message %s to %s failed: %s", doc["_id"], doc["recipient"], reason)

    # the connection, kept open between messages

    def _send(self, message: EmailMessage, recipient: str):
        if self._connection is None:
            self._connection = self._connect()
        try:
            self._connection.send_message(message, from_addr=self.mail_from,
                                          to_addrs=[recipient])
        except smtplib.SMTPServerDisconnected:
            # a kept connection the server closed meanwhile: one fresh try
            self._close()
            self._connection = self._connect()
            self._connection.send_message(message, from_addr=self.mail_from,
                                          to_addrs=[recipient])

    def _connect(self) -> smtplib.SMTP:
        s = self.smtp
        connection: smtplib.SMTP
        if s.tls:
            connection = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout,
                                          context=ssl.create_default_context())
        else:
            connection = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.starttls:
                connection.starttls(context=ssl.create_default_context())
        if s.user:
            connection.login(s.user, s.password or "")
        return connection

    def _close(self):
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                connection.close()
