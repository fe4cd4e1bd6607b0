"""The gateway's rules on what it reads: the per-token rate limit (a token bucket) and the
checks made on a body before it is parsed."""
import pytest

from services.gateway.domain.bodies import check_depth, check_media_type
from services.gateway.domain.limits import RateLimit
from shared.kernel.errors import Malformed, RateLimited, UnsupportedMediaType


def test_a_token_may_burst_up_to_its_limit_then_waits_for_the_bucket_to_refill():
    limit = RateLimit(per_minute=60)
    for _ in range(60):
        limit.take("a", now=100.0)
    with pytest.raises(RateLimited) as refused:
        limit.take("a", now=100.0)
    assert refused.value.retry_after == 1
    limit.take("b", now=100.0)  # each token has its own bucket
    limit.take("a", now=101.0)  # a second later, one more
    with pytest.raises(RateLimited):
        limit.take("a", now=101.5)


def test_retry_after_is_the_whole_seconds_until_the_next_request_is_allowed():
    limit = RateLimit(per_minute=2)
    limit.take("a", now=0.0)
    limit.take("a", now=0.0)
    with pytest.raises(RateLimited) as refused:
        limit.take("a", now=10.0)
    assert refused.value.retry_after == 20


def test_no_limit_when_it_is_zero_and_idle_buckets_are_forgotten():
    unlimited = RateLimit(per_minute=0)
    for _ in range(1000):
        unlimited.take("a", now=0.0)
    limit = RateLimit(per_minute=10)
    limit.take("a", now=0.0)
    limit.take("b", now=50.0)
    limit.forget_idle(now=61.0)
    assert set(limit.buckets) == {"b"}


def test_nesting_is_counted_outside_strings_and_bounded():
    check_depth(b'{"a": [[[1]]], "b": "[[[[[[[[[[[[[[[["}', limit=4)
    check_depth(b'{"a": "\\"[[[[[[["}', limit=1)
    with pytest.raises(Malformed):
        check_depth(b"[" * 5 + b"]" * 5, limit=4)
    with pytest.raises(Malformed):
        check_depth(b"[" * 100_000, limit=32)


def test_a_body_must_be_of_a_media_type_the_operation_reads():
    check_media_type("application/json", ("application/json",))
    check_media_type("application/merge-patch+json", ("application/json",))
    check_media_type("text/csv", ("application/json", "text/csv"))
    for wrong in ("text/plain", "", "text/csv"):
        with pytest.raises(UnsupportedMediaType):
            check_media_type(wrong, ("application/json",))
