"""`epun` subcommands of the intake area: `epun upload service-requests FILE.csv`."""
import csv
import hashlib
import os
from pathlib import Path

from .commands import CommandError, _stack_call, api_client

REQUEST_COLUMNS = "entity,received_on,category,advice_topic,source"
SHOWN_REJECTIONS = 20


def register(sub):
    """Add this area's subcommands to the `epun` parser."""
    upload = upload_kinds(sub).add_parser(
        "service-requests", help="log service requests from a CSV file, in batches",
        description=f"Log the rows of a CSV file whose header is {REQUEST_COLUMNS}. Each chunk "
                    "carries an Idempotency-Key made from the file's contents and the chunk size, "
                    "so uploading the same file again with the same --chunk stores nothing twice.")
    upload.add_argument("file", type=Path)
    upload.add_argument("--chunk", type=int, default=2000, help="rows per call (at most 10000)")
    upload.add_argument("--errors", type=Path, help="write every rejected row to this CSV file")
    upload.add_argument("--url", default=os.environ.get("EPUN_URL"),
                        help="the API's base URL (default: the local stack; env EPUN_URL)")
    upload.add_argument("--token", default=os.environ.get("EPUN_TOKEN"),
                        help="an access token (default: the local admin token; env EPUN_TOKEN)")
    upload.set_defaults(run=_stack_call(_upload_service_requests))


def upload_kinds(sub):
    """The subcommands of `epun upload`, created by the first area that needs them."""
    upload = sub.choices.get("upload")
    if upload is None:
        upload = sub.add_parser("upload", help="upload a CSV file in batches")
        upload.kinds = upload.add_subparsers(dest="kind", required=True)
    return upload.kinds


def _upload_service_requests(args, stack):
    from tqdm import tqdm

    from .client import ApiError, Client, read_csv_cells
    if not 1 <= args.chunk <= 10_000:
        raise CommandError("--chunk must be between 1 and 10000")
    try:
        header, rows = read_csv_cells(args.file)
    except (OSError, ValueError) as exc:
        raise CommandError(str(exc))
    client = Client(args.url, args.token) if args.url and args.token else api_client(stack)
    key = f"upload-{hashlib.sha256(args.file.read_bytes()).hexdigest()[:24]}-{args.chunk}"
    try:
        with tqdm(total=len(rows), unit="row", desc=args.file.name) as bar:
            answer = client.upload_batch("/service-requests/batch", rows, args.chunk,
                                         bar.update, key_prefix=key, header=header)
    except ApiError as exc:
        raise CommandError(str(exc))
    if args.errors:
        _write_rejections(args.errors, answer["rejected"])
    return {"file": str(args.file), "rows": len(rows), "accepted": answer["accepted"],
            "rejected": len(answer["rejected"]),
            "first_rejected": answer["rejected"][:SHOWN_REJECTIONS]}


def _write_rejections(path: Path, rejected: list):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["row", "field", "reason"])
        for r in rejected:
            for e in r["errors"]:
                writer.writerow([r["row"], ".".join(map(str, e["loc"])), e["msg"]])
