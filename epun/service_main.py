"""`epun-service NAME`: runs one service of the platform, as the container image's command does.

It maps the service's name to its nameko config and class and replaces itself with
`python -m nameko run`, so the service is the container's main process and receives its signals.
`epun-service healthcheck` asks the service's metrics port for `/healthz` (the image's
HEALTHCHECK). Nothing of the services is imported here.
"""
import importlib.util
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

# The default METRICS_PORT of each service's config.yaml.
METRICS_PORTS = {"gateway": 9100, "intake": 9101, "disclosure": 9102, "panel": 9103,
                 "reporting": 9104, "notifications": 9105}

# Settings that may come from a file instead (`FDP_KEYS_FILE=/run/secrets/fdp_keys`), as compose
# and Docker secrets are mounted.
FILE_SETTINGS = ("FDP_KEYS", "SESSION_SECRET", "OIDC_CLIENT_SECRET", "SMTP_URL", "AMQP_URI",
                 "MONGO_URI")

USAGE = f"usage: epun-service {{{','.join(METRICS_PORTS)}}} | epun-service healthcheck"


def config_path(service: str, env) -> Path:
    """The service's nameko config: `$EPUN_CONFIG_DIR/<service>.yaml` when set (a mounted
    ConfigMap), else the config.yaml installed with the service's package."""
    folder = env.get("EPUN_CONFIG_DIR")
    if folder:
        return Path(folder) / f"{service}.yaml"
    package = importlib.util.find_spec("services")  # finds the package without importing it
    if package is None or not package.submodule_search_locations:
        raise SystemExit("the services package is not installed")
    return Path(next(iter(package.submodule_search_locations))) / service / "config.yaml"


def command(service: str, env) -> list[str]:
    if service not in METRICS_PORTS:
        raise SystemExit(f"unknown service {service!r}\n{USAGE}")
    config = config_path(service, env)
    if not config.is_file():
        raise SystemExit(f"the {service} service has no config at {config}")
    return [sys.executable, "-m", "nameko", "run", "--config", str(config),
            f"services.{service}.service:{service.capitalize()}Service"]


def settings_from_files(env) -> dict:
    """`NAME_FILE` sets NAME to the file's content (without its trailing newline) unless NAME is
    set already."""
    found = {}
    for name in FILE_SETTINGS:
        path = env.get(f"{name}_FILE")
        if path and not env.get(name):
            found[name] = Path(path).read_text().rstrip("\n")
    return found


def healthcheck(env) -> int:
    """0 when the service's metrics port answers /healthz with 200. The port is METRICS_PORT when
    set, else the one of the services' default ports that accepts a connection (a container runs
    one service)."""
    ports = [int(env["METRICS_PORT"])] if env.get("METRICS_PORT") else METRICS_PORTS.values()
    for port in ports:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as answer:
                return 0 if answer.status == 200 else 1
        except urllib.error.HTTPError:
            return 1
        except OSError:  # nothing listens on this port
            continue
    return 1


def main(argv: list[str] | None = None):
    args = sys.argv[1:] if argv is None else argv
    if args == ["healthcheck"]:
        sys.exit(healthcheck(os.environ))
    if len(args) != 1 or args[0].startswith("-"):
        raise SystemExit(USAGE)
    env = {**os.environ, **settings_from_files(os.environ)}
    cmd = command(args[0], env)
    os.execve(cmd[0], cmd, env)


if __name__ == "__main__":
    main()
