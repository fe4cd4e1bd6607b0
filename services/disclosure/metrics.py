"""The programme's business gauges, read from the compliance counters when Prometheus scrapes.

They describe the newest open cycle: filers required, filed and not filed per entity, the
compliance ratio and the days left to the deadline. Counts only; nothing confidential.
"""
import datetime as dt
import logging
from typing import Callable

from prometheus_client.core import REGISTRY, GaugeMetricFamily
from pymongo.errors import PyMongoError

from . import domain

log = logging.getLogger(__name__)
_registered: list = []


class ProgrammeGauges:
    """`units()` makes a unit of work to read the cycles and counters with."""

    def __init__(self, units: Callable, today=dt.date.today):
        self.units, self.today = units, today

    def describe(self):
        return []  # the families are built on each scrape; nothing to check at registration

    def collect(self):
        try:
            uow = self.units()
            cycle = uow.cycles.newest_open()
            counters = uow.counters.of(cycle.year) if cycle else []
        except PyMongoError as exc:
            log.warning("financial disclosure gauges unavailable: %s", exc)
            return
        if not cycle:
            return
        rows, total = domain.compliance(counters, "entity", {})
        families = {
            "required": GaugeMetricFamily("epun_fdp_filers_required",
                                          "Filers required to file in the open cycle",
                                          labels=["entity"]),
            "filed": GaugeMetricFamily("epun_fdp_filers_filed",
                                       "Filers who have filed in the open cycle",
                                       labels=["entity"]),
            "not_filed": GaugeMetricFamily("epun_fdp_filers_not_filed",
                                           "Filers who have not filed in the open cycle",
                                           labels=["entity"]),
        }
        for row in rows:
            for name, family in families.items():
                family.add_metric([row["key"]], row[name])
        yield from families.values()
        ratio = total["filed"] / total["required"] if total["required"] else 0.0
        yield GaugeMetricFamily("epun_fdp_compliance_ratio",
                                "Share of the open cycle's filers who have filed (0..1)", ratio)
        yield GaugeMetricFamily("epun_fdp_days_to_deadline",
                                "Days from today to the open cycle's deadline (negative once past)",
                                (cycle.deadline - self.today()).days)


def register_gauges(units: Callable):
    """Register the gauges once per process (a service process holds one store provider)."""
    if not _registered:
        gauges = ProgrammeGauges(units)
        REGISTRY.register(gauges)
        _registered.append(gauges)
