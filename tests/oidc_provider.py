"""A small OpenID Connect provider for the tests, built from authlib's server components: a real
issuer with an RSA key, a discovery document, a JWKS, an authorization endpoint with a sign-in
form, and a token endpoint (the authorization code grant with PKCE and a nonce). It runs as its
own process (`python tests/oidc_provider.py --port N --people people.json`), so the gateway
talks to it over HTTP as it would to the organisation's provider.

It can be told to misbehave (`POST /_test/mode {"mode": ...}`), so the tests see the gateway
refuse what a forged or broken provider would send: `bad_signature` signs ID tokens with a key
it does not publish, `wrong_audience` names another client, `expired` issues tokens that have
expired, `wrong_issuer` names another issuer; `normal` behaves again.
"""
import argparse
import json
import secrets
import time
from dataclasses import dataclass, field

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.models import AuthorizationCodeMixin
from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey
from markupsafe import escape

KID = "test-key-1"
MODES = ("normal", "bad_signature", "wrong_audience", "expired", "wrong_issuer")


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        return " ".join(s for s in (scope or "").split() if s in ("openid", "email", "profile"))

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    email: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time


def build(issuer: str, client: Client, people: dict) -> Flask:
    """The provider's app. `people`: e-mail -> {password, email_verified?}."""
    app = Flask(__name__)
    key = RSAKey.generate_key(2048, parameters={"kid": KID, "use": "sig", "alg": "RS256"})
    impostor = RSAKey.generate_key(2048, parameters={"kid": KID, "alg": "RS256"})
    state = {"mode": "normal", "codes": {}}

    class Grant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

        def save_authorization_code(self, code, req):
            state["codes"][code] = Code(
                code, req.client.client_id, req.payload.redirect_uri, req.payload.scope,
                req.user, req.payload.data.get("nonce"),
                req.payload.data.get("code_challenge"),
                req.payload.data.get("code_challenge_method"))

        def query_authorization_code(self, code, client_):
            found = state["codes"].get(code)
            return found if found and found.client_id == client_.client_id else None

        def delete_authorization_code(self, authorization_code):
            state["codes"].pop(authorization_code.code, None)  # a code is redeemed once

        def authenticate_user(self, authorization_code):
            return authorization_code.email

    class OpenID(OpenIDCode):
        def exists_nonce(self, nonce, req):
            return any(c.nonce == nonce for c in state["codes"].values())

        def resolve_client_private_key(self, client_):
            return impostor if state["mode"] == "bad_signature" else key

        def get_client_algorithm(self, client_):
            return "RS256"

        def get_encode_header(self, client_):
            return {"alg": "RS256", "kid": KID}

        def get_client_claims(self, client_):
            now, mode = int(time.time()), state["mode"]
            claims = {"iss": issuer if mode != "wrong_issuer" else issuer + "/elsewhere",
                      "aud": [client_.client_id if mode != "wrong_audience" else "another-app"],
                      "iat": now, "exp": now + 300}
            if mode == "expired":
                claims.update(iat=now - 3600, exp=now - 1800)
            return claims

        def generate_user_info(self, email, scope):
            person = people[email]
            return UserInfo(sub=f"sub-{email}", email=email,
                            email_verified=person.get("email_verified", True),
                            name=person.get("name", email))

    server = AuthorizationServer(app, query_client=lambda cid: client
                                 if cid == client.client_id else None,
                                 save_token=lambda token, req: None)
    server.register_grant(Grant, [OpenID(require_nonce=True), CodeChallenge(required=True)])

    @app.get("/.well-known/openid-configuration")
    def discovery():
        return jsonify({
            "issuer": issuer, "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token", "jwks_uri": f"{issuer}/jwks",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                      "client_secret_post"]})

    @app.get("/jwks")
    def jwks():
        return jsonify({"keys": [key.as_dict(private=False)]})

    @app.route("/authorize", methods=["GET", "POST"])
    def authorize():
        if request.method == "GET":
            try:
                server.get_consent_grant(end_user=None)
            except Exception as exc:  # a bad request is shown, never redirected
                return f"<p id=error>{escape(str(exc))}</p>", 400
            return SIGN_IN_FORM.format(query=escape(request.query_string.decode()), error="")
        email = (request.form.get("email") or "").strip().lower()
        person = people.get(email)
        if person is None or not secrets.compare_digest(request.form.get("password") or "",
                                                         person["password"]):
            return SIGN_IN_FORM.format(query=escape(request.query_string.decode()),
                                       error="<p id=error>Wrong e-mail or password.</p>"), 401
        return server.create_authorization_response(grant_user=email)

    @app.post("/token")
    def token():
        return server.create_token_response()

    @app.post("/_test/mode")
    def mode():
        chosen = (request.get_json(silent=True) or {}).get("mode")
        if chosen not in MODES:
            return jsonify({"error": f"mode is one of {MODES}"}), 422
        state["mode"] = chosen
        return jsonify({"mode": chosen})

    @app.post("/_test/people")
    def add_person():
        body = request.get_json(silent=True) or {}
        people[body["email"].lower()] = body
        return jsonify({"people": sorted(people)})

    return app


SIGN_IN_FORM = """<!doctype html><html lang=en><title>Test identity provider</title>
<h1>Test identity provider</h1>{error}
<form method=post action="/authorize?{query}">
<label for=email>E-mail</label> <input id=email name=email type=email>
<label for=password>Password</label> <input id=password name=password type=password>
<button type=submit>Sign in at the provider</button></form>"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--client-id", default="epun-portal")
    parser.add_argument("--client-secret", default="epun-portal-secret")
    parser.add_argument("--redirect-uri", action="append", required=True)
    parser.add_argument("--people", help="a JSON file: e-mail -> {password, email_verified}")
    args = parser.parse_args()
    people = json.loads(open(args.people).read()) if args.people else {}
    issuer = f"http://127.0.0.1:{args.port}"
    app = build(issuer, Client(args.client_id, args.client_secret, args.redirect_uri), people)
    app.run(host="127.0.0.1", port=args.port, threaded=True)


if __name__ == "__main__":
    main()
