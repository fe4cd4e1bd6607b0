"""Prometheus metrics common to every service, and the provider that serves them.

Each service runs in its own process, so the default registry is the service's registry; the
`Metrics` provider serves it on `METRICS_PORT` (with `/healthz` and `/readyz`, `shared/health.py`),
times every entrypoint and watches the broker connection (the readiness check `broker`).
"""
import logging
import time

import eventlet
from kombu import Connection
from nameko.extensions import DependencyProvider
from prometheus_client import Counter, Gauge, Histogram

from . import health

log = logging.getLogger(__name__)

ENTRYPOINT_CALLS = Counter(
    "epun_entrypoint_calls_total", "Entrypoint calls handled", ["service", "entrypoint"])
ENTRYPOINT_ERRORS = Counter(
    "epun_entrypoint_errors_total", "Entrypoint calls that raised",
    ["service", "entrypoint", "error"])
ENTRYPOINT_LATENCY = Histogram(
    "epun_entrypoint_duration_seconds", "Entrypoint latency", ["service", "entrypoint"],
    buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30))
EVENTS_PUBLISHED = Counter(
    "epun_events_published_total", "Events published from the outbox", ["service", "type"])
EVENTS_CONSUMED = Counter(
    "epun_events_consumed_total", "Events consumed", ["service", "type", "outcome"])
OUTBOX_BACKLOG = Gauge(
    "epun_outbox_backlog_events", "Outbox records not yet published", ["service"])
OUTBOX_OLDEST_AGE = Gauge(
    "epun_outbox_oldest_unsent_age_seconds", "Age of the oldest unpublished outbox record",
    ["service"])
DEAD_LETTERED = Counter(
    "epun_dead_lettered_messages_total", "Messages sent to the dead-letter queue",
    ["service", "type", "reason"])
RABBITMQ_UP = Gauge(
    "epun_rabbitmq_connection_up", "1 when the last publish or consume reached RabbitMQ",
    ["service"])
SERVICE_INFO = Gauge("epun_service_up", "1 while the service runs", ["service"])

BROKER_CHECK_SECONDS = 5
STALE_AFTER_SECONDS = 30  # a watcher's result older than this fails the readiness check


class Metrics(DependencyProvider):
    """Serves /metrics on `METRICS_PORT` and counts, times and classifies entrypoint calls."""

    def setup(self):
        self.service = self.container.service_name
        config = self.container.config
        self.broker = health.Watched("broker", STALE_AFTER_SECONDS)
        health.add_check("broker", self.broker)
        health.serve(int(config.get("METRICS_PORT", 0)), config.get("METRICS_ADDR", "127.0.0.1"),
                     self.service)
        SERVICE_INFO.labels(self.service).set(1)
        self._started = {}

    def start(self):
        self.container.spawn_managed_thread(self._watch_broker, identifier="metrics.watch_broker")

    def _watch_broker(self):
        """Keeps `epun_rabbitmq_connection_up` fresh even when nothing is published or consumed:
        opening and closing a channel on one long-lived connection is a round trip to the broker."""
        connection, reachable = None, None
        while True:
            try:
                if connection is None:
                    connection = Connection(self.container.config["AMQP_URI"], connect_timeout=5)
                    connection.connect()
                connection.channel().close()
                reachable = True
            except Exception as exc:  # whatever the failure, the broker is not reachable now
                if reachable is not False:
                    log.warning("RabbitMQ unreachable from %s: %s", self.service, exc)
                reachable = False
                connection = _closed(connection)
            RABBITMQ_UP.labels(self.service).set(1 if reachable else 0)
            self.broker.record(None if reachable else "RabbitMQ does not answer")
            eventlet.sleep(BROKER_CHECK_SECONDS)

    def worker_setup(self, worker_ctx):
        self._started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        name = worker_ctx.entrypoint.method_name
        started = self._started.pop(worker_ctx, None)
        ENTRYPOINT_CALLS.labels(self.service, name).inc()
        if started is not None:
            ENTRYPOINT_LATENCY.labels(self.service, name).observe(time.perf_counter() - started)
        if exc_info is not None:
            ENTRYPOINT_ERRORS.labels(self.service, name, exc_info[0].__name__).inc()

    def get_dependency(self, worker_ctx):
        return self


def _closed(connection):
    try:
        if connection is not None:
            connection.release()
    except Exception:  # a broken connection may fail to close; it is dropped either way
        pass
    return None
