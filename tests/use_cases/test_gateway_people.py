"""The gateway's directory of people, local accounts, sign-in and portal sessions, on the
in-memory unit of work with a clock the test moves."""
import pyotp
import pytest
from people import ADMIN, EO

from services.gateway import use_cases as uc
from services.gateway.domain.accounts import LOCK_AFTER, SignInRefused
from services.gateway.memory import GatewayMemory
from services.gateway.use_cases.people import PutPerson
from shared.contracts.common import Actor, Role
from shared.contracts.people import PersonIn
from shared.kernel.errors import Forbidden, Invalid, NotFound

ANA = "ana@un.org"
PASSWORD = "correct horse battery"


@pytest.fixture
def gateway(state, clock):
    def make(actor: Actor = ADMIN) -> GatewayMemory:
        return GatewayMemory(state, actor, clock)
    return make


def put(gateway, email=ANA, *roles, name="Ana Lima"):
    roles = roles or ({"role": "focal_point", "entity": "UNHCR"},
                      {"role": "panel_member", "entity": "UNHCR"})
    return uc.put_person(gateway(), PutPerson(email, PersonIn(name=name, roles=list(roles))))


def enrolled(gateway, clock, email=ANA):
    """An enrolled local account: its TOTP secret and its recovery codes."""
    invitation = uc.invite_person(gateway(), email)
    shown = uc.enrolment_for(gateway(), invitation["enrolment_code"])
    totp = pyotp.TOTP(shown["secret"])
    codes = uc.enrol(gateway(), uc.Enrol(invitation["enrolment_code"], PASSWORD,
                                         totp.at(clock.now())))
    clock.advance(seconds=30)  # the next sign-in needs the next code
    return totp, codes


def audits(state, action):
    return [(a["who"], a["detail"]) for a in state.audit_log if a["action"] == action]


# ---- the directory ----

def test_a_person_holds_several_roles_and_the_directory_keeps_them_once(gateway, state):
    answer = put(gateway, "Ana@UN.org", {"role": "focal_point", "entity": "UNHCR"},
                 {"role": "focal_point", "entity": "UNHCR"}, {"role": "auditor"})
    assert answer["created"] and answer["email"] == ANA
    assert [r["role"] for r in answer["roles"]] == ["focal_point", "auditor"]
    assert not put(gateway, ANA, {"role": "auditor"})["created"]
    assert [p["email"] for p in uc.list_people(gateway())] == [ANA]
    assert uc.get_person(gateway(), ANA)["local_account"] == "none"
    assert [a["action"] for a in state.audit_log] == ["put_person", "put_person"]


def test_a_role_of_an_entity_names_it_and_only_admin_keeps_the_directory(gateway):
    with pytest.raises(Invalid) as refused:
        put(gateway, ANA, {"role": "panel_member"})
    assert refused.value.errors[0]["loc"] == ["roles", 0, "entity"]
    with pytest.raises(Invalid):
        put(gateway, "not-an-email", {"role": "auditor"})
    with pytest.raises(Forbidden):
        uc.put_person(gateway(EO), PutPerson(ANA, PersonIn(name="x", roles=[{"role": "auditor"}])))
    with pytest.raises(NotFound):
        uc.delete_person(gateway(), "nobody@un.org")


# ---- local accounts ----

def test_enrolment_sets_a_password_and_a_second_factor_and_shows_recovery_codes_once(
        gateway, state, clock):
    put(gateway)
    invitation = uc.invite_person(gateway(), ANA)
    assert invitation["enrolment_path"].startswith("/enrol/")
    shown = uc.enrolment_for(gateway(), invitation["enrolment_code"])
    assert shown["uri"].startswith("otpauth://totp/EPUN:ana%40un.org?secret=")
    code = invitation["enrolment_code"]
    with pytest.raises(Invalid) as short:
        uc.enrol(gateway(), uc.Enrol(code, "short", "000000"))
    assert short.value.errors[0]["loc"] == ["password"]
    with pytest.raises(Invalid) as wrong:
        uc.enrol(gateway(), uc.Enrol(code, PASSWORD, "000000"))
    assert wrong.value.errors[0]["loc"] == ["code"]
    codes = uc.enrol(gateway(), uc.Enrol(code, PASSWORD,
                                         pyotp.TOTP(shown["secret"]).at(clock.now())))
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = state.collection("accounts")[ANA]
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in repr(stored)
    assert all(c not in repr(stored) for c in codes)
    assert uc.enrolment_for(gateway(), code) is None  # the link is used up
    with pytest.raises(SignInRefused):
        uc.enrol(gateway(), uc.Enrol(code, PASSWORD, "123456"))


