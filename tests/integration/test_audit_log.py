"""The audit log as auditors read it: every service's entries, merged by time, in pages whose
cursor misses nothing; statements' reads among them; nothing changes an entry, and
`epun audit verify` names the entry someone changed directly in the database."""
import os
import subprocess
import sys

import pyotp
import pytest

from services.gateway.domain.audit import instant
from tests.identities import grant, local_person
from tests.integration.test_disclosure import filer, open_cycle, participants, statement

pytestmark = pytest.mark.integration


def epun(stack, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "MONGO_URI": stack.mongo_uri, "DB_PREFIX": stack.db_prefix,
           "EPUN_STATE_DIR": str(stack.state_dir), "EPUN_HTTP_PORT": str(stack.http_port)}
    return subprocess.run([sys.executable, "-m", "epun.cli", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_auditors_read_every_service_s_entries_and_every_read_of_a_statement(
        api, client_as, unique_code):
    [entity] = participants(api, unique_code)
    year, staff = open_cycle(api), f"{entity}-1"
    api.post(f"/disclosure/cycles/{year}/filers", {"items": [filer(staff, entity)]})
    path = f"/disclosure/cycles/{year}/filers/{staff}/statement"
    client_as("filer", staff_id=staff).post(path, statement("audited"))
    reviewer = client_as("reviewer")
    reviewer.get(path)
    assert api.call("GET", path).status_code == 403

    auditor = client_as("auditor")
    reads = auditor.get("/audit", params={"action": "read_statement", "entity": entity})
    [read] = reads["items"]
    assert (read["service"], read["record"], read["role"]) == (
        "disclosure", path.lstrip("/"), "reviewer")
    services = {e["service"] for e in auditor.get("/audit", params={"limit": 1000})["items"]}
    assert {"gateway", "intake", "disclosure"} <= services
    assert client_as("focal_point", entity).call("GET", "/audit").status_code == 403
    assert client_as("ethics_office").call("GET", "/audit").status_code == 403

    seen, cursor = [], None
    while True:
        page = api.get("/audit", params={"limit": 7, "cursor": cursor, "entity": entity})
        seen += [(e["service"], e["seq"]) for e in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) >= 4  # entity, participant, filer, statement, read
    everything = api.get("/audit", params={"limit": 1000, "entity": entity})["items"]
    assert sorted(seen) == sorted((e["service"], e["seq"]) for e in everything)
    assert [instant(e) for e in everything] == sorted(instant(e) for e in everything)
    bad = api.call("GET", "/audit", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["query", "cursor"]
    for method in ("PUT", "POST", "DELETE", "PATCH"):
        assert api.call(method, "/audit").status_code in (404, 405), method


def test_epun_audit_verify_names_an_entry_changed_in_the_database(stack, api, mongo,
                                                                  unique_code):
    code = unique_code("TAMPER")
    api.put(f"/entities/{code}", {"name": "An office", "category": "other"})
    holds = epun(stack, "audit", "verify")
    assert holds.returncode == 0, holds.stdout + holds.stderr
    assert "intake" in holds.stdout and "the chain holds" in holds.stdout

    log = mongo[f"{stack.db_prefix}_intake"].audit_log
    entry = log.find_one({"record": f"entities/{code}"})
    log.update_one({"_id": entry["_id"]}, {"$set": {"who": "someone else"}})
    try:
        broken = epun(stack, "audit", "verify")
        assert broken.returncode == 1
        assert f"entry {entry['seq']}: its contents were changed" in broken.stdout
        assert "intake" in broken.stdout and "does not hold" in broken.stderr
    finally:
        log.update_one({"_id": entry["_id"]}, {"$set": {"who": entry["who"]}})
    assert epun(stack, "audit", "verify").returncode == 0


def test_epun_totp_prints_the_code_a_local_account_signs_in_with(stack, api):
    person = local_person(api, stack.base_url, grant("auditor"))
    printed = epun(stack, "totp", person.email)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.strip() == pyotp.TOTP(person.secret).now()
    unknown = epun(stack, "totp", "nobody@example.org")
    assert unknown.returncode == 1 and "no local account" in unknown.stderr
