"""RPC calls that wrote are answered once: a redelivered call gets its first answer.

RabbitMQ delivers an RPC request again when the connection that took it closes before its ack
(a broker node stops, the process is killed): a write would then be done twice. A call whose
unit of work committed keeps its answer under the call's correlation id (in `rpc_answers`, for an
hour) before the answer is sent and the request acked; a redelivered request whose correlation
id has an answer is answered with it and not run again. The first delivery may still be running
when the request comes again (the broker requeues it as soon as the connection closes), so a
redelivered request waits up to REDELIVERY_WAIT_SECONDS for that answer before it runs. What
remains open for a call without a client's key: a process killed between the commit and keeping
the answer, or a first delivery slower than the wait, does the write again.

A call the gateway makes while answering a request with an `Idempotency-Key` carries a key of
its own (`call_key`, from the token and the client's key; `CallKeys` sets it): a client that
sends the request again after losing the answer (a broker node stopped with the reply on it)
gets the first call's answer, kept under that key and the method's name, whichever delivery or
process takes it. The kept answer is looked for before the call runs only when the gateway says
an earlier request with the key left no answer (`call_retake`): a first request's call, nearly
every one, runs without that read. Such a call also claims that record inside its first transaction
(`mongo.CallClaim`): when two runs of it overlap (a redelivery, and the client's repeat through
another gateway), the second finds the claim taken at its commit, writes nothing, and answers
with the first run's answer once it is kept. If the first run's process died after its commit
and before keeping the answer, the write is done once and the repeat is a 409 saying so.
"""
import datetime as dt
import hashlib
import logging
import time

import eventlet

from nameko.extensions import DependencyProvider
from nameko.rpc import Responder, Rpc, get_rpc_exchange
from pymongo.errors import DuplicateKeyError, OperationFailure, PyMongoError

from .kernel.errors import Conflict
from .mongo import ANSWERS, CallClaim, CallTaken
from .queues import ServiceRpcConsumer

log = logging.getLogger(__name__)

KEEP_SECONDS = 3600
REDELIVERY_WAIT_SECONDS = 15  # how long a redelivered call waits for its first delivery's answer
# how long a run that found its call claimed waits for the first run's answer: less than the
# gateway's RPC_TIMEOUT (10 s), so that the client reads the 409 rather than a timeout
CLAIMED_WAIT_SECONDS = 6
CALL_KEY = "call_key"  # in nameko's context data; its message header is nameko.call_key
RETAKE = "call_retake"  # set beside it when an earlier request with the key left no answer
WRITES = ("POST", "PUT", "PATCH", "DELETE")


class CallKeys(DependencyProvider):
    """The gateway's: an HTTP request sent with an `Idempotency-Key` gives the RPC calls made
    while answering it a `call_key` (the token's credential and the key, hashed)."""

    def worker_setup(self, worker_ctx):
        request = worker_ctx.args[0] if worker_ctx.args else None
        headers = getattr(request, "headers", None)
        if headers is None or getattr(request, "method", None) not in WRITES:
            return
        key = headers.get("Idempotency-Key")
        if key:
            owner = headers.get("Authorization") or "public"
            worker_ctx.data[CALL_KEY] = hashlib.sha256(
                f"{owner}\n{request.method} {request.path}\n{key}".encode()).hexdigest()

    def get_dependency(self, worker_ctx):
        return Retake(worker_ctx)


class Retake:
    """`retake()`: this request's key was sent before by a request that left no answer, so
    the calls it makes look for the answers kept of that request's calls before they run."""

    def __init__(self, worker_ctx):
        self.worker_ctx = worker_ctx

    def retake(self):
        if self.worker_ctx.data.get(CALL_KEY):
            self.worker_ctx.data[RETAKE] = "1"


def _answer_id(call_key, correlation_id, method: str):
    """Where a call's answer is kept: under the client's key and the method when there is one
    (a request may call several methods), else under the call's correlation id."""
    return f"{call_key}:{method}" if call_key else correlation_id


