"""Prometheus for the local stack: Debian's `prometheus` server with the project's configuration.

The configuration is deploy/prometheus/prometheus.yml with each target moved to the metrics port
its service has in this stack; the generated file and the data live under the stack's state folder.
"""
import shutil

import requests
import yaml

from . import ROOT
from .stack import Stack, StackError, port_open, say, wait_for

DEPLOY = ROOT / "deploy" / "prometheus"


def config_for(stack: Stack) -> dict:
    config = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
    if stack.prometheus_interval:
        config["global"].update(scrape_interval=stack.prometheus_interval,
                                scrape_timeout=stack.prometheus_interval,
                                evaluation_interval=stack.prometheus_interval)
    config["rule_files"] = [str(DEPLOY / name) for name in config.get("rule_files", [])]
    if stack.running("alertmanager"):
        config["alerting"] = {"alertmanagers": [{"static_configs": [
            {"targets": [f"127.0.0.1:{stack.alertmanager_port}"]}]}]}
    for job in config["scrape_configs"]:
        for targets in job.get("static_configs", []):
            service = targets.get("labels", {}).get("service")
            if service:
                targets["targets"] = [f"127.0.0.1:{stack.metrics_port(service, replica)}"
                                      for replica in range(1, stack.replicas + 1)]
    return config


def prometheus_url(stack: Stack) -> str:
    return f"http://127.0.0.1:{stack.prometheus_port}"


def start_prometheus(stack: Stack) -> str:
    """Starts Prometheus on 127.0.0.1:`stack.prometheus_port`, or reloads the one this stack runs;
    returns its URL."""
    binary = shutil.which("prometheus")
    if not binary:
        raise StackError("Prometheus is not installed; install Debian's package "
                         "('sudo apt-get install prometheus') or run without --with-prometheus")
    home = stack.state_dir / "prometheus"
    for folder in (home / "data", stack.run_dir, stack.log_dir):
        folder.mkdir(parents=True, exist_ok=True)
    config_file = home / "prometheus.yml"
    config_file.write_text(yaml.safe_dump(config_for(stack), sort_keys=False))
    url = prometheus_url(stack)
    if stack.running("prometheus"):
        if _reloaded(url):
            say(f"Prometheus already runs on {url}; reloaded its configuration")
            return url
        stack.stop_process("prometheus")  # ours, but not where it should listen: start afresh
    if port_open("127.0.0.1", stack.prometheus_port):
        raise StackError(
            f"port {stack.prometheus_port} is already taken, so Prometheus cannot listen on it. "
            "Another Prometheus may hold it (Debian's package starts one as a system service: "
            "'sudo systemctl disable --now prometheus'); stop it, or choose another port with "
            "EPUN_PROMETHEUS_PORT.")
    proc = stack.spawn("prometheus", [
        binary, f"--config.file={config_file}", f"--storage.tsdb.path={home / 'data'}",
        f"--web.listen-address=127.0.0.1:{stack.prometheus_port}", "--web.enable-lifecycle",
    ], {}, ports={stack.prometheus_port: "EPUN_PROMETHEUS_PORT"})

    def ready():
        if proc.poll() is not None:
            stack.pidfile("prometheus").unlink(missing_ok=True)
            log = stack.log_dir / "prometheus.log"
            tail = log.read_text(errors="replace").strip().splitlines()[-3:]
            raise StackError("Prometheus stopped at start:\n  " + "\n  ".join(tail) +
                             f"\n(see {log})")
        return _answers(f"{url}/-/ready")
    wait_for(ready, 60, "Prometheus")
    say(f"Prometheus on {url} (configuration: {config_file})")
    return url


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _reloaded(url: str) -> bool:
    try:
        return requests.post(f"{url}/-/reload", timeout=10).status_code == 200
    except requests.RequestException:
        return False
