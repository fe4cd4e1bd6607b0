"""`epun disclosure compliance|remind|rotate-key`: the financial disclosure programme (its
filers are uploaded by `epun upload filers`, see uploads.py)."""
import os
import secrets

from .commands import CommandError, _stack_call, api_client, remote_client, remote_options


def register(sub):
    """Add this area's subcommands to the `epun` parser."""
    disclosure = sub.add_parser("disclosure", help="the financial disclosure programme")
    actions = disclosure.add_subparsers(dest="action", required=True)
    compliance = actions.add_parser("compliance", help="required, filed and not filed")
    compliance.add_argument("year", type=int)
    compliance.add_argument("--by", default="entity",
                            choices=["entity", "duty_station", "category"])
    remote_options(compliance)
    compliance.set_defaults(run=_stack_call(_compliance))
    remind = actions.add_parser(
        "remind", help="queue the reminders of each entity's non-filers (the notifications "
                       "service sends them)")
    remind.add_argument("year", type=int)
    remind.add_argument("--days-before", type=int, required=True)
    remind.add_argument("--entity", help="one entity's non-filers (default: every entity's)")
    remote_options(remind)
    remind.set_defaults(run=_stack_call(_remind))
    rotate = actions.add_parser(
        "rotate-key", help="re-encrypt every statement with the newest key",
        description="Re-encrypts every statement with the newest key of FDP_KEYS. Put the new "
                    "key first in FDP_KEYS and restart the disclosure service beforehand; with "
                    "--new-key (the local development key only) epun does both for you.")
    rotate.add_argument("--new-key", action="store_true",
                        help="add a new development key under .epun/, restart the service")
    rotate.set_defaults(run=_stack_call(_rotate_key))


def _compliance(args, stack):
    from .client import ApiError
    try:
        answer = remote_client(args, stack).get(f"/disclosure/cycles/{args.year}/compliance",
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
        return remote_client(args, stack).post(f"/disclosure/cycles/{args.year}/reminders",
                                         {"days_before": args.days_before,
                                          **({"entity": args.entity} if args.entity else {})})
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
