"""`epun`: run the local stack, issue tokens, load demo data, upload batches, render reports."""
import argparse
import json
import sys

from . import commands


def main(argv=None):
    parser = argparse.ArgumentParser(prog="epun", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for register in commands.REGISTRY:
        register(sub)
    args = parser.parse_args(argv)
    try:
        result = args.run(args)
    except commands.CommandError as exc:
        print(f"epun: {exc}", file=sys.stderr)
        return 1
    if isinstance(result, (dict, list)):
        print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
