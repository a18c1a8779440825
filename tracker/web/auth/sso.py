"""Single sign-on with the ministry's OpenID Connect provider (OIDC_ISSUER, OIDC_CLIENT_ID,
OIDC_CLIENT_SECRET), through Authlib's Flask client: the authorization code flow with PKCE
(S256), state and nonce kept in the signed session and checked on return, and the ID token's
signature (the provider's published keys), issuer, audience and expiry verified before any
claim is read. Which account the claims name is accounts.single_sign_on's rule."""

from __future__ import annotations

from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import current_app, request, session, url_for
from flask_babel import gettext as _
from joserfc.errors import JoseError
from requests import RequestException
from werkzeug.exceptions import NotFound

from ...accounts import single_sign_on
from ...domain.text import N_
from ..errors import render_error_page
from .routes import after_first_factor, bp, safe_next

NEXT = "sso_next"


def _client():
    """Authlib's client for the configured provider, made once per configuration (the
    provider's discovery document and keys are fetched when first needed, then kept)."""
    config = current_app.config
    key = (config["OIDC_ISSUER"], config["OIDC_CLIENT_ID"], config["OIDC_CLIENT_SECRET"])
    clients = current_app.extensions.setdefault("tracker_sso", {})
    if key not in clients:
        registry = OAuth(current_app)
        clients[key] = registry.register(
            name="ministry",
            client_id=config["OIDC_CLIENT_ID"],
            client_secret=config["OIDC_CLIENT_SECRET"],
            server_metadata_url=config["OIDC_ISSUER"].rstrip("/")
            + "/.well-known/openid-configuration",
            client_kwargs={"scope": "openid profile email", "code_challenge_method": "S256"},
        )
    return clients[key]


@bp.get("/login/sso")
def sso_start():
    """Send the person to the ministry's provider to sign in."""
    if not single_sign_on.configured():
        raise NotFound()
    session[NEXT] = safe_next(request.args.get("next"))
    try:
        return _client().authorize_redirect(url_for("auth.sso_callback", _external=True))
    except (RequestException, OAuthError, ValueError) as error:
        current_app.logger.error("the sign-in provider cannot be reached: %s", error)
        return _refused(_("The ministry's sign-in service cannot be reached. Try again later."))


@bp.get("/login/sso/callback")
def sso_callback():
    """The provider sends the person back with a code: exchange it, verify the ID token,
    and sign in the account it names."""
    if not single_sign_on.configured():
        raise NotFound()
    try:
        token = _client().authorize_access_token()
    except (OAuthError, JoseError, RequestException, ValueError, KeyError) as error:
        current_app.logger.warning("single sign-on refused: %r", error)
        return _refused(_("The sign-in with the ministry's account could not be verified."))
    claims = token.get("userinfo") or {}
    outcome = single_sign_on.account_for(dict(claims))
    if outcome.kind == single_sign_on.WAITING:
        return _refused(
            _("Your account was made and waits for an administrator to place and activate it.")
        )
    if outcome.kind != single_sign_on.SIGNED_IN or outcome.user is None:
        return _refused(_("The tracker has no active account for you. Ask an administrator."))
    return after_first_factor(outcome.user, False, session.pop(NEXT, None))


def _refused(message: str):
    """The sign-in did not happen: say why, with the way back to the login page."""
    return render_error_page(403, N_("Not signed in"), message)
