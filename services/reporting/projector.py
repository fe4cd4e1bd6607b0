"""Group commit: delivered events are written to the read models a few at a time.

Each event handler hands its delivery to the projector and waits until the transaction holding
its changes has committed (`use_cases.apply_events`), so a message is acked only once its changes
are stored. One thread of the service process writes the groups one after another: the events
that arrived while a group was being written form the next group. Under load, many small
transactions that would touch the same counters (and conflict) become one; when the service is
idle a group is a single event and waits for nothing.
"""
import logging

from eventlet.event import Event
from eventlet.queue import Empty, LightQueue
from nameko.extensions import DependencyProvider

from shared.messaging import Delivery

from . import use_cases as uc
from .projections import weight

log = logging.getLogger(__name__)

MAX_GROUP = 200  # events per transaction
MAX_WEIGHT = 20_000  # records changed per transaction, about


class Projector(DependencyProvider):

    def setup(self):
        self.queue = LightQueue()
        self.running = False

    def start(self):
        self.running = True
        self.container.spawn_managed_thread(self._run, identifier="projector")

    def stop(self):
        self.running = False
        self.queue.put(None)

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        return self

    def apply(self, units, delivery: Delivery) -> bool:
        """Apply a delivered event, through a unit of work of `units`; returns once its changes
        are committed (False for an event the read models had already). Raises what the write
        raised."""
        done = Event()
        self.queue.put((units, delivery, done))
        return done.wait()

    def _run(self):
        while self.running:
            first = self.queue.get()
            if first is None:
                return
            group, load = [first], weight(first[1].event)
            while len(group) < MAX_GROUP and load < MAX_WEIGHT:
                try:
                    item = self.queue.get_nowait()
                except Empty:
                    break
                if item is None:
                    self.running = False
                    break
                group.append(item)
                load += weight(item[1].event)
            self._commit(group)

    def _commit(self, group: list):
        units = group[0][0]
        try:
            applied = uc.apply_events(units(), [delivery for _, delivery, _ in group])
        except Exception as exc:  # noqa: BLE001 -- every waiting handler gets the error
            if len(group) == 1:
                group[0][2].send_exception(exc)
                return
            log.warning("a group of %s events failed (%r); writing them one by one",
                        len(group), exc)
            for item in group:
                self._commit([item])
            return
        for _, delivery, done in group:
            done.send(delivery.envelope.event_id in applied)
