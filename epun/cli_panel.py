"""`epun panel ...`: read the Ethics Panel's records through the API (the stack must be up)."""
from .client import ApiError
from .commands import CommandError, _stack_call, api_client


def register(sub):
    """Add this area's subcommands to the `epun` parser."""
    panel = sub.add_parser("panel", help="the Ethics Panel: members, meetings, consultations, "
                                         "reviews").add_subparsers(dest="action", required=True)
    lists = {
        "members": ("/panel/members", "the Panel's members", ["status"]),
        "meetings": ("/panel/meetings", "meetings", ["period", "kind", "status"]),
        "consultations": ("/panel/consultations", "consultations, with who answered",
                          ["period", "status", "tag"]),
        "report-reviews": ("/panel/report-reviews", "reviews of members' annual reports",
                           ["entity", "period", "status"]),
        "chair-reviews": ("/panel/chair-reviews", "the chair's reviews and their time limits",
                          ["entity", "status"]),
    }
    for name, (path, about, filters) in lists.items():
        command = panel.add_parser(name, help=f"list {about}")
        for option in filters:
            command.add_argument(f"--{option}")
        command.set_defaults(run=_stack_call(_answered(_lister(path, filters))))
    topics = panel.add_parser("topics", help="the topics consulted on in a period")
    topics.add_argument("--period", required=True, help="YYYY-YY, for example 2014-15")
    topics.set_defaults(run=_stack_call(_answered(
        lambda args, stack: api_client(stack).get("/panel/topics",
                                                  params={"period": args.period}))))


def _answered(fn):
    """`fn`, with the API's refusals reported as the command's error."""
    def run(args, stack):
        try:
            return fn(args, stack)
        except ApiError as exc:
            raise CommandError(str(exc))
    return run


def _lister(path: str, filters: list[str]):
    def run(args, stack):
        params = {f: getattr(args, f) for f in filters if getattr(args, f)}
        return api_client(stack).every(path, **params)
    return run
