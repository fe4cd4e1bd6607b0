"""Notifications: turns the platform's events into messages for the people they concern, and
sends them by e-mail. Entrypoints only: event handlers that call a use case, a timer that runs
the reminder schedule, and the RPC that reads deliveries back.

Configuration (config.yaml): `SMTP_URL`, `MAIL_FROM`, `EO_MAIL` (the Ethics Office, copied where
it should know), `PORTAL_URL` (the base of every link), `REMINDER_OFFSETS` (days before a
cycle's deadline), `CONSULTATION_REMINDER_DAYS`, `SCHEDULE_SECONDS` (how often the schedule runs).
"""
from nameko.extensions import DependencyProvider
from nameko.rpc import rpc
from nameko.timer import Timer

from shared.auth import as_actor
from shared.contracts.common import EntityCode
from shared.contracts.disclosure import FilerChangesRecorded
from shared.contracts.envelope import EVENTS
from shared.dependencies import UnitOfWork
from shared.kernel.errors import checked, located
from shared.messaging import Delivery, event_handler
from shared.service import ServiceBase

from . import use_cases as uc
from .domain import parse_offsets
from .metrics import count_queued
from .sender import Sender, SmtpSettings
from .store import NotificationsUnitOfWork
from .views import delivery_query, year_of



class ScheduleTimer(Timer):
    """nameko's timer, its interval from the `SCHEDULE_SECONDS` config key."""

    def setup(self):
        self.interval = float(self.container.config.get("SCHEDULE_SECONDS") or self.interval)


schedule_timer = ScheduleTimer.decorator


def settings_of(config: dict) -> uc.Settings:
    return uc.Settings(
        portal_url=str(config.get("PORTAL_URL") or "http://127.0.0.1:8000"),
        eo_mail=str(config.get("EO_MAIL") or "").strip() or None,
        offsets=tuple(parse_offsets(config.get("REMINDER_OFFSETS") or "14,7,1")),
        consultation_reminder_days=int(config.get("CONSULTATION_REMINDER_DAYS") or 2))


