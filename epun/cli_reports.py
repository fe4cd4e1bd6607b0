"""`epun report ...`: the reports through the HTTP API, written to a file or shown, and the
rebuild of reporting's read models.

    epun report annual 2014-15 --format html -o report.html
    epun report annual 2014-15 --entity UNHCR --lang zh
    epun report system-wide 2014-15 --format xlsx -o system-wide.xlsx
    epun report annex 2014 --format csv
    epun report participation --from 2011 --to 2015
    epun report annual 2014-15 --as-of 2015-07-31 --format pdf -o report.pdf
    epun report issue annual 2014-15 --as-of 2015-07-31 --symbol A/70/307
    epun report annual 2014-15 --version 1 --lang fr --format docx -o rapport.docx
    epun report labels --missing
    epun report rebuild
"""
import sys
import time

from .client import Client
from .commands import CommandError, _stack_call, api_client, remote_options

FORMATS = ("json", "csv", "xlsx", "html", "pdf", "docx")
FILES = ("xlsx", "pdf", "docx")  # formats that only go to a file
ISSUED = {"annual": "/reports/annual/{key}", "system-wide": "/reports/system-wide/{key}",
          "annex": "/reports/disclosure/{key}/annex"}
REBUILD_POLL_SECONDS = 1


def register(sub):
    """Add this area's subcommands to the `epun` parser."""
    report = sub.add_parser("report", help="render a report, or rebuild the read models")
    kinds = report.add_subparsers(dest="report", required=True)
    annual = kinds.add_parser("annual", help="the annual report of an ethics office")
    annual.add_argument("period", help="the reporting period, for example 2014-15")
    annual.add_argument("--entity", help="the ethics office (default EO, the Ethics Office)")
    _output_options(annual)
    _version_option(annual)
    annual.set_defaults(run=_stack_call(lambda a, s: _render(
        a, s, f"/reports/annual/{a.period}", {"entity": a.entity, "version": a.version})))
    system = kinds.add_parser("system-wide", help="every Panel member's figures and the total")
    system.add_argument("period")
    _output_options(system)
    _version_option(system)
    system.set_defaults(run=_stack_call(lambda a, s: _render(
        a, s, f"/reports/system-wide/{a.period}", {"version": a.version})))
    annex = kinds.add_parser("annex", help="financial disclosure compliance by entity")
    annex.add_argument("year", help="the disclosure cycle, for example 2014")
    _output_options(annex)
    _version_option(annex)
    annex.set_defaults(run=_stack_call(lambda a, s: _render(
        a, s, f"/reports/disclosure/{a.year}/annex", {"version": a.version})))
    _over_years(kinds, "participation", "figure V: filers by category and year",
                "/reports/disclosure/participation")
    _over_years(kinds, "unit-cost", "the programme's cost per filer, cycle by cycle",
                "/reports/disclosure/unit-cost")
    issue = kinds.add_parser("issue", help="issue a version of a report as of a day (its "
                                           "figures are frozen from then on)")
    issue.add_argument("kind", choices=sorted(ISSUED))
    issue.add_argument("key", help="the period (2014-15), or the cycle year of the annex")
    issue.add_argument("--as-of", required=True, help="the day the report counts to, "
                                                      "YYYY-MM-DD")
    issue.add_argument("--symbol", help="the document symbol, for example A/70/307")
    issue.add_argument("--note", help="a note kept with the version")
    remote_options(issue)
    issue.set_defaults(run=_stack_call(_issue))
    issues = kinds.add_parser("issues", help="the versions issued of a report")
    issues.add_argument("kind", choices=sorted(ISSUED))
    issues.add_argument("key")
    remote_options(issues)
    issues.set_defaults(run=_stack_call(lambda a, s: _client(a, s).get(
        ISSUED[a.kind].format(key=a.key) + "/issues")))
    words = kinds.add_parser("labels", help="the report's labels in its languages")
    words.add_argument("--missing", action="store_true", required=True,
                       help="list what falls back to English in each language")
    remote_options(words)
    words.set_defaults(run=_stack_call(_missing_labels))
    rebuild = kinds.add_parser("rebuild", help="rebuild the read models from every service's "
                                               "events (admin); waits until it is done")
    rebuild.add_argument("--no-wait", action="store_true", help="start it and return")
    remote_options(rebuild)
    rebuild.set_defaults(run=_stack_call(_rebuild))


def _over_years(kinds, name: str, help_text: str, path: str):
    """A programme-wide report over a range of cycle years."""
    report = kinds.add_parser(name, help=help_text)
    report.add_argument("--from", dest="first", help="first year")
    report.add_argument("--to", dest="last", help="last year")
    _output_options(report)
    report.set_defaults(run=_stack_call(lambda a, s: _render(
        a, s, path, {"from": a.first, "to": a.last})))


def _client(args, stack) -> Client:
    """The server --url names, with --token if any; else the local stack, as its admin."""
    return Client(args.url, args.token) if args.url else api_client(stack)


def _output_options(parser):
    parser.add_argument("--format", choices=FORMATS, default="json")
    parser.add_argument("--lang", help="the labels' language (en, zh, fr, es, ru, ar)")
    parser.add_argument("--as-of", help="count only what was effective by this day, "
                                        "YYYY-MM-DD (default today)")
    parser.add_argument("-o", "--output", help="write to this file (needed for xlsx, pdf, docx)")
    remote_options(parser)


def _version_option(parser):
    parser.add_argument("--version", type=int, help="an issued version instead of the live "
                                                    "report")


def _issue(args, stack):
    body = {k: v for k, v in {"as_of": args.as_of, "symbol": args.symbol,
                              "note": args.note}.items() if v}
    response = _client(args, stack).call("POST", ISSUED[args.kind].format(key=args.key) +
                                         "/issues", json=body)
    if response.status_code >= 400:
        raise CommandError(_problem(response))
    answer = response.json()
    done = "issued" if response.status_code == 201 else "already issued as"
    print(f"{args.kind} {args.key}: {done} version {answer['version']} (as of "
          f"{answer['as_of']})")
    return answer


def _missing_labels(args, stack):
    """Per language, what the report shows in English for want of a translation."""
    missing = _client(args, stack).get("/reports/labels/missing")
    for lang, kinds in missing.items():
        for kind, names in kinds.items():
            for name in names:
                print(f"{lang}\t{kind}\t{name}")
    return None


def _render(args, stack, path: str, params: dict):
    params = {k: v for k, v in {**params, "format": args.format, "lang": args.lang,
                                "as_of": args.as_of}.items() if v not in (None, "")}
    response = _client(args, stack).call("GET", path, params=params)
    if response.status_code >= 400:
        raise CommandError(_problem(response))
    if args.output:
        with open(args.output, "wb") as f:
            f.write(response.content)
        print(f"wrote {args.output} ({len(response.content):,} bytes)")
        return None
    if args.format in FILES:
        raise CommandError(f"a {args.format.upper()} report is a file: give -o FILE")
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

