"""The keys that seal financial disclosure statements (AES-256-GCM).

`FDP_KEYS` is `id:key[,id:key...]`, newest first; a key is the URL-safe base64 form of 32
random bytes. New statements are sealed with the newest key; every sealed statement records
its key id, so older keys keep opening older statements until a rotation re-seals them.
"""
import base64
import binascii
import datetime as dt
import json
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .domain import Draft, Statement

KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
HOW = ("set FDP_KEYS to id:key[,id:key...] (newest first; key = URL-safe base64 of 32 random "
       "bytes, e.g. python -c \"import secrets; print('k1:' + secrets.token_urlsafe(32))\"); "
       "'epun up' generates a development key under .epun/ when none is configured")


class KeyringError(RuntimeError):
    pass


class Keyring:
    def __init__(self, keys: list[tuple[str, bytes]]):
        self.keys = dict(keys)
        self.newest = keys[0][0]

    @classmethod
    def from_setting(cls, setting) -> "Keyring":
        """The keyring of `FDP_KEYS`; a clear KeyringError when it is missing or malformed."""
        if not setting or not str(setting).strip():
            raise KeyringError("the disclosure service cannot start: FDP_KEYS is not set, and "
                               f"statements are encrypted at rest; {HOW}")
        keys: list[tuple[str, bytes]] = []
        for position, part in enumerate(str(setting).split(","), start=1):
            key_id, sep, encoded = part.strip().partition(":")
            if not sep or not KEY_ID.match(key_id):
                raise KeyringError(f"FDP_KEYS entry {position} is not id:key; {HOW}")
            if key_id in dict(keys):
                raise KeyringError(f"FDP_KEYS names key {key_id} twice")
            keys.append((key_id, _decode(key_id, encoded)))
        return cls(keys)

    def seal(self, plaintext: bytes, context: bytes) -> dict:
        """`plaintext` encrypted with the newest key, bound to `context` (associated data)."""
        nonce = os.urandom(12)
        ciphertext = AESGCM(self.keys[self.newest]).encrypt(nonce, plaintext, context)
        return {"key_id": self.newest, "nonce": nonce, "ciphertext": ciphertext}

    def open(self, sealed: dict, context: bytes) -> bytes:
        key = self.keys.get(sealed["key_id"])
        if key is None:
            raise KeyringError(f"statement sealed with key {sealed['key_id']}, which FDP_KEYS "
                               "no longer holds")
        try:
            return AESGCM(key).decrypt(bytes(sealed["nonce"]), bytes(sealed["ciphertext"]),
                                       context)
        except InvalidTag:
            raise KeyringError("a sealed statement failed its integrity check (wrong key, or "
                               "moved to another filer or cycle)")

    def reseal(self, sealed: dict, context: bytes) -> dict:
        return self.seal(self.open(sealed, context), context)


def _decode(key_id: str, encoded: str) -> bytes:
    encoded = encoded.strip()
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), altchars=b"-_",
                               validate=True)
    except (binascii.Error, ValueError):
        raise KeyringError(f"FDP_KEYS key {key_id} is not URL-safe base64; {HOW}")
    if len(key) != 32:
        raise KeyringError(f"FDP_KEYS key {key_id} is {len(key)} bytes; it must be 32 "
                           "(AES-256)")
    return key


def statement_context(year: int, staff_id: str) -> bytes:
    """The associated data that binds a sealed statement to its cycle and filer."""
    return f"epun-fdp-statement|{year}|{staff_id}".encode()



def seal_statement(keyring: Keyring, statement: Statement) -> dict:
    """A filed statement as stored: who filed when, and its contents sealed for its cycle and
    filer (`key_id`, `nonce`, `ciphertext`)."""
    plaintext = json.dumps(statement.contents, separators=(",", ":")).encode()
    return {"year": statement.year, "staff_id": statement.staff_id,
            "entity": statement.entity, "filed_on": statement.filed_on.isoformat(),
            **keyring.seal(plaintext, statement_context(statement.year, statement.staff_id))}


def open_statement(keyring: Keyring, sealed: dict) -> Statement:
    year, staff_id = sealed["year"], sealed["staff_id"]
    contents = json.loads(keyring.open(sealed, statement_context(year, staff_id)))
    return Statement(year, staff_id, sealed["entity"], dt.date.fromisoformat(sealed["filed_on"]),
                     contents)


def reseal_statement(keyring: Keyring, sealed: dict) -> dict:
    """`{key_id, nonce, ciphertext}` of a stored statement sealed again with the newest key."""
    return keyring.reseal(sealed, statement_context(sealed["year"], sealed["staff_id"]))


def draft_context(year: int, staff_id: str) -> bytes:
    return f"epun-fdp-draft|{year}|{staff_id}".encode()


def seal_draft(keyring: Keyring, draft: Draft) -> dict:
    """A draft as stored: whose, saved when, and its contents sealed like a statement's."""
    plaintext = json.dumps(draft.contents, separators=(",", ":")).encode()
    return {"year": draft.year, "staff_id": draft.staff_id, "entity": draft.entity,
            "saved_on": draft.saved_on.isoformat() if draft.saved_on else None,
            "prefilled_from": draft.prefilled_from,
            **keyring.seal(plaintext, draft_context(draft.year, draft.staff_id))}


def reseal_draft(keyring: Keyring, sealed: dict) -> dict:
    """`{key_id, nonce, ciphertext}` of a stored draft sealed again with the newest key."""
    return keyring.reseal(sealed, draft_context(sealed["year"], sealed["staff_id"]))


def open_draft(keyring: Keyring, sealed: dict) -> Draft:
    year, staff_id = sealed["year"], sealed["staff_id"]
    contents = json.loads(keyring.open(sealed, draft_context(year, staff_id)))
    saved_on = sealed.get("saved_on")
    return Draft(year, staff_id, sealed["entity"],
                 dt.date.fromisoformat(saved_on) if saved_on else None, contents,
                 sealed.get("prefilled_from"))
