"""The notifications service running against a real RabbitMQ, a real database and the
platform's own SMTP server (a process of its own): the events are published as the services
publish them, and what arrives is read back from the SMTP server's files.

The platform here is one of its own, its schedule run each second (`SCHEDULE_SECONDS=1`), so
the real timer sends the reminders of a cycle whose deadline is near.
"""
import datetime as dt
import os
import signal
import time
from collections import Counter

import icalendar
import pytest
import requests
from nameko.standalone.rpc import ClusterRpcProxy

from epun.stack import drop_vhost, open_vhost, pid_alive, port_open, private_stack
from shared.contracts.common import Actor, Role
from shared.contracts.contacts import Contact
from shared.contracts.disclosure import (CycleClosed, CycleOpened, EnrolledFiler,
                                         FilersEnrolled, ParticipantEnrolled, StatementFiled)
from shared.contracts.panel import (ConsultationConcluded, ConsultationExtended,
                                    ConsultationOpened, MeetingCancelled, MeetingConvened,
                                    MeetingRescheduled, PanelMemberJoined, PositionSubmitted)

from ..helpers import eventually
from .notifications_helpers import (body, calendar_part, code, mailbox, messages_to, publish,
                                    received, to)

pytestmark = pytest.mark.integration

TODAY = dt.date.today()
EO_MAIL = "ethics-office@eo.example.org"
_years = iter(range(2031, 2199))


def day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    vhost = open_vhost("epun-notify")
    stack = private_stack(tmp_path_factory.mktemp("notify"), vhost, "n")
    stack.extra_env.update({"SCHEDULE_SECONDS": "1", "EO_MAIL": EO_MAIL})
    try:
        stack.up()
        eventually(lambda: port_open("127.0.0.1", stack.metrics_port("notifications")), 60)
        yield stack
    finally:
        stack.down()
        drop_vhost(vhost)


def participant(stack, entity, *contacts):
    publish(stack, ParticipantEnrolled(entity=entity, cost_sharing=True,
                                       focal_points=len(contacts), contacts=list(contacts)),
            entity)


def filers(stack, year, entity, count, domain_name, language="en", without_address=0):
    rows = [EnrolledFiler(staff_id=f"{entity}-{n:04d}", entity=entity, duty_station="Geneva",
                          grade="P-3", designation="procurement", first_time=False,
                          email=None if n < without_address else f"f{n}@{domain_name}",
                          language=language)
            for n in range(count)]
    publish(stack, FilersEnrolled(year=year, filers=rows), entity)
    return rows


def open_cycle(stack, entity, opens_on, deadline, year=None):
    year = year or next(_years)
    publish(stack, CycleOpened(year=year, opens_on=opens_on, deadline=deadline,
                               programme_cost=1000.0), entity)
    return year


def deliveries(stack, **query):
    with ClusterRpcProxy({"AMQP_URI": stack.amqp_uri}) as rpc:
        return rpc.notifications.deliveries(
            Actor(role=Role.auditor, label="auditor").model_dump(mode="json"), **query)


# ---- the cycle opens ----

def test_a_focal_point_is_told_the_cycle_opened_and_a_chinese_reader_reads_chinese(platform):
    entity = code("CY")
    participant(platform, entity, Contact(name="Ana Focal", email=f"ana@{entity.lower()}.org"),
                Contact(name="王芳", email=f"wang@{entity.lower()}.org", language="zh"))
    time.sleep(2)
    year = open_cycle(platform, entity, day(-1), day(60))
    english = eventually(lambda: messages_to(platform, f"ana@{entity.lower()}.org",
                                             "cycle_opened_focal"), 30)[0]
    chinese = eventually(lambda: messages_to(platform, f"wang@{entity.lower()}.org",
                                             "cycle_opened_focal"), 30)[0]
    assert str(year) in english["Subject"] and entity in english["Subject"]
    link = f"{platform.base_url}/focal/{entity}/compliance/{year}"
    assert link in body(english) and f'href="{link}"' in body(english, "html")
    assert "申报周期已开始" in chinese["Subject"] and "联合国道德操守办公室" in body(chinese)
    assert chinese["Content-Language"] == "zh"
    listed = deliveries(platform, recipient=f"wang@{entity.lower()}.org")["items"]
    assert [(i["kind"], i["state"], i["language"]) for i in listed] == [
        ("cycle_opened_focal", "sent", "zh")]


# ---- reminders with the real timer ----

