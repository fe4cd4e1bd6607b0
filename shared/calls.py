"""Calls to another service over RPC that end in time and ride out a broker restart.

`ServiceCalls("intake")` is nameko's `RpcProxy` with three promises, for callers that answer
people (the gateway):
- every call ends within its timeout: `RPC_TIMEOUT` seconds, or `RPC_RENDER_TIMEOUT` for the
  methods named `slow` (rendering reports, a PDF takes seconds; batches of 10,000 rows); past it
  the call raises `NoAnswer`, a 503 with `Retry-After: RPC_RETRY_AFTER`;
- a call that could not be sent because the broker connection is down is sent again, every half
  second, once the connection is back, within the same timeout (nothing reached the service, so
  this is safe for writes too);
- a read (a call made while answering GET or HEAD) whose reply may have been lost, because the
  reply queue's connection was re-established after the call was sent, is sent again. A write
  is not: it may have been done, and the services keep no key of RPC calls to drop a second one,
  so it waits for its reply within its timeout and is otherwise a 503.
"""
import time

import eventlet
from nameko.amqp.publish import Publisher
from nameko.constants import DEFAULT_TRANSPORT_OPTIONS
from nameko.rpc import MethodProxy, RpcProxy

from .kernel.errors import Unavailable
from .queues import BROKER_DOWN, ExclusiveReplyListener, PromptQueueConsumer

RESEND_PAUSE = 0.5  # seconds between two attempts to send while the broker is away
WAIT_SLICE = 0.5  # how often a waiting call looks whether its reply queue was re-made
DEFAULTS = {"RPC_TIMEOUT": 10.0, "RPC_RENDER_TIMEOUT": 120.0, "RPC_RETRY_AFTER": 5}
READS = ("GET", "HEAD")


class NoAnswer(Unavailable):
    """The service did not answer in time (or the broker was away all along)."""

    def __init__(self, detail: str = "", errors=None, retry_after: int = 5):
        super().__init__(detail, errors)
        self.retry_after = retry_after


def setting(config, key: str) -> float:
    value = config.get(key)
    return float(value) if value not in (None, "") else DEFAULTS[key]


class ReplyConsumer(PromptQueueConsumer):
    """The reply queue's own consumer; counts its (re)connections: a reply sent between two of
    them was lost with the queue."""

    def __init__(self):
        super().__init__()
        self.connections = 0

    def on_consume_ready(self, connection, channel, consumers, **kwargs):
        self.connections += 1
        super().on_consume_ready(connection, channel, consumers, **kwargs)


class CountedReplyListener(ExclusiveReplyListener):
    queue_consumer = ReplyConsumer()


class _QuickPublisher(Publisher):
    """Gives up a send in about a second: the call's own loop waits for the broker."""
    transport_options = {**DEFAULT_TRANSPORT_OPTIONS, "max_retries": 1, "interval_start": 0.5,
                         "interval_step": 0.5, "interval_max": 1}


class _Method(MethodProxy):
    publisher_cls = _QuickPublisher


class PendingCall:
    """A call sent (or being sent); `result()` waits for its answer until its deadline."""

    def __init__(self, method: "TimedMethod", args, kwargs):
        self.method, self.args, self.kwargs = method, args, kwargs
        self.deadline = time.monotonic() + method.timeout
        self.reply, self.sent_in = None, None
        self._send()

    def _send(self):
        self.reply = None
        while time.monotonic() < self.deadline:
            self.sent_in = self.method.replies.connections
            try:
                self.reply = self.method.proxy().call_async(*self.args, **self.kwargs)
                return
            except BROKER_DOWN:
                eventlet.sleep(min(RESEND_PAUSE, max(self.deadline - time.monotonic(), 0)))

    def result(self):
        while True:
            remaining = self.deadline - time.monotonic()
            if self.reply is None or remaining <= 0:
                raise self.method.no_answer()
            try:
                with eventlet.Timeout(min(remaining, WAIT_SLICE)):
                    return self.reply.result()
            except eventlet.Timeout:
                pass
            if self.method.read and self.method.replies.connections != self.sent_in:
                self._send()


class TimedMethod:
    def __init__(self, calls: "ServiceCalls", worker_ctx, name: str):
        self.calls, self.worker_ctx, self.name = calls, worker_ctx, name
        config = worker_ctx.container.config
        slow = name in calls.slow
        self.timeout = setting(config, "RPC_RENDER_TIMEOUT" if slow else "RPC_TIMEOUT")
        self.retry_after = int(setting(config, "RPC_RETRY_AFTER"))
        request = worker_ctx.args[0] if worker_ctx.args else None
        self.read = getattr(request, "method", None) in READS
        self.replies = calls.rpc_reply_listener.queue_consumer

    def proxy(self) -> MethodProxy:
        return _Method(self.worker_ctx, self.calls.target_service, self.name,
                       self.calls.rpc_reply_listener, **self.calls.options)

    def no_answer(self) -> NoAnswer:
        return NoAnswer(f"the {self.calls.target_service} service did not answer within "
                        f"{self.timeout:g} s; try again shortly", retry_after=self.retry_after)

    def call_async(self, *args, **kwargs) -> PendingCall:
        return PendingCall(self, args, kwargs)

    def __call__(self, *args, **kwargs):
        return self.call_async(*args, **kwargs).result()


class TimedService:
    def __init__(self, calls: "ServiceCalls", worker_ctx):
        self._calls, self._worker_ctx = calls, worker_ctx

    def __getattr__(self, name: str) -> TimedMethod:
        if name.startswith("_"):
            raise AttributeError(name)
        return TimedMethod(self._calls, self._worker_ctx, name)


class ServiceCalls(RpcProxy):
    rpc_reply_listener = CountedReplyListener()

    def __init__(self, target_service: str, slow: tuple[str, ...] = (), **options):
        options.setdefault("retry_policy", {"max_retries": 1, "interval_start": 0.5,
                                            "interval_step": 0.5, "interval_max": 1})
        super().__init__(target_service, **options)
        self.slow = frozenset(slow)

    def get_dependency(self, worker_ctx) -> TimedService:
        return TimedService(self, worker_ctx)
