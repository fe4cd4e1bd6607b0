"""Local accounts, for where the organisation's identity provider is not configured: a password
(hashed with Argon2id, memory-hard) and a second factor (TOTP, RFC 6238), with single-use
recovery codes, and a lockout that grows with each failure after a few.

An administrator invites a person: the invitation is a one-time enrolment code, good for a week,
and a TOTP secret waiting to be confirmed. The person chooses a password, scans the secret's QR
code and confirms with a first code; the recovery codes are shown then, once.
"""
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field, replace

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shared.kernel.errors import Invalid, Unauthenticated

HASHER = PasswordHasher()  # Argon2id with the library's recommended costs
ENROLMENT_DAYS = 7
PASSWORD_MIN = 12
STEP_SECONDS = 30  # one TOTP code a step
LOCK_AFTER = 5     # failures in a row before the first lockout
LOCK_FIRST = dt.timedelta(minutes=1)
LOCK_LONGEST = dt.timedelta(hours=1)
RECOVERY_CODES = 10
ISSUER = "EPUN"
_DUMMY = HASHER.hash("a password that is never anyone's")


class SignInRefused(Unauthenticated):
    """A sign-in that does not succeed; `reason` says why, in one word, for the audit log;
    `account`, when the attempt counted as a failure, is the account with it counted (for the
    caller to keep)."""

    def __init__(self, detail: str, reason: str, locked_until: dt.datetime | None = None,
                 account: "LocalAccount | None" = None):
        super().__init__(detail)
        self.reason, self.locked_until, self.account = reason, locked_until, account


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def lock_for(failures: int) -> dt.timedelta:
    """How long an account stays locked after `failures` failures in a row: nothing before
    LOCK_AFTER, then a minute, doubling with each further failure, at most an hour."""
    if failures < LOCK_AFTER:
        return dt.timedelta(0)
    return min(LOCK_FIRST * 2 ** (failures - LOCK_AFTER), LOCK_LONGEST)


RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # nothing that reads as another


def new_recovery_code() -> str:
    """`xxxx-xxxx-xxxx`: 12 random characters (about 59 bits), to be typed from paper."""
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def password_problems(password: str, email: str) -> list[str]:
    if len(password) < PASSWORD_MIN:
        return [f"a password has at least {PASSWORD_MIN} characters"]
    if email.split("@")[0] in password.lower():
        return ["a password must not contain the e-mail address"]
    return []


def time_step(at: dt.datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


@dataclass
class LocalAccount:
    email: str
    totp_secret: str
    password_hash: str | None = None
    enrolled: bool = False
    enrolment_digest: str | None = None
    enrolment_expires: dt.datetime | None = None
    recovery: list[str] = field(default_factory=list)  # digests of the unused codes
    failures: int = 0
    locked_until: dt.datetime | None = None
    last_step: int = 0  # the TOTP step last accepted: a code is never accepted twice
    version: int = 0

    # ---- invitation and enrolment ----

    @classmethod
    def invite(cls, email: str, code: str, now: dt.datetime,
               before: "LocalAccount | None" = None) -> "LocalAccount":
        """A fresh account waiting for `code`; inviting again resets the password, the second
        factor and the recovery codes."""
        return cls(email, pyotp.random_base32(), enrolment_digest=digest(code),
                   enrolment_expires=now + dt.timedelta(days=ENROLMENT_DAYS),
                   version=before.version if before else 0)

    def invited_by(self, code: str, now: dt.datetime) -> bool:
        return (self.enrolment_digest is not None and self.enrolment_expires is not None
                and hmac.compare_digest(self.enrolment_digest, digest(code))
                and now < self.enrolment_expires)

    def provisioning_uri(self) -> str:
        """The otpauth:// address an authenticator app reads from the QR code."""
        return pyotp.TOTP(self.totp_secret).provisioning_uri(name=self.email,
                                                             issuer_name=ISSUER)

    def enrol(self, code: str, password: str, totp_code: str,
              now: dt.datetime) -> tuple["LocalAccount", list[str]]:
        """The enrolled account and its recovery codes (shown this once); Invalid naming the
        field at fault, or SignInRefused when the enrolment code is not (or no longer) good."""
        if not self.invited_by(code, now):
            raise SignInRefused("this enrolment link is not valid or has expired; ask an "
                                "administrator for a new one", "bad_enrolment_code")
        for msg in password_problems(password, self.email):
            raise Invalid.field("password", msg)
        step = self._matching_step(totp_code, now)
        if step is None:
            raise Invalid.field("code", "this code is not the one the authenticator shows "
                                        "now; check the phone's clock and try again")
        codes = [new_recovery_code() for _ in range(RECOVERY_CODES)]
        enrolled = replace(self, password_hash=HASHER.hash(password), enrolled=True,
                           enrolment_digest=None, enrolment_expires=None,
                           recovery=[digest(c) for c in codes], failures=0, locked_until=None,
                           last_step=step)
        return enrolled, codes

    # ---- signing in ----

    def locked(self, now: dt.datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def check_password(self, password: str, now: dt.datetime) -> "LocalAccount":
        """Step one; SignInRefused when the account is locked, not enrolled, or the password
        is wrong (that failure counted in the refusal's `account`)."""
        self._refuse_if_locked(now)
        if not self.enrolled or self.password_hash is None:
            verify_nothing(password)
            raise SignInRefused("this account has not been set up yet: use the enrolment "
                                "link an administrator sent", "not_enrolled")
        try:
            HASHER.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise self._failure(now, "wrong_password")
        return self

    def check_second_factor(self, code: str, now: dt.datetime) -> tuple["LocalAccount", bool]:
        """Step two: the account with this success recorded, and whether a recovery code was
        used; SignInRefused (with the failure counted) otherwise."""
        self._refuse_if_locked(now)
        code = (code or "").strip().lower().replace(" ", "")
        step = self._matching_step(code, now)
        if step is not None and step > self.last_step:
            return replace(self, failures=0, locked_until=None, last_step=step), False
        if step is not None:
            raise self._failure(now, "code_reused")
        used = digest(code)
        if used in self.recovery:
            return replace(self, failures=0, locked_until=None,
                           recovery=[r for r in self.recovery if r != used]), True
        raise self._failure(now, "wrong_code")

    def _matching_step(self, code: str, now: dt.datetime) -> int | None:
        """The time step (now, or one either side for clock drift) whose code is `code`."""
        if not code.isdigit():
            return None
        totp, step = pyotp.TOTP(self.totp_secret), time_step(now)
        for candidate in (step, step - 1, step + 1):
            if hmac.compare_digest(totp.at(candidate * STEP_SECONDS), code):
                return candidate
        return None

    def _refuse_if_locked(self, now: dt.datetime):
        if self.locked(now):
            raise SignInRefused("too many failed attempts: this account is locked for a "
                                "while", "locked", self.locked_until)

    def _failure(self, now: dt.datetime, reason: str) -> SignInRefused:
        failures = self.failures + 1
        until = now + lock_for(failures) if lock_for(failures) else None
        detail = ("too many failed attempts: this account is locked for a while" if until
                  else "the e-mail address, the password or the code is not right")
        return SignInRefused(detail, reason, until, replace(
            self, failures=failures, locked_until=until or self.locked_until))


def verify_nothing(password: str):
    """As long as checking a real password, so timing does not tell which e-mails exist."""
    try:
        HASHER.verify(_DUMMY, password)
    except VerificationError:
        pass


def new_enrolment_code() -> str:
    return secrets.token_urlsafe(24)
