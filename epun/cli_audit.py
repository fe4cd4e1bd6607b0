"""`epun audit verify`: check every service's audit log against its hash chain, on the server's
machine (it reads the databases directly, as the services wrote them)."""
from .commands import CommandError, _stack_call
from .stack import SERVICES


def register(sub):
    """Add these subcommands to the `epun` parser."""
    audit = sub.add_parser("audit", help="the audit log").add_subparsers(dest="action",
                                                                         required=True)
    audit.add_parser("verify", help="check each service's audit log against its hash chain; "
                                    "name every entry changed, removed or out of place"
                     ).set_defaults(run=_stack_call(_verify))


def verify(stack) -> dict[str, dict]:
    """Each service's `{entries, breaks}`."""
    from shared.audit_log import verify_chain
    from shared.mongo import connect
    stack.ensure_mongo()
    client = connect(stack.mongo_uri)
    try:
        return {service: verify_chain(client[f"{stack.db_prefix}_{service}"])
                for service in SERVICES}
    finally:
        client.close()


def _verify(args, stack):
    results = verify(stack)
    broken = 0
    for service, result in results.items():
        if not result["breaks"]:
            print(f"{service:<12} {result['entries']:>7} entries: the chain holds")
            continue
        broken += len(result["breaks"])
        print(f"{service:<12} {result['entries']:>7} entries: the chain is broken")
        for found in result["breaks"]:
            print(f"  entry {found['seq']}: {found['reason']}")
    if broken:
        raise CommandError(f"the audit log does not hold at {broken} place(s); see above")
