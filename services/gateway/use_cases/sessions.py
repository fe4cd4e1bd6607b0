"""Portal sessions: begun by a sign-in (the identity provider's, or a local account's second
step), read again on every request with the person they belong to, switched between the
person's roles, ended. Every sign-in and every refusal is an audit entry."""
import secrets
from dataclasses import dataclass, field

from shared.contracts.common import Actor
from shared.kernel.errors import Forbidden, StaleState

from ..domain.accounts import SignInRefused
from ..domain.people import Person
from ..domain.sessions import PortalSession

UNKNOWN_PERSON = ("{email} is not in the platform's directory of people: ask the Ethics "
                  "Office's administrator to add you")


@dataclass(frozen=True)
class ProviderSignIn:
    """What a verified ID token says (its signature, issuer, audience, expiry and nonce were
    checked before this)."""
    email: str | None
    email_verified: bool
    nonce: str
    subject: str


@dataclass
class SignedIn:
    """A new session: its id goes into the visitor's cookie; the person acts as `actor`."""
    session_id: str
    actor: Actor
    roles: list[Actor] = field(default_factory=list)
    recovery_codes_left: int | None = None


def start_session(uow, person: Person, via: str, detail: str) -> SignedIn:
    """Inside the caller's unit of work (it commits): the session and its audit entry."""
    session_id, actor = secrets.token_urlsafe(32), person.actor()
    uow.sessions.add(PortalSession.start(session_id, actor, via, uow.clock.now()))
    uow.audit("sign_in", f"people/{person.email}", person.entity, who=person.email,
              detail=detail)
    return SignedIn(session_id, actor, person.actors)


def refuse_sign_in(uow, email: str | None, reason: str, account=None):
    """Audit a refused sign-in (and keep the account with its failure counted)."""
    with uow:
        if account is not None:
            uow.accounts.save(account, account)
        uow.audit("sign_in_refused", f"people/{email or 'unknown'}", "-",
                  who=email or "unknown", detail=reason)
        uow.commit()


def sign_in_by_provider(uow, claims: ProviderSignIn) -> SignedIn:
    """The person the identity provider vouches for, found by the verified e-mail claim; an
    unknown person is refused (no account is made), and an ID token seen before (its nonce
    used) is a replay."""
    email = (claims.email or "").strip().lower() or None
    if email is None or not claims.email_verified:
        refuse_sign_in(uow, email, "email_not_verified")
        raise SignInRefused("the identity provider did not vouch for an e-mail address",
                            "email_not_verified")
    try:
        with uow:
            if uow.nonces.used(claims.nonce):
                raise StaleState("replayed")
            person = uow.people.get(email)
            if person is None:
                raise SignInRefused(UNKNOWN_PERSON.format(email=email), "unknown_person")
            uow.nonces.use(claims.nonce, uow.clock.now())
            signed_in = start_session(uow, person, "oidc", f"identity provider ({claims.subject})")
            uow.commit()
        return signed_in
    except StaleState:
        refuse_sign_in(uow, email, "replayed_id_token")
        raise SignInRefused("this sign-in was used already: start again", "replayed_id_token")
    except SignInRefused as refused:
        refuse_sign_in(uow, email, refused.reason)
        raise


def session_actor(uow, session_id: str | None) -> tuple[PortalSession, Person] | None:
    """The live session of `session_id` and its person, when the person still holds the role
    the session acts in; None otherwise (the visitor is signed out)."""
    if not session_id:
        return None
    session = uow.sessions.get(session_id)
    if session is None or not session.live(uow.clock.now()):
        return None
    person = uow.people.get(session.email)
    if person is None or not person.holds(session.actor):
        return None
    return session, person


def switch_role(uow, session_id: str, key: str) -> Actor:
    """The session acts in another of its person's roles (`Grant.key`) from now on."""
    found = session_actor(uow, session_id)
    if found is None:
        raise Forbidden("this session has ended")
    session, person = found
    actor = person.actor(key)
    with uow:
        uow.sessions.save(session.acting_as(actor))
        uow.audit("switch_role", f"people/{person.email}", actor.entity or person.entity,
                  who=person.email, detail=key)
        uow.commit()
    return actor


def end_session(uow, session_id: str | None):
    session = uow.sessions.get(session_id) if session_id else None
    if session is None or session.ended_at is not None:
        return
    with uow:
        uow.sessions.save(session.end(uow.clock.now()))
        uow.audit("sign_out", f"people/{session.email}", "-", who=session.email)
        uow.commit()
