"""Statements are encrypted at rest: their plaintext is nowhere in MongoDB, the events, the logs
or the reports; the service refuses to start without its key; a key rotation re-encrypts every
statement without losing one."""
import os
import secrets
import subprocess
import sys
import uuid

import bson
import pytest

from epun import ROOT

from ..helpers import eventually
from .test_disclosure import ahead, filer, open_cycle, participants, statement

pytestmark = pytest.mark.integration


def prefixed_databases(mongo, stack) -> list[str]:
    return [n for n in mongo.list_database_names() if n.startswith(f"{stack.db_prefix}_")]


def where_found(mongo, stack, needle: bytes) -> list[str]:
    """Every document of the stack's databases whose BSON holds `needle`, as db.collection."""
    places = []
    for name in prefixed_databases(mongo, stack):
        db = mongo[name]
        for collection in db.list_collection_names():
            for doc in db[collection].find({}):
                if needle in bson.encode(doc):
                    places.append(f"{name}.{collection}")
    return places


def logs_holding(stack, needle: bytes) -> list[str]:
    return [p.name for p in stack.log_dir.glob("*") if p.is_file() and needle in p.read_bytes()]


def test_the_plaintext_of_a_statement_appears_nowhere(stack, api, mongo, client_as,
                                                      unique_code):
    entity = participants(api, unique_code)[0]
    year = open_cycle(api, deadline=ahead(60))  # it takes reminders
    marker = f"ZEBRA{uuid.uuid4().hex}"
    staff_id = f"{entity}-1"
    api.post(f"/disclosure/cycles/{year}/filers",
             {"items": [filer(staff_id, entity, "ASG", "senior_official")]})
    own = client_as("filer", staff_id=staff_id)
    own.post(f"/disclosure/cycles/{year}/filers/{staff_id}/statement", statement(marker))
    client_as("reviewer").post(f"/disclosure/cycles/{year}/filers/{staff_id}/review",
                               {"outcome": "cleared"})
    own.post(f"/disclosure/cycles/{year}/filers/{staff_id}/public-disclosure",
             {"publish": False, "declined_reason": "security"})
    api.post(f"/disclosure/cycles/{year}/reminders", {"days_before": 30})
    read = own.get(f"/disclosure/cycles/{year}/filers/{staff_id}/statement")
    assert marker in read["liabilities"][0]["description"]  # the needle is a real one

    db = mongo[f"{stack.db_prefix}_disclosure"]
    sealed = db.statements.find_one({"_id": f"{year}:{staff_id}"})
    assert sealed["key_id"] and len(sealed["nonce"]) == 12 and sealed["ciphertext"]
    events = list(db.outbox.find({"payload.year": year}))
    assert {e["type"] for e in events} >= {"filers_enrolled", "statement_filed",
                                           "review_recorded", "public_disclosure_decided"}
    eventually(lambda: db.outbox.count_documents({"payload.year": year, "sent": False}) == 0,
               60)
    for path in (f"/reports/annual/{year}-{(year + 1) % 100:02d}",
                 f"/reports/disclosure/{year}/annex"):
        response = api.call("GET", path)
        assert marker not in response.text
    needle = marker.encode()
    assert where_found(mongo, stack, needle) == []
    assert logs_holding(stack, needle) == []
    assert prefixed_databases(mongo, stack)  # the scan did look somewhere


def start_disclosure(stack, keys: str):
    stack.stop_process("disclosure")
    stack.extra_env["FDP_KEYS"] = keys
    stack.start_service("disclosure")
    stack.wait_healthy()


def test_a_key_rotation_reencrypts_every_statement(stack, api, mongo, client_as,
                                                   unique_code):
    entity = participants(api, unique_code)[0]
    year = open_cycle(api)
    ids = [f"{entity}-{i}" for i in range(1, 6)]
    api.post(f"/disclosure/cycles/{year}/filers", {"items": [filer(s, entity) for s in ids]})
    api.post(f"/disclosure/cycles/{year}/statements",
             {"items": [{"staff_id": s, **statement(s)} for s in ids]})
    drafting = f"{entity}-9"  # enrolled, not filed: a draft sealed with the old key
    api.post(f"/disclosure/cycles/{year}/filers", {"items": [filer(drafting, entity)]})
    draft = f"/disclosure/cycles/{year}/filers/{drafting}/draft"
    contents = {k: v for k, v in statement("draft").items() if k != "certified"}
    assert client_as("filer", staff_id=drafting).call("PUT", draft,
                                                      json=contents).status_code == 200
    statements = mongo[f"{stack.db_prefix}_disclosure"].statements
    drafts = mongo[f"{stack.db_prefix}_disclosure"].drafts
    old_keys = stack.extra_env["FDP_KEYS"]
    new_id = f"r{uuid.uuid4().hex[:6]}"
    new_key = f"{new_id}:{secrets.token_urlsafe(32)}"
    try:
        start_disclosure(stack, f"{new_key},{old_keys}")
        total = statements.count_documents({})
        stale = statements.count_documents({"key_id": {"$ne": new_id}})
        assert stale == total >= len(ids)
        saved = drafts.count_documents({})
        assert drafts.count_documents({"key_id": {"$ne": new_id}}) == saved >= 1
        rotated = api.post("/disclosure/keys/rotate")
        assert rotated == {"key_id": new_id, "statements": total, "reencrypted": total,
                           "drafts": saved, "drafts_reencrypted": saved}
        assert statements.count_documents({"key_id": new_id}) == total
        assert drafts.count_documents({"key_id": new_id}) == saved
        again = api.post("/disclosure/keys/rotate")
        assert again["reencrypted"] == 0

        start_disclosure(stack, new_key)  # the old key is gone: every statement still opens
        reviewer = client_as("reviewer")
        for s in ids:
            got = reviewer.get(f"/disclosure/cycles/{year}/filers/{s}/statement")
            assert got["assets"][0]["description"] == f"shares {s}"
        kept = client_as("filer", staff_id=drafting).get(draft)  # the draft opens too
        assert kept["saved_on"] and kept["assets"][0]["description"] == "shares draft"
        assert client_as("ethics_office").call("POST", "/disclosure/keys/rotate").status_code \
            == 403
    except Exception:
        start_disclosure(stack, f"{new_key},{old_keys}")
        raise


@pytest.mark.parametrize("keys,says", [
    ("", "FDP_KEYS is not set"),
    ("k1:c2hvcnQ", "FDP_KEYS key k1 is 5 bytes; it must be 32"),
])
def test_the_service_does_not_start_without_a_valid_key(stack, keys, says):
    env = {**os.environ, **stack.service_env("disclosure"), "FDP_KEYS": keys,
           "METRICS_PORT": "0"}
    run = subprocess.run(
        [sys.executable, "-m", "nameko", "run", "--config",
         str(ROOT / "services" / "disclosure" / "config.yaml"),
         "services.disclosure.service:DisclosureService"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert says in run.stdout + run.stderr
