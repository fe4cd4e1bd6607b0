"""The authorization matrix, walked over the gateway's route table: every role x every endpoint
x its own entity's records and another entity's. No role reads or changes another entity's
records, no one but the filer and the reviewers reads a statement's contents, no endpoint
answers without a token; the counts are printed.

Each route is called as a client would, with records made for the purpose: two entities, each
with a service request, an activity, a retaliation inquiry, annual figures, a filer who filed a
statement, a report review and a chair review, both members of the Panel. Reads run for every
role on both sides; writes run on the other entity's side for the roles bound to an entity (all
of them must be refused), so no allowed write changes the records the reads look at."""
import collections
from dataclasses import dataclass

import pytest

from services.gateway.api import ROUTES
from services.gateway.service import GatewayService  # noqa: F401  (fills ROUTES)

from ..integration.test_disclosure import filer, open_cycle, statement

pytestmark = pytest.mark.e2e
PERIOD = "2014-15"
FIGURES = {"total_requests": 2, "requests_by_category": {"training": 2}}
SCOPED = ("focal_point", "panel_member")  # roles bound to an entity
ROLES = ("admin", "ethics_office", "panel_chair", "panel_member", "focal_point", "reviewer",
         "filer", "auditor")
# what every role may see of other entities: the directory, the Panel's membership and its
# shared work (members comment on each other's annual reports), the programme's cycles and the
# reports' published tables
SHARED = ("/entities", "/panel/members", "/panel/meetings", "/panel/consultations",
          "/panel/topics", "/panel/report-reviews", "/disclosure/participants",
          "/disclosure/cycles/{year}/cost-shares",
          "/reports/", "/audit", "/people", "/tokens")
STATEMENT = "/disclosure/cycles/{year}/filers/{staff_id}/statement"
PEER_WRITES = {("POST", "/panel/report-reviews/{id}/comments")}  # a member on another's report


@dataclass
class Side:
    entity: str
    staff_id: str
    request_id: str
    inquiry_id: str
    report_review: str
    chair_review: str


@dataclass
class World:
    own: Side
    other: Side
    year: int
    meeting: str
    consultation: str
    email: str
    token_id: str

    def side(self, name: str) -> Side:
        return self.own if name == "own" else self.other


def make_side(api, client_as, chair, code: str, year: int) -> Side:
    api.put(f"/entities/{code}", {"name": f"Office {code}", "category": "other"})
    api.put(f"/disclosure/participants/{code}", {"cost_sharing": True,
                                                "focal_points": [{"name": "A. Focal"}]})
    chair.put(f"/panel/members/{code}", {"head": f"Head of {code}"})
    staff_id = f"{code}-1"
    api.post(f"/disclosure/cycles/{year}/filers", {"items": [filer(staff_id, code)]})
    client_as("filer", staff_id=staff_id).post(
        f"/disclosure/cycles/{year}/filers/{staff_id}/statement", statement(code))
    request = api.post("/service-requests", {"entity": code, "received_on": "2015-01-05",
                                             "category": "training",
                                             "source": "headquarters"})
    api.post("/activities", {"entity": code, "held_on": "2015-01-06",
                             "kind": "training_session", "participants": 5})
    inquiry = api.post("/retaliation-inquiries", {"entity": code, "received_on": "2015-01-07"})
    api.put(f"/annual-figures/{code}/{PERIOD}", FIGURES)
    review = client_as("panel_member", code).post("/panel/report-reviews", {
        "entity": code, "period": PERIOD, "document": f"Annual report of {code}"})
    chair_review = chair.post("/panel/chair-reviews", {
        "entity": code, "case_ref": f"CASE-{code}", "requested_on": "2015-02-01",
        "determination_notified_on": "2015-01-20"})
    return Side(code, staff_id, request["id"], inquiry["id"], review["id"], chair_review["id"])


@pytest.fixture
def world(api, client_as, unique_code) -> World:
    chair = client_as("panel_chair", "EO")
    api.put("/entities/EO", {"name": "Ethics Office", "category": "secretariat"})
    year = open_cycle(api)
    own = make_side(api, client_as, chair, unique_code("OWN"), year)
    other = make_side(api, client_as, chair, unique_code("OTH"), year)
    meeting = chair.post("/panel/meetings", {"scheduled_for": "2099-03-01", "kind": "formal",
                                             "agenda": ["Matrix"]})
    consultation = chair.post("/panel/consultations", {
        "topic": "Matrix", "question": "Who sees what?", "respond_by": "2099-01-01"})
    email = f"matrix-{own.entity.lower()}@example.org"
    api.put(f"/people/{email}", {"name": "Matrix", "roles": [{"role": "auditor"}]})
    token = api.post("/tokens", {"role": "auditor", "label": "matrix"})
    return World(own, other, year, meeting["id"], consultation["id"], email, token["id"])


