"""A small client of the EPUN HTTP API, used by the `epun` command, the demo loader and tests."""
import csv
import io
import uuid
from pathlib import Path

import requests


class ApiError(RuntimeError):
    def __init__(self, response):
        self.status = response.status_code
        try:
            self.problem = response.json()
        except ValueError:
            self.problem = {"detail": response.text}
        super().__init__(f"{self.status} {self.problem.get('title', '')}: "
                         f"{self.problem.get('detail', '')} {self.problem.get('errors', '')}")


class Client:
    def __init__(self, base_url: str, token: str | None = None, timeout: float = 120):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.session = requests.Session()

    def as_token(self, token: str) -> "Client":
        return Client(self.base_url, token, self.timeout)

    def call(self, method: str, path: str, *, json=None, data=None, headers=None,
             params=None) -> requests.Response:
        headers = dict(headers or {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return self.session.request(method, f"{self.base_url}/api/v1{path}", json=json,
                                    data=data, headers=headers, params=params,
                                    timeout=self.timeout)

    def json(self, method: str, path: str, **kwargs):
        response = self.call(method, path, **kwargs)
        if response.status_code >= 400:
            raise ApiError(response)
        return response.json() if response.content else None

    def get(self, path, **kwargs):
        return self.json("GET", path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.json("POST", path, json=body, **kwargs)

    def every(self, path: str, **params) -> list[dict]:
        """Every item of a paged list, reading 1,000 at a time."""
        items, cursor = [], None
        while True:
            page = self.get(path, params={**params, "limit": 1000, "cursor": cursor})
            items += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                return items

    def put(self, path, body=None, **kwargs):
        return self.json("PUT", path, json=body, **kwargs)

    def token_for(self, role: str, entity: str | None = None, staff_id: str | None = None,
                  label: str | None = None) -> str:
        label = label or f"{role}-{entity or staff_id or ''}-{uuid.uuid4().hex[:6]}"
        return self.post("/tokens", {"role": role, "entity": entity, "staff_id": staff_id,
                                     "label": label})["token"]

    def upload_batch(self, path: str, rows: list, chunk: int = 2000, progress=None,
                     key_prefix: str | None = None, header: list[str] | None = None) -> dict:
        """Post `rows` in chunks: JSON items, or CSV cells under `header` when it is given.

        Returns the merged answer, rows numbered from 1 over the whole list."""
        total: dict = {"accepted": 0, "rejected": []}
        for start in range(0, len(rows), chunk):
            part = rows[start:start + chunk]
            headers = {"Idempotency-Key": f"{key_prefix}-{start}"} if key_prefix else {}
            if header is None:
                answer = self.post(path, {"items": part}, headers=headers)
            else:
                answer = self.json("POST", path, data=cells_to_csv(header, part).encode(),
                                   headers={**headers, "Content-Type": "text/csv"})
            total["accepted"] += answer["accepted"]
            total["rejected"] += [{**r, "row": r["row"] + start} for r in answer["rejected"]]
            if progress:
                progress(len(part))
        return total

    def upload_csv_file(self, path: str, csv_path: Path, chunk: int = 2000, progress=None) -> dict:
        header, rows = read_csv_cells(csv_path)
        return self.upload_batch(path, rows, chunk, progress, header=header)


def read_csv_cells(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if not header:
            raise ValueError(f"{path} is empty: it needs a header row")
        return header, list(reader)


def cells_to_csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def rows_to_csv(rows: list[dict], columns: list[str] | None = None) -> str:
    columns = columns or list(rows[0])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
