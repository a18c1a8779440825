"""Login and logout routes, the forgotten-password and set-password pages (reset links and
invitations), the session's user loader, and the safe `next` redirect."""

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

from ...accounts import account_links, login_sessions, users
from ...accounts import second_factor as second_factor_codes
from ...domain.errors import InvalidInput
from ...domain.text import N_
from ...extensions import login_manager
from ...infra import clock
from ...infra.i18n import LANGUAGES
from ...jobs import queue
from ...models import User
from ...models.account_link import INVITATION
from ...org import lookups
from ..formkit import show_refusal
from ..login_limits import (
    succeeded,
    throttle_failed_codes,
    throttle_failed_logins,
    throttle_reset_request,
)
from .forms import CodeForm, ForgotPasswordForm, LoginForm, NewPasswordForm

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Sessions carry "id:session_token:browser_session". A changed account token (password,
    role, unit, deactivation) ends every session on its next request; logout ends its own."""
    raw_id, _, rest = user_id.partition(":")
    token, _, browser_session = rest.partition(":")
    if not raw_id.isdigit():
        return None
    # Logged out, the account changed or deactivated: a replayed cookie signs nobody in.
    user = login_sessions.signed_in(int(raw_id), token, browser_session)
    if user is None:
        return None
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
        next_page = safe_next(request.args.get("next"))
        if not user.has_second_factor:
            succeeded()
        return after_first_factor(user, bool(form.remember.data), next_page)
    return render_template("auth/login.html", form=form)


PENDING = "second_factor_for"
PENDING_SECONDS = 300


def after_first_factor(user: User, remember: bool, next_page: str | None):
    """The password (or the ministry's sign-in) was right: sign in, or, for an account with
    a second factor, remember only whose code to ask for and ask for it."""
    if not user.has_second_factor:
        return _sign_in(user, remember, next_page)
    _fresh_session()
    session[PENDING] = {
        "user": user.id,
        "token": user.session_token,
        "remember": remember,
        "next": next_page,
        "since": clock.now().timestamp(),
    }
    return redirect(url_for("auth.second_factor"))


def _fresh_session() -> None:
    """A new session (the language chosen before it stays)."""
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language


def _sign_in(user: User, remember: bool, next_page: str | None):
    _fresh_session()
    login_sessions.start(user)
    login_user(user, remember=remember)
    users.record_login(user, "login")
    current_app.logger.info("login of %r from %s", user.username, request.remote_addr)
    return redirect(next_page or url_for("tasks.home"))


def _pending_user() -> User | None:
    """The account whose password was given in this browser in the last five minutes, still
    as it was then (same session token, active)."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    if clock.now().timestamp() - float(pending.get("since", 0)) > PENDING_SECONDS:
        return None
    user = lookups.user_by_id(int(pending.get("user", 0)))
    if user is None or not user.active or user.session_token != pending.get("token"):
        return None
    return user


def _pending_username() -> str:
    user = _pending_user()
    return user.username if user is not None else ""


@bp.route("/login/code", methods=["GET", "POST"])
@throttle_failed_codes(_pending_username)
def second_factor():
    """The second step of a login with a second factor: the authenticator's code, or a
    recovery code."""
    user = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash(_("Log in again: the first step is over or too old."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if not second_factor_codes.verify(user, form.code.data):
            current_app.logger.warning(
                "wrong second-factor code for %r from %s", user.username, request.remote_addr
            )
            flash(_("That code is not right, or it has been used already."), "error")
            return render_template("auth/second_factor.html", form=form), 401
        pending = session.pop(PENDING)
        succeeded()
        return _sign_in(user, bool(pending.get("remember")), safe_next(pending.get("next")))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/second_factor.html", form=form), status


ENROLMENT_EXEMPT = {
    "auth.logout",
    "auth.sso_start",
    "auth.sso_callback",
    "auth.set_language",
    "auth.enrol_second_factor",
    "static",
    "favicon",
}


@bp.before_app_request
def require_enrolment():
    """A person whose role needs a second factor and who has none is sent to set it up
    before any page (the API refuses their token requests instead)."""
    if request.endpoint in ENROLMENT_EXEMPT or request.blueprint in ("api", "health"):
        return None
    if not current_user.is_authenticated or not second_factor_codes.needs_enrolment(current_user):
        return None
    return redirect(url_for("auth.enrol_second_factor"))


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def enrol_second_factor():
    """Set up the second factor: scan the code (or type the secret), confirm with a first
    code, keep the recovery codes shown once."""
    user = current_user
    if user.has_second_factor:
        return render_template(
            "auth/two_factor_on.html", left=second_factor_codes.recovery_codes_left(user)
        )
    secret = second_factor_codes.pending_secret(user)
    form = CodeForm()
    form.code.description = _("The six digits the authenticator app shows now.")
    if form.validate_on_submit():
        codes = second_factor_codes.confirm(user, form.code.data)
        if codes is not None:
            return render_template("auth/recovery_codes.html", codes=codes)
        flash(_("That code is not right: check the phone's clock and try the next one."), "error")
    status = 422 if request.method == "POST" else 200
    enrolment = second_factor_codes.enrolment(user, secret)
    return render_template(
        "auth/enrol_second_factor.html",
        form=form,
        enrolment=enrolment,
        required=second_factor_codes.required_for(user),
    ), status


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """Ask for a link to set a new password. The answer is the same whether or not the
    account exists, and so is its timing: the search and the mail run after the response."""
    if not current_app.config["LOCAL_LOGIN"]:
        abort(404, N_("Passwords are kept by your ministry's directory: ask its administrators."))
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        identifier = form.identifier.data.strip()
        throttle_reset_request(identifier)
        queue.soon(account_links.request_reset, identifier, request.remote_addr or "")
        return render_template("auth/forgot_password.html", form=None)
    status = 422 if request.method == "POST" else 200
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """The page a reset link or an invitation opens: choose the password (once)."""
    link = account_links.open_link(token)
    if link is None:
        return render_template("auth/link_gone.html"), 404
    invitation = link.purpose == INVITATION
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = account_links.set_password_with_link(token, form.password.data)
        except InvalidInput as error:
            show_refusal(form, error)
        else:
            current_app.logger.info("password set by link for %r", user.username)
            if current_user.is_authenticated:
                logout_user()
            flash(_("Your password is set. Log in with it."), "success")
            return redirect(url_for("auth.login"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "auth/set_password.html", form=form, user=link.user, invitation=invitation
    ), status


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
