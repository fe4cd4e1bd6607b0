"""The Panel's business gauges, computed when Prometheus scrapes (the Metrics provider serves the
default registry on the service's metrics port)."""
import logging

from nameko.extensions import DependencyProvider
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from pymongo.errors import PyMongoError

from shared.dependencies import UnitOfWork

from . import use_cases

log = logging.getLogger(__name__)

PAST_ANSWER_DATE = "epun_panel_consultations_past_answer_date"


class PastAnswerDate:
    """Open consultations whose date to answer by has passed: one indexed count per scrape."""

    def __init__(self, uow_of):
        self.uow_of = uow_of  # () -> a unit of work, or None before the database is set up

    def describe(self):
        return [self._family()]

    def collect(self):
        family = self._family()
        uow = self.uow_of()
        if uow is None:
            return
        try:
            family.add_metric([], use_cases.consultations_past_answer_date(uow))
        except PyMongoError as exc:  # no sample rather than a wrong one
            log.warning("cannot count consultations past their answer date: %s", exc)
            return
        yield family

    @staticmethod
    def _family():
        return GaugeMetricFamily(PAST_ANSWER_DATE,
                                 "Open Panel consultations whose date to answer by has passed")


class PanelGauges(DependencyProvider):
    """Registers the Panel's gauges with the process's registry while the service runs."""

    collector = None

    def setup(self):
        provider = next(d for d in self.container.dependencies if isinstance(d, UnitOfWork))

        def uow():
            db = getattr(provider, "db", None)
            return None if db is None else provider.uow_cls(db, provider.client,
                                                            clock=provider.clock)
        type(self)._replace(PastAnswerDate(uow))

    def stop(self):
        type(self)._replace(None)

    @classmethod
    def _replace(cls, collector):
        if cls.collector is not None:
            REGISTRY.unregister(cls.collector)
        cls.collector = collector
        if collector is not None:
            REGISTRY.register(collector)
