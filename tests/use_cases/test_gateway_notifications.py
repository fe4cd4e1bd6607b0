"""The gateway's reading of the notices: who may read the deliveries and an entity's last
reminder, what is asked of the notifications service, and a service that does not answer.

The notifications service is replaced by a fake that keeps deliveries and answers its two RPCs
as their contract says (the real one is exercised by the e2e tests)."""
import datetime as dt

import eventlet
import pytest
from nameko.exceptions import UnknownService
from people import ADMIN, EO, focal

from services.gateway.routes.notifications import Answering
from services.gateway.use_cases import notifications as uc
from shared.contracts.common import Actor, Role
from shared.contracts.deliveries import DeliveryQuery
from shared.kernel.errors import Forbidden, Invalid, Unavailable, validated

AUDITOR = Actor(role=Role.auditor, label="auditor")
CHAIR = Actor(role=Role.panel_chair, entity="EO", label="chair")
QUEUED_AT = dt.datetime(2015, 7, 1, 9, 0, tzinfo=dt.timezone.utc)


def delivery(n: int, kind="filing_reminder", recipient=None, state="sent") -> dict:
    queued = QUEUED_AT + dt.timedelta(hours=n)
    return {"id": f"d{n:03}", "kind": kind, "recipient": recipient or f"p{n}@undp.example.org",
            "language": "zh" if n % 2 else "en", "subject": f"Reminder {n}", "state": state,
            "reason": "550 mailbox unavailable" if state == "failed" else None,
            "attempts": 1, "queued_at": queued.isoformat(),
            "sent_at": (queued + dt.timedelta(seconds=3)).isoformat()
            if state == "sent" else None}


class FakeNotifications:
    """Deliveries and reminders as the notifications service answers them, and each call it
    received."""

    def __init__(self, deliveries: list[dict], reminded: dict):
        self.kept, self.reminded, self.calls = deliveries, reminded, []

    def deliveries(self, actor, recipient=None, kind=None, since=None, cursor=None, limit=50):
        self.calls.append(("deliveries", actor, recipient, kind, since, cursor, limit))
        found = sorted((d for d in self.kept
                        if (recipient is None or d["recipient"] == recipient)
                        and (kind is None or d["kind"] == kind)
                        and (since is None or d["queued_at"] >= since)),
                       key=lambda d: d["id"], reverse=True)
        if cursor:
            found = [d for d in found if d["id"] < cursor]
        page = found[:limit]
        return {"items": page, "next": page[-1]["id"] if len(found) > limit else None}

    def last_reminders(self, actor, year, entity):
        self.calls.append(("last_reminders", actor, year, entity))
        day = self.reminded.get((year, entity))
        return {"entity": entity, "year": year,
                "last_reminder_on": day.isoformat() if day else None}


@pytest.fixture
def service():
    kept = [delivery(n) for n in range(1, 6)]
    kept += [delivery(6, "cycle_opened", "li.wei@unep.example.org"),
             delivery(7, "filing_reminder", "li.wei@unep.example.org", state="failed")]
    return FakeNotifications(kept, {(2015, "UNDP"): dt.date(2015, 7, 20)})


def test_the_ethics_office_admin_and_auditors_read_the_deliveries_page_by_page(service):
    for reader in (EO, ADMIN, AUDITOR):
        first = uc.deliveries(service, reader, DeliveryQuery(limit=3))
        assert [d["id"] for d in first["items"]] == ["d007", "d006", "d005"]
        rest = uc.deliveries(service, reader, DeliveryQuery(limit=3, cursor=first["next"]))
        assert [d["id"] for d in rest["items"]] == ["d004", "d003", "d002"]
    failed = first["items"][0]
    assert (failed["state"], failed["reason"], failed["sent_at"]) == (
        "failed", "550 mailbox unavailable", None)
    assert service.calls[0] == ("deliveries", EO.model_dump(mode="json"), None, None, None,
                                None, 3)


def test_deliveries_are_filtered_by_recipient_kind_and_since(service):
    query = validated(DeliveryQuery, {"recipient": " Li.Wei@UNEP.example.org ",
                                      "kind": "filing_reminder", "since": "2015-07-01"})
    found = uc.deliveries(service, EO, query)
    assert [d["id"] for d in found["items"]] == ["d007"] and found["next"] is None
    assert service.calls[-1][2:6] == ("li.wei@unep.example.org", "filing_reminder",
                                      "2015-07-01", None)
    later = uc.deliveries(service, EO, validated(DeliveryQuery,
                                                 {"since": "2015-07-01T14:00:00+00:00"}))
    assert [d["id"] for d in later["items"]] == ["d007", "d006", "d005"]


def test_a_bad_filter_is_refused_by_its_name():
    for asked, field in (({"kind": "Filing Reminder"}, "kind"), ({"since": "July"}, "since"),
                         ({"limit": 0}, "limit"), ({"limit": 201}, "limit")):
        with pytest.raises(Invalid) as refused:
            validated(DeliveryQuery, asked)
        assert refused.value.errors[0]["loc"][0] == field


def test_no_other_role_reads_the_deliveries(service):
    for other in (focal("UNDP"), CHAIR, Actor(role=Role.reviewer, label="r"),
                  Actor(role=Role.filer, staff_id="S1", label="S1")):
        with pytest.raises(Forbidden):
            uc.deliveries(service, other, DeliveryQuery())
    assert service.calls == []


def test_the_last_reminder_of_an_entity_to_its_focal_point_and_the_office(service):
    assert uc.last_reminder(service, focal("UNDP"), 2015, "UNDP") == {
        "entity": "UNDP", "year": 2015, "last_reminder_on": "2015-07-20"}
    assert uc.last_reminder(service, EO, 2015, "DM")["last_reminder_on"] is None
    with pytest.raises(Forbidden):
        uc.last_reminder(service, focal("DM"), 2015, "UNDP")
    assert [c[0] for c in service.calls] == ["last_reminders", "last_reminders"]


class Proxy:
    """An RPC proxy whose method replies by `reply()`."""

    def __init__(self, reply):
        self.reply = reply

    def __getattr__(self, method):
        proxy = self

        class Method:
            @staticmethod
            def call_async(*args, **kwargs):
                class Reply:
                    @staticmethod
                    def result():
                        return proxy.reply()
                return Reply
        return Method


def test_a_notifications_service_that_does_not_answer_is_unavailable():
    def never():
        eventlet.sleep(30)

    def not_running():
        raise UnknownService("notifications")
    for reply in (never, not_running):
        with pytest.raises(Unavailable, match="the notifications service does not answer now"):
            uc.deliveries(Answering(Proxy(reply), timeout=0.05), EO, DeliveryQuery())
    answered = Answering(Proxy(lambda: {"items": [], "next": None}), timeout=1)
    assert uc.deliveries(answered, EO, DeliveryQuery()) == {"items": [], "next": None}
