"""Alembic environment: the only way the schema changes.

Run through Flask-Migrate (`flask --app app db upgrade`), which provides the app's engine, or
by pytest-alembic, which passes a connection in `config.attributes["connection"]`.
"""

import logging
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

import tracker.models  # noqa: F401  registers every table on the metadata
from tracker.extensions import db

config = context.config
if config.config_file_name is not None and not config.attributes.get("connection"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")
target_metadata = db.metadata

CONFIGURE_ARGS = {
    "target_metadata": target_metadata,
    "render_as_batch": True,  # SQLite alters tables by copying them
    "compare_type": True,
}


def _one_database_only(dialect_name: str):
    """Indexes the models make on one database only (`Index.ddl_if(dialect=...)`, such as
    PostgreSQL's trigram index of the search keys) are compared with that database only."""

    def include_object(obj, name, type_, reflected, compare_to) -> bool:
        condition = getattr(obj, "_ddl_if", None)
        if type_ != "index" or reflected or condition is None or condition.dialect is None:
            return True
        return condition.dialect == dialect_name

    return include_object


def _skip_empty_autogenerate(context_, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"), literal_binds=True, **CONFIGURE_ARGS
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        process_revision_directives=_skip_empty_autogenerate,
        include_object=_one_database_only(connection.dialect.name),
        **CONFIGURE_ARGS,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if isinstance(connectable, Connection):
        _run(connectable)
        return
    if connectable is None:  # run by Flask-Migrate: the app's engine
        from flask import current_app

        connectable = current_app.extensions["migrate"].db.engine
    with connectable.connect() as connection:
        _run(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
