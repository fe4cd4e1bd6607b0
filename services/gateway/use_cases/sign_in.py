"""Local accounts: enrolment from an invitation, and signing in with a password and then a
second factor (a TOTP code or a recovery code). Failures count on the account (a lockout grows
after a few) and every attempt is an audit entry."""
from dataclasses import dataclass

from ..domain.accounts import SignInRefused, digest, verify_nothing
from .sessions import SignedIn, refuse_sign_in, start_session

GENERIC = "the e-mail address, the password or the code is not right"


@dataclass(frozen=True)
class PasswordSignIn:
    email: str
    password: str


@dataclass(frozen=True)
class SecondFactor:
    email: str
    code: str


@dataclass(frozen=True)
class Enrol:
    code: str
    password: str
    totp_code: str


def enrolment_for(uow, code: str) -> dict | None:
    """What the enrolment page shows for `code` (the secret and its otpauth address), or None
    when the code is not (or no longer) good."""
    account = uow.accounts.by_enrolment(digest(code)) if code else None
    if account is None or not account.invited_by(code, uow.clock.now()):
        return None
    return {"email": account.email, "secret": account.totp_secret,
            "uri": account.provisioning_uri()}


def enrol(uow, command: Enrol) -> list[str]:
    """The account is set up; its recovery codes, shown this once."""
    account = uow.accounts.by_enrolment(digest(command.code)) if command.code else None
    if account is None:
        raise SignInRefused("this enrolment link is not valid or has expired; ask an "
                            "administrator for a new one", "bad_enrolment_code")
    enrolled, codes = account.enrol(command.code, command.password, command.totp_code,
                                    uow.clock.now())
    with uow:
        uow.accounts.save(enrolled, account)
        uow.audit("enrol", f"people/{account.email}", "-", who=account.email,
                  detail="password and TOTP")
        uow.commit()
    return codes


def sign_in_with_password(uow, command: PasswordSignIn) -> str:
    """Step one: the e-mail whose password this is (the second step comes next)."""
    email = command.email.strip().lower()
    account = uow.accounts.get(email) if email else None
    if account is None or uow.people.get(email) is None:
        verify_nothing(command.password)
        refuse_sign_in(uow, email or None, "unknown_person")
        raise SignInRefused(GENERIC, "unknown_person")
    try:
        account.check_password(command.password, uow.clock.now())
    except SignInRefused as refused:
        refuse_sign_in(uow, email, refused.reason, refused.account)
        raise
    return email


def sign_in_second_factor(uow, command: SecondFactor) -> SignedIn:
    """Step two: a session for the person, acting in their first role."""
    email = command.email
    account, person = uow.accounts.get(email), uow.people.get(email)
    if account is None or person is None:
        refuse_sign_in(uow, email, "unknown_person")
        raise SignInRefused(GENERIC, "unknown_person")
    try:
        checked, recovery = account.check_second_factor(command.code, uow.clock.now())
    except SignInRefused as refused:
        refuse_sign_in(uow, email, refused.reason, refused.account)
        raise
    with uow:
        uow.accounts.save(checked, account)
        signed_in = start_session(uow, person, "password",
                                  "password and recovery code" if recovery
                                  else "password and TOTP")
        uow.commit()
    signed_in.recovery_codes_left = len(checked.recovery) if recovery else None
    return signed_in
