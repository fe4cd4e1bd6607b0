"""The skeleton's pure rules: periods, roles and scopes, batch bodies, idempotent replays."""
import datetime as dt
import re

import pytest
from pydantic import ValidationError

from services.gateway import domain
from services.gateway.domain.bodies import CSV_PATTERN
from shared.auth import require, scope_filter, token_hash
from shared.contracts.common import Actor, Role, period_bounds, period_of
from shared.contracts.directory import Entity
from shared.contracts.envelope import EVENTS, Envelope
from shared.contracts.tokens import TokenRequest
from shared.kernel.errors import Conflict, Forbidden, Malformed


@pytest.mark.parametrize("day, period", [
    (dt.date(2014, 8, 1), "2014-15"), (dt.date(2015, 7, 31), "2014-15"),
    (dt.date(2015, 8, 1), "2015-16"), (dt.date(1999, 12, 31), "1999-00"),
])
def test_a_period_runs_from_1_august_to_31_july(day, period):
    assert period_of(day) == period
    start, end = period_bounds(period)
    assert start <= day <= end


@pytest.mark.parametrize("code", ["UNHCR", "DM", "UN-WOMEN", "SRSG-CAAC"])
def test_entity_codes_accepted(code):
    assert Entity(code=code, name="x", category="other").code == code


@pytest.mark.parametrize("code", ["unhcr", "X", "1UN", "A" * 17, "UN WOMEN"])
def test_entity_codes_refused(code):
    with pytest.raises(ValidationError):
        Entity(code=code, name="x", category="other")


def test_entity_roles_act_for_their_own_entity_only():
    focal = Actor(role=Role.focal_point, entity="UNHCR")
    assert require(focal, [Role.focal_point], entity="UNHCR") == focal
    with pytest.raises(Forbidden):
        require(focal, [Role.focal_point], entity="UNDP")
    with pytest.raises(Forbidden):
        require(focal, [Role.ethics_office])
    assert scope_filter(focal) == {"entity": "UNHCR"}
    assert scope_filter(Actor(role=Role.auditor)) == {}
    assert require(Actor(role=Role.admin), [Role.ethics_office]).role is Role.admin


def test_tokens_for_scoped_roles_need_their_scope():
    with pytest.raises(ValidationError):
        TokenRequest(role="focal_point", label="x")
    with pytest.raises(ValidationError):
        TokenRequest(role="filer", label="x")
    assert TokenRequest(role="filer", staff_id="123", label="x").staff_id == "123"
    assert token_hash("a") != token_hash("b") and len(token_hash("a")) == 64


def test_every_registered_event_round_trips_through_its_envelope():
    assert "entity_registered" in EVENTS
    payload = EVENTS["entity_registered"][1](code="UNHCR", name="UNHCR", category="other")
    envelope = Envelope.of(payload, entity="UNHCR", actor=Actor(role=Role.admin))
    again = Envelope.model_validate(envelope.model_dump(mode="json"))
    assert again.parsed() == payload and again.type == "entity_registered"


def test_csv_rows_of_the_wrong_width_are_rejected_and_numbered():
    items, rejected = domain.parse_csv("a,b\n1,2\n3\n4,5,6\n,\n7,8\n")
    assert items[0] == {"a": "1", "b": "2"} and items[4] == {"a": "7", "b": "8"}
    assert [r["row"] for r in rejected] == [2, 3, 4]
    assert items[1] is None and items[2] is None


@pytest.mark.parametrize("text", ["", "a,b\n", ",\n1,2\n"])
def test_an_empty_csv_is_a_bad_request(text):
    with pytest.raises(Malformed):
        domain.parse_csv(text)


def test_a_batch_body_needs_items():
    assert domain.parse_json_items({"items": [1]}) == [1]
    with pytest.raises(Malformed):
        domain.parse_json_items([1])


def test_batch_answers_merge_in_row_order():
    merged = domain.merge_batch_answers({"accepted": 1, "rejected": [{"row": 3, "errors": []}]},
                                        [{"row": 1, "errors": []}])
    assert [r["row"] for r in merged["rejected"]] == [1, 3] and merged["accepted"] == 1


def test_an_idempotency_key_replays_the_same_body_and_refuses_another():
    first = domain.body_fingerprint("PUT", "/x", b"{}")
    now = dt.datetime(2015, 7, 31, 12, tzinfo=dt.timezone.utc)
    assert domain.replay_decision(None, first, now) is None
    stored = domain.IdempotencyRecord("key", first, 200, "{}", claimed_at=now)
    assert domain.replay_decision(stored, first, now) is stored
    with pytest.raises(Conflict):
        domain.replay_decision(stored, domain.body_fingerprint("PUT", "/x", b"{ }"), now)
    running = domain.IdempotencyRecord("key", first, None, claimed_at=now)
    with pytest.raises(Conflict):
        domain.replay_decision(running, first, now + dt.timedelta(seconds=59))
    assert domain.replay_decision(running, first, now + dt.timedelta(seconds=60)) is None


@pytest.mark.parametrize("text", ["a\n1", "a,b\r\n1,2", '"",x\n1', '"x\n1', "a\n\n", "a\r\rb"])
def test_a_csv_the_document_allows_is_read(text):
    assert re.search(CSV_PATTERN, text)
    domain.parse_csv(text)


@pytest.mark.parametrize("text", ["{}", "a\r\n", '""\n1', " , \n1", "\na\n1", "a"])
def test_a_csv_the_document_refuses_is_refused(text):
    assert not re.search(CSV_PATTERN, text)
    with pytest.raises(Malformed):
        domain.parse_csv(text)
