"""Directive Tracker: the application factory.

create_app(config) builds the app in a fixed order: configuration → extensions →
blueprints → error handlers → CLI commands.
"""

from __future__ import annotations

import secrets

from flask import Flask, g, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, PendingRollbackError, SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from .config import INSTANCE_DIR, MIGRATIONS_DIR, load_config
from .domain.text import N_
from .extensions import csrf, db, login_manager, migrate
from .infra import pool_checks  # noqa: F401  (its listeners check idle pooled connections)
from .logs import configure_logging
from .web import login_limits


def _release_session(error: BaseException | None) -> None:
    try:
        db.session.remove()
    except (DBAPIError, PendingRollbackError):
        db.session().invalidate()  # close the dead connection without a rollback
        db.session.remove()


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in routes: ASCII digits (not ١٢ or １２), 0 to 2,147,483,647."""

    regex = r"[0-9]+"

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class BoundedJSONProvider(DefaultJSONProvider):
    """JSON bodies as Flask reads them, except that one nested too deeply for the parser
    (100,000 brackets, sent without a login) is a 400, not a RecursionError."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("the JSON is nested too deeply") from None


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder="templates",
        static_folder="static",
        instance_path=str(INSTANCE_DIR),
    )
    app.json = BoundedJSONProvider(app)
    app.config.update(load_config(config))
    # Ids in URLs fit the databases' 32-bit integer columns; a larger number is a 404, not an
    # overflow deep in the driver.
    app.url_map.converters["int"] = DatabaseIdConverter

    db.init_app(app)
    # Runs before Flask-SQLAlchemy's own teardown (teardowns run in reverse order): a
    # connection lost after the response was made must not turn it into a 500 when the
    # session's final rollback fails; the dead connection is dropped from the pool instead.
    app.teardown_appcontext(_release_session)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    login_limits.init_app(app)
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    configure_logging(app)
    from .web import language

    language.init_app(app)
    from .web import replica

    replica.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Please log in to see this page.")
    login_manager.localize_callback = gettext  # the message in the page's language
    login_manager.login_message_category = "info"

    from . import models  # noqa: F401  registers the models on the metadata
    from .web.admin.routes import bp as admin_bp
    from .web.api import bp as api_bp
    from .web.auth import deputies, sso  # noqa: F401 - their routes join the auth blueprint
    from .web.auth.routes import bp as auth_bp
    from .web.directives.routes import bp as directives_bp
    from .web.health import bp as health_bp
    from .web.jobs.routes import bp as jobs_bp
    from .web.metrics import bp as metrics_bp
    from .web.notifications.routes import bp as notifications_bp
    from .web.public.routes import bp as public_bp
    from .web.reports.routes import bp as reports_bp
    from .web.tasks.giving import bp as giving_bp
    from .web.tasks.routes import bp as tasks_bp

    blueprints = (
        auth_bp,
        tasks_bp,
        giving_bp,
        directives_bp,
        reports_bp,
        admin_bp,
        api_bp,
        public_bp,
        notifications_bp,
        health_bp,
        jobs_bp,
        metrics_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)  # the API authenticates with bearer tokens, never cookies
    # Browsers ask for /favicon.ico whatever the pages say; the icon is one SVG.
    app.add_url_rule("/favicon.ico", "favicon", lambda: app.send_static_file("favicon.svg"))

    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        is_safe = 0 < len(incoming) <= 64 and incoming.replace("-", "").isalnum()
        g.request_id = incoming if is_safe else secrets.token_hex(8)

    from .web.security import refuse_malformed_text, security_headers

    app.before_request(refuse_malformed_text)

    @app.after_request
    def add_headers(response):
        return security_headers(response)

    from .web.flashes import keep_the_last_flashes

    app.after_request(keep_the_last_flashes)

    from .web.errors import register_error_handlers
    from .web.templating import register_template_helpers

    register_error_handlers(app)
    register_template_helpers(app)

    from .cli import register_cli

    register_cli(app)
    if app.config["JOBS_BROKER_URL"]:
        from .jobs.celery_app import make_celery

        app.extensions["celery"] = make_celery(app)
    return app


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def _postgresql_settings(dbapi_connection) -> None:
    """PostgreSQL's JIT compiles each heavy report statement before running it: at 300,000
    tasks it spent 200–300 ms of a 650 ms period-report statement compiling, and no
    statement of the tracker runs long enough to win that back. Set per connection (and
    committed, since SET is undone by a rollback)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("SET jit = off")
    cursor.close()
    dbapi_connection.commit()


@event.listens_for(Engine, "rollback")
def _end_reads_with_commit(connection) -> None:
    """A PostgreSQL transaction that wrote nothing ends with COMMIT instead of the ROLLBACK
    the session sends at the end of every request: psycopg's ROLLBACK also deallocates every
    statement it had prepared on the connection, so no statement of a page was ever
    prepared and PostgreSQL planned each one again (the task page's own statement: 1 ms of
    planning for 0.2 ms of work). Whether the transaction wrote is asked of the database
    (`txid_current_if_assigned()` is null until a transaction writes or locks a row): a
    transaction that did goes on to its ROLLBACK, as before. (A plain SET in a transaction
    that wrote nothing would now outlast it: the tracker sets only SET LOCAL, and its
    connection's settings when it connects.)"""
    if connection.dialect.driver != "psycopg" or connection.invalidated:
        return
    from psycopg import Error
    from psycopg.pq import TransactionStatus

    try:
        dbapi_connection = connection.connection.dbapi_connection
    except SQLAlchemyError:  # a connection lost or waiting for its rollback: leave it to it
        return
    if dbapi_connection.info.transaction_status != TransactionStatus.INTRANS:
        return
    try:
        cursor = dbapi_connection.execute("SELECT txid_current_if_assigned() IS NULL")
        if cursor.fetchone()[0]:
            dbapi_connection.commit()
    except Error:
        # The connection went (a database restart): the ROLLBACK that follows finds it gone
        # and the session drops it, as for any request; nothing had been written.
        return


@event.listens_for(Engine, "connect")
def _connection_settings(dbapi_connection, connection_record) -> None:
    """SQLite enforces foreign keys only when asked, per connection; WAL lets readers run
    beside a writer, and the busy timeout makes writers queue instead of failing. SQLite's
    own lower() folds ASCII letters only ("Đ" stays "Đ"): it is replaced by Python's, as
    PostgreSQL's folds every letter, so "đỗ" finds the account "Đỗ" on both."""
    module = type(dbapi_connection).__module__
    if module.startswith("psycopg"):
        _postgresql_settings(dbapi_connection)
    if not module.startswith("sqlite3"):
        return
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
