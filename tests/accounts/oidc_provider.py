"""A real OpenID Connect provider for the single sign-on tests, built from Authlib's server
classes (authorization code grant, OpenID Connect's code flow, PKCE required) and served by
a WSGI server on a port of its own: discovery document, JWKS, authorize and token endpoints,
ID tokens signed with RS256.

Who is signed in at the provider is set by the test (`provider.person`); the authorize
endpoint then approves at once, as a provider does for someone already signed in. A test
may also make the provider misbehave: sign with another key, name another issuer or
audience, or issue tokens already expired.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
import time
from dataclasses import dataclass, field

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, OAuth2Error, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.models import AuthorizationCodeMixin
from flask import Flask, jsonify
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server

from ..served import free_port


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uri: str

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uri

    def get_allowed_scope(self, scope):
        return " ".join(s for s in scope.split() if s in ("openid", "profile", "email"))

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri == self.redirect_uri

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
    person: dict
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


class Provider:
    """The provider's state, and the Flask app that serves it."""

    def __init__(self, redirect_uri: str):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.client = Client("tracker-bo", secrets.token_urlsafe(24), redirect_uri)
        self.key = RSAKey.generate_key(2048, parameters={"kid": "khoa-1"}, private=True)
        self.wrong_key = RSAKey.generate_key(2048, parameters={"kid": "khoa-1"}, private=True)
        self.codes: dict[str, Code] = {}
        self.person: dict | None = None  # the claims of who is signed in at the provider
        self.misbehave: dict = {}  # "key", "iss", "aud", "exp": what to get wrong
        self.app = self._app()

    def _jwt_config(self) -> dict:
        return {
            "key": self.wrong_key if self.misbehave.get("key") else self.key,
            "alg": "RS256",
            "iss": self.misbehave.get("iss", self.issuer),
            "exp": self.misbehave.get("exp", 3600),
        }

    def _app(self) -> Flask:
        provider = self
        app = Flask("fournisseur")
        server = AuthorizationServer(
            app,
            query_client=lambda client_id: (
                provider.client if client_id == provider.client.client_id else None
            ),
            save_token=lambda token, request: None,
        )

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, request):
                payload = request.payload
                provider.codes[code] = Code(
                    code=code,
                    client_id=request.client.client_id,
                    redirect_uri=payload.redirect_uri,
                    scope=payload.scope,
                    person=request.user,
                    nonce=payload.data.get("nonce"),
                    code_challenge=payload.data.get("code_challenge"),
                    code_challenge_method=payload.data.get("code_challenge_method"),
                )

            def query_authorization_code(self, code, client):
                found = provider.codes.get(code)
                return found if found and found.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.person

        class Connect(OpenIDCode):
            def exists_nonce(self, nonce, request):
                return any(code.nonce == nonce for code in provider.codes.values())

            def resolve_client_private_key(self, client):
                return provider._jwt_config()["key"]

            def get_client_claims(self, client):
                config = provider._jwt_config()
                return {
                    "iss": config["iss"],
                    "aud": [provider.misbehave.get("aud", client.get_client_id())],
                    "exp": int(time.time()) + config["exp"],
                }

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": "khoa-1"}

            def generate_user_info(self, user, scope):
                return UserInfo(**user)

        server.register_grant(
            CodeGrant, [Connect(require_nonce=True), CodeChallenge(required=True)]
        )

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify(
                {
                    "issuer": provider.issuer,
                    "authorization_endpoint": f"{provider.issuer}/authorize",
                    "token_endpoint": f"{provider.issuer}/token",
                    "jwks_uri": f"{provider.issuer}/jwks",
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "code_challenge_methods_supported": ["S256"],
                    "token_endpoint_auth_methods_supported": [
                        "client_secret_basic",
                        "client_secret_post",
                    ],
                }
            )

        @app.get("/jwks")
        def jwks():
            return jsonify(KeySet([provider.key]).as_dict(private=False))

        @app.get("/authorize")
        def authorize():
            if provider.person is None:
                return "nobody is signed in at the provider", 401
            user = dict(provider.person)
            try:
                grant = server.get_consent_grant(end_user=user)
            except OAuth2Error as error:
                return server.handle_error_response(None, error)
            return server.create_authorization_response(grant_user=user, grant=grant)

        @app.post("/token")
        def token():
            return server.create_token_response()

        return app


@contextlib.contextmanager
def running(redirect_uri: str):
    provider = Provider(redirect_uri)
    server = make_server("127.0.0.1", provider.port, provider.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
