"""The `epun` command: the local stack, tokens, uploads, demo data and reports."""
import warnings
from pathlib import Path

# eventlet warns when imported (by shared/ and the services, for nameko), its message starting
# with a newline: the filter's pattern must allow for it, as `message` is matched from the start.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
warnings.filterwarnings("ignore", message=".*pkg_resources is deprecated.*")

ROOT = Path(__file__).resolve().parent.parent
