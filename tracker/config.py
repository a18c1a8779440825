"""Configuration: safe defaults, overridden from the environment.

Environment variables: DATABASE_URL, SECRET_KEY, TRACKER_ENV (development |
production), TRACKER_TIMEZONE, SESSION_COOKIE_SECURE, DUE_SOON_DAYS,
API_TOKEN_DAYS, INACTIVE_AFTER_DAYS, PASSWORD_RESET_MINUTES, INVITATION_DAYS,
RESET_LIMIT_PER_ACCOUNT, RESET_LIMIT_PER_ADDRESS, MFA_REQUIRED_ROLES, LDAP_URL, LDAP_USER_DN,
LDAP_SEARCH_BASE, LDAP_SEARCH_FILTER, LDAP_BIND_DN, LDAP_BIND_PASSWORD, LDAP_STARTTLS,
LDAP_CA_FILE, LDAP_ROLE_GROUPS, LOCAL_LOGIN, LOCAL_LOGIN_ADMIN, OIDC_ISSUER, OIDC_CLIENT_ID,
OIDC_CLIENT_SECRET, OIDC_USERNAME_CLAIM, OIDC_CREATE_USERS, OIDC_DEFAULT_UNIT, UPLOAD_DIR,
MAX_UPLOAD_MB, MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS, MAIL_USE_SSL,
MAIL_USERNAME, MAIL_PASSWORD, MAIL_FROM, APP_BASE_URL, REMINDER_DAYS_BEFORE,
ESCALATE_AFTER_DAYS, RATELIMIT_STORAGE_URI, LOGIN_LIMIT_PER_ACCOUNT, LOGIN_LIMIT_PER_ADDRESS,
TRUSTED_PROXIES, LOG_LEVEL, DEFAULT_LANGUAGE, TRACKER_INSTANCE_DIR, SESSION_IDLE_MINUTES,
SESSION_MAX_HOURS, AUDIT_SIGNING_KEY, AUDIT_ANCHOR_FILE, LOG_FORMAT, JOBS_BROKER_URL,
EXPORT_DIR, EXPORT_KEEP_DAYS, IMPORT_MAX_ROWS, JOBS_STALE_SECONDS, SCHEDULE_REMINDERS,
SCHEDULE_DIGEST, SCHEDULE_NOTIFICATIONS, SCHEDULE_RECURRING, METRICS_ALLOW_FROM, METRICS_TOKEN,
REPORTS_DATABASE_URL, REPORTS_PRIMARY_SECONDS, UNIT_SEARCH_FROM.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .domain.schedules import parse_schedule

# The package carries its templates, static files, migrations and compiled catalogues, so an
# installed wheel runs on its own. What an installation writes (the SQLite file, the
# development secret key, uploads) goes under INSTANCE_DIR: ./instance of the directory the
# app is started in, or TRACKER_INSTANCE_DIR.
PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
INSTANCE_DIR = Path(os.environ.get("TRACKER_INSTANCE_DIR") or Path.cwd() / "instance").resolve()

# Keys shorter than this, or these well-known placeholders, are refused in production.
MIN_SECRET_KEY_LENGTH = 32
WEAK_SECRET_KEYS = {"dev", "secret", "changeme", "change-me", "development"}


class ConfigError(RuntimeError):
    """The configuration cannot run safely; the message says what to fix."""


def is_weak_secret_key(key: str | None) -> bool:
    """Missing, shorter than MIN_SECRET_KEY_LENGTH, or a well-known placeholder."""
    return not key or len(key) < MIN_SECRET_KEY_LENGTH or key in WEAK_SECRET_KEYS


def _log_format(value: str) -> str:
    chosen = value.strip().lower() or "text"
    if chosen not in ("text", "json"):
        raise ConfigError(f"LOG_FORMAT must be text or json, not {value!r}")
    return chosen


def _psycopg(url: str) -> str:
    """postgres:// and postgresql:// URLs with the psycopg 3 driver SQLAlchemy needs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int_list(value: str) -> list[int]:
    try:
        numbers = sorted({int(part) for part in value.split(",") if part.strip()}, reverse=True)
    except ValueError:
        raise ConfigError(f"expected whole numbers separated by commas, not {value!r}")
    if any(n < 0 for n in numbers):
        raise ConfigError(f"reminder days cannot be negative: {value!r}")
    return numbers