def test_the_timer_reminds_non_filers_at_each_offset_and_never_outside_an_open_cycle(platform):
    entity = code("RM")
    mail = f"{entity.lower()}.org"
    participant(platform, entity, Contact(name="Focal", email=f"focal@{mail}"))
    cycles = {}
    for offset in (14, 7, 1, 20):  # 20: no offset has come
        year = next(_years)
        cycles[offset] = (year, filers(platform, year, entity, 3, f"y{year}.{mail}",
                                       without_address=1))
    publish(platform, StatementFiled(year=cycles[7][0], staff_id=cycles[7][1][2].staff_id,
                                     entity=entity, filed_on=TODAY), entity)
    past, closed, ahead = next(_years), next(_years), next(_years)
    for year in (past, closed, ahead):
        filers(platform, year, entity, 2, f"y{year}.{mail}")
    time.sleep(2)  # the filers are known before their cycles open
    for offset, (year, _) in cycles.items():
        open_cycle(platform, entity, day(-30), day(offset), year)
    open_cycle(platform, entity, day(-60), day(-1), past)
    publish(platform, CycleClosed(year=closed, closed_on=TODAY), entity)
    time.sleep(1)
    open_cycle(platform, entity, day(-30), day(5), closed)
    open_cycle(platform, entity, day(30), day(90), ahead)

    def reminders(year):
        return [m for m in mailbox(platform) if str(m["X-EPUN-Kind"]) == "filing_reminder"
                and to(m).endswith(f"@y{year}.{mail}")]

    eventually(lambda: len(reminders(cycles[1][0])) == 2 and len(reminders(cycles[14][0])) == 2
               and len(reminders(cycles[7][0])) == 1, 60)
    for offset in (14, 7, 1):
        for message in reminders(cycles[offset][0]):
            assert f"in {offset} day(s)" in body(message)
    summaries = eventually(lambda: len(messages_to(platform, f"focal@{mail}",
                                                   "compliance_summary")) == 3
                           and messages_to(platform, f"focal@{mail}", "compliance_summary"), 30)
    seven = next(m for m in summaries if str(cycles[7][0]) in m["Subject"])
    assert "2 of 3 filers" in seven["Subject"]  # one filed; one has no address, yet counts
    overdue = eventually(lambda: messages_to(platform, f"focal@{mail}", "overdue_notice"), 30)
    assert [str(past) in m["Subject"] for m in overdue] == [True]
    assert messages_to(platform, EO_MAIL, "overdue_notice")
    for year in (cycles[20][0], past, closed, ahead):
        assert reminders(year) == [], year
    # the timer runs each second: a few more runs send nothing again
    before = len([m for m in mailbox(platform) if to(m).endswith(mail)])
    time.sleep(3)
    assert len(reminders(cycles[1][0])) == 2
    assert len(messages_to(platform, f"focal@{mail}", "overdue_notice")) == 1
    assert len([m for m in mailbox(platform) if to(m).endswith(mail)]) == before


# ---- the Panel ----

def members(platform, *entities):
    for entity in entities:
        publish(platform, PanelMemberJoined(entity=entity, head=f"Head of {entity}", contacts=[
            Contact(name=f"Head of {entity}", email=f"head@{entity.lower()}.org",
                    language="zh" if entity.startswith("Z") else "en")]), entity)


def test_a_meeting_invitation_its_update_and_its_cancellation_keep_one_uid(platform):
    a, z = code("MA"), code("ZM")
    members(platform, a, z)
    meeting = code("M")
    time.sleep(2)
    kinds = ("meeting_invitation", "meeting_update", "meeting_cancelled")
    steps = (MeetingConvened(id=meeting, kind="formal", scheduled_for=day(20),
                             agenda=["Budget 2016"], invited=[a, z]),
             MeetingRescheduled(id=meeting, scheduled_for=day(22)), MeetingCancelled(id=meeting))
    got = {}
    for kind, step in zip(kinds, steps):
        publish(platform, step, "EO")
        got[kind] = eventually(lambda: messages_to(platform, f"head@{a.lower()}.org", kind), 30)
    events = []
    for kind in kinds:
        calendar = icalendar.Calendar.from_ical(calendar_part(got[kind][0]))
        event = next(iter(calendar.walk("VEVENT")))
        events.append((str(calendar["METHOD"]), str(event["UID"]), int(event["SEQUENCE"]),
                       event.decoded("DTSTART")))
    assert [e[0] for e in events] == ["REQUEST", "REQUEST", "CANCEL"]
    assert len({e[1] for e in events}) == 1 and meeting in events[0][1]
    assert [e[2] for e in events] == [0, 1, 2]
    assert [e[3] for e in events] == [day(20), day(22), day(22)]
    chinese = eventually(lambda: messages_to(platform, f"head@{z.lower()}.org",
                                             "meeting_invitation"), 30)[0]
    assert "道德操守小组" in chinese["Subject"] and "正式" in chinese["Subject"]
    assert eventually(lambda: messages_to(platform, EO_MAIL, "meeting_cancelled"), 30)


