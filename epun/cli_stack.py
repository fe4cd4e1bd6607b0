"""`epun up|down|status`, `epun token create` and `epun demo`: the local stack and its data."""
from .alertmanager import AlertRouting, start_alertmanager
from .commands import CommandError, _stack_call, api_client
from .prometheus import start_prometheus
from .stack import Stack, dump_status


def register(sub):
    """Add these subcommands to the `epun` parser."""
    up_command = sub.add_parser(
        "up", help="start the local SMTP server, RabbitMQ, MongoDB and the six services")
    up_command.add_argument("--with-prometheus", action="store_true",
                            help="also start Prometheus on 127.0.0.1:9090 and Alertmanager on "
                                 ":9093, routing alerts by mail (ALERT_SMTP_URL, ALERT_EMAIL_TO) "
                                 "or to ALERT_WEBHOOK_URL")
    up_command.add_argument("--replicas", type=int, metavar="N",
                            help="processes of each service (default: EPUN_REPLICAS, or 1)")
    up_command.set_defaults(run=_stack_call(_up))
    sub.add_parser("down", help="stop what 'up' started").set_defaults(run=_stack_call(_down))
    status = sub.add_parser("status", help="which of the stack's processes run or died, and the "
                                           "health check (exit status 1 when one died)")
    status.add_argument("--json", action="store_true", help="the same as JSON")
    status.set_defaults(run=_stack_call(_status))

    token = sub.add_parser("token", help="access tokens").add_subparsers(dest="action",
                                                                         required=True)
    create = token.add_parser("create", help="issue a token (on the server's machine)")
    create.add_argument("--role", required=True)
    create.add_argument("--entity")
    create.add_argument("--staff-id")
    create.add_argument("--label", required=True)
    create.set_defaults(run=_stack_call(_create_token))

    sub.add_parser("demo", help="load the demo data through the API (the stack must be up)"
                   ).set_defaults(run=_stack_call(_demo))
    totp = sub.add_parser("totp", help="the current TOTP code of a local account (on the "
                                       "server's machine: for the demo people)")
    totp.add_argument("email")
    totp.set_defaults(run=_stack_call(_totp))


def up(stack: Stack, with_prometheus: bool = False, routing: AlertRouting | None = None):
    """What `epun up [--with-prometheus]` starts: the platform, then Alertmanager (alerts routed
    as `routing`, by default as the environment says) and Prometheus sending to it."""
    stack.up()
    if with_prometheus:
        start_alertmanager(stack, routing)
        start_prometheus(stack)


def _up(args, stack: Stack):
    if args.replicas is not None:
        if not 1 <= args.replicas <= 9:
            raise CommandError("--replicas must be from 1 to 9")
        stack.replicas = args.replicas
    up(stack, with_prometheus=args.with_prometheus)
    print("the EPUN platform is up and healthy\n" + stack.describe())


def _status(args, stack: Stack):
    rows = stack.status()
    health = rows.pop("health")
    if args.json:
        print(dump_status(stack))
    else:
        for name, row in rows.items():
            if row["pid"] is None and name in ("prometheus", "alertmanager"):
                continue
            ports = ",".join(map(str, row["ports"])) or "-"
            print(f"{name:<14} {row['state']:<22} pid {row['pid'] or '-':<8} ports {ports}")
            if row["state"] == "died":
                print("    " + row["last_lines"].replace("\n", "\n    ") +
                      f"\n    (see {row['log']})")
        print(f"health         {health.get('status')}")
    died = [name for name, row in rows.items() if row["state"] == "died"]
    if died:
        raise CommandError(f"died: {', '.join(died)} (epun up starts them again)")


def _down(args, stack: Stack):
    stack.down()
    print("stopped")


def _create_token(args, stack: Stack):
    from pydantic import ValidationError
    try:
        token = stack.create_token({"role": args.role, "entity": args.entity,
                                    "staff_id": args.staff_id, "label": args.label})
    except ValidationError as exc:
        raise CommandError(str(exc))
    print(token)


def _demo(args, stack: Stack):
    from .demo import load_all, people
    load_all(api_client(stack))
    print(f"demo data loaded; try {stack.base_url}/api/v1/reports/annual/2014-15")
    print(people.sign_in_help(stack.base_url))


def _totp(args, stack: Stack):
    code = stack.totp_code(args.email)
    if code is None:
        raise CommandError(f"{args.email} has no local account set up on this platform")
    print(code)
