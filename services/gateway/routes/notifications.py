"""Routes of the notices: what the notifications service sent, to whom, in which state. The
gateway checks the reader and asks the service over RPC, giving up after a while so that a
service that does not answer is a 503, never a request left hanging."""
import eventlet
from nameko.exceptions import UnknownService

from shared.contracts.deliveries import DeliveryPage, DeliveryQuery
from shared.kernel.errors import Unavailable, located, validated

from ..api import route
from ..use_cases import notifications as uc

TAG = "notifications"
ANSWER_TIMEOUT = 10
DELIVERY_QUERY = {"recipient": "an e-mail address", "kind": "what was sent: cycle_opened, "
                  "filing_reminder, meeting_invitation, ...",
                  "since": "a day (YYYY-MM-DD) or a time: deliveries queued from then on",
                  "cursor": "next of the previous page", "limit": "page size: default 50, "
                  "at most 200"}


class Answering:
    """The notifications service's RPC, each call given up after `timeout` seconds."""

    def __init__(self, proxy, timeout: float = ANSWER_TIMEOUT):
        self.proxy, self.timeout = proxy, timeout

    def __getattr__(self, method: str):
        def call(*args, **kwargs):
            try:
                reply = getattr(self.proxy, method).call_async(*args, **kwargs)
                with eventlet.Timeout(self.timeout):
                    return reply.result()
            except (eventlet.Timeout, UnknownService):
                raise Unavailable("the notifications service does not answer now; "
                                  "try again later")
        return call


class NotificationRoutes:
    @route("GET", "/notifications", "The messages the platform sent or will send, newest "
           "first, with their state (admin, Ethics Office, auditors)", response=DeliveryPage,
           tag=TAG, query=DELIVERY_QUERY)
    def list_notifications(self, call):
        with located("query"):
            query = validated(DeliveryQuery, call.query)
        return uc.deliveries(Answering(self.notifications), call.actor, query)
