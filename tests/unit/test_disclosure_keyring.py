"""The statement keys: a clear refusal without them, sealing bound to the filer, rotation."""
import secrets

import pytest

from services.disclosure.keyring import Keyring, KeyringError, statement_context


def key(key_id: str) -> str:
    return f"{key_id}:{secrets.token_urlsafe(32)}"


@pytest.mark.parametrize("setting,says", [
    (None, "FDP_KEYS is not set"), ("", "FDP_KEYS is not set"), ("  ", "FDP_KEYS is not set"),
    ("nokey", "not id:key"), ("k1:c2hvcnQ", "5 bytes; it must be 32"), ("k1:!!!", "base64"),
    ("k1:" + "A" * 43 + ",k1:" + "B" * 43, "twice"),
])
def test_a_missing_or_malformed_setting_is_refused_with_a_clear_message(setting, says):
    with pytest.raises(KeyringError, match=says):
        Keyring.from_setting(setting)


def test_a_sealed_statement_opens_only_for_its_cycle_and_filer():
    ring = Keyring.from_setting(key("k1"))
    sealed = ring.seal(b"shares in Acme", statement_context(2014, "S1"))
    assert b"Acme" not in sealed["ciphertext"] and sealed["key_id"] == "k1"
    assert ring.open(sealed, statement_context(2014, "S1")) == b"shares in Acme"
    with pytest.raises(KeyringError, match="integrity"):
        ring.open(sealed, statement_context(2014, "S2"))
    with pytest.raises(KeyringError, match="integrity"):
        ring.open(sealed, statement_context(2015, "S1"))


def test_rotation_reseals_with_the_newest_key_and_old_keys_still_open():
    old = key("k1")
    before = Keyring.from_setting(old)
    sealed = before.seal(b"a house", statement_context(2014, "S1"))
    after = Keyring.from_setting(f"{key('k2')},{old}")
    assert after.newest == "k2"
    assert after.open(sealed, statement_context(2014, "S1")) == b"a house"
    resealed = after.reseal(sealed, statement_context(2014, "S1"))
    assert resealed["key_id"] == "k2"
    assert Keyring.from_setting(key("k3")).keys.keys().isdisjoint({"k1", "k2"})
    with pytest.raises(KeyringError, match="no longer holds"):
        Keyring.from_setting(key("k3")).open(resealed, statement_context(2014, "S1"))


def test_the_development_key_format_of_epun_up_is_accepted():
    ring = Keyring.from_setting("k1:" + secrets.token_urlsafe(32))
    assert ring.newest == "k1" and len(ring.keys["k1"]) == 32
