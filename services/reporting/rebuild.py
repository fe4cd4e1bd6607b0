"""Rebuilding the read models from scratch: every event the other services hold, replayed.

The rebuild asks intake, disclosure and panel for their events (`events_since`, paged by event
id) and applies them to a fresh generation of the read models (`use_cases.rebuild`), while live
events keep flowing to both generations; then it makes the fresh generation the active one and
drops the old.
"""
import logging

import eventlet
from nameko.extensions import DependencyProvider
from nameko.standalone.rpc import ClusterRpcProxy

from shared.contracts.common import SYSTEM
from shared.contracts.envelope import Envelope
from shared.dependencies import UnitOfWork

from . import use_cases as uc
from .store import start_generations

log = logging.getLogger(__name__)

PAGE = 2000
SWAP_GRACE_SECONDS = 5  # reports that read the old generation finish before it is dropped
RPC_TIMEOUT = 120


class ReadModelsProvider(UnitOfWork):
    """The service's units of work; at start, every live generation's indexes too."""

    def setup(self):
        super().setup()
        start_generations(self.db)


class Rebuilder(DependencyProvider):
    """Starts a rebuild in a thread of the service container and runs it to the swap."""

    def get_dependency(self, worker_ctx):
        return self

    def begin(self, units) -> int:
        """Claim the rebuild and run it in the background; `units()` makes units of work."""
        generation = uc.begin_rebuild(units())
        self.container.spawn_managed_thread(lambda: self.run(units, generation),
                                            identifier=f"rebuild-{generation}")
        return generation

    def run(self, units, generation: int):
        try:
            replayed = uc.rebuild(units(), uc.Rebuild(generation, self.fetcher()))
            old = uc.finish_rebuild(units(), generation)
            log.info("rebuilt the read models (generation %s) from %s events", generation,
                     replayed)
            if old is not None and old != generation:
                eventlet.sleep(SWAP_GRACE_SECONDS)
                uc.drop_generation(units(), old)
        except Exception as exc:  # the rebuild is abandoned; the active generation stays
            log.exception("rebuild of generation %s failed", generation)
            uc.abandon_rebuild(units(), generation, f"{type(exc).__name__}: {exc}")

    def fetcher(self):
        """A page of a service's event log, each envelope checked as it crosses over."""
        config = self.container.config

        def fetch(source, after) -> list[Envelope]:
            with ClusterRpcProxy(config, timeout=RPC_TIMEOUT) as cluster:
                page = getattr(cluster, source).events_since(
                    SYSTEM.model_dump(mode="json"), after, PAGE)
            return [Envelope.model_validate(e) for e in page]
        return fetch
