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


def test_search_keys_are_filled_in_for_rows_already_there(alembic_runner, alembic_engine):
    """Migration 0019 folds the code and title of existing directives and tasks."""
    alembic_runner.migrate_up_before("0019")
    with alembic_engine.begin() as connection:
        connection.execute(
            text("INSERT INTO unit (id, code, name, path) VALUES (1, 'BO', 'Bộ', '/1/')")
        )
        connection.execute(
            text(
                "INSERT INTO directive (id, code, kind, title, issuing_body, signer, summary,"
                " source_url, visibility, created_at) VALUES (1, '57-NQ/TW', 'resolution',"
                " 'Nghị quyết về đột phá', '', '', '', '', 'internal', '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO task (id, code, title, description, source_clause, directive_id,"
                " kind, lead_unit_id, deadline, original_deadline, status, percent_done, is_key,"
                " confidentiality, weight, version, created_at, updated_at) VALUES (1, 'NV-01',"
                " 'Xây dựng Nghị định', '', '', 1, 'task', 1, '2026-12-31', '2026-12-31',"
                " 'not_started', 0, false, 'normal', 1, 1, '2026-01-01', '2026-01-01')"
            )
        )
    alembic_runner.migrate_up_one()
    with alembic_engine.connect() as connection:
        assert connection.scalar(text("SELECT search_key FROM directive")) == (
            "57-nq/tw nghi quyet ve dot pha"
        )
        assert connection.scalar(text("SELECT search_key FROM task")) == "nv-01 xay dung nghi dinh"
