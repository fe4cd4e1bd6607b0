"""`epun`: run the local stack, issue tokens, load demo data, upload batches, render reports."""
import argparse
import json
import sys

from . import cli_audit, cli_disclosure, cli_mail, cli_panel, cli_reports, cli_stack, uploads
from .commands import PARTLY_REFUSED, CommandError, PartlyRefused

# each adds its subcommands, in the order `epun --help` lists them
COMMANDS = (cli_stack, uploads, cli_disclosure, cli_panel, cli_reports, cli_audit, cli_mail)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="epun", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for commands in COMMANDS:
        commands.register(sub)
    args = parser.parse_args(argv)
    try:
        result = args.run(args)
    except CommandError as exc:
        print(f"epun: {exc}", file=sys.stderr)
        return 1
    if isinstance(result, (dict, list)):
        print(json.dumps(result, indent=2, ensure_ascii=False))
    return PARTLY_REFUSED if isinstance(result, PartlyRefused) else 0


if __name__ == "__main__":
    sys.exit(main())
