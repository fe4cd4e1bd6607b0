"""What the API reads from a request body before parsing it: its media type and how deeply its
JSON nests (a parser recursing into a body nested thousands deep would fail, not refuse)."""
import re

from shared.kernel.errors import Malformed, UnsupportedMediaType

MAX_JSON_DEPTH = 32
JSON = "application/json"
CSV = "text/csv"

# a header row naming at least one column, then at least one row (the OpenAPI document gives
# this pattern for every CSV body, so what it allows is what the gateway reads)
CSV_PATTERN = r'^[^\r\n]*[^\s,"][^\r\n]*(?:\r\n|\n|\r(?!\n))[\s\S]'

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(rb"[\[\]{}]")


def check_depth(raw: bytes, limit: int = MAX_JSON_DEPTH):
    """Malformed when arrays and objects nest deeper than `limit` (brackets inside strings do
    not count)."""
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', raw)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                raise Malformed(f"the JSON body nests deeper than {limit} levels")
        else:
            depth -= 1


def check_media_type(mimetype: str, accepted: tuple[str, ...]):
    """UnsupportedMediaType unless the body's `Content-Type` is one of `accepted` (any
    `+json` type counts as JSON)."""
    mimetype = (mimetype or "").lower()
    if mimetype in accepted or (JSON in accepted and mimetype.endswith("+json")):
        return
    given = f"'{mimetype}'" if mimetype else "no Content-Type"
    raise UnsupportedMediaType(f"the body was sent as {given}; send it as "
                               + " or ".join(accepted))


def check_csv_shape(text: str):
    """Malformed unless `text` has a header row naming a column and a row after it."""
    if not re.search(CSV_PATTERN, text):
        raise Malformed("the CSV file needs a header row naming its columns and at least one "
                        "row after it")
