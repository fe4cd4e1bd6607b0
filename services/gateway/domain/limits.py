"""The per-token rate limit: a token bucket for each access token, holding up to a minute's
allowance and refilled continuously, so a client may burst up to its limit and then send at
the limit's pace."""
import math
from dataclasses import dataclass, field

from shared.kernel.errors import RateLimited


@dataclass
class Bucket:
    tokens: float
    at: float  # the clock's reading when `tokens` was counted


@dataclass
class RateLimit:
    """`per_minute` requests a minute for each key (0: no limit); `now` readings in seconds
    from a monotonic clock."""
    per_minute: int
    buckets: dict[str, Bucket] = field(default_factory=dict)

    def take(self, key: str, now: float):
        """Count one request of `key`, or RateLimited with the seconds until the next one."""
        if self.per_minute <= 0:
            return
        rate = self.per_minute / 60.0
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = Bucket(float(self.per_minute), now)
        bucket.tokens = min(float(self.per_minute), bucket.tokens + (now - bucket.at) * rate)
        bucket.at = now
        if bucket.tokens < 1:
            wait = math.ceil(round((1 - bucket.tokens) / rate, 6))
            raise RateLimited(f"more than {self.per_minute} requests a minute with this token; "
                              f"try again in {wait} s", retry_after=wait)
        bucket.tokens -= 1

    def forget_idle(self, now: float):
        """Drop the buckets full again (their tokens unused for a minute), so the table stays
        as small as the set of active tokens."""
        for key in [k for k, b in self.buckets.items() if now - b.at >= 60]:
            del self.buckets[key]
