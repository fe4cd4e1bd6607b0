"""Group commit: delivered events are written to the read models a few at a time.

Each event handler hands its event, with the changes its projection makes, to the projector and
waits until the transaction holding them has committed, so a message is acked only once its
changes are stored. One thread of the service process writes the groups one after another: the
events that arrived while a group was being written form the next group. Under load, many small
transactions that would touch the same counters (and conflict) become one; when the service is
idle a group is a single event and waits for nothing.
"""
import logging

from eventlet.event import Event
from eventlet.queue import Empty, LightQueue
from nameko.extensions import DependencyProvider

log = logging.getLogger(__name__)

MAX_GROUP = 200  # events per transaction
MAX_WEIGHT = 20_000  # changes per transaction, about


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

    def apply(self, repository, envelope, changes: list) -> bool:
        """Write the event's changes; returns once they are committed (False for an event the
        read models already had). Raises what the write raised."""
        done = Event()
        self.queue.put((repository, envelope, changes, done))
        return done.wait()

    def _run(self):
        while self.running:
            first = self.queue.get()
            if first is None:
                return
            group, weight = [first], len(first[2])
            while len(group) < MAX_GROUP and weight < MAX_WEIGHT:
                try:
                    item = self.queue.get_nowait()
                except Empty:
                    break
                if item is None:
                    self.running = False
                    break
                group.append(item)
                weight += len(item[2])
            self._commit(group)

    def _commit(self, group: list):
        repository = group[0][0]
        try:
            applied = repository.apply_group([(envelope, changes)
                                              for _, envelope, changes, _ in group])
        except Exception as exc:  # noqa: BLE001 -- every waiting handler gets the error
            if len(group) == 1:
                group[0][3].send_exception(exc)
                return
            log.warning("a group of %s events failed (%r); writing them one by one",
                        len(group), exc)
            for item in group:
                self._commit([item])
            return
        for _, envelope, _, done in group:
            done.send(envelope.event_id in applied)
