"""The type of every queue the services declare, from `QUEUE_TYPE` (classic or quorum).

With `quorum`, every durable queue a service declares (its RPC queue `rpc-<service>`, its event
handlers' queues, the dead-letter queue) carries `x-queue-type: quorum`, which RabbitMQ 3.8 and
later understand, so it is replicated over a cluster's nodes. Reply queues stay classic (said
explicitly, so that a vhost whose default type is quorum cannot change them) and exclusive: a
caller's reply queue dies with its connection and is declared afresh on the next, on whichever
node it reaches; a reply lost that way is a call that times out and is made again.

A queue's type is fixed when it is first declared: RabbitMQ refuses to redeclare a classic queue
as quorum (PRECONDITION_FAILED), so a queue of the other type must be deleted, once drained,
before the services start with the new setting.

nameko declares its RPC and reply queues itself; `install()` (done once, on import) puts the
consumers below in place of its own for every service of the process. The RPC consumer also
outlives a reply it cannot send because the broker went away (nameko would stop the service):
the call was done, so its message is acknowledged (when its channel still lives), and the
caller times out.
"""
import logging

from amqp.exceptions import ConnectionError as AmqpConnectionError
from amqp.exceptions import RecoverableConnectionError
from kombu import Queue
from kombu.exceptions import OperationalError
from contextlib import contextmanager

from nameko.exceptions import ConfigurationError
from nameko.messaging import QueueConsumer
from nameko.rpc import ReplyListener, Rpc, RpcConsumer, RpcProxy

log = logging.getLogger(__name__)

QUEUE_TYPES = ("classic", "quorum")
# what a publish or an acknowledgement raises when the broker connection is gone
BROKER_DOWN = (OSError, OperationalError, AmqpConnectionError, RecoverableConnectionError)


def queue_type(config) -> str:
    chosen = str(config.get("QUEUE_TYPE") or "classic").strip().lower()
    if chosen not in QUEUE_TYPES:
        raise ConfigurationError(
            f"QUEUE_TYPE is {chosen!r}; it must be one of {', '.join(QUEUE_TYPES)}")
    return chosen


def durable_arguments(config) -> dict:
    """The declaration arguments of a durable queue of the services."""
    chosen = queue_type(config)
    return {"x-queue-type": chosen} if chosen == "quorum" else {}


def typed(queue: Queue, config) -> Queue:
    """`queue` (durable, not exclusive) of the configured type."""
    # kombu declares a Queue's fields in `Queue.attrs`, which its annotations do not name
    arguments = getattr(queue, "queue_arguments") or {}
    setattr(queue, "queue_arguments", {**arguments, **durable_arguments(config)})
    return queue


class PromptQueueConsumer(QueueConsumer):
    """nameko's consumer, trying to reconnect every second at most (kombu's default backs off to
    30 s, so a service would come back up to half a minute after its broker)."""

    @contextmanager
    def establish_connection(self):
        with self.create_connection() as conn:
            conn.ensure_connection(self.on_connection_error, self.connect_max_retries,
                                   interval_start=0.5, interval_step=0.5, interval_max=1)
            yield conn


class ServiceRpcConsumer(RpcConsumer):
    queue_consumer = PromptQueueConsumer()

    def setup(self):
        super().setup()
        typed(self.queue, self.container.config)

    def handle_result(self, message, result, exc_info):
        try:
            return super().handle_result(message, result, exc_info)
        except BROKER_DOWN as exc:
            log.warning("the reply to an RPC call was lost with the broker connection: %s", exc)
            try:
                self.queue_consumer.ack_message(message)
            except BROKER_DOWN:  # the channel is gone: the broker will deliver the call again
                pass
            return result, exc_info


class ExclusiveReplyListener(ReplyListener):
    queue_consumer = PromptQueueConsumer()

    def setup(self):
        super().setup()
        queue_type(self.container.config)  # an unknown QUEUE_TYPE stops a caller too
        queue = self.queue
        self.queue = Queue(queue.name, exchange=queue.exchange, routing_key=queue.routing_key,
                           durable=False, exclusive=True, auto_delete=True,
                           queue_arguments={"x-queue-type": "classic"})


def install():
    Rpc.rpc_consumer = ServiceRpcConsumer()
    RpcProxy.rpc_reply_listener = ExclusiveReplyListener()


install()
