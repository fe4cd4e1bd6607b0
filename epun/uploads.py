"""`epun upload <kind> FILE.csv`: a CSV file posted in chunks to a batch endpoint, with a progress
bar; every chunk carries an Idempotency-Key made from the file's contents, so uploading the same
file again stores nothing twice."""
import csv
import hashlib
import os
from pathlib import Path

from .commands import CommandError, api_client

SHOWN_REJECTIONS = 20


def upload_kinds(sub):
    """The subcommands of `epun upload`, created by the first area that needs them."""
    upload = sub.choices.get("upload")
    if upload is None:
        upload = sub.add_parser("upload", help="upload a CSV file in batches")
        upload.kinds = upload.add_subparsers(dest="kind", required=True)
    return upload.kinds


def remote_options(parser):
    parser.add_argument("--url", default=os.environ.get("EPUN_URL"),
                        help="the API's base URL (default: the local stack; env EPUN_URL)")
    parser.add_argument("--token", default=os.environ.get("EPUN_TOKEN"),
                        help="an access token (default: the local admin token; env EPUN_TOKEN)")


def remote_client(args, stack):
    from .client import Client
    return Client(args.url, args.token) if args.url and args.token else api_client(stack)


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:24]


def upload_csv(args, stack, endpoint: str, key_prefix: str) -> dict:
    """Post `args.file` to `endpoint` in chunks of `args.chunk` rows; writes the rejected rows
    to `args.errors` when given; returns a summary."""
    from tqdm import tqdm

    from .client import ApiError, read_csv_cells
    if not 1 <= args.chunk <= 10_000:
        raise CommandError("--chunk must be between 1 and 10000")
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
