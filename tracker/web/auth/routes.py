"""Login and logout routes, the session's user loader, and the safe `next` redirect."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ...accounts import login_sessions, users
from ...domain.text import N_
from ...extensions import login_manager
from ...infra.i18n import LANGUAGES
from ...models import User
from ...org import lookups
from ..login_limits import succeeded, throttle_failed_logins
from .forms import LoginForm

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Sessions carry "id:session_token:browser_session". A changed account token (password,
    role, unit, deactivation) ends every session on its next request; logout ends its own."""
    raw_id, _, rest = user_id.partition(":")
    token, _, browser_session = rest.partition(":")
    if not raw_id.isdigit():
        return None
    user = lookups.user_by_id(int(raw_id))
    if user is None or not token or user.session_token != token or not user.active:
        return None
    if not login_sessions.is_open(user.id, browser_session):
        return None  # logged out: a replayed copy of the cookie signs nobody in
    user.login_session_token = browser_session
    return user


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    decoded = target
    for _round in range(3):  # percent-encoded forms of // or \ are refused too
        decoded = unquote(decoded)
    if not decoded.startswith("/") or decoded.startswith("//") or "\\" in decoded:
        return None
    parts = urlsplit(decoded)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in decoded):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@throttle_failed_logins
def login():
    if current_user.is_authenticated:
        return redirect(url_for("tasks.home"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        user = users.authenticate(username, form.password.data)
        if user is None:
            current_app.logger.warning("login failed for %r from %s", username, request.remote_addr)
            flash(_("Unknown username or wrong password, or the account is inactive."), "error")
            return render_template("auth/login.html", form=form), 401
        succeeded()
        language = session.get("language")
        session.clear()  # a new session on login (the language chosen before it stays)
        if language:
            session["language"] = language
        login_sessions.start(user)
        login_user(user, remember=form.remember.data)
        users.record_login(user, "login")
        current_app.logger.info("login of %r from %s", user.username, request.remote_addr)
        return redirect(safe_next(request.args.get("next")) or url_for("tasks.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    login_sessions.end(current_user.login_session_token)
    language = current_user.language or session.get("language")
    logout_user()
    session.clear()
    if language:
        session["language"] = language
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
def set_language():
    """Switch the language: kept on the account when logged in, in the session before."""
    language = request.form.get("language")
    if language not in LANGUAGES:
        abort(400, N_("Choose vi or en."))
    session["language"] = language
    if current_user.is_authenticated:
        users.set_language(current_user, language)
    return redirect(safe_next(request.form.get("next")) or url_for("tasks.home"))
