"""`epun` subcommands of the intake area: `epun upload service-requests FILE.csv`."""
from pathlib import Path

from .commands import _stack_call
from .uploads import file_digest, remote_options, upload_csv, upload_kinds

REQUEST_COLUMNS = "entity,received_on,category,advice_topic,source"


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
    remote_options(upload)
    upload.set_defaults(run=_stack_call(_upload_service_requests))


def _upload_service_requests(args, stack):
    return upload_csv(args, stack, "/service-requests/batch",
                      f"upload-{file_digest(args.file)}-{args.chunk}")
