"""Filing reminders for a cycle of 100,000 filers (about 5% without an address) through the
notifications' schedule and sender, to the platform's own SMTP server, timed next to raw
`smtplib` sends of the same messages to the same server in the same run.

Steps:
1. the filers (over 50 entities, each with a focal point) and an open cycle whose deadline is 7
   days away are written to the notifications' database as its event handlers write them;
2. the schedule runs (the moment the hourly timer fires): it queues a reminder for each filer
   with an address and a summary for each focal point, in chunks of 1,000;
3. the sender sends the queue in order over one SMTP connection, marking each message sent as
   the server accepts it, until none is queued: messages per second, and the time from the
   schedule's moment to the last message delivered;
4. the same messages, built beforehand, are sent with raw `smtplib` on one connection (nothing
   composed, nothing recorded): messages per second. The goal is at least half the raw rate.

It runs on servers of its own: an in-memory embedded MongoDB-compatible server (or MONGO_URI's)
and the platform's SMTP server (`epun/mailserver.py`) on free ports, stopped at the end.

    .venv/bin/python bench/notifications.py [--filers 100000] [--raw 20000]
"""
import argparse
import datetime as dt
import signal
import smtplib
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from epun.mailserver import receptions  # noqa: E402
from epun.stack import private_stack  # noqa: E402
from services.notifications import use_cases as uc  # noqa: E402
from services.notifications.domain import Cycle  # noqa: E402
from services.notifications.sender import Sender, SmtpSettings, message_of  # noqa: E402
from services.notifications.store import DELIVERIES, NotificationsUnitOfWork  # noqa: E402
from shared.mongo import connect, create_indexes  # noqa: E402

ENTITIES = 50
WITHOUT_ADDRESS_EVERY = 20  # 5%
ENROL_CHUNK = 10_000
MAIL_FROM = "ethics-office@bench.example.org"
PORTAL = "https://epun.example.org"


def seed(uow_of, filers: int, year: int, today: dt.date):
    for n in range(ENTITIES):
        entity = f"E{n:03d}"
        with uow_of() as uow:
            uow.people.set_focal_points(entity, [{"name": f"Focal {entity}",
                                                  "email": f"focal@{entity.lower()}.org",
                                                  "language": "en"}])
            uow.commit()
    for start in range(0, filers, ENROL_CHUNK):
        rows = [{"year": year, "staff_id": f"S{n:06d}", "entity": f"E{n % ENTITIES:03d}",
                 "email": None if n % WITHOUT_ADDRESS_EVERY == 0 else f"s{n:06d}@un.example.org",
                 "language": "zh" if n % 7 == 0 else "en"}
                for n in range(start, min(start + ENROL_CHUNK, filers))]
        with uow_of() as uow:
            uow.filers.enrol(year, rows)
            uow.commit()
    with uow_of() as uow:
        uow.cycles.save(Cycle(year, today - dt.timedelta(days=30), today + dt.timedelta(days=7)))
        uow.commit()


def send_all(sender: Sender) -> int:
    sent = 0
    while True:
        tried = sender.send_once()
        if not tried:
            return sent
        sent += tried


def raw_sends(smtp: SmtpSettings, messages: list) -> float:
    started = time.perf_counter()
    with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as connection:
        for message, recipient in messages:
            connection.send_message(message, from_addr=MAIL_FROM, to_addrs=[recipient])
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filers", type=int, default=100_000)
    parser.add_argument("--raw", type=int, default=20_000,
                        help="how many of the same messages to send raw (default 20,000)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the servers on the way out
    with tempfile.TemporaryDirectory() as state:
        stack = private_stack(Path(state), "unused", "bn")
        stack.run_dir.mkdir(parents=True, exist_ok=True)
        stack.log_dir.mkdir(parents=True, exist_ok=True)
        try:
            stack.ensure_mongo()
            stack.ensure_mail()
            run(stack, args)
        finally:
            stack.stop_process("mail")
            stack.stop_process("mongo")


def run(stack, args):
    client = connect(stack.mongo_uri)
    db = client[f"{stack.db_prefix}_notifications"]
    create_indexes(db, NotificationsUnitOfWork.indexes)
    uow_of = lambda: NotificationsUnitOfWork(db, client)  # noqa: E731
    today, year = dt.date.today(), 2099
    settings = uc.Settings(portal_url=PORTAL, eo_mail=None, offsets=(14, 7, 1))
    smtp = SmtpSettings.parse(stack.smtp_url)

    started = time.perf_counter()
    seed(uow_of, args.filers, year, today)
    print(f"filers written ({args.filers:,}, 1 in {WITHOUT_ADDRESS_EVERY} without an address, "
          f"{ENTITIES} entities): {time.perf_counter() - started:.1f} s")

    moment = time.perf_counter()
    summary = uc.run_schedule(uow_of, settings)
    queued_in = time.perf_counter() - moment
    print(f"schedule: {summary.queued:,} messages queued, {summary.skipped:,} recipients "
          f"skipped (no address) in {queued_in:.1f} s ({summary.queued / queued_in:,.0f}/s)")

    sender = Sender(db, smtp, MAIL_FROM, PORTAL)
    sending = time.perf_counter()
    sent = send_all(sender)
    done = time.perf_counter()
    delivered = db[DELIVERIES].count_documents({"state": "sent"})
    accepted = len(receptions(stack.mail_dir))
    rate = sent / (done - sending)
    print(f"sender: {delivered:,} sent ({accepted:,} accepted by the SMTP server) in "
          f"{done - sending:.1f} s: {rate:,.0f} messages/s")
    print(f"from the schedule's moment to the last message delivered: {done - moment:.1f} s")

    docs = list(db[DELIVERIES].find().sort("seq", 1).limit(args.raw))
    messages = [(message_of(d, MAIL_FROM, PORTAL), d["recipient"]) for d in docs]
    raw_seconds = raw_sends(smtp, messages)
    raw_rate = len(messages) / raw_seconds
    print(f"raw smtplib, the same {len(messages):,} messages, one connection: "
          f"{raw_seconds:.1f} s: {raw_rate:,.0f} messages/s")
    print(f"the sender's rate is {rate / raw_rate:.0%} of raw smtplib's (goal: at least 50%)")
    sender.stop()
    client.close()


if __name__ == "__main__":
    main()
