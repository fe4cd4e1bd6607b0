"""The metrics port of a service: `/metrics`, `/healthz` and `/readyz`.

- `/healthz` answers 200 while the process serves (an orchestrator restarts it otherwise);
- `/readyz` answers 200 when every readiness check passes, else 503 with the checks that failed:
  the broker connected, the database reachable, the outbox relay alive.

Checks are registered by the dependency providers that own what they check (`Metrics` the
broker, `UnitOfWork` the database and the relay) and read state their watchers keep, so a probe
never waits on a broker or a database that is down. Each service runs in its own process, so the
checks, like the metrics registry, are the process's.
"""
import json
import socketserver
import time
from typing import Callable
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import eventlet
from prometheus_client import make_wsgi_app

# name -> a check: None when all is well, else what is wrong
Check = Callable[[], str | None]
CHECKS: dict[str, Check] = {}


def add_check(name: str, check: Check):
    CHECKS[name] = check


def readiness() -> tuple[bool, dict]:
    results = {}
    for name, check in sorted(CHECKS.items()):
        try:
            problem = check()
        except Exception as exc:  # a check that breaks says the service is not ready
            problem = f"the check failed: {type(exc).__name__}"
        results[name] = {"status": "ok"} if problem is None else {"status": "failing",
                                                                   "detail": problem}
    return all(r["status"] == "ok" for r in results.values()), results


class Watched:
    """The last result of a watcher thread's check, stale after `fresh_seconds` without one."""

    def __init__(self, what: str, fresh_seconds: float):
        self.what, self.fresh_seconds = what, fresh_seconds
        self.problem: str | None = f"{what}: not checked yet"
        self.at: float | None = None

    def record(self, problem: str | None):
        self.problem, self.at = problem, time.monotonic()

    def __call__(self) -> str | None:
        if self.at is not None and time.monotonic() - self.at > self.fresh_seconds:
            return f"{self.what}: not checked for {time.monotonic() - self.at:.0f} s"
        return self.problem


def _json(start_response, status: str, body: dict):
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(data))), ("Cache-Control", "no-store")])
    return [data]


def make_app(service: str):
    metrics = make_wsgi_app()

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            return _json(start_response, "200 OK", {"status": "alive", "service": service})
        if path == "/readyz":
            ready, checks = readiness()
            status = "200 OK" if ready else "503 Service Unavailable"
            return _json(start_response, status, {
                "status": "ready" if ready else "not ready", "service": service,
                "checks": checks})
        return metrics(environ, start_response)
    return app


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # probes every few seconds: not worth a log line
        pass


_served: set[int] = set()


def serve(port: int, addr: str, service: str):
    """Serves the metrics port in a green thread; once per port and process."""
    if not port or port in _served:
        return
    server = make_server(addr, port, make_app(service), _Server, handler_class=_QuietHandler)
    _served.add(port)
    eventlet.spawn(server.serve_forever)
