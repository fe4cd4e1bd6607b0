"""Intake's business metrics, served on the service's metrics port (the default registry)."""
import logging

from nameko.extensions import DependencyProvider
from prometheus_client import REGISTRY, Counter
from prometheus_client.core import GaugeMetricFamily
from pymongo.errors import PyMongoError

from shared.mongo import connect

from . import use_cases
from .store import IntakeUnitOfWork

log = logging.getLogger(__name__)

ANNUAL_FIGURES_SUBMITTED = Counter(
    "epun_annual_figures_submitted_total", "New versions of annual figures submitted",
    ["entity"])
OVERDUE = "epun_retaliation_preliminary_reviews_overdue"
OVERDUE_HELP = "Preliminary reviews of retaliation inquiries open more than 45 days"


class OverdueReviewsCollector:
    """Counts overdue reviews at each scrape, so the figure moves with the calendar too."""

    def __init__(self, count):
        self.count = count  # () -> {entity: overdue reviews}

    def describe(self):
        yield GaugeMetricFamily(OVERDUE, OVERDUE_HELP, labels=["entity"])

    def collect(self):
        family = GaugeMetricFamily(OVERDUE, OVERDUE_HELP, labels=["entity"])
        try:
            counts = self.count()
        except PyMongoError as exc:  # a scrape must answer even when the database does not
            log.warning("cannot count overdue reviews: %s", exc)
            counts = {}
        for entity, overdue in sorted(counts.items()):
            family.add_metric([entity], overdue)
        yield family


class OverdueReviewsMetric(DependencyProvider):
    """Registers the overdue-reviews collector for the service's process."""

    def setup(self):
        config = self.container.config
        self.client = connect(config.get("MONGO_URI", "mongodb://127.0.0.1:27017"))
        db = self.client[config["DATABASE"]]
        self.collector = OverdueReviewsCollector(
            lambda: use_cases.overdue_reviews(IntakeUnitOfWork(db, self.client)))
        REGISTRY.register(self.collector)

    def stop(self):
        if self.collector is not None:
            REGISTRY.unregister(self.collector)
            self.collector = None
            self.client.close()

    def kill(self):
        self.stop()