def test_an_invitation_expires_after_a_week(gateway, clock):
    put(gateway)
    code = uc.invite_person(gateway(), ANA)["enrolment_code"]
    clock.advance(days=7)
    assert uc.enrolment_for(gateway(), code) is None


def test_a_password_then_a_code_begin_a_session_in_the_person_s_first_role(
        gateway, state, clock):
    put(gateway)
    totp, _ = enrolled(gateway, clock)
    assert uc.sign_in_with_password(gateway(), uc.PasswordSignIn("ANA@un.org ", PASSWORD)) == ANA
    signed_in = uc.sign_in_second_factor(gateway(), uc.SecondFactor(ANA, totp.at(clock.now())))
    assert signed_in.actor == Actor(role=Role.focal_point, entity="UNHCR", label=ANA)
    assert [a.role for a in signed_in.roles] == [Role.focal_point, Role.panel_member]
    session, person = uc.session_actor(gateway(), signed_in.session_id)
    assert session.via == "password" and person.email == ANA
    assert audits(state, "sign_in") == [(ANA, "password and TOTP")]


def test_a_code_is_accepted_once_and_a_recovery_code_once(gateway, state, clock):
    put(gateway)
    totp, codes = enrolled(gateway, clock)
    code = totp.at(clock.now())
    uc.sign_in_second_factor(gateway(), uc.SecondFactor(ANA, code))
    with pytest.raises(SignInRefused) as again:
        uc.sign_in_second_factor(gateway(), uc.SecondFactor(ANA, code))
    assert again.value.reason == "code_reused"
    signed_in = uc.sign_in_second_factor(gateway(), uc.SecondFactor(ANA, codes[0].upper()))
    assert signed_in.recovery_codes_left == 9
    with pytest.raises(SignInRefused):
        uc.sign_in_second_factor(gateway(), uc.SecondFactor(ANA, codes[0]))
    assert audits(state, "sign_in")[-1] == (ANA, "password and recovery code")


def test_failures_lock_the_account_for_longer_each_time_and_are_audited(gateway, state, clock):
    put(gateway)
    totp, _ = enrolled(gateway, clock)
    for _ in range(LOCK_AFTER - 1):
        with pytest.raises(SignInRefused, match="not right"):
            uc.sign_in_with_password(gateway(), uc.PasswordSignIn(ANA, "wrong password!"))
    with pytest.raises(SignInRefused) as locked:
        uc.sign_in_second_factor(gateway(), uc.SecondFactor(ANA, "000000"))
    assert locked.value.reason == "wrong_code" and "locked" in locked.value.detail
    first_lock = locked.value.locked_until - clock.now()
    with pytest.raises(SignInRefused) as still:  # even the right password, while locked
        uc.sign_in_with_password(gateway(), uc.PasswordSignIn(ANA, PASSWORD))
    assert still.value.reason == "locked"
    clock.advance(seconds=first_lock.total_seconds())
    with pytest.raises(SignInRefused) as longer:
        uc.sign_in_with_password(gateway(), uc.PasswordSignIn(ANA, "wrong again!!"))
    assert longer.value.locked_until - clock.now() == 2 * first_lock
    assert state.collection("accounts")[ANA].failures == LOCK_AFTER + 1
    refused = audits(state, "sign_in_refused")
    assert [d for _, d in refused].count("wrong_password") == LOCK_AFTER
    assert ("locked" in [d for _, d in refused]) and all(w == ANA for w, _ in refused)
    clock.advance(seconds=2 * first_lock.total_seconds())
    uc.sign_in_with_password(gateway(), uc.PasswordSignIn(ANA, PASSWORD))
    uc.sign_in_second_factor(gateway(), uc.SecondFactor(ANA, totp.at(clock.now())))
    assert state.collection("accounts")[ANA].failures == 0


