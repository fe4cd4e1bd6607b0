"""`epun report ...`: the reports through the HTTP API, written to a file or shown, and the
rebuild of reporting's read models.

    epun report annual 2014-15 --format html -o report.html
    epun report annual 2014-15 --entity UNHCR --lang zh
    epun report system-wide 2014-15 --format xlsx -o system-wide.xlsx
    epun report annex 2014 --format csv
    epun report participation --from 2011 --to 2015
    epun report rebuild
"""
import os
import sys
import time

from .client import Client
from .commands import CommandError, _stack_call, api_client

FORMATS = ("json", "csv", "xlsx", "html")
REBUILD_POLL_SECONDS = 1


def register(sub):
    """Add this area's subcommands to the `epun` parser."""
    report = sub.add_parser("report", help="render a report, or rebuild the read models")
    kinds = report.add_subparsers(dest="report", required=True)
    annual = kinds.add_parser("annual", help="the annual report of an ethics office")
    annual.add_argument("period", help="the reporting period, for example 2014-15")
    annual.add_argument("--entity", help="the ethics office (default EO, the Ethics Office)")
    _output_options(annual)
    annual.set_defaults(run=_stack_call(lambda a, s: _render(
        a, s, f"/reports/annual/{a.period}", {"entity": a.entity})))
    system = kinds.add_parser("system-wide", help="every member entity's figures and the total")
    system.add_argument("period")
    _output_options(system)
    system.set_defaults(run=_stack_call(lambda a, s: _render(
        a, s, f"/reports/system-wide/{a.period}", {})))
    annex = kinds.add_parser("annex", help="financial disclosure compliance by entity")
    annex.add_argument("year", help="the disclosure cycle, for example 2014")
    _output_options(annex)
    annex.set_defaults(run=_stack_call(lambda a, s: _render(
        a, s, f"/reports/disclosure/{a.year}/annex", {})))
    figure = kinds.add_parser("participation", help="figure V: filers by category and year")
    figure.add_argument("--from", dest="first", help="first year")
    figure.add_argument("--to", dest="last", help="last year")
    _output_options(figure)
    figure.set_defaults(run=_stack_call(lambda a, s: _render(
        a, s, "/reports/disclosure/participation", {"from": a.first, "to": a.last})))
    rebuild = kinds.add_parser("rebuild", help="rebuild the read models from every service's "
                                               "events (admin); waits until it is done")
    rebuild.add_argument("--no-wait", action="store_true", help="start it and return")
    _server_options(rebuild)
    rebuild.set_defaults(run=_stack_call(_rebuild))


def _server_options(parser):
    parser.add_argument("--url", default=os.environ.get("EPUN_URL"),
                        help="the API's base URL (default: the local stack; env EPUN_URL)")
    parser.add_argument("--token", default=os.environ.get("EPUN_TOKEN"),
                        help="an access token (default: the local admin token; env EPUN_TOKEN)")


def _client(args, stack) -> Client:
    return Client(args.url, args.token) if args.url else api_client(stack)


def _output_options(parser):
    parser.add_argument("--format", choices=FORMATS, default="json")
    parser.add_argument("--lang", help="the labels' language (en, zh)")
    parser.add_argument("-o", "--output", help="write to this file (needed for xlsx)")
    _server_options(parser)


def _render(args, stack, path: str, params: dict):
    params = {k: v for k, v in {**params, "format": args.format, "lang": args.lang}.items()
              if v not in (None, "")}
    response = _client(args, stack).call("GET", path, params=params)
    if response.status_code >= 400:
        raise CommandError(_problem(response))
    if args.output:
        with open(args.output, "wb") as f:
            f.write(response.content)
        print(f"wrote {args.output} ({len(response.content):,} bytes)")
        return None
    if args.format == "xlsx":
        raise CommandError("an XLSX report is a file: give -o FILE")
    if args.format == "json":
        return response.json()
    sys.stdout.write(response.text)
    return None


def _rebuild(args, stack):
    client = _client(args, stack)
    response = client.call("POST", "/reports/rebuild")
    if response.status_code >= 400:
        raise CommandError(_problem(response))
    status = response.json()
    print(f"rebuilding the read models into generation {status['building']} ...", flush=True)
    while not args.no_wait and status["running"]:
        time.sleep(REBUILD_POLL_SECONDS)
        status = client.get("/reports/rebuild")
    if status.get("error"):
        raise CommandError(f"the rebuild failed: {status['error']}")
    return status


def _problem(response) -> str:
    try:
        problem = response.json()
    except ValueError:
        return f"{response.status_code} {response.text[:200]}"
    errors = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                       for e in problem.get("errors", []))
    return f"{problem.get('status')} {problem.get('title')}: {problem.get('detail')} {errors}"

