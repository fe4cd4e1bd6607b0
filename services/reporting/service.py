"""Reporting: consumes every event into read models and renders reports from them. Entrypoints
only: require the actor, check the arguments, call a use case, render or answer.

One event handler per registered event type (`handle_<type>`) is added to the class below at
import time, so a new event type in `shared.contracts` gets its consumer queue at once. Each hands
its delivery (the envelope and its payload as its model) to the projector's group commit.
"""
from typing import Callable

from nameko.rpc import rpc
from nameko.timer import timer

from shared.auth import READ_ALL, require
from shared.contracts.common import Period, Role
from shared.contracts.envelope import EVENTS
from shared.contracts.reporting import IssueIn, ReportKind
from shared.kernel.errors import checked, located, validated
from shared.messaging import Delivery, event_handler
from shared.rpc import answer
from shared.service import ServiceBase

from . import use_cases as uc
from .arguments import Day, Entity, Format, Lang, OptionalYear, Version, Year, arguments
from .labels import missing
from .metrics import show_figures_missing
from .projector import Projector
from .rebuild import ReadModelsProvider, Rebuilder
from .render import render
from .store import ReportingUnitOfWork

REPORT_READERS = READ_ALL | {Role.panel_chair}
ANNUAL_READERS = REPORT_READERS | {Role.focal_point, Role.panel_member}
ISSUERS = [Role.ethics_office, Role.admin]
GAUGE_EVENTS = {"panel_member_joined", "panel_member_left", "annual_figures_submitted"}


def _key(report, key) -> str:
    """The key of an issued report: a period, or the cycle year of the annex."""
    if report == ReportKind.annex.value:
        return str(checked(Year, key, "key"))
    return checked(Period, str(key), "key")


def rendered(kind: str, fmt, lang, report: Callable[[], dict]) -> dict:
    """`report()` rendered as a `kind` report in `fmt`, labelled in `lang`, both checked first:
    `{"content_type", "filename", "body", "encoding"}`, the body being the report itself for
    JSON, text for CSV and HTML, base64 for XLSX."""
    fmt, lang = checked(Format, fmt, "format"), checked(Lang, lang, "lang")
    return answer(render(kind, report(), fmt, lang))


class ReportingService(ServiceBase):
    name = "reporting"
    uow = ReadModelsProvider(ReportingUnitOfWork)
    projector = Projector()
    rebuilder = Rebuilder()

    def consume(self, delivery: Delivery):
        self.projector.apply(self.uow, delivery)
        if delivery.envelope.type in GAUGE_EVENTS:
            self.refresh_figures_gauge()

    # ---- reports ----

    @rpc
    def annual_report(self, actor, period, entity=None, fmt="json", lang=None, as_of=None,
                      version=None):
        uow = self.uow(require(actor, ANNUAL_READERS))
        with arguments():
            query = uc.AnnualReport(checked(Period, str(period), "period"),
                                    checked(Entity, entity, "entity"),
                                    checked(Day, as_of, "as_of"),
                                    checked(Version, version, "version"))
            return rendered("annual", fmt, lang, lambda: uc.annual_report(uow, query))

    @rpc
    def system_wide(self, actor, period, fmt="json", lang=None, as_of=None, version=None):
        uow = self.uow(require(actor, REPORT_READERS))
        with arguments():
            query = uc.SystemWide(checked(Period, str(period), "period"),
                                  checked(Day, as_of, "as_of"), checked(Version, version,
                                                                        "version"))
            return rendered("system-wide", fmt, lang, lambda: uc.system_wide(uow, query))

    @rpc
    def annex(self, actor, year, fmt="json", lang=None, as_of=None, version=None):
        uow = self.uow(require(actor, REPORT_READERS))
        with arguments():
            query = uc.Annex(checked(Year, year, "year"), checked(Day, as_of, "as_of"),
                             checked(Version, version, "version"))
            return rendered("annex", fmt, lang, lambda: uc.annex(uow, query))

    @rpc
    def participation(self, actor, first=None, last=None, fmt="json", lang=None, as_of=None):
        uow = self.uow(require(actor, REPORT_READERS))
        with arguments():
            query = uc.Participation(checked(OptionalYear, first, "from"),
                                     checked(OptionalYear, last, "to"),
                                     checked(Day, as_of, "as_of"))
            return rendered("participation", fmt, lang, lambda: uc.participation(uow, query))

    @rpc
    def unit_cost(self, actor, first=None, last=None, fmt="json", lang=None, as_of=None):
        uow = self.uow(require(actor, REPORT_READERS))
        with arguments():
            query = uc.UnitCost(checked(OptionalYear, first, "from"),
                                checked(OptionalYear, last, "to"), checked(Day, as_of, "as_of"))
            return rendered("unit-cost", fmt, lang, lambda: uc.unit_cost(uow, query))

    # ---- issued versions ----

    @rpc
    def issue_report(self, actor, key, report, body):
        """Issue the report `report` of `key` (its period, or its cycle year) as of a day."""
        uow = self.uow(require(actor, ISSUERS))
        with located("body", path=("report", "key")):
            kind, key = checked(ReportKind, report, "report"), _key(report, key)
            issue = validated(IssueIn, body)
            return answer(uc.issue_report(uow, uc.IssueReport(kind, key, issue.as_of,
                                                              issue.symbol, issue.note)))

    @rpc
    def issued_versions(self, actor, key, report):
        uow = self.uow(require(actor, REPORT_READERS))
        with located(path=("report", "key")):
            query = uc.IssuedVersions(checked(ReportKind, report, "report"), _key(report, key))
        return answer(uc.issued_versions(uow, query))

    @rpc
    def catalogue(self, actor):
        return answer(uc.catalogue(self.uow(require(actor, ANNUAL_READERS))))

    @rpc
    def missing_labels(self, actor):
        """Per language, the labels and names that fall back to English."""
        require(actor, READ_ALL)
        return answer(missing())

    @rpc
    def directory(self, actor):
        return answer(uc.directory(self.uow(require(actor, READ_ALL))))

    # ---- rebuilding the read models ----

    @rpc
    def rebuild(self, actor):
        require(actor, [Role.admin])
        self.rebuilder.begin(self.uow)
        return self.rebuild_status(actor)

    @rpc
    def rebuild_status(self, actor):
        return answer(uc.rebuild_status(self.uow(require(actor, READ_ALL))))

    # ---- the business gauge ----

    @timer(interval=60, eager=True)
    def watch_annual_figures(self):
        self.refresh_figures_gauge()

    def refresh_figures_gauge(self):
        show_figures_missing(uc.figures_missing(self.uow()))


def _consumer(source: str, event_type: str):
    def handle(self, delivery):
        self.consume(delivery)
    handle.__name__ = handle.__qualname__ = f"handle_{event_type}"
    return event_handler(source, event_type)(handle)


for _type, (_source, _) in sorted(EVENTS.items()):
    setattr(ReportingService, f"handle_{_type}", _consumer(_source, _type))