class Settings(DependencyProvider):
    def setup(self):
        self.settings = settings_of(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.settings


class Mailer(DependencyProvider):
    """Runs the sender in the service's process, beside the outbox relay."""

    sender = None

    def setup(self):
        config = self.container.config
        self.smtp = SmtpSettings.parse(config["SMTP_URL"])  # a wrong URL stops the start
        self.mail_from = config.get("MAIL_FROM") or "ethics-office@localhost"

    def start(self):
        # every provider's setup has run: the unit of work's database is connected
        provider = next(d for d in self.container.extensions if isinstance(d, UnitOfWork))
        self.sender = Sender(provider.db, self.smtp, self.mail_from,
                             settings_of(self.container.config).portal_url)
        self.container.spawn_managed_thread(self.sender.run, identifier="notifications.sender")

    def stop(self):
        if self.sender:
            self.sender.stop()

    def kill(self):
        if self.sender:
            self.sender.running = False

    def get_dependency(self, worker_ctx):
        return self.sender


def _changes(delivery: Delivery) -> list:
    """The per-filer changes an event carries: itself, or those folded in
    filer_changes_recorded."""
    if delivery.envelope.type != "filer_changes_recorded":
        return [(delivery.envelope.type, delivery.event)]
    assert isinstance(delivery.event, FilerChangesRecorded)
    return [(c.type, EVENTS[c.type][1].model_validate(c.payload))
            for c in delivery.event.changes]


class NotificationsService(ServiceBase):
    name = "notifications"
    uow = UnitOfWork(NotificationsUnitOfWork)
    settings = Settings()
    mailer = Mailer()

    def _on(self, use_case, delivery: Delivery, *args):
        summary = use_case(self.uow(), delivery.envelope.event_id, *args, self.settings)
        count_queued(summary)

    # ---- who people are ----

    @event_handler("disclosure", "participant_enrolled")
    def on_participant_enrolled(self, d):
        self._on(uc.participant_enrolled, d, d.event)

    @event_handler("panel", "panel_member_joined")
    def on_panel_member_joined(self, d):
        uc.member_contacts(self.uow(), d.envelope.event_id, d.event.entity, d.event.contacts,
                           True)

    @event_handler("panel", "panel_member_contacts_changed")
    def on_panel_member_contacts_changed(self, d):
        uc.member_contacts(self.uow(), d.envelope.event_id, d.event.entity, d.event.contacts,
                           None)

    @event_handler("panel", "panel_member_left")
    def on_panel_member_left(self, d):
        uc.member_contacts(self.uow(), d.envelope.event_id, d.event.entity, None, False)

    # ---- the disclosure cycle ----

    @event_handler("disclosure", "cycle_opened")
    def on_cycle_opened(self, d):
        self._on(uc.cycle_opened, d, d.event)

    @event_handler("disclosure", "cycle_closed")
    def on_cycle_closed(self, d):
        self._on(uc.cycle_closed, d, d.event)

    @event_handler("disclosure", "filers_enrolled")
    def on_filers_enrolled(self, d):
        self._on(uc.filers_enrolled, d, d.event)

    @event_handler("disclosure", "statement_filed")
    def on_statement_filed(self, d):
        self._on(uc.filer_changes, d, _changes(d))

    @event_handler("disclosure", "filer_exempted")
    def on_filer_exempted(self, d):
        self._on(uc.filer_changes, d, _changes(d))

    @event_handler("disclosure", "review_recorded")
    def on_review_recorded(self, d):
        self._on(uc.filer_changes, d, _changes(d))

    @event_handler("disclosure", "public_disclosure_decided")
    def on_public_disclosure_decided(self, d):
        self._on(uc.filer_changes, d, _changes(d))

    @event_handler("disclosure", "public_disclosure_approved")
    def on_public_disclosure_approved(self, d):
        self._on(uc.filer_changes, d, _changes(d))

    @event_handler("disclosure", "public_disclosure_returned")
    def on_public_disclosure_returned(self, d):
        self._on(uc.filer_changes, d, _changes(d))

    @event_handler("disclosure", "filer_changes_recorded")
    def on_filer_changes_recorded(self, d):
        self._on(uc.filer_changes, d, _changes(d))

    @event_handler("disclosure", "compliance_reminder_due")
    def on_compliance_reminder_due(self, d):
        self._on(uc.reminder_requested, d, d.event)

    # ---- the Panel ----

    @event_handler("panel", "meeting_convened")
    def on_meeting_convened(self, d):
        self._on(uc.meeting_convened, d, d.event)

    @event_handler("panel", "meeting_rescheduled")
    def on_meeting_rescheduled(self, d):
        count_queued(uc.meeting_changed(self.uow(), d.envelope.event_id, d.event, False,
                                        self.settings))

    @event_handler("panel", "meeting_cancelled")
    def on_meeting_cancelled(self, d):
        count_queued(uc.meeting_changed(self.uow(), d.envelope.event_id, d.event, True,
                                        self.settings))

    @event_handler("panel", "consultation_opened")
    def on_consultation_opened(self, d):
        self._on(uc.consultation_opened, d, d.event)

    @event_handler("panel", "position_submitted")
    def on_position_submitted(self, d):
        uc.consultation_changed(self.uow(), d.envelope.event_id, d.event.consultation_id,
                                {"answered": d.event.entity})

    @event_handler("panel", "consultation_extended")
    def on_consultation_extended(self, d):
        uc.consultation_changed(self.uow(), d.envelope.event_id, d.event.id,
                                {"respond_by": d.event.respond_by.isoformat()})

    @event_handler("panel", "consultation_concluded")
    def on_consultation_concluded(self, d):
        self._on(uc.consultation_concluded, d, d.event)

    @event_handler("intake", "annual_figures_submitted")
    def on_annual_figures_submitted(self, d):
        self._on(uc.figures_submitted, d, d.event)

    # ---- the schedule ----

    @schedule_timer(interval=3600, eager=True)
    def run_schedule(self):
        """The filing reminders and consultation reminders due today."""
        count_queued(uc.run_schedule(self.uow, self.settings))

    # ---- reading back ----

    @rpc
    def deliveries(self, actor, recipient=None, kind=None, since=None, cursor=None, limit=50):
        """A page of deliveries, newest first: `{"items": [...], "next": cursor}`."""
        actor = as_actor(actor)
        with located("query"):
            query = delivery_query(recipient, kind, since, cursor, limit)
            return uc.deliveries(self.uow(actor), actor, query)

    @rpc
    def last_reminders(self, actor, year, entity):
        """The day `entity` last received a reminder of cycle `year`."""
        actor = as_actor(actor)
        with located(path=("year", "entity")):
            return uc.last_reminders(self.uow(actor), actor, year_of(year),
                                     checked(EntityCode, entity, "entity"))