def test_a_consultation_invites_reminds_who_has_not_answered_and_concludes(platform):
    a, b = code("CA"), code("CB")
    members(platform, a, b)
    time.sleep(1)
    consultation = code("C")
    time.sleep(2)
    publish(platform, ConsultationOpened(id=consultation, topic=f"Gifts {consultation}",
                                         respond_by=day(10), opened_on=TODAY, period="2014-15"),
            "EO")
    for member in (a, b):
        eventually(lambda: messages_to(platform, f"head@{member.lower()}.org",
                                       "consultation_invitation"), 30)
    publish(platform, PositionSubmitted(consultation_id=consultation, entity=a, amended=False,
                                        submitted_on=TODAY), a)
    time.sleep(2)
    assert not messages_to(platform, f"head@{b.lower()}.org", "consultation_reminder")
    # the chair shortens nothing, but an extension to tomorrow brings the reminder window
    publish(platform, ConsultationExtended(id=consultation, respond_by=day(1)), "EO")
    reminder = eventually(lambda: messages_to(platform, f"head@{b.lower()}.org",
                                              "consultation_reminder"), 30)[0]
    assert consultation in reminder["Subject"]
    assert not messages_to(platform, f"head@{a.lower()}.org", "consultation_reminder")
    publish(platform, ConsultationConcluded(
        id=consultation, topic=f"Gifts {consultation}", period="2014-15", concluded_on=TODAY,
        answered=[a], not_answered=[b], outcome="Guidance issued",
        guidance="Decline any gift above USD 100."), "EO")
    for member in (a, b):
        concluded = eventually(lambda: messages_to(platform, f"head@{member.lower()}.org",
                                                   "consultation_concluded"), 30)[0]
        assert "Decline any gift above USD 100." in body(concluded)


# ---- faults ----

def test_killed_while_sending_200_reminders_each_recipient_has_exactly_one(platform):
    entity = code("KL")
    mail = f"{entity.lower()}.org"
    participant(platform, entity, Contact(name="Focal", email=f"focal@{mail}"))
    year = next(_years)
    rows = filers(platform, year, entity, 200, mail)
    addresses = {r.email for r in rows}
    time.sleep(2)
    open_cycle(platform, entity, day(-30), day(7), year)

    # 200 opening notices and 200 reminders: kill the service while they go out
    eventually(lambda: len(received(platform, addresses)) >= 150, 120, interval=0.01)
    pid = platform.read_pid("notifications")
    os.killpg(pid, signal.SIGKILL)
    eventually(lambda: not pid_alive(pid), 10)
    at_kill = len(received(platform, addresses))
    assert at_kill < 400, "the batch was sent before the kill; nothing was tested"
    platform.start_service("notifications")

    def kept(kind):
        return Counter(to(m) for m in mailbox(platform) if to(m) in addresses
                       and str(m["X-EPUN-Kind"]) == kind)

    eventually(lambda: len(kept("filing_reminder")) == 200
               and len(kept("cycle_opened_filer")) == 200, 120)
    assert set(kept("filing_reminder").values()) == {1}
    assert set(kept("cycle_opened_filer").values()) == {1}
    accepted = Counter(r["file"] for r in received(platform, addresses))
    # the SMTP server accepted each message once, save at most the one in flight at the kill
    assert len(accepted) == 400 and sum(n - 1 for n in accepted.values()) <= 1


def test_smtp_down_for_a_minute_loses_and_repeats_nothing_and_keeps_the_order(platform):
    entity = code("DN")
    mail = f"{entity.lower()}.org"
    participant(platform, entity, Contact(name="Focal", email=f"focal@{mail}"))
    time.sleep(1)
    platform.stop_process("mail")
    assert not port_open("127.0.0.1", platform.mail_port)
    year = next(_years)
    rows = filers(platform, year, entity, 30, mail)
    addresses = {r.email for r in rows} | {f"focal@{mail}"}
    time.sleep(2)
    open_cycle(platform, entity, day(-30), day(7), year)
    # 31 opening notices, 30 reminders and the focal point's summary
    queued = eventually(lambda: len([i for i in deliveries(platform, limit=500)["items"]
                                     if i["recipient"] in addresses]) == 62, 60)
    time.sleep(60)
    items = [i for i in deliveries(platform, limit=500)["items"] if i["recipient"] in addresses]
    assert queued and {i["state"] for i in items} == {"queued"}
    metrics = requests.get(f"http://127.0.0.1:{platform.metrics_port('notifications')}/metrics",
                           timeout=5).text
    age = next(float(line.split()[-1]) for line in metrics.splitlines()
               if line.startswith("epun_notifications_oldest_queued_age_seconds"))
    assert age >= 50
    platform.ensure_mail()
    eventually(lambda: all(i["state"] == "sent" for i in deliveries(platform, limit=500)["items"]
                           if i["recipient"] in addresses), 120)
    accepted = received(platform, addresses)
    assert len(accepted) == len(items) == len({r["file"] for r in accepted})
    order = [r["message_id"].strip("<>").split("@")[0] for r in accepted]
    assert order == [i["id"] for i in reversed(items)]  # the listing is newest first
