"""The platform's own local SMTP server: a real one (aiosmtpd) in its own process on 127.0.0.1,
keeping each message it receives as an `.eml` file in a folder (`.epun/mail/` for `epun up`).

A message is filed under its Message-ID, so one delivered again (a sender that crashed between
the server's answer and recording it) replaces its file instead of making a second; every
reception is also a line of `received.log` (time, Message-ID, recipients).

    python -m epun.mailserver --port 1025 --folder .epun/mail [--refuse-domain invalid.example]

Recipients in a `--refuse-domain` are refused with 550, as a real server refuses an unknown
mailbox.
"""
import argparse
import asyncio
import datetime as dt
import email
import email.policy
import hashlib
import json
import os
import signal
from pathlib import Path

from aiosmtpd.smtp import SMTP

LOG = "received.log"


def file_name(message_id: str | None, data: bytes) -> str:
    key = message_id or hashlib.sha256(data).hexdigest()
    return hashlib.sha256(key.encode()).hexdigest()[:32] + ".eml"


class Mailbox:
    """aiosmtpd's handler: files each message, refuses the refused domains."""

    def __init__(self, folder: Path, refused: tuple[str, ...] = ()):
        self.folder, self.refused = Path(folder), tuple(d.lower() for d in refused)
        self.folder.mkdir(parents=True, exist_ok=True)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.rsplit("@", 1)[-1].lower() in self.refused:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(data, policy=email.policy.default)
        message_id = parsed.get("Message-ID")
        target = self.folder / file_name(message_id, data)
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        os.replace(partial, target)  # a reader never sees half a message
        with open(self.folder / LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps({"at": dt.datetime.now(dt.timezone.utc).isoformat(),
                                  "message_id": message_id, "to": envelope.rcpt_tos,
                                  "file": target.name}) + "\n")
        return "250 Message accepted for delivery"


def latest(folder: Path, limit: int = 20) -> list[dict]:
    """The latest messages, newest first: number (1 = the newest), to, subject, when, file."""
    files = sorted(Path(folder).glob("*.eml"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    rows = []
    for n, path in enumerate(files[:limit], start=1):
        with open(path, "rb") as f:
            headers = email.message_from_binary_file(f, policy=email.policy.default)
        rows.append({"n": n, "to": str(headers.get("To", "")).strip(),
                     "subject": " ".join(str(headers.get("Subject", "")).split()),
                     "when": dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc),
                     "file": path})
    return rows


def read(folder: Path, n: int) -> email.message.EmailMessage:
    rows = latest(folder, n)
    if len(rows) < n:
        raise LookupError(f"there are {len(rows)} messages, not {n}")
    return email.message_from_bytes(rows[n - 1]["file"].read_bytes(), policy=email.policy.default)


def receptions(folder: Path) -> list[dict]:
    """Every message the server accepted, in order (a message delivered twice is here twice)."""
    path = Path(folder) / LOG
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


async def serve(host: str, port: int, mailbox: Mailbox):
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(mailbox, hostname="epun-mail", enable_SMTPUTF8=True,
                     data_size_limit=25 * 2 ** 20), host, port)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


def main(argv=None):
    parser = argparse.ArgumentParser(description="the platform's local SMTP server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--refuse-domain", action="append", default=[])
    args = parser.parse_args(argv)
    print(f"SMTP on {args.host}:{args.port}, messages in {args.folder}", flush=True)
    asyncio.run(serve(args.host, args.port, Mailbox(args.folder, tuple(args.refuse_domain))))


if __name__ == "__main__":
    main()
