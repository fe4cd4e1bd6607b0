"""Reporting's business gauge, served on the service's metrics port (the default registry)."""
from prometheus_client import Gauge

FIGURES_MISSING = Gauge(
    "epun_annual_figures_missing",
    "1 for a Panel member with no annual figures (submitted or recorded) for the last finished "
    "reporting period", ["entity"])
_shown: set = set()


def show_figures_missing(missing: dict[str, int]):
    """Set the gauge of each member in `missing`, and drop those no longer members."""
    for entity, value in missing.items():
        FIGURES_MISSING.labels(entity).set(value)
    for entity in _shown - set(missing):
        FIGURES_MISSING.remove(entity)
    _shown.clear()
    _shown.update(missing)