def filled(path: str, w: World, side: Side) -> str:
    values = {"entity": side.entity, "code": side.entity, "year": w.year,
              "staff_id": side.staff_id, "request_id": side.request_id,
              "inquiry_id": side.inquiry_id, "period": PERIOD, "email": w.email}
    if path.startswith("/panel/report-reviews/"):
        values["id"] = side.report_review
    elif path.startswith("/panel/chair-reviews/"):
        values["id"] = side.chair_review
    elif path.startswith("/panel/meetings/"):
        values["id"] = w.meeting
    elif path.startswith("/panel/consultations/"):
        values["id"] = w.consultation
    elif path.startswith("/tokens/"):
        values["id"] = w.token_id
    return path.format(**values)


FILERS = "/disclosure/cycles/{year}/"
ONE = FILERS + "filers/{staff_id}/"


def request_of(s: Side) -> dict:
    return {"entity": s.entity, "received_on": "2015-01-05", "category": "training",
            "source": "headquarters"}


def activity_of(s: Side) -> dict:
    return {"entity": s.entity, "held_on": "2015-01-06", "kind": "training_session",
            "participants": 3}


def each(s: Side, **fields) -> dict:
    return {"items": [{"staff_id": s.staff_id, **fields}]}


# valid bodies of the writes that name an entity's record, so a refusal is about who asks
BODIES = {
    ("PUT", "/entities/{code}"): lambda s: {"name": "Renamed", "category": "other"},
    ("PUT", "/disclosure/participants/{entity}"): lambda s: {"cost_sharing": False,
                                                            "focal_points": []},
    ("POST", FILERS + "filers"): lambda s: {"items": [filer(f"{s.entity}-9", s.entity)]},
    ("POST", ONE + "statement"): lambda s: statement("again"),
    ("POST", FILERS + "statements"): lambda s: each(s, **statement("again")),
    ("POST", ONE + "review"): lambda s: {"outcome": "cleared", "conflicts": []},
    ("POST", FILERS + "reviews"): lambda s: each(s, outcome="cleared", conflicts=[]),
    ("POST", ONE + "mitigation"): lambda s: None,
    ("PUT", ONE + "draft"): lambda s: {"assets": [{"description": "a draft"}]},
    ("POST", ONE + "acknowledgement"): lambda s: {"comment": "Noted"},
    ("POST", FILERS + "mitigations"): lambda s: each(s),
    ("POST", ONE + "exemption"): lambda s: {"reason": "on_leave"},
    ("POST", FILERS + "exemptions"): lambda s: each(s, reason="on_leave"),
    ("POST", ONE + "verification"): lambda s: {"outcome": "verified"},
    ("POST", FILERS + "verifications"): lambda s: each(s, outcome="verified"),
    ("POST", ONE + "public-disclosure"): lambda s: {"publish": False,
                                                    "declined_reason": "other"},
    ("POST", FILERS + "public-disclosures"): lambda s: each(s, publish=False,
                                                            declined_reason="other"),
    ("POST", ONE + "public-disclosure/approval"): lambda s: None,
    ("POST", FILERS + "public-disclosure-approvals"): lambda s: each(s),
    ("POST", ONE + "public-disclosure/return"): lambda s: {"reason": "Say more"},
    ("POST", "/service-requests"): request_of,
    ("POST", "/service-requests/batch"): lambda s: {"items": [request_of(s)]},
    ("POST", "/activities"): activity_of,
    ("POST", "/activities/batch"): lambda s: {"items": [activity_of(s)]},
    ("POST", "/retaliation-inquiries"): lambda s: {"entity": s.entity,
                                                   "received_on": "2015-01-07"},
    ("POST", "/retaliation-inquiries/{inquiry_id}/decisions"): lambda s: {
        "decision": "preliminary_review", "decided_on": "2015-01-10"},
    ("POST", "/retaliation-inquiries/{inquiry_id}/notes"): lambda s: {
        "text": "Spoke to the office", "noted_on": "2015-01-11"},
    ("POST", "/retaliation-inquiries/{inquiry_id}/protection-measures"): lambda s: {
        "measure": "A temporary reassignment", "decided_on": "2015-01-12"},
    ("PUT", "/annual-figures/{entity}/{period}"): lambda s: FIGURES,
    ("PUT", "/panel/members/{entity}"): lambda s: {"head": "Someone else"},
    ("DELETE", "/panel/members/{entity}"): lambda s: None,
    ("POST", "/panel/consultations/{id}/positions"): lambda s: {"entity": s.entity,
                                                                "position": "Ours"},
    ("POST", "/panel/report-reviews"): lambda s: {"entity": s.entity, "period": "2013-14",
                                                  "document": "Another report"},
    ("POST", "/panel/report-reviews/{id}/comments"): lambda s: {"comment": "A comment"},
    ("POST", "/panel/report-reviews/{id}/conclusion"): lambda s: {"summary": "Done"},
    ("POST", "/panel/chair-reviews"): lambda s: {
        "entity": s.entity, "case_ref": f"CASE2-{s.entity}", "requested_on": "2015-02-01",
        "determination_notified_on": "2015-01-20"},
    ("POST", "/panel/chair-reviews/{id}/review"): lambda s: {"on": "2015-02-10"},
    ("POST", "/panel/chair-reviews/{id}/conclusion"): lambda s: {"outcome": "upheld"},
}


