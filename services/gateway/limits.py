"""The rate limit as a nameko dependency: one table of buckets per gateway process, sized by
`RATE_LIMIT` (requests per minute and token; 0 turns it off)."""
import time

from nameko.extensions import DependencyProvider
from prometheus_client import Counter

from .domain.limits import RateLimit

RATE_LIMITED = Counter("epun_gateway_rate_limited",
                       "API requests refused because their token was over the rate limit")
DEFAULT_PER_MINUTE = 100_000
SWEEP_SECONDS = 60


class RateLimits(DependencyProvider):
    def setup(self):
        configured = self.container.config.get("RATE_LIMIT")
        per_minute = DEFAULT_PER_MINUTE if configured in (None, "") else int(configured)
        self.limit = RateLimit(per_minute)
        self.swept = time.monotonic()

    def get_dependency(self, worker_ctx):
        return self

    def take(self, key: str):
        now = time.monotonic()
        if now - self.swept > SWEEP_SECONDS:
            self.limit.forget_idle(now)
            self.swept = now
        try:
            self.limit.take(key, now)
        except Exception:
            RATE_LIMITED.inc()
            raise
