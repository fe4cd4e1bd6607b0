"""What the deployment artifacts must cover: every service of the platform and its metrics port
(the issue's list; notifications included before its code lands)."""
from epun import ROOT

PLATFORM = {"gateway": 9100, "intake": 9101, "disclosure": 9102, "panel": 9103, "reporting": 9104,
            "notifications": 9105}
HTTP_PORT = 8000
# the settings that are secrets, and the service that needs each
SECRETS = {"FDP_KEYS": "disclosure", "SESSION_SECRET": "gateway", "OIDC_CLIENT_SECRET": "gateway",
           "SMTP_URL": "notifications"}

DEPLOY = ROOT / "deploy"


def service_config(service: str):
    """services/<service>/config.yaml, or None while the service has no code yet."""
    path = ROOT / "services" / service / "config.yaml"
    return path.read_text() if path.exists() else None
