"""The plumbing the subcommands of `epun` share: each `cli_*` module (and `uploads`) has a
`register(sub)` that adds its own to the parser, `cli.py` lists them; this module imports none
of them."""
import os

from .stack import Stack, StackError, from_environment


class CommandError(RuntimeError):
    pass


class PartlyRefused(dict):
    """A command's answer, printed as any other, when the platform refused part of what was
    sent (rows of an upload): the command exits with PARTLY_REFUSED, not 0."""


PARTLY_REFUSED = 3


def _stack_call(fn):
    """`fn(args, stack)` as a command's `run(args)`, on the stack the environment describes."""
    def run(args):
        try:
            return fn(args, from_environment())
        except StackError as exc:
            raise CommandError(str(exc))
    return run


def api_client(stack: Stack):
    """A client of the local stack's API, as its admin."""
    from .client import Client
    from .stack import LOCAL_SLOW_TIMEOUT
    return Client(stack.base_url, stack.admin_token(), timeout=float(LOCAL_SLOW_TIMEOUT))


def remote_options(parser):
    parser.add_argument("--url", default=os.environ.get("EPUN_URL"),
                        help="the API's base URL (default: the local stack; env EPUN_URL)")
    parser.add_argument("--token", default=os.environ.get("EPUN_TOKEN"),
                        help="an access token (default: the local admin token; env EPUN_TOKEN)")


def remote_client(args, stack: Stack):
    """The client `remote_options` name, or the local stack's when they name none."""
    from .client import Client
    return Client(args.url, args.token) if args.url and args.token else api_client(stack)
