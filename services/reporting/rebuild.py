"""Rebuilding the read models from scratch: every event the other services hold, replayed.

The rebuild asks intake, disclosure and panel for their events (`events_since`, paged by event
id) and applies them to a fresh generation of the read models, while live events keep flowing to
both generations; then it makes the fresh generation the active one and drops the old.
"""
import datetime as dt
import logging

import eventlet
from nameko.extensions import DependencyProvider
from nameko.standalone.rpc import ClusterRpcProxy

from shared.contracts.common import SYSTEM
from shared.contracts.envelope import Envelope

log = logging.getLogger(__name__)

SOURCES = ("intake", "disclosure", "panel")
PAGE = 2000
CHUNK_WEIGHT = 3000  # records changed per transaction, about
STALE_AFTER = dt.timedelta(minutes=5)  # a rebuild with no progress for this long was lost
SWAP_GRACE_SECONDS = 5  # reports that read the old generation finish before it is dropped
RPC_TIMEOUT = 120


def weight(envelope: Envelope) -> int:
    """About how many records an event changes (batch events carry many)."""
    payload = envelope.payload
    return len(payload.get("filers") or payload.get("changes") or ()) or 1


def chunks(envelopes: list, limit: int = CHUNK_WEIGHT):
    chunk, load = [], 0
    for envelope in envelopes:
        if chunk and load + weight(envelope) > limit:
            yield chunk
            chunk, load = [], 0
        chunk.append(envelope)
        load += weight(envelope)
    if chunk:
        yield chunk


class Rebuilder(DependencyProvider):
    """Starts a rebuild in a thread of the service container and runs it to the swap."""

    def get_dependency(self, worker_ctx):
        return self

    def begin(self, repository) -> int:
        generation = repository.begin_rebuild(STALE_AFTER)
        self.container.spawn_managed_thread(lambda: self.run(repository, generation),
                                            identifier=f"rebuild-{generation}")
        return generation

    def run(self, repository, generation: int):
        try:
            replayed = replay_all(repository, generation, self.fetcher())
            old = repository.finish_rebuild(generation)
            log.info("rebuilt the read models (generation %s) from %s events", generation,
                     replayed)
            if old is not None and old != generation:
                eventlet.sleep(SWAP_GRACE_SECONDS)
                repository.drop_generation(old)
        except Exception as exc:  # the rebuild is abandoned; the active generation stays
            log.exception("rebuild of generation %s failed", generation)
            repository.abandon_rebuild(generation, f"{type(exc).__name__}: {exc}")

    def fetcher(self):
        config = self.container.config

        def fetch(source, after):
            with ClusterRpcProxy(config, timeout=RPC_TIMEOUT) as cluster:
                return getattr(cluster, source).events_since(
                    SYSTEM.model_dump(mode="json"), after, PAGE)
        return fetch


def replay_all(repository, generation: int, fetch) -> int:
    """Replay every source's events into `generation`; `fetch(source, after)` gives a page."""
    replayed = 0
    for source in SOURCES:
        after = None
        while True:
            page = fetch(source, after)
            if not page:
                break
            for chunk in chunks([Envelope.model_validate(e) for e in page]):
                replayed += repository.replay(generation, chunk)
                eventlet.sleep(0)
            after = page[-1]["event_id"]
            repository.rebuild_progress(generation, replayed)
    return replayed
