"""`epun` subcommands of the disclosure area: `epun upload filers --year 2014 FILE.csv` (with a
progress bar), and `epun disclosure compliance|remind|rotate-key`."""
import hashlib
import os
import secrets
from pathlib import Path

from .cli_intake import _write_rejections, upload_kinds
from .commands import CommandError, _stack_call, api_client

FILER_COLUMNS = "staff_id,entity,duty_station,grade,designation"
SHOWN_REJECTIONS = 20


def register(sub):
    """Add this area's subcommands to the `epun` parser."""
    upload = upload_kinds(sub).add_parser(
        "filers", help="enrol a cycle's filers from a CSV file, in batches",
        description=f"Enrol the rows of a CSV file whose header is {FILER_COLUMNS}. Each chunk "
                    "carries an Idempotency-Key made from the file's contents, the year and the "
                    "chunk size, so uploading the same file again stores nothing twice.")
    upload.add_argument("file", type=Path)
    upload.add_argument("--year", type=int, required=True, help="the cycle, e.g. 2014")
    upload.add_argument("--chunk", type=int, default=10_000, help="rows per call (at most 10000)")
    upload.add_argument("--errors", type=Path, help="write every rejected row to this CSV file")
    _remote(upload)
    upload.set_defaults(run=_stack_call(_upload_filers))

    disclosure = sub.add_parser("disclosure", help="the financial disclosure programme")
    actions = disclosure.add_subparsers(dest="action", required=True)
    compliance = actions.add_parser("compliance", help="required, filed and not filed")
    compliance.add_argument("year", type=int)
    compliance.add_argument("--by", default="entity",
                            choices=["entity", "duty_station", "category"])
    _remote(compliance)
    compliance.set_defaults(run=_stack_call(_compliance))
    remind = actions.add_parser("remind", help="emit compliance_reminder_due per entity")
    remind.add_argument("year", type=int)
    remind.add_argument("--days-before", type=int, required=True)
    _remote(remind)
    remind.set_defaults(run=_stack_call(_remind))
    rotate = actions.add_parser(
        "rotate-key", help="re-encrypt every statement with the newest key",
        description="Re-encrypts every statement with the newest key of FDP_KEYS. Put the new "
                    "key first in FDP_KEYS and restart the disclosure service beforehand; with "
                    "--new-key (the local development key only) epun does both for you.")
    rotate.add_argument("--new-key", action="store_true",
                        help="add a new development key under .epun/, restart the service")
    rotate.set_defaults(run=_stack_call(_rotate_key))


def _remote(parser):
    parser.add_argument("--url", default=os.environ.get("EPUN_URL"),
                        help="the API's base URL (default: the local stack; env EPUN_URL)")
    parser.add_argument("--token", default=os.environ.get("EPUN_TOKEN"),
                        help="an access token (default: the local admin token; env EPUN_TOKEN)")


def _client(args, stack):
    from .client import Client
    return Client(args.url, args.token) if args.url and args.token else api_client(stack)


def _upload_filers(args, stack):
    from tqdm import tqdm

    from .client import ApiError, read_csv_cells
    if not 1 <= args.chunk <= 10_000:
        raise CommandError("--chunk must be between 1 and 10000")
    try:
        header, rows = read_csv_cells(args.file)
    except (OSError, ValueError) as exc:
        raise CommandError(str(exc))
    digest = hashlib.sha256(args.file.read_bytes()).hexdigest()[:24]
    key = f"filers-{args.year}-{digest}-{args.chunk}"
    client = _client(args, stack)
    try:
        with tqdm(total=len(rows), unit="row", desc=args.file.name) as bar:
            answer = client.upload_batch(f"/disclosure/cycles/{args.year}/filers", rows,
                                         args.chunk, bar.update, key_prefix=key, header=header)
    except ApiError as exc:
        raise CommandError(str(exc))
    if args.errors:
        _write_rejections(args.errors, answer["rejected"])
    return {"file": str(args.file), "year": args.year, "rows": len(rows),
            "accepted": answer["accepted"], "rejected": len(answer["rejected"]),
            "first_rejected": answer["rejected"][:SHOWN_REJECTIONS]}


def _compliance(args, stack):
    from .client import ApiError
    try:
        answer = _client(args, stack).get(f"/disclosure/cycles/{args.year}/compliance",
                                          params={"by": args.by})
    except ApiError as exc:
        raise CommandError(str(exc))
    print(f"{args.by:<28} {'required':>9} {'filed':>9} {'not filed':>9}  reasons")
    for row in [*answer["rows"], answer["total"]]:
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(row["reasons"].items()) if v)
        print(f"{row['key']:<28} {row['required']:>9,} {row['filed']:>9,} "
              f"{row['not_filed']:>9,}  {reasons}")


def _remind(args, stack):
    from .client import ApiError
    try:
        return _client(args, stack).post(f"/disclosure/cycles/{args.year}/reminders",
                                         {"days_before": args.days_before})
    except ApiError as exc:
        raise CommandError(str(exc))


def _rotate_key(args, stack):
    from .client import ApiError
    if args.new_key:
        if os.environ.get("FDP_KEYS"):
            raise CommandError("FDP_KEYS is set in the environment: put the new key first there "
                               "and restart the disclosure service, then run rotate-key")
        keyfile = stack.state_dir / "fdp-key"
        old = keyfile.read_text().strip() if keyfile.exists() else ""
        ids = {part.split(":", 1)[0] for part in old.split(",") if part}
        key_id = next(f"k{n}" for n in range(1, 10_000) if f"k{n}" not in ids)
        keyfile.write_text(",".join(filter(None, [f"{key_id}:{secrets.token_urlsafe(32)}",
                                                  old])))
        keyfile.chmod(0o600)
        print(f"added development key {key_id} to {keyfile}; restarting the disclosure service")
        stack.stop_process("disclosure")
        stack.ensure_disclosure_key()
        stack.start_service("disclosure")
        stack.wait_healthy()
    try:
        return api_client(stack).post("/disclosure/keys/rotate")
    except ApiError as exc:
        raise CommandError(str(exc))
