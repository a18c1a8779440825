"""Migrations, proven on the database under test (SQLite, or PostgreSQL with
TEST_DATABASE_URL): one head, upgrade from empty, downgrade and upgrade again step by step,
and the models match the migrated schema exactly (pytest-alembic)."""

import uuid

import pytest
from pytest_alembic import Config
from pytest_alembic.tests import (  # noqa: F401  collected as tests of this module
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import create_engine, make_url, text

from tracker.config import PROJECT_ROOT

from .conftest import TEST_DATABASE_URL


@pytest.fixture
def alembic_config():
    return Config(config_options={"script_location": str(PROJECT_ROOT / "migrations")})


@pytest.fixture
def alembic_engine(tmp_path):
    """An empty database of its own, so the migrations start from nothing."""
    if not TEST_DATABASE_URL:
        engine = create_engine(f"sqlite:///{tmp_path / 'migrations.db'}")
        yield engine
        engine.dispose()
        return
    name = f"tracker_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(make_url(TEST_DATABASE_URL).set(database=name))
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}"'))
    admin.dispose()
