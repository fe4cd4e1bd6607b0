"""Alertmanager for the local stack: Debian's `prometheus-alertmanager`, with a configuration
generated from the environment, routing every alert by e-mail to an SMTP server (or to a
webhook). Prometheus started by the same `epun up --with-prometheus` sends its alerts here.

Settings: ALERT_SMTP_URL (default: SMTP_URL, else smtp://127.0.0.1:1025, the platform's local
SMTP server), ALERT_EMAIL_TO, ALERT_EMAIL_FROM, ALERT_WEBHOOK_URL (instead of mail),
ALERT_GROUP_WAIT; EPUN_ALERTMANAGER_PORT chooses its port.
"""
import os
import shutil
import urllib.parse
from dataclasses import dataclass

import requests
import yaml

from .processes import log_tail
from .stack import Stack, StackError, port_open, say, wait_for

BINARIES = ("prometheus-alertmanager", "alertmanager")


@dataclass
class AlertRouting:
    smtp_url: str = "smtp://127.0.0.1:1025"
    email_to: str = "operations@localhost"
    email_from: str = "epun-alerts@localhost"
    webhook_url: str | None = None
    group_wait: str = "10s"

    @classmethod
    def from_environment(cls, env=os.environ) -> "AlertRouting":
        routing = cls()
        routing.smtp_url = env.get("ALERT_SMTP_URL") or env.get("SMTP_URL") or routing.smtp_url
        routing.email_to = env.get("ALERT_EMAIL_TO", routing.email_to)
        routing.email_from = env.get("ALERT_EMAIL_FROM", routing.email_from)
        routing.webhook_url = env.get("ALERT_WEBHOOK_URL") or None
        routing.group_wait = env.get("ALERT_GROUP_WAIT", routing.group_wait)
        return routing


def config_for(routing: AlertRouting) -> dict:
    if routing.webhook_url:
        receiver = {"name": "operations",
                    "webhook_configs": [{"url": routing.webhook_url, "send_resolved": True}]}
        globals_ = {}
    else:
        smtp = urllib.parse.urlsplit(routing.smtp_url)
        if smtp.scheme not in ("smtp", "smtps") or not smtp.hostname:
            raise StackError(f"ALERT_SMTP_URL must look like smtp://host:port, not "
                             f"{routing.smtp_url!r}")
        globals_ = {"smtp_smarthost": f"{smtp.hostname}:{smtp.port or 25}",
                    "smtp_from": routing.email_from,
                    "smtp_require_tls": smtp.scheme == "smtps"}
        if smtp.username:
            globals_.update(smtp_auth_username=urllib.parse.unquote(smtp.username),
                            smtp_auth_password=urllib.parse.unquote(smtp.password or ""))
        receiver = {"name": "operations",
                    "email_configs": [{"to": routing.email_to, "send_resolved": True}]}
    return {
        "global": {"resolve_timeout": "5m", **globals_},
        "route": {"receiver": "operations", "group_by": ["alertname", "service"],
                  "group_wait": routing.group_wait, "group_interval": "1m",
                  "repeat_interval": "4h"},
        "receivers": [receiver],
        "inhibit_rules": [{"source_matchers": ['alertname="EpunServiceDown"'],
                           "target_matchers": ['severity!="critical"'], "equal": ["service"]}],
    }


def alertmanager_url(stack: Stack) -> str:
    return f"http://127.0.0.1:{stack.alertmanager_port}"


def start_alertmanager(stack: Stack, routing: AlertRouting | None = None) -> str:
    """Starts Alertmanager on 127.0.0.1:`stack.alertmanager_port` (or reloads the one this stack
    runs) with the routing's configuration; returns its URL."""
    binary = next(filter(None, map(shutil.which, BINARIES)), None)
    if not binary:
        raise StackError("Alertmanager is not installed; install Debian's package "
                         "('sudo apt-get install prometheus-alertmanager') or run without "
                         "--with-prometheus")
    routing = routing or AlertRouting.from_environment()
    home = stack.state_dir / "alertmanager"
    for folder in (home / "data", stack.run_dir, stack.log_dir):
        folder.mkdir(parents=True, exist_ok=True)
    config_file = home / "alertmanager.yml"
    config_file.write_text(yaml.safe_dump(config_for(routing), sort_keys=False))
    config_file.chmod(0o600)  # it may hold the SMTP password
    url = alertmanager_url(stack)
    if stack.running("alertmanager"):
        if _post_ok(f"{url}/-/reload"):
            say(f"Alertmanager already runs on {url}; reloaded its configuration")
            return url
        stack.stop_process("alertmanager")
    if port_open("127.0.0.1", stack.alertmanager_port):
        raise StackError(
            f"port {stack.alertmanager_port} is already taken, so Alertmanager cannot listen on "
            "it (Debian's package starts one as a system service: 'sudo systemctl disable --now "
            "prometheus-alertmanager'); stop it, or choose another port with "
            "EPUN_ALERTMANAGER_PORT.")
    proc = stack.spawn("alertmanager", [
        binary, f"--config.file={config_file}", f"--storage.path={home / 'data'}",
        f"--web.listen-address=127.0.0.1:{stack.alertmanager_port}",
        "--cluster.listen-address=",  # one instance: no gossip port
    ], {}, ports={stack.alertmanager_port: "EPUN_ALERTMANAGER_PORT"})

    def ready():
        if proc.poll() is not None:
            stack.pidfile("alertmanager").unlink(missing_ok=True)
            log = stack.log_dir / "alertmanager.log"
            raise StackError(f"Alertmanager stopped at start:\n  {log_tail(log)}\n(see {log})")
        return _get_ok(f"{url}/-/ready")
    wait_for(ready, 60, "Alertmanager")
    smtp = urllib.parse.urlsplit(routing.smtp_url)
    say(f"Alertmanager on {url}, alerts to " + (
        routing.webhook_url or f"{routing.email_to} through {smtp.hostname}:{smtp.port or 25}"))
    return url


def _get_ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _post_ok(url: str) -> bool:
    try:
        return requests.post(url, timeout=10).status_code == 200
    except requests.RequestException:
        return False
