"""Reporting: consumes every event into read models and renders reports from them.

One event handler per registered event type (`handle_<type>`) is added to the class below at
import time, so a new event type in `shared.contracts` gets its consumer queue at once.
"""
import datetime as dt

from nameko.rpc import rpc
from nameko.timer import timer
from prometheus_client import Gauge
from pydantic import TypeAdapter, ValidationError

from shared.auth import READ_ALL, require, require_entity
from shared.contracts.common import ETHICS_OFFICE, EntityCode, Period, Role
from shared.contracts.envelope import EVENTS
from shared.errors import Invalid, PermanentFailure
from shared.messaging import event_handler
from shared.service import ServiceBase
from shared.storage import Storage

from . import report as reports
from .domain import figures_missing, last_finished_period, project
from .labels import languages
from .projector import Projector
from .rebuild import Rebuilder
from .render import FORMATS, render
from .store import ReportingRepository

REPORT_READERS = READ_ALL | {Role.panel_chair}
ANNUAL_READERS = REPORT_READERS | {Role.focal_point, Role.panel_member}
GAUGE_EVENTS = {"panel_member_joined", "panel_member_left", "annual_figures_submitted"}
FIGURES_MISSING = Gauge(
    "epun_annual_figures_missing",
    "1 for a Panel member with no annual figures (submitted or recorded) for the last finished "
    "reporting period", ["entity"])
_gauge_entities: set = set()


class ReportingService(ServiceBase):
    name = "reporting"
    storage = Storage(ReportingRepository)
    projector = Projector()
    rebuilder = Rebuilder()

    def consume(self, envelope):
        try:
            changes = project(envelope.type, envelope.payload, envelope.occurred_at.isoformat())
        except (KeyError, TypeError, ValueError) as exc:
            raise PermanentFailure(f"no projection can read this {envelope.type} event: {exc!r}")
        self.projector.apply(self.storage, envelope, changes)
        if envelope.type in GAUGE_EVENTS:
            self.refresh_figures_gauge()

    # ---- reports ----

    @rpc
    def annual_report(self, actor, period, entity=None, fmt="json", lang=None):
        actor = require(actor, ANNUAL_READERS)
        entity = _checked_entity(entity or (actor.entity if actor.entity_scoped
                                            else ETHICS_OFFICE))
        require_entity(actor, entity)
        period, fmt, lang = _checked_period(period), _checked_format(fmt), _checked_lang(lang)
        return _answer(render("annual", reports.annual_report(self.storage.view(), entity,
                                                              period), fmt, lang))

    @rpc
    def system_wide(self, actor, period, fmt="json", lang=None):
        require(actor, REPORT_READERS)
        period, fmt, lang = _checked_period(period), _checked_format(fmt), _checked_lang(lang)
        return _answer(render("system-wide", reports.system_wide(self.storage.view(), period),
                              fmt, lang))

    @rpc
    def annex(self, actor, year, fmt="json", lang=None):
        require(actor, REPORT_READERS)
        year, fmt, lang = _checked_year(year, "year"), _checked_format(fmt), _checked_lang(lang)
        view = self.storage.view()
        return _answer(render("annex", reports.annex(year, view.fdp(year), view.directory()),
                              fmt, lang))

    @rpc
    def participation(self, actor, first=None, last=None, fmt="json", lang=None):
        require(actor, REPORT_READERS)
        this_year = dt.date.today().year
        first = _checked_year(first, "from") if first not in (None, "") else this_year - 4
        last = _checked_year(last, "to") if last not in (None, "") else this_year
        if first > last:
            raise Invalid.field(["query", "from"], "must not be after 'to'")
        fmt, lang = _checked_format(fmt), _checked_lang(lang)
        view = self.storage.view()
        return _answer(render("participation", reports.participation(
            first, last, view.enrolment(first, last), view.directory()), fmt, lang))

    @rpc
    def directory(self, actor):
        require(actor, READ_ALL)
        return self.storage.directory()

    # ---- rebuilding the read models ----

    @rpc
    def rebuild(self, actor):
        require(actor, [Role.admin])
        self.rebuilder.begin(self.storage)
        return self.rebuild_status(actor)

    @rpc
    def rebuild_status(self, actor):
        require(actor, READ_ALL)
        state = self.storage.generations()
        return {"active": state.get("active", 0), "building": state.get("building"),
                "running": state.get("building") is not None,
                "replayed": state.get("replayed"), "error": state.get("error"),
                **{k: state[k].isoformat() if state.get(k) else None
                   for k in ("started_at", "finished_at")}}

    # ---- the business gauge ----

    @timer(interval=60, eager=True)
    def watch_annual_figures(self):
        self.refresh_figures_gauge()

    def refresh_figures_gauge(self):
        view = self.storage.view()
        period = last_finished_period(dt.date.today())
        members = sorted(m["entity"] for m in view.members() if m.get("member"))
        missing = figures_missing(members, view.has_submitted(period), view.has_records(period))
        for entity, value in missing.items():
            FIGURES_MISSING.labels(entity).set(value)
        for entity in _gauge_entities - set(missing):
            FIGURES_MISSING.remove(entity)
        _gauge_entities.clear()
        _gauge_entities.update(missing)


def _answer(rendered: dict) -> dict:
    """`{"content_type", "filename", "body", "encoding"}`: the body is the report itself for
    JSON, text for CSV and HTML, base64 for XLSX."""
    return rendered


PERIOD, ENTITY = TypeAdapter(Period), TypeAdapter(EntityCode)


def _checked_entity(entity) -> str:
    try:
        return ENTITY.validate_python(entity)
    except ValidationError:
        raise Invalid.field(["query", "entity"], "an entity code, for example EO or UNHCR")


def _checked_period(period) -> str:
    try:
        return PERIOD.validate_python(str(period))
    except ValidationError as exc:
        raise Invalid.field(["path", "period"], exc.errors()[0]["msg"])


def _checked_year(value, name: str) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        year = 0
    if not 1900 <= year <= 2999:
        raise Invalid.field(["path" if name == "year" else "query", name],
                            "a year is written YYYY, for example 2014")
    return year


def _checked_format(fmt) -> str:
    fmt = fmt or "json"
    if fmt not in FORMATS:
        raise Invalid.field(["query", "format"], f"one of {', '.join(FORMATS)}")
    return fmt


def _checked_lang(lang):
    if lang and lang not in languages():
        raise Invalid.field(["query", "lang"], f"one of {', '.join(languages())}")
    return lang or None


def _consumer(source: str, event_type: str):
    def handle(self, envelope):
        self.consume(envelope)
    handle.__name__ = handle.__qualname__ = f"handle_{event_type}"
    return event_handler(source, event_type)(handle)


for _type, (_source, _) in sorted(EVENTS.items()):
    setattr(ReportingService, f"handle_{_type}", _consumer(_source, _type))