def _schedule(name: str, value: str) -> str:
    """A schedule as written: "HH:MM" (daily; several times separated by commas) or "every N
    minutes". Checked here so that a typo stops the start, not the scheduler at midnight."""
    try:
        parse_schedule(value)
    except ValueError as error:
        raise ConfigError(f"{name}: {error}") from None
    return value.strip()


def _networks(value: str) -> list[IPv4Network | IPv6Network]:
    """Addresses and networks separated by commas ("127.0.0.1, 10.0.0.0/8")."""
    try:
        return [ip_network(part.strip()) for part in value.split(",") if part.strip()]
    except ValueError as error:
        raise ConfigError(f"METRICS_ALLOW_FROM: {error}") from None


def _dev_secret_key() -> str:
    """A per-installation key for development, kept under instance/ so sessions survive restarts."""
    path = INSTANCE_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        path.write_text(key)
        path.chmod(0o600)
        return key


def _roles(value: str) -> tuple[str, ...]:
    from .domain.roles import ROLES

    roles = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        raise ConfigError(
            f"MFA_REQUIRED_ROLES names unknown roles {unknown}; use some of {', '.join(ROLES)}"
        )
    return roles


def _language(value: str) -> str:
    if value not in ("vi", "en"):
        raise ConfigError(f"DEFAULT_LANGUAGE must be vi or en, not {value!r}")
    return value


