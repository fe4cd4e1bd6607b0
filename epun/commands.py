"""The subcommands of `epun`; each `register_*` adds its own to the parser."""
from .stack import Stack, StackError, dump_status, from_environment


class CommandError(RuntimeError):
    pass


def _stack_call(fn):
    def run(args):
        try:
            return fn(args, from_environment())
        except StackError as exc:
            raise CommandError(str(exc))
    return run


def register_stack(sub):
    up = sub.add_parser("up", help="start RabbitMQ, MongoDB and the five services")
    up.add_argument("--with-prometheus", action="store_true",
                    help="also start a Prometheus server on 127.0.0.1:9090")
    up.set_defaults(run=_stack_call(_up))
    sub.add_parser("down", help="stop what 'up' started").set_defaults(run=_stack_call(_down))
    sub.add_parser("status", help="what runs, and the health check").set_defaults(
        run=_stack_call(lambda args, stack: print(dump_status(stack))))


def _up(args, stack: Stack):
    stack.up(with_prometheus=args.with_prometheus)
    print("the EPUN platform is up and healthy\n" + stack.describe())


def _down(args, stack: Stack):
    stack.down()
    print("stopped")


def register_token(sub):
    token = sub.add_parser("token", help="access tokens").add_subparsers(dest="action", required=True)
    create = token.add_parser("create", help="issue a token (on the server's machine)")
    create.add_argument("--role", required=True)
    create.add_argument("--entity")
    create.add_argument("--staff-id")
    create.add_argument("--label", required=True)
    create.set_defaults(run=_stack_call(_create_token))


def _create_token(args, stack: Stack):
    from pydantic import ValidationError
    try:
        token = stack.create_token({"role": args.role, "entity": args.entity,
                                    "staff_id": args.staff_id, "label": args.label})
    except ValidationError as exc:
        raise CommandError(str(exc))
    print(token)


def register_demo(sub):
    sub.add_parser("demo", help="load the demo data through the API (the stack must be up)"
                   ).set_defaults(run=_stack_call(_demo))


def _demo(args, stack: Stack):
    from .demo import load_all
    load_all(api_client(stack))
    print(f"demo data loaded; try {stack.base_url}/api/v1/reports/annual/2014-15")


def api_client(stack: Stack):
    from .client import Client
    return Client(stack.base_url, stack.admin_token())


def _area_commands():
    from . import cli_disclosure, cli_intake, cli_panel, cli_reports
    return [m.register for m in (cli_intake, cli_disclosure, cli_panel, cli_reports)]


REGISTRY = [register_stack, register_token, register_demo, *_area_commands()]
