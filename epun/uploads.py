"""`epun upload <kind> FILE.csv`: a CSV file posted in chunks to a batch endpoint, with a progress
bar; every chunk carries an Idempotency-Key made from the file's contents, so uploading the same
file again stores nothing twice. Each kind is a row of `KINDS`."""
import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from .commands import CommandError, PartlyRefused, _stack_call, remote_client, remote_options

SHOWN_REJECTIONS = 20
MAX_CHUNK = 10_000


@dataclass(frozen=True)
class Option:
    """A required option of an upload kind, e.g. the cycle's `--year`; it names a part of the
    endpoint and of the key."""
    name: str
    type: type
    help: str


@dataclass(frozen=True)
class UploadKind:
    name: str
    help: str
    description: str
    endpoint: str  # a format string over the options
    key: str  # the Idempotency-Key's prefix: a format string over the options, digest and chunk
    chunk: int  # rows per call unless --chunk says otherwise
    options: tuple[Option, ...] = ()


KINDS = (
    UploadKind(
        "service-requests", help="log service requests from a CSV file, in batches",
        description="Log the rows of a CSV file whose header is "
                    "entity,received_on,category,advice_topic,source. Each chunk carries an "
                    "Idempotency-Key made from the file's contents and the chunk size, so "
                    "uploading the same file again with the same --chunk stores nothing twice.",
        endpoint="/service-requests/batch", key="upload-{digest}-{chunk}", chunk=2000),
    UploadKind(
        "filers", help="enrol a cycle's filers from a CSV file, in batches",
        description="Enrol the rows of a CSV file whose header is "
                    "staff_id,entity,duty_station,grade,designation, and optionally "
                    "enrolled_on, email and language (en, zh, fr, es, ru, ar) for the filer's "
                    "notices. Each chunk carries an "
                    "Idempotency-Key made from the file's contents, the year and the chunk size, "
                    "so uploading the same file again stores nothing twice.",
        endpoint="/disclosure/cycles/{year}/filers", key="filers-{year}-{digest}-{chunk}",
        chunk=10_000, options=(Option("year", int, "the cycle, e.g. 2014"),)),
)


def register(sub):
    """Add `epun upload` and a subcommand for each kind to the `epun` parser."""
    kinds = sub.add_parser("upload", help="upload a CSV file in batches").add_subparsers(
        dest="kind", required=True)
    for kind in KINDS:
        command = kinds.add_parser(kind.name, help=kind.help, description=kind.description)
        command.add_argument("file", type=Path)
        for option in kind.options:
            command.add_argument(f"--{option.name}", type=option.type, required=True,
                                 help=option.help)
        command.add_argument("--chunk", type=int, default=kind.chunk,
                             help=f"rows per call (at most {MAX_CHUNK})")
        command.add_argument("--errors", type=Path,
                             help="write every rejected row to this CSV file")
        remote_options(command)
        command.set_defaults(run=_stack_call(_uploader(kind)))


def _uploader(kind: UploadKind):
    def run(args, stack) -> dict:
        values = {option.name: getattr(args, option.name) for option in kind.options}
        summary = upload_csv(args, stack, kind.endpoint.format(**values), kind.key.format(
            digest=file_digest(args.file), chunk=args.chunk, **values))
        answer = {"file": summary.pop("file"), **values, **summary}
        return PartlyRefused(answer) if answer["rejected"] else answer
    return run


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:24]


def upload_csv(args, stack, endpoint: str, key_prefix: str) -> dict:
    """Post `args.file` to `endpoint` in chunks of `args.chunk` rows; writes the rejected rows
    to `args.errors` when given; returns a summary."""
    from tqdm import tqdm

    from .client import ApiError, read_csv_cells
    if not 1 <= args.chunk <= MAX_CHUNK:
        raise CommandError(f"--chunk must be between 1 and {MAX_CHUNK}")
    try:
        header, rows = read_csv_cells(args.file)
    except (OSError, ValueError) as exc:
        raise CommandError(str(exc))
    client = remote_client(args, stack)
    try:
        with tqdm(total=len(rows), unit="row", desc=args.file.name) as bar:
            answer = client.upload_batch(endpoint, rows, args.chunk, bar.update,
                                         key_prefix=key_prefix, header=header)
    except ApiError as exc:
        raise CommandError(str(exc))
    if args.errors:
        write_rejections(args.errors, answer["rejected"])
    return {"file": str(args.file), "rows": len(rows), "accepted": answer["accepted"],
            "rejected": len(answer["rejected"]),
            "first_rejected": answer["rejected"][:SHOWN_REJECTIONS]}


def write_rejections(path: Path, rejected: list):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["row", "field", "reason"])
        for r in rejected:
            for e in r["errors"]:
                writer.writerow([r["row"], ".".join(map(str, e["loc"])), e["msg"]])