def load_config(overrides: dict | None = None) -> dict:
    """Build the Flask config from defaults, the environment and explicit overrides."""
    overrides = dict(overrides or {})
    env = os.environ
    tracker_env = overrides.get("TRACKER_ENV") or env.get("TRACKER_ENV", "development")
    if tracker_env not in {"development", "production"}:
        raise ConfigError(f"TRACKER_ENV must be 'development' or 'production', not {tracker_env!r}")
    production = tracker_env == "production"

    database_url = overrides.get("SQLALCHEMY_DATABASE_URI") or env.get("DATABASE_URL")
    if not database_url:
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{INSTANCE_DIR / 'tracker.db'}"
    database_url = _psycopg(database_url)
    reports_url = overrides.get("REPORTS_DATABASE_URL") or env.get("REPORTS_DATABASE_URL")

    secret_key = overrides.get("SECRET_KEY") or env.get("SECRET_KEY")
    if production:
        if is_weak_secret_key(secret_key):
            raise ConfigError(
                "TRACKER_ENV=production needs a strong SECRET_KEY "
                f"(at least {MIN_SECRET_KEY_LENGTH} random characters), "
                'e.g. python -c "import secrets; print(secrets.token_hex(32))"'
            )
    elif not secret_key:
        secret_key = _dev_secret_key()

    timezone_name = overrides.get("TRACKER_TIMEZONE") or env.get(
        "TRACKER_TIMEZONE", "Asia/Ho_Chi_Minh"
    )
    try:
        ZoneInfo(timezone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"TRACKER_TIMEZONE {timezone_name!r} is not a known IANA time zone")

    max_upload_bytes = int(float(env.get("MAX_UPLOAD_MB", "20")) * 1024 * 1024)
    config = {
        "TRACKER_ENV": tracker_env,
        "DEBUG": False,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # Pooled connections are checked before use only after sitting idle
        # (infra/pool_checks.py), not by SQLAlchemy's pool_pre_ping on every request.
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # A streaming replica the reports read from (extensions.RoutingSession); writes, and
        # the reports of a person who has just written something, use the primary.
        "REPORTS_DATABASE_URL": _psycopg(reports_url) if reports_url else None,
        "SQLALCHEMY_BINDS": {"reports": _psycopg(reports_url)} if reports_url else {},
        "REPORTS_PRIMARY_SECONDS": int(env.get("REPORTS_PRIMARY_SECONDS", "10")),
        "TRACKER_TIMEZONE": timezone_name,
        "DUE_SOON_DAYS": int(env.get("DUE_SOON_DAYS", "7")),
        "API_TOKEN_DAYS": int(env.get("API_TOKEN_DAYS", "30")),
        "INACTIVE_AFTER_DAYS": int(env.get("INACTIVE_AFTER_DAYS", "90")),
        # How long a mailed link to set a password works: a reset, an invitation.
        "PASSWORD_RESET_MINUTES": int(env.get("PASSWORD_RESET_MINUTES", "30")),
        # Single sign-on with the ministry's OpenID Connect provider (web/auth/sso.py).
        "OIDC_ISSUER": env.get("OIDC_ISSUER") or None,
        "OIDC_CLIENT_ID": env.get("OIDC_CLIENT_ID") or None,
        "OIDC_CLIENT_SECRET": env.get("OIDC_CLIENT_SECRET") or None,
        "OIDC_USERNAME_CLAIM": env.get("OIDC_USERNAME_CLAIM", "preferred_username"),
        "OIDC_CREATE_USERS": _flag(env.get("OIDC_CREATE_USERS"), False),
        "OIDC_DEFAULT_UNIT": env.get("OIDC_DEFAULT_UNIT") or None,
        # The ministry's directory (accounts/directory.py); unset: passwords are the tracker's.
        "LDAP_URL": env.get("LDAP_URL") or None,
        "LDAP_USER_DN": env.get("LDAP_USER_DN") or None,
        "LDAP_SEARCH_BASE": env.get("LDAP_SEARCH_BASE") or None,
        "LDAP_SEARCH_FILTER": env.get("LDAP_SEARCH_FILTER", "(uid={username})"),
        "LDAP_BIND_DN": env.get("LDAP_BIND_DN") or None,
        "LDAP_BIND_PASSWORD": env.get("LDAP_BIND_PASSWORD") or None,
        "LDAP_STARTTLS": _flag(env.get("LDAP_STARTTLS"), False),
        "LDAP_CA_FILE": env.get("LDAP_CA_FILE") or None,
        "LDAP_ROLE_GROUPS": env.get("LDAP_ROLE_GROUPS", ""),
        # Passwords kept by the tracker: off (0) with single sign-on, except for the one
        # break-glass admin named in LOCAL_LOGIN_ADMIN.
        "LOCAL_LOGIN": _flag(env.get("LOCAL_LOGIN"), True),
        "LOCAL_LOGIN_ADMIN": env.get("LOCAL_LOGIN_ADMIN") or None,
        # The roles that must sign in with a second factor (TOTP); empty: nobody must.
        "MFA_REQUIRED_ROLES": _roles(env.get("MFA_REQUIRED_ROLES", "admin,supervisor,auditor")),
        "INVITATION_DAYS": int(env.get("INVITATION_DAYS", "7")),
        "PER_PAGE": 25,
        "MAX_PER_PAGE": 200,
        # From this many units on, the admin forms' unit choosers offer the units searched
        # for instead of every unit (web/unit_choosers.py).
        "UNIT_SEARCH_FROM": int(env.get("UNIT_SEARCH_FROM", "1000")),
        "UPLOAD_DIR": env.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads")),
        "MAX_UPLOAD_BYTES": max_upload_bytes,
        # The DejaVu fonts PDF reports embed (Debian's fonts-dejavu-core puts them here).
        "PDF_FONT_DIR": env.get("PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu"),
        # A form carrying a file at the limit, plus its other fields, still fits.
        "MAX_CONTENT_LENGTH": max_upload_bytes + 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag(env.get("SESSION_COOKIE_SECURE"), production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _flag(env.get("SESSION_COOKIE_SECURE"), production),
        # A signed-in browser is signed out after this long idle, or this long in all; the
        # remember-me cookie (which only brings back a session still open) lasts 14 days.
        "SESSION_IDLE_MINUTES": int(env.get("SESSION_IDLE_MINUTES", "30")),
        "SESSION_MAX_HOURS": int(env.get("SESSION_MAX_HOURS", "12")),
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        "MAIL_SERVER": env.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _flag(env.get("MAIL_USE_TLS"), False),  # STARTTLS
        "MAIL_USE_SSL": _flag(env.get("MAIL_USE_SSL"), False),  # SMTP over TLS (465)
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_FROM": env.get("MAIL_FROM", "Directive Tracker <tracker@localhost>"),
        "MAIL_TIMEOUT": float(env.get("MAIL_TIMEOUT", "30")),
        "APP_BASE_URL": env.get("APP_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "REMINDER_DAYS_BEFORE": _int_list(env.get("REMINDER_DAYS_BEFORE", "7,1")),
        "ESCALATE_AFTER_DAYS": int(env.get("ESCALATE_AFTER_DAYS", "14")),
        # Failed logins allowed per account and per client address (successes never count).
        "LOGIN_LIMIT_PER_ACCOUNT": env.get("LOGIN_LIMIT_PER_ACCOUNT", "10 per 15 minutes"),
        "LOGIN_LIMIT_PER_ADDRESS": env.get("LOGIN_LIMIT_PER_ADDRESS", "50 per 15 minutes"),
        # Password-reset requests allowed per account named and per client address (each
        # request counts, whether or not the account exists).
        "RESET_LIMIT_PER_ACCOUNT": env.get("RESET_LIMIT_PER_ACCOUNT", "3 per 15 minutes"),
        "RESET_LIMIT_PER_ADDRESS": env.get("RESET_LIMIT_PER_ADDRESS", "20 per 15 minutes"),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        # How many reverse proxies in front of the app set X-Forwarded-For/-Proto (0: none,
        # and then those headers are ignored).
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        # The language of a page when neither the user nor the browser names vi or en.
        "DEFAULT_LANGUAGE": _language(env.get("DEFAULT_LANGUAGE", "en")),
        # The audit chain's anchors outside the database: the Ed25519 key that signs them
        # and the file they are appended to (make it append-only: chattr +a).
        "AUDIT_SIGNING_KEY": env.get(
            "AUDIT_SIGNING_KEY", str(INSTANCE_DIR / "audit-signing-key.pem")
        ),
        "AUDIT_ANCHOR_FILE": env.get(
            "AUDIT_ANCHOR_FILE", str(INSTANCE_DIR / "audit-anchors.jsonl")
        ),
        # text (human-readable lines) or json (one JSON object per line, for a collector).
        "LOG_FORMAT": _log_format(env.get("LOG_FORMAT", "text")),
        # Background jobs: the Celery broker (redis://… or amqp://…); without one, jobs run
        # in a thread of the web process. JOBS_EAGER runs them inside the request (tests).
        "JOBS_BROKER_URL": env.get("JOBS_BROKER_URL") or None,
        "JOBS_EAGER": False,
        # A running job whose progress has not moved for this long lost its worker: it is
        # queued again (by the scheduler, a worker starting, or `flask jobs requeue`).
        "JOBS_STALE_SECONDS": int(env.get("JOBS_STALE_SECONDS", "300")),
        "JOBS_MAX_ATTEMPTS": 3,
        # Finished report files, served to whoever asked (and admins) for EXPORT_KEEP_DAYS.
        "EXPORT_DIR": env.get("EXPORT_DIR", str(INSTANCE_DIR / "exports")),
        "EXPORT_KEEP_DAYS": int(env.get("EXPORT_KEEP_DAYS", "7")),
        # Rows one import from the import page may hold (it runs as a background job; the
        # API's import, inside its request, holds at most 20,000).
        "IMPORT_MAX_ROWS": int(env.get("IMPORT_MAX_ROWS", "200000")),
        # When the scheduler (celery beat) runs the daily work, in TRACKER_TIMEZONE.
        "SCHEDULE_REMINDERS": _schedule(
            "SCHEDULE_REMINDERS", env.get("SCHEDULE_REMINDERS", "07:00")
        ),
        "SCHEDULE_DIGEST": _schedule("SCHEDULE_DIGEST", env.get("SCHEDULE_DIGEST", "07:15")),
        "SCHEDULE_NOTIFICATIONS": _schedule(
            "SCHEDULE_NOTIFICATIONS", env.get("SCHEDULE_NOTIFICATIONS", "every 10 minutes")
        ),
        "SCHEDULE_RECURRING": _schedule(
            "SCHEDULE_RECURRING", env.get("SCHEDULE_RECURRING", "00:30")
        ),
        # Who may read /metrics: these addresses or networks, or a request carrying
        # "Authorization: Bearer METRICS_TOKEN".
        "METRICS_ALLOW_FROM": _networks(env.get("METRICS_ALLOW_FROM", "127.0.0.1,::1")),
        "METRICS_TOKEN": env.get("METRICS_TOKEN") or None,
        "DEMO_ENABLED": not production,
        "DEMO_ACCOUNTS_FILE": str(INSTANCE_DIR / "demo_accounts.txt"),
    }
    config.update(overrides)
    return config
