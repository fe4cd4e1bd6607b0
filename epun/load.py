"""A load of single-record writes through the HTTP API, as many clients would send them.

Every write carries its own `Idempotency-Key`, and a client sends it again, with the same key,
until it is acknowledged (2xx): after a 503 (waiting its `Retry-After`), a 409 of a key whose first
request is still claimed, a dropped connection or a timeout. Every answer is counted by status, so
a caller can tell how many 500s and 503s the platform gave; the latency of a write runs from its
first attempt to its acknowledgement.
"""
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import requests

RETRY_STATUSES = {409, 429, 502, 503, 504}
RETRY_PAUSE = 0.2


@dataclass
class LoadResult:
    writes: int
    acknowledged: dict = field(default_factory=dict)  # write's index -> the id it was given
    statuses: Counter = field(default_factory=Counter)  # every answer, by status
    dropped: int = 0  # attempts without an answer: connection refused or reset, timeout
    refused: dict = field(default_factory=dict)  # write's index -> a 4xx answer (not retried)
    latencies: list = field(default_factory=list)  # seconds, first attempt -> acknowledgement
    seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.acknowledged) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0

    def summary(self) -> str:
        counts = ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses.items()))
        return (f"{len(self.acknowledged)}/{self.writes} writes acknowledged in "
                f"{self.seconds:.1f} s ({self.throughput:.0f}/s; p50 "
                f"{self.percentile(50) * 1000:.0f} ms, p99 {self.percentile(99) * 1000:.0f} ms); "
                f"answers {counts}; {self.dropped} attempts without an answer; "
                f"{len(self.refused)} refused")


class WriteLoad:
    """`bodies` POSTed to `path`, by `clients` threads; `run()` returns when every write is
    acknowledged, refused, or has been retried for `give_up_seconds`."""

    def __init__(self, base_url: str, token: str, path: str, bodies: list[dict],
                 clients: int = 32, timeout: float = 30, give_up_seconds: float = 300):
        self.url = f"{base_url.rstrip('/')}/api/v1{path}"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.bodies, self.clients = bodies, clients
        self.timeout, self.give_up_seconds = timeout, give_up_seconds
        self.result = LoadResult(len(bodies))
        self.run_id = uuid.uuid4().hex[:10]
        self._next = iter(range(len(bodies)))
        self._lock = threading.Lock()

    @property
    def acknowledged(self) -> int:
        return len(self.result.acknowledged)

    def run(self) -> LoadResult:
        started = time.perf_counter()
        threads = [threading.Thread(target=self._client, daemon=True) for _ in range(self.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.result.seconds = time.perf_counter() - started
        return self.result

    def _take(self) -> int | None:
        with self._lock:
            return next(self._next, None)

    def _client(self):
        with requests.Session() as session:
            while (index := self._take()) is not None:
                self._write(session, index)

    def _write(self, session, index: int):
        headers = {**self.headers, "Idempotency-Key": f"{self.run_id}-{index}"}
        first = time.perf_counter()
        while time.perf_counter() - first < self.give_up_seconds:
            try:
                answer = session.post(self.url, json=self.bodies[index], headers=headers,
                                      timeout=self.timeout)
            except requests.RequestException:
                with self._lock:
                    self.result.dropped += 1
                session.close()  # a fresh connection: the process behind the old one may be gone
                time.sleep(RETRY_PAUSE)
                continue
            with self._lock:
                self.result.statuses[answer.status_code] += 1
            if answer.status_code < 300:
                with self._lock:
                    self.result.acknowledged[index] = answer.json().get("id")
                    self.result.latencies.append(time.perf_counter() - first)
                return
            if answer.status_code in RETRY_STATUSES or answer.status_code >= 500:
                time.sleep(_retry_after(answer))
                continue
            with self._lock:
                self.result.refused[index] = f"{answer.status_code} {answer.text[:200]}"
            return


def _retry_after(answer) -> float:
    try:
        return min(float(answer.headers.get("Retry-After", RETRY_PAUSE)), 5.0)
    except ValueError:
        return RETRY_PAUSE