def bound(spec) -> bool:
    """Whether the route names an entity's record: in its path, its query or its body."""
    names = set(spec.path_names) - {"year", "period"}
    if spec.path.startswith(("/panel/meetings", "/panel/consultations", "/tokens", "/people")):
        names -= {"id", "email"}
    return bool(names) or "entity" in spec.query or (spec.method, spec.path) in BODIES


def call_of(spec, w: World, side_name: str) -> tuple[str, dict, dict | None]:
    """The path, query and body of a call to `spec` about `side_name`'s records."""
    side = w.side(side_name)
    path = filled(spec.path, w, side)
    query = {"entity": side.entity} if "entity" in spec.query else {}
    if spec.path == "/reports/annual/{period}":
        query = {"entity": side.entity}
    make = BODIES.get((spec.method, spec.path))
    return path, query, make(side) if make else None


def leaks(text: str, side: Side) -> bool:
    return side.entity in text or side.staff_id in text


def test_no_role_reads_another_entity_s_records_or_a_statement_it_may_not(
        stack, api, client_as, world):
    w = world
    counts = collections.Counter()
    violations, results, statuses = [], {}, {}
    actors = {role: client_as(role, w.own.entity if role in SCOPED else
                              ("EO" if role == "panel_chair" else None),
                              w.own.staff_id if role == "filer" else None) for role in ROLES}
    nobody = api.as_token(None)
    routes = [r for r in ROUTES if not r.public]
    assert len(routes) >= 90, "the route table lost its routes"
    for spec in routes:
        path, query, body = call_of(spec, w, "own")
        anonymous = nobody.call(spec.method, path, params=query, json=body)
        counts["anonymous refused" if anonymous.status_code == 401 else "anonymous let in"] += 1
        if anonymous.status_code != 401:
            violations.append(("anonymous", spec.method, spec.path, anonymous.status_code))
        shared = spec.path.startswith(SHARED) and spec.path != STATEMENT
        for role in ROLES:
            for side in ("own", "other"):
                if side == "other" and not bound(spec):
                    continue
                reading = spec.method == "GET"
                if not reading and not (side == "other" and (role in SCOPED or role == "filer")):
                    continue  # allowed writes are each area's own tests
                path, query, body = call_of(spec, w, side)
                answer = actors[role].call(spec.method, path, params=query, json=body)
                ok = 200 <= answer.status_code < 300
                status = answer.status_code
                if ok and spec.batch:  # a batch answers its rows: each refused as itself
                    rows = answer.json()
                    ok = rows["accepted"] > 0
                    if not ok:  # intake's rows name the fault, disclosure's also its status
                        status = (rows["rejected"] or [{}])[0].get("status", 403)
                counts[(role, "allowed" if ok else "refused")] += 1
                results[spec.method, spec.path, role, side] = ok
                statuses[spec.method, spec.path, role, side] = status
                wrong = None
                if not reading and status not in (403, 404) and (
                        spec.method, spec.path) not in PEER_WRITES:
                    wrong = "a write about another entity's record not refused as such"
                elif spec.path == STATEMENT and ok and not (
                        role == "reviewer" or (role == "filer" and side == "own")):
                    wrong = "read a statement it may not read"
                elif side == "other" and ok and role == "filer" and "staff_id" in spec.path:
                    wrong = "reached another filer's record"
                elif (ok and reading and role in SCOPED and not shared
                      and leaks(answer.text, w.other)):
                    wrong = "was shown another entity's record"
                if wrong:
                    violations.append((role, side, spec.method, spec.path, status, wrong))
    print(f"\nauthorization matrix: {len(routes)} routes x {len(ROLES)} roles x own/other")
    for role in ROLES:
        print(f"  {role:<14} allowed {counts[(role, 'allowed')]:>4}  "
              f"refused {counts[(role, 'refused')]:>4}")
    print(f"  without a token: {counts['anonymous refused']} refused, "
          f"{counts['anonymous let in']} let in")
    assert violations == [], "\n".join(map(str, violations))
    read = {(role, side): results["GET", STATEMENT, role, side]
            for role in ROLES for side in ("own", "other")}
    assert {k for k, ok in read.items() if ok} == {("reviewer", "own"), ("reviewer", "other"),
                                                   ("filer", "own")}
    # the notices sent: the Ethics Office, admin and auditors read them, nobody else
    notices = {role: statuses["GET", "/notifications", role, "own"] for role in ROLES}
    assert {role for role, status in notices.items() if status == 200} == {
        "admin", "ethics_office", "auditor"}
    assert {status for role, status in notices.items() if status != 200} == {403}
    assert results["GET", "/service-requests/{request_id}", "focal_point", "own"]
    assert not results["GET", "/service-requests/{request_id}", "focal_point", "other"]
