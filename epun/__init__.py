"""The `epun` command: the local stack, tokens, uploads, demo data and reports."""
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", message=".*Eventlet is deprecated.*")
warnings.filterwarnings("ignore", message=".*pkg_resources is deprecated.*")

ROOT = Path(__file__).resolve().parent.parent