def claim_for(worker_ctx) -> CallClaim | None:
    """The claim of an RPC call that carries a client's key (None for any other worker)."""
    key = worker_ctx.data.get(CALL_KEY)
    if not key or not isinstance(worker_ctx.entrypoint, Rpc):
        return None
    method = f"{worker_ctx.service_name}.{worker_ctx.entrypoint.method_name}"
    return CallClaim(_answer_id(key, None, method))


def kept_answer(store, call: str, wait: float) -> dict | None:
    """The kept answer of `call` (`{"result": ...}`), waiting up to `wait` seconds for it: a
    claim without a result yet is a run still going."""
    deadline = time.monotonic() + wait
    while True:
        try:
            kept = store.db[ANSWERS].find_one({"_id": call})
        except PyMongoError:
            kept = None
        if kept is not None and "result" in kept:
            return kept
        if time.monotonic() > deadline:
            return None
        eventlet.sleep(0.25)


def create_index(db):
    try:
        db[ANSWERS].create_index("at", expireAfterSeconds=KEEP_SECONDS)
    except OperationFailure as exc:  # a server without TTL indexes keeps them
        log.warning("rpc_answers: no TTL index (%s)", exc)


def _store(container):
    """The container's unit-of-work provider (it holds the service's database and tells
    whether a worker wrote), if any."""
    return next((d for d in container.dependencies
                 if callable(getattr(d, "wrote", None)) and getattr(d, "db", None) is not None),
                None)


class AnsweringRpcConsumer(ServiceRpcConsumer):
    def handle_message(self, body, message):
        headers = message.headers or {}
        call_key = headers.get(f"nameko.{CALL_KEY}")
        call = _answer_id(call_key, message.properties.get("correlation_id"),
                          message.delivery_info.get("routing_key", ""))
        store = _store(self.container)
        redelivered = message.delivery_info.get("redelivered")
        if call and store and (redelivered or (call_key and headers.get(f"nameko.{RETAKE}"))):
            # the first delivery may still be running in another process: it keeps its answer
            # whether or not its broker connection is back, so wait for it a while
            wait = REDELIVERY_WAIT_SECONDS if redelivered else 0
            eventlet.spawn(self._answer_redelivered, store, call, body, message, wait)
            return
        super().handle_message(body, message)

    def _answer_redelivered(self, store, call, body, message, wait=REDELIVERY_WAIT_SECONDS):
        kept = kept_answer(store, call, wait)
        if kept is not None:
            log.info("answered redelivered call %s with its first answer", call)
            self._answer(message, kept["result"])
            return
        super().handle_message(body, message)

    def _answer(self, message, result):
        config = self.container.config
        Responder(config["AMQP_URI"], get_rpc_exchange(config),
                  config.get("serializer", "json"), message).send_response(result, None)
        self.queue_consumer.ack_message(message)


def _handle_result(self, message, worker_ctx, result, exc_info):
    store = _store(self.container)
    call = _answer_id(worker_ctx.data.get(CALL_KEY), message.properties.get("correlation_id"),
                      message.delivery_info.get("routing_key", ""))
    if exc_info is not None and isinstance(exc_info[1], CallTaken) and store:
        result, exc_info = _answer_of_the_first_run(store, call)
    elif exc_info is None and call and store and store.wrote(worker_ctx):
        try:  # the claim, if the call took one, gets its answer
            store.db[ANSWERS].update_one(
                {"_id": call}, {"$set": {"result": result,
                                         "at": dt.datetime.now(dt.timezone.utc)}}, upsert=True)
        except DuplicateKeyError:
            pass
        except PyMongoError as exc:
            log.warning("could not keep the answer of call %s: %s", call, exc)
    return self.rpc_consumer.handle_result(message, result, exc_info)


def _answer_of_the_first_run(store, call: str):
    """(result, exc_info) for a run that found its call claimed by another run."""
    kept = kept_answer(store, call, CLAIMED_WAIT_SECONDS)
    if kept is not None:
        log.info("answered call %s with the answer of its first run", call)
        return kept["result"], None
    refused = Conflict("this request was done already and its answer was lost; read the "
                       "record back instead of sending the request again")
    return None, (Conflict, refused, None)


def install():
    Rpc.rpc_consumer = AnsweringRpcConsumer()
    Rpc.handle_result = _handle_result


install()
