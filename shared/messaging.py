"""Consuming events: envelopes checked against their contract, failures dead-lettered or retried.

`event_handler(source, type)` is nameko's event handler with three additions:
- the message body is validated, once, as an `Envelope` whose payload matches its registered
  model, and the worker receives a `Delivery`: the envelope and its payload as that model;
- a message that can never succeed (invalid contract, `PermanentFailure`) is published to the
  dead-letter queue with its reason, counted, and acked, so it never blocks the queue;
- any other error is retried with a growing delay, then dead-lettered after `MAX_ATTEMPTS`;
  an event that waits for others (`NotYetKnown`) is tried for about half an hour.
Its queue, and the dead-letter queue, are of the type `QUEUE_TYPE` says (`shared/queues.py`).
"""
import logging
from typing import NamedTuple

import eventlet
from kombu import Exchange, Queue
from nameko.amqp.publish import Publisher
from nameko.events import EventHandler
from pydantic import BaseModel, ValidationError

from .contracts.envelope import EVENTS, Envelope
from .kernel.errors import NotYetKnown, PermanentFailure
from .metrics import DEAD_LETTERED, EVENTS_CONSUMED, RABBITMQ_UP
from .queues import BROKER_DOWN, PromptQueueConsumer, durable_arguments, typed

log = logging.getLogger(__name__)

DEAD_LETTER_EXCHANGE = Exchange("epun.dead-letter", type="fanout", durable=True)
DEAD_LETTER_QUEUE = "epun.dead-letters"
MAX_ATTEMPTS = 5
WAITING_ATTEMPTS = 12  # delays of 1 s, 2 s ... 17 min: about 34 minutes in all
BACKOFF_SECONDS = 0.5


def retry_delay(exc: BaseException, attempts: int) -> float | None:
    """Seconds before attempt `attempts + 1` of an event whose attempt `attempts` raised `exc`;
    None: it goes to the dead-letter queue."""
    limit = WAITING_ATTEMPTS if isinstance(exc, NotYetKnown) else MAX_ATTEMPTS
    if isinstance(exc, (PermanentFailure, ValidationError)) or attempts >= limit:
        return None
    return BACKOFF_SECONDS * 2 ** attempts


def dead_letter_queue(config) -> Queue:
    return Queue(DEAD_LETTER_QUEUE, exchange=DEAD_LETTER_EXCHANGE, durable=True,
                 queue_arguments=durable_arguments(config))


def dead_letter(config, body, reason: str, service: str, event_type: str, source: str):
    publisher = Publisher(config["AMQP_URI"], exchange=DEAD_LETTER_EXCHANGE,
                          declare=[DEAD_LETTER_EXCHANGE, dead_letter_queue(config)],
                          use_confirms=True)
    publisher.publish(body, routing_key="", headers={
        "x-epun-reason": reason[:1000], "x-epun-consumer": service,
        "x-epun-source": source, "x-epun-type": event_type})
    DEAD_LETTERED.labels(service, event_type, reason.split(":")[0][:60]).inc()
    log.error("dead-lettered a %s event from %s: %s", event_type, source, reason)


class Delivery(NamedTuple):
    """A delivered event: its envelope, and its payload as the model registered for its type."""
    envelope: Envelope
    event: BaseModel


class EnvelopeHandler(EventHandler):
    queue_consumer = PromptQueueConsumer()  # shared with the RPC entrypoints: one connection

    def setup(self):
        super().setup()
        typed(self.queue, self.container.config)

    def handle_message(self, body, message):
        service = self.container.service_name
        RABBITMQ_UP.labels(service).set(1)
        try:
            envelope = Envelope.model_validate(body)
            if envelope.type != self.event_type:
                raise PermanentFailure(f"type mismatch: {envelope.type} on {self.event_type}")
            if envelope.type not in EVENTS:
                raise PermanentFailure(f"unknown event type: {envelope.type}")
            delivery = Delivery(envelope, envelope.parsed())
        except (ValidationError, PermanentFailure) as exc:
            self._reject(body, message, f"invalid contract: {exc}")
            return
        super().handle_message(delivery, message)

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        try:
            return self._settle(message, result, exc_info)
        except BROKER_DOWN as exc:  # the event comes again; its consumer is idempotent
            log.warning("%s: an event's outcome was lost with the broker connection: %s",
                        self.container.service_name, exc)
            return result, exc_info

    def _settle(self, message, result, exc_info):
        service = self.container.service_name
        if exc_info is None:
            EVENTS_CONSUMED.labels(service, self.event_type, "ok").inc()
            self.queue_consumer.ack_message(message)
            return result, exc_info
        exc = exc_info[1]
        attempts = int((message.headers or {}).get("x-epun-attempts", 0)) + 1
        delay = retry_delay(exc, attempts)
        if delay is None:
            self._reject(message.payload, message, f"{type(exc).__name__}: {exc}")
        else:
            EVENTS_CONSUMED.labels(service, self.event_type, "retried").inc()
            eventlet.spawn_after(delay, self._retry, message, attempts)
        return result, exc_info

    def _retry(self, message, attempts):
        """Republish to this handler's own queue with the attempt count, then ack the original."""
        publisher = Publisher(self.container.config["AMQP_URI"], use_confirms=True)
        publisher.publish(message.payload, exchange="", routing_key=self.queue.name,
                          headers={**(message.headers or {}), "x-epun-attempts": attempts})
        self.queue_consumer.ack_message(message)

    def _reject(self, body, message, reason):
        service = self.container.service_name
        dead_letter(self.container.config, body, reason, service,
                    self.event_type, self.source_service)
        EVENTS_CONSUMED.labels(service, self.event_type, "dead_lettered").inc()
        self.queue_consumer.ack_message(message)


event_handler = EnvelopeHandler.decorator
