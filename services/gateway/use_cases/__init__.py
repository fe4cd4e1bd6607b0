"""The gateway's use cases over its own data, `(uow, command) -> result`: the directory of
people, local accounts and signing in, portal sessions, access tokens, and the bookkeeping of
requests sent with an Idempotency-Key."""
from .idempotency import claim_idempotency_key, keep_answer, release_idempotency_key  # noqa: F401
from .people import (delete_person, get_person, invite_person, list_people,  # noqa: F401
                     put_person)
from .sessions import (ProviderSignIn, SignedIn, end_session, refuse_sign_in,  # noqa: F401
                       session_actor, sign_in_by_provider, switch_role)
from .sign_in import (Enrol, PasswordSignIn, SecondFactor, enrol,  # noqa: F401
                      enrolment_for, sign_in_second_factor, sign_in_with_password)
from .tokens import (Credential, actor_for_token, credential_for_token,  # noqa: F401
                     issue_token, list_tokens, revoke_token)