def test_an_unknown_e_mail_is_refused_like_a_wrong_password_and_audited(gateway, state):
    with pytest.raises(SignInRefused, match="not right") as refused:
        uc.sign_in_with_password(gateway(), uc.PasswordSignIn("who@un.org", PASSWORD))
    assert refused.value.reason == "unknown_person"
    assert audits(state, "sign_in_refused") == [("who@un.org", "unknown_person")]
    assert state.collection("sessions") == {}


# ---- the identity provider ----

def vouched(email=ANA, nonce="n-1", verified=True):
    return uc.ProviderSignIn(email, verified, nonce, "subject-1")


def test_the_provider_s_verified_e_mail_finds_the_person_once_per_id_token(gateway, state):
    put(gateway)
    signed_in = uc.sign_in_by_provider(gateway(), vouched())
    assert signed_in.actor.label == ANA
    with pytest.raises(SignInRefused) as replayed:
        uc.sign_in_by_provider(gateway(), vouched())
    assert replayed.value.reason == "replayed_id_token"
    with pytest.raises(SignInRefused, match="not in the platform's directory") as unknown:
        uc.sign_in_by_provider(gateway(), vouched("stranger@un.org", "n-2"))
    assert unknown.value.reason == "unknown_person"
    with pytest.raises(SignInRefused):
        uc.sign_in_by_provider(gateway(), vouched(nonce="n-3", verified=False))
    assert len(state.collection("sessions")) == 1 and state.collection("people").keys() == {ANA}
    assert [d for _, d in audits(state, "sign_in_refused")] == [
        "replayed_id_token", "unknown_person", "email_not_verified"]


# ---- sessions ----

def test_a_session_switches_between_the_person_s_roles_only(gateway, state):
    put(gateway)
    session_id = uc.sign_in_by_provider(gateway(), vouched()).session_id
    actor = uc.switch_role(gateway(), session_id, "panel_member:UNHCR")
    assert actor.role == Role.panel_member
    assert uc.session_actor(gateway(), session_id)[0].actor.role == Role.panel_member
    with pytest.raises(Invalid):
        uc.switch_role(gateway(), session_id, "admin")
    assert audits(state, "switch_role") == [(ANA, "panel_member:UNHCR")]


def test_removing_a_person_or_their_role_ends_their_sessions_at_the_next_request(gateway,
                                                                                  clock):
    put(gateway)
    session_id = uc.sign_in_by_provider(gateway(), vouched()).session_id
    uc.switch_role(gateway(), session_id, "panel_member:UNHCR")
    put(gateway, ANA, {"role": "focal_point", "entity": "UNHCR"})  # the Panel role removed
    assert uc.session_actor(gateway(), session_id) is None
    other = uc.sign_in_by_provider(gateway(), vouched(nonce="n-2")).session_id
    assert uc.session_actor(gateway(), other) is not None
    uc.delete_person(gateway(), ANA)
    assert uc.session_actor(gateway(), other) is None


def test_a_session_ends_when_signed_out_or_after_eight_hours(gateway, clock):
    put(gateway)
    first = uc.sign_in_by_provider(gateway(), vouched()).session_id
    uc.end_session(gateway(), first)
    assert uc.session_actor(gateway(), first) is None
    second = uc.sign_in_by_provider(gateway(), vouched(nonce="n-2")).session_id
    clock.advance(seconds=8 * 3600 - 1)
    assert uc.session_actor(gateway(), second) is not None
    clock.advance(seconds=1)
    assert uc.session_actor(gateway(), second) is None
    assert uc.session_actor(gateway(), "never-issued") is None
