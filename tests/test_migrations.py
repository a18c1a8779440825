"""Migrations, proven on the database under test (SQLite, or PostgreSQL with
TEST_DATABASE_URL): one head, upgrade from empty, downgrade and upgrade again step by step,
and the models match the migrated schema exactly (pytest-alembic)."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from pytest_alembic import Config
from pytest_alembic.tests import (  # noqa: F401  collected as tests of this module
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import create_engine, inspect, make_url, text
from sqlalchemy.exc import IntegrityError

from tracker.config import MIGRATIONS_DIR

from .conftest import TEST_DATABASE_URL


@pytest.fixture
def alembic_config():
    return Config(config_options={"script_location": str(MIGRATIONS_DIR)})


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


def test_history_notes_written_in_english_become_codes(alembic_runner, alembic_engine):
    """Migration 0021 turns the system's English history notes into a code and values (what
    a person wrote stays), and the downgrade writes the English back."""
    alembic_runner.migrate_up_before("0021")
    notes = {
        1: "Task assigned.",
        2: "Extension requested: deadline 20/09/2025 → 15/10/2025. Reason: Số liệu về muộn.",
        3: "Extension approved: deadline 20/09/2025 → 15/10/2025.",
        4: "Extension to 31/12/2025 rejected. Chưa đủ căn cứ.",
        5: "Urging notice 2026/0002: Đề nghị báo cáo trước ngày 05/12.",
        6: "Deadline changed by an administrator: 05/09/2025 → 30/11/2025.",
        7: "Đã gửi dự thảo lần 2.",
    }
    with alembic_engine.begin() as connection:
        connection.execute(
            text("INSERT INTO unit (id, code, name, path) VALUES (1, 'BO', 'Bộ', '/1/')")
        )
        connection.execute(
            text(
                "INSERT INTO directive (id, code, kind, title, issuing_body, signer, summary,"
                " source_url, visibility, created_at, search_key) VALUES (1, '57-NQ/TW',"
                " 'resolution', 'Nghị quyết', '', '', '', '', 'internal', '2026-01-01', '')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO task (id, code, title, description, source_clause, directive_id,"
                " kind, lead_unit_id, deadline, original_deadline, status, percent_done, is_key,"
                " confidentiality, weight, version, created_at, updated_at, search_key) VALUES"
                " (1, 'NV-01', 'Xây dựng Nghị định', '', '', 1, 'task', 1, '2026-12-31',"
                " '2026-12-31', 'not_started', 0, false, 'normal', 1, 1, '2026-01-01',"
                " '2026-01-01', '')"
            )
        )
        for entry_id, note in notes.items():
            connection.execute(
                text(
                    "INSERT INTO status_update (id, task_id, created_at, new_status,"
                    " new_percent, deadline, note) VALUES (:id, 1, '2026-01-01', 'in_progress',"
                    " 0, '2026-12-31', :note)"
                ),
                {"id": entry_id, "note": note},
            )
    alembic_runner.migrate_up_one()
    with alembic_engine.connect() as connection:
        rows = {
            row[0]: (row[1], row[2], row[3])
            for row in connection.execute(
                text("SELECT id, note_code, note_values, note FROM status_update")
            )
        }

    def values(raw):
        return json.loads(raw) if isinstance(raw, str) else raw

    assert rows[1][:1] == ("assigned",) and rows[1][2] == ""
    assert rows[2][0] == "extension.requested"
    assert values(rows[2][1]) == {"old": "20/09/2025", "new": "15/10/2025"}
    assert rows[2][2] == "Số liệu về muộn."
    assert rows[3][0] == "extension.approved" and rows[3][2] == ""
    assert values(rows[4][1]) == {"new": "31/12/2025"} and rows[4][2] == "Chưa đủ căn cứ."
    assert values(rows[5][1]) == {"number": "2026/0002"}
    assert rows[5][2] == "Đề nghị báo cáo trước ngày 05/12."
    assert rows[6][0] == "deadline.changed_by_admin"
    assert rows[7] == (None, None, "Đã gửi dự thảo lần 2.")

    alembic_runner.migrate_down_one()
    with alembic_engine.connect() as connection:
        back = dict(connection.execute(text("SELECT id, note FROM status_update")).all())
    assert back == notes


def test_kept_counts_start_from_the_tasks_already_there(alembic_runner, alembic_engine):
    """Migration 0026 fills the kept timeliness counts from the tasks as they stand: per unit
    and per directive, completed on time / late and not completed on the summary row, the
    not-completed ones per deadline day; cancelled tasks nowhere."""
    alembic_runner.migrate_up_before("0026")
    tasks = [  # code, status, deadline, completed_on, is_key
        ("NV-01", "completed", "2026-03-31", "2026-03-30", True),
        ("NV-02", "completed", "2026-03-31", "2026-04-02", False),
        ("NV-03", "in_progress", "2026-06-30", None, False),
        ("NV-04", "submitted", "2026-06-30", None, False),
        ("NV-05", "cancelled", "2026-06-30", None, False),
    ]
    with alembic_engine.begin() as connection:
        connection.execute(
            text("INSERT INTO unit (id, code, name, path) VALUES (7, 'Sở TT&TT', 'Sở', '/7/')")
        )
        connection.execute(
            text(
                "INSERT INTO directive (id, code, kind, title, issuing_body, signer, summary,"
                " source_url, visibility, created_at, search_key) VALUES (3, '06/QĐ-TTg',"
                " 'decision', 'Đề án 06', '', '', '', '', 'internal', '2026-01-01', '')"
            )
        )
        for number, (code, status, deadline, completed_on, is_key) in enumerate(tasks, 1):
            connection.execute(
                text(
                    "INSERT INTO task (id, code, title, description, source_clause,"
                    " directive_id, kind, lead_unit_id, deadline, original_deadline, status,"
                    " percent_done, is_key, confidentiality, weight, version, created_at,"
                    " updated_at, search_key, completed_on) VALUES (:id, :code, 'Nhiệm vụ', '',"
                    " '', 3, 'task', 7, :deadline, :deadline, :status, 0, :key, 'normal', 1, 1,"
                    " '2026-01-01', '2026-01-01', '', :completed_on)"
                ),
                {
                    "id": number,
                    "code": code,
                    "deadline": deadline,
                    "status": status,
                    "key": is_key,
                    "completed_on": completed_on,
                },
            )
    alembic_runner.migrate_up_one()
    with alembic_engine.connect() as connection:
        rows = {
            (kind, group_id, bool(key), str(day)[:10]): tuple(counts)
            for kind, group_id, key, day, *counts in connection.execute(
                text(
                    "SELECT kind, group_id, is_key, day, completed_on_time, completed_late,"
                    " not_completed, due FROM task_tally"
                )
            )
        }
    for kind, group_id in (("u", 7), ("d", 3)):
        assert rows[(kind, group_id, True, "1900-01-01")] == (1, 0, 0, 0)
        assert rows[(kind, group_id, False, "1900-01-01")] == (0, 1, 2, 0)
        assert rows[(kind, group_id, False, "2026-06-30")] == (0, 0, 0, 2)
    assert len(rows) == 6

    # Migration 0037: the summary rows count the cancelled task apart.
    alembic_runner.migrate_up_to("0037")
    with alembic_engine.connect() as connection:
        cancelled = {
            (kind, group_id, bool(key), str(day)[:10]): number
            for kind, group_id, key, day, number in connection.execute(
                text("SELECT kind, group_id, is_key, day, cancelled FROM task_tally")
            )
        }
    for kind, group_id in (("u", 7), ("d", 3)):
        assert cancelled[(kind, group_id, False, "1900-01-01")] == 1
        assert cancelled[(kind, group_id, True, "1900-01-01")] == 0
        assert cancelled[(kind, group_id, False, "2026-06-30")] == 0
    assert len(cancelled) == 6


def a_unit_and_a_directive(connection) -> None:
    """Unit 7 (Sở Nội vụ) and directive 3 (01/CT-UBND), for tasks to be written under."""
    connection.execute(
        text("INSERT INTO unit (id, code, name, path) VALUES (7, 'Sở Nội vụ', 'Sở', '/7/')")
    )
    connection.execute(
        text(
            "INSERT INTO directive (id, code, kind, title, issuing_body, signer, summary,"
            " source_url, visibility, created_at, search_key) VALUES (3, '01/CT-UBND',"
            " 'directive', 'Chỉ thị 01', '', '', '', '', 'internal', '2026-01-01', '')"
        )
    )


def tasks_under_the_directive(connection, tasks: list[dict]) -> None:
    """Tasks of unit 7 under directive 3 (`a_unit_and_a_directive`): each a dict with its
    id and code, and whatever else differs from an open task due 31/12/2026."""
    defaults = {
        "title": "Báo cáo tuần của Sở",
        "deadline": "2026-12-31",
        "status": "in_progress",
        "percent_done": 10,
        "created_at": "2026-01-01",
        "updated_at": "2026-01-01",
        "completed_at": None,
        "completed_on": None,
    }
    connection.execute(
        text(
            "INSERT INTO task (id, code, title, description, source_clause, directive_id, kind,"
            " lead_unit_id, deadline, original_deadline, status, percent_done, is_key,"
            " confidentiality, weight, version, created_at, updated_at, search_key,"
            " completed_at, completed_on) VALUES (:id, :code, :title, '', '', 3, 'task', 7,"
            " :deadline, :deadline, :status, :percent_done, false, 'normal', 1, 1, :created_at,"
            " :updated_at, '', :completed_at, :completed_on)"
        ),
        [defaults | task for task in tasks],
    )


def test_each_entry_learns_when_a_later_one_superseded_it(alembic_runner, alembic_engine):
    """Migration 0030 gives each history entry the earliest moment of the entries written
    after it: the next one's, or an earlier one's when history was written with a past date;
    none for a task's newest entry."""
    alembic_runner.migrate_up_before("0030")
    entries = [  # id, task, moment
        (1, 1, "2026-03-01 03:00:00"),
        (2, 1, "2026-03-10 03:00:00"),
        (3, 1, "2026-03-20 03:00:00"),
        (4, 1, "2026-03-05 03:00:00"),  # written last, dated back
        (5, 2, "2026-04-01 03:00:00"),
    ]
    with alembic_engine.begin() as connection:
        a_unit_and_a_directive(connection)
        for task_id, code in ((1, "Đ-01"), (2, "Đ-02")):
            connection.execute(
                text(
                    "INSERT INTO task (id, code, title, description, source_clause,"
                    " directive_id, kind, lead_unit_id, deadline, original_deadline, status,"
                    " percent_done, is_key, confidentiality, weight, version, created_at,"
                    " updated_at, search_key) VALUES (:id, :code, 'Rà soát thủ tục', '', '',"
                    " 3, 'task', 7, '2026-06-30', '2026-06-30', 'in_progress', 10, false,"
                    " 'normal', 1, 1, '2026-03-01', '2026-03-01', '')"
                ),
                {"id": task_id, "code": code},
            )
        for entry_id, task_id, moment in entries:
            connection.execute(
                text(
                    "INSERT INTO status_update (id, task_id, created_at, new_status,"
                    " new_percent, deadline, note) VALUES (:id, :task, :moment, 'in_progress',"
                    " 10, '2026-06-30', '')"
                ),
                {"id": entry_id, "task": task_id, "moment": moment},
            )
    alembic_runner.migrate_up_one()
    with alembic_engine.connect() as connection:
        superseded = {
            entry_id: None if moment is None else str(moment)[:10]
            for entry_id, moment in connection.execute(
                text("SELECT id, superseded_at FROM status_update")
            )
        }
    assert superseded == {
        1: "2026-03-05",
        2: "2026-03-05",
        3: "2026-03-05",
        4: None,
        5: None,
    }


@pytest.mark.postgres
def test_the_kept_counts_index_carries_the_counts(alembic_runner, alembic_engine):
    """Migrations 0036 and 0037: the kept counts' index by kind and day carries every count
    (0037 adds the cancelled tasks), so that reads of it need not visit the table; each
    downgrade gives back the index before it."""

    def definition():
        with alembic_engine.connect() as connection:
            return connection.scalar(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_task_tally_kind_day'")
            )

    alembic_runner.migrate_up_to("0036")
    assert definition().endswith(
        "(kind, day) INCLUDE (group_id, is_key, completed_on_time, completed_late,"
        " not_completed, due, due_day_total)"
    )
    alembic_runner.migrate_up_one()
    assert definition().endswith("not_completed, due, due_day_total, cancelled)")
    alembic_runner.migrate_down_one()
    assert definition().endswith("not_completed, due, due_day_total)")
    alembic_runner.migrate_down_one()
    assert definition().endswith("(kind, day)")


def test_a_tasks_parent_and_template_are_indexed_where_set(alembic_runner, alembic_engine):
    """Migration 0038: the indexes of a task's parent and recurring template hold only the
    tasks where they are set; on SQLite, with the statistics ANALYZE writes for 100,000
    tasks none of which has a parent, a task's subtasks were found by scanning every task
    and are now found through the index; the downgrade gives back the full indexes."""
    sqlite = alembic_engine.dialect.name == "sqlite"

    def definitions():
        query = (
            "SELECT name, sql FROM sqlite_master WHERE name IN"
            if sqlite
            else "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN"
        )
        with alembic_engine.connect() as connection:
            rows = connection.execute(
                text(f"{query} ('ix_task_parent_id', 'ix_task_recurring_id')")
            )
            return {name: " ".join(sql.split()) for name, sql in rows}

    def subtasks_plan(statistics):
        """How SQLite finds a task's subtasks, given `statistics` (rows of sqlite_stat1)."""
        with alembic_engine.begin() as connection:
            connection.execute(text("ANALYZE"))
            connection.execute(text("DELETE FROM sqlite_stat1"))
            for index, stat in statistics:
                connection.execute(
                    text("INSERT INTO sqlite_stat1 VALUES ('task', :index, :stat)"),
                    {"index": index, "stat": stat},
                )
        with alembic_engine.connect() as connection:  # a new connection reads them
            connection.execute(text("ANALYZE sqlite_schema"))
            plan = connection.execute(
                text("EXPLAIN QUERY PLAN SELECT id FROM task WHERE 7 = parent_id ORDER BY code")
            ).all()
        return " ".join(row[-1] for row in plan)

    lead_unit = ("ix_task_lead_unit_deadline", "100000 100 1")
    alembic_runner.migrate_up_to("0037")
    assert not any("WHERE" in sql for sql in definitions().values())
    if sqlite:
        # The full index holds one value (NULL) for every task: the planner scans.
        plan = subtasks_plan([lead_unit, ("ix_task_parent_id", "100000 100000")])
        assert "SCAN task" in plan, plan
    alembic_runner.migrate_up_one()
    found = definitions()
    assert (
        "WHERE" in found["ix_task_parent_id"]
        and "parent_id IS NOT NULL" in found["ix_task_parent_id"]
    )
    assert "recurring_id IS NOT NULL" in found["ix_task_recurring_id"]
    if sqlite:
        # ANALYZE writes no statistics for a partial index that holds no row.
        plan = subtasks_plan([lead_unit])
        assert "USING INDEX ix_task_parent_id" in plan, plan
    alembic_runner.migrate_down_one()
    assert not any("WHERE" in sql for sql in definitions().values())


def test_a_subtree_is_found_through_an_index_on_the_path(alembic_runner, alembic_engine):
    """Migration 0039: PostgreSQL finds the units of a subtree (their path's prefix, as every
    reader who does not see the whole tree is narrowed) through an index: before it, the
    path index, ordered by the database's collation, could not serve LIKE and every unit
    was read. The downgrade takes the index away again."""
    subtree = "SELECT id FROM unit WHERE path LIKE '/1/4/%'"

    def plan() -> str:
        with alembic_engine.connect() as connection:
            if alembic_engine.dialect.name == "sqlite":
                rows = connection.execute(text(f"EXPLAIN QUERY PLAN {subtree}")).all()
                return " ".join(row[-1] for row in rows)
            connection.execute(text("SET enable_seqscan = off"))  # as with 30,000 units
            rows = connection.execute(text(f"EXPLAIN {subtree}")).all()
            return " ".join(row[0] for row in rows)

    def indexes() -> set[str]:
        return {index["name"] for index in inspect(alembic_engine).get_indexes("unit")}

    alembic_runner.migrate_up_to("0038")
    assert "ix_unit_path_prefix" not in indexes()
    if alembic_engine.dialect.name == "postgresql":
        assert "Index Cond" not in plan(), plan()
    alembic_runner.migrate_up_one()
    assert "ix_unit_path_prefix" in indexes()
    if alembic_engine.dialect.name == "postgresql":
        found = plan()
        assert "ix_unit_path_prefix" in found and "Index Cond" in found, found
    alembic_runner.migrate_down_one()
    assert "ix_unit_path_prefix" not in indexes()


def test_words_in_search_keys_are_found_through_a_trigram_index(alembic_runner, alembic_engine):
    """Migration 0040: on PostgreSQL, a word anywhere in a task's or directive's search key
    (the quick search's LIKE '%word%') is found through a trigram index (pg_trgm) instead of
    reading every row; the downgrade drops the indexes. SQLite gets none (nothing it could
    use for a word inside the text)."""
    search = "SELECT id FROM task WHERE search_key LIKE '%nv-01/qd%'"

    def indexes() -> set[str]:
        found = set()
        for table in ("task", "directive"):
            found |= {index["name"] for index in inspect(alembic_engine).get_indexes(table)}
        return {name for name in found if name.endswith("_search_key_trgm")}

    def plan() -> str:
        with alembic_engine.connect() as connection:
            connection.execute(text("SET enable_seqscan = off"))
            return " ".join(row[0] for row in connection.execute(text(f"EXPLAIN {search}")))

    alembic_runner.migrate_up_to("0039")
    assert indexes() == set()
    alembic_runner.migrate_up_one()
    if alembic_engine.dialect.name == "sqlite":
        assert indexes() == set()
        return
    assert indexes() == {"ix_task_search_key_trgm", "ix_directive_search_key_trgm"}
    assert "ix_task_search_key_trgm" in plan(), plan()
    alembic_runner.migrate_down_one()
    assert indexes() == set()
    assert "ix_task_search_key_trgm" not in plan()


def test_unit_search_keys_are_filled_in_for_units_already_there(alembic_runner, alembic_engine):
    """Migration 0041 folds the code and name of the units already there (the admin forms'
    unit search reads them); the downgrade takes the column away."""
    alembic_runner.migrate_up_to("0040")
    with alembic_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO unit (id, code, name, path) VALUES"
                " (1, 'BCĐ TW', 'Ban Chỉ đạo Trung ương', '/1/'),"
                " (2, 'BTC-Vụ NSNN', 'Vụ  Ngân sách   nhà nước', '/1/2/')"
            )
        )
    alembic_runner.migrate_up_one()
    with alembic_engine.connect() as connection:
        keys = dict(connection.execute(text("SELECT id, search_key FROM unit")).all())
    assert keys == {1: "bcd tw ban chi dao trung uong", 2: "btc-vu nsnn vu ngan sach nha nuoc"}
    alembic_runner.migrate_down_one()
    columns = {column["name"] for column in inspect(alembic_engine).get_columns("unit")}
    assert "search_key" not in columns


def a_task_reported_on_3000_times(alembic_engine) -> None:
    """Task 7 with a report every two hours from 1 January 2026, each in force until the
    next one: 3,000 history entries (ids 1–3000); beside it task 8 with 27,000 entries, so
    that task 7's are a tenth of the history, not all of it; the statistics read again."""
    with alembic_engine.begin() as connection:
        a_unit_and_a_directive(connection)
        tasks_under_the_directive(
            connection, [{"id": 7, "code": "Đ-01"}, {"id": 8, "code": "Đ-02"}]
        )
        reports = [
            {"id": n, "at": datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=2 * n)}
            for n in range(1, 3001)
        ]
        for report, following in zip(reports, [*reports[1:], None], strict=True):
            report["until"] = following["at"] if following else None
        connection.execute(
            text(
                "INSERT INTO status_update (id, task_id, created_at, superseded_at, new_status,"
                " new_percent, deadline, note) VALUES (:id, 7, :at, :until, 'in_progress', 10,"
                " '2026-12-31', 'Đã báo cáo tiến độ')"
            ),
            reports,
        )
        connection.execute(
            text(
                "INSERT INTO status_update (id, task_id, created_at, superseded_at,"
                " new_status, new_percent, deadline, note) WITH RECURSIVE n(i) AS (SELECT 3001"
                " UNION ALL SELECT i + 1 FROM n WHERE i < 30000) SELECT i, 8, :at, CASE WHEN"
                " i < 30000 THEN :at END, 'in_progress', 10, '2026-12-31', '' FROM n"
            ),
            {"at": datetime(2026, 1, 1, tzinfo=UTC)},
        )
    with alembic_engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def plan_of(alembic_engine, statement, values: dict, prepared: bool = False) -> str:
    """The database's plan of a statement built by the app (EXPLAIN QUERY PLAN on SQLite; on
    PostgreSQL EXPLAIN with reading the whole table ruled out, as on a national database).

    `prepared`: on PostgreSQL, the plan it makes once for any values of a statement the
    driver has prepared (psycopg does from a statement's fifth run on a connection), rather
    than the one it makes for these values. SQLite plans a statement before its values are
    bound, so its plan is that one already."""
    compiled = statement.compile(dialect=alembic_engine.dialect)
    arguments = compiled.construct_params(values)
    if alembic_engine.dialect.paramstyle == "qmark":
        arguments = tuple(arguments[key] for key in compiled.positiontup)
    with alembic_engine.connect() as connection:
        if alembic_engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", arguments)
            return " ".join(row[-1] for row in rows)
        connection.execute(text("SET enable_seqscan = off"))
        if not prepared:
            rows = connection.exec_driver_sql(f"EXPLAIN {compiled}", arguments)
            return " ".join(row[0] for row in rows)
        from psycopg.sql import Literal

        sql = str(compiled)
        for number, name in enumerate(arguments, start=1):
            sql = sql.replace(f"%({name})s", f"${number}")
        types = ", ".join(
            compiled.binds[name].type.compile(dialect=alembic_engine.dialect) for name in arguments
        )
        connection.exec_driver_sql(f"PREPARE planned ({types}) AS {sql}")
        connection.execute(text("SET plan_cache_mode = force_generic_plan"))
        # EXECUTE takes its values written out: a statement of its kind has no parameters.
        driver_connection = connection.connection.dbapi_connection
        written = ", ".join(
            Literal(value).as_string(driver_connection) for value in arguments.values()
        )
        rows = connection.exec_driver_sql(f"EXPLAIN EXECUTE planned({written})")
        return " ".join(row[0] for row in rows)


def indexes_of(alembic_engine, table: str) -> set[str]:
    return {index["name"] for index in inspect(alembic_engine).get_indexes(table)}


def test_what_an_entry_supersedes_is_found_through_an_index(alembic_runner, alembic_engine):
    """Migration 0042: the entries a new progress report supersedes (its task's entries in
    force after its moment: superseded_at null or later) are found through an index on
    (task_id, superseded_at) — before it, every entry of the task was read through
    (task_id, created_at): 10 ms an update for a task with 6,600 entries. An index built by
    hand first under the same name is kept; the downgrade drops it."""
    from tracker.models.task import _supersede_by_one_entry

    name = "ix_status_update_task_superseded"
    moment = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
    values = {"of_task": 7, "below_id": 30001, "new_moment": moment}  # the entry written last
    alembic_runner.migrate_up_to("0041")
    a_task_reported_on_3000_times(alembic_engine)
    assert name not in plan_of(alembic_engine, _supersede_by_one_entry(), values)
    alembic_runner.migrate_up_one()
    assert name in indexes_of(alembic_engine, "status_update")
    with alembic_engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    found = plan_of(alembic_engine, _supersede_by_one_entry(), values)
    assert name in found, found
    if alembic_engine.dialect.name == "postgresql":
        assert "Index Cond: ((task_id = 7) AND (superseded_at IS NULL))" in found, found
    alembic_runner.migrate_down_one()
    assert name not in indexes_of(alembic_engine, "status_update")
    with alembic_engine.begin() as connection:
        connection.execute(text(f"CREATE INDEX {name} ON status_update (task_id, superseded_at)"))
    alembic_runner.migrate_up_one()
    assert name in indexes_of(alembic_engine, "status_update")


def test_what_an_entry_supersedes_is_found_through_that_index_when_prepared_too(
    alembic_runner, alembic_engine
):
    """The same statement as the driver runs it after its fifth time on a connection: on
    PostgreSQL prepared, and planned once for any values. Since migration 0043's index on
    (task_id, id), that plan read every entry of the task below the new one through it
    (1.1 ms an update for a task reported on 738 times, growing with its history); the id
    is compared so that no index answers it now, and the plan goes through the entries in
    force, as each update's own plan does."""
    from tracker.models.task import _supersede_by_one_entry

    moment = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
    values = {"of_task": 7, "below_id": 30001, "new_moment": moment}  # the entry written last
    alembic_runner.migrate_up_to("head")
    a_task_reported_on_3000_times(alembic_engine)
    found = plan_of(alembic_engine, _supersede_by_one_entry(), values, prepared=True)
    assert "ix_status_update_task_superseded" in found, found
    assert "ix_status_update_task_id" not in found, found


def test_a_page_of_a_tasks_history_reads_that_page(alembic_runner, alembic_engine):
    """Migration 0043: the task page's history, newest first a page at a time, is read
    through an index on (task_id, id) — before it, the task's every entry was read and
    sorted (and PostgreSQL walked the whole history backwards for a task reported on
    thousands of times: 408 ms). The downgrade drops it."""
    from tracker.org.lookups import task_history_statement

    name = "ix_status_update_task_id"
    alembic_runner.migrate_up_to("0042")
    a_task_reported_on_3000_times(alembic_engine)
    before = plan_of(alembic_engine, task_history_statement(7, 2), {})
    assert name not in before
    alembic_runner.migrate_up_one()
    with alembic_engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    found = plan_of(alembic_engine, task_history_statement(7, 2), {})
    if alembic_engine.dialect.name == "postgresql":
        assert f"Index Scan Backward using {name}" in found, found
        assert "Sort" not in found and "pk_status_update" not in found, found
    else:
        assert f"INDEX {name}" in found and "TEMP B-TREE" not in found, found
    alembic_runner.migrate_down_one()
    assert name not in indexes_of(alembic_engine, "status_update")


def a_trail_of_30000_events(alembic_engine) -> None:
    """An audit trail of 30,000 events a minute apart from 1 December 2026 (to 21 December):
    the first 20 by a rare actor on task 7, the others by 300 officials on 3,000 tasks; the
    statistics read again after them."""
    start = datetime(2026, 12, 1, tzinfo=UTC)
    rare = "Nguyễn Văn Hiếm"
    events = [
        {
            "seq": i,
            "at": start + timedelta(minutes=i),
            "actor": rare if i <= 20 else f"cán bộ {i % 300}",
            "object": 7 if i <= 20 else 100 + i % 3000,
        }
        for i in range(1, 30001)
    ]
    with alembic_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_event (seq, prev_hash, hash, created_at, actor_username,"
                " action, object_type, object_id, request_id) VALUES (:seq, '', '', :at,"
                " :actor, 'task.update', 'task', :object, '')"
            ),
            events,
        )
    with alembic_engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def assert_page_read_from(alembic_engine, filters, index: str) -> None:
    """The trail page's statement for `filters` reads its page from `index` in order: no
    sort, and (on PostgreSQL) no walk of the whole trail by seq."""
    from tracker.audit.queries import audit_query

    found = plan_of(alembic_engine, audit_query(filters).limit(50), {})
    assert index in found, found
    if alembic_engine.dialect.name == "postgresql":
        assert "Sort" not in found and "uq_audit_event_seq" not in found, found
    else:
        assert "TEMP B-TREE" not in found, found


def test_one_actors_or_objects_events_are_read_from_their_own_index_range(
    alembic_runner, alembic_engine
):
    """Migration 0044: the audit trail filtered by an actor or an object, newest first, reads
    that actor's or object's events from an index ending in seq — before it, a rare actor's
    events were found by walking the whole trail backwards by seq (474 ms among 3 million
    events). Here a trail of 30,000 events whose first 20 are a rare actor's, on task 7."""
    from tracker.audit.queries import AuditFilters, audit_query

    rare = AuditFilters(actor="Nguyễn Văn Hiếm")
    one_object = AuditFilters(object_type="task", object_id=7)
    alembic_runner.migrate_up_to("0043")
    a_trail_of_30000_events(alembic_engine)
    before = plan_of(alembic_engine, audit_query(rare).limit(50), {})
    # Before: the whole trail walked in seq order (its unique index), the actor filtered.
    assert "ix_audit_event_actor_username" not in before, before
    assert "uq_audit_event_seq" in before or "SCAN audit_event" in before, before
    alembic_runner.migrate_up_one()
    with alembic_engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    assert_page_read_from(alembic_engine, rare, "ix_audit_event_actor_username")
    assert_page_read_from(alembic_engine, one_object, "ix_audit_event_object")
    alembic_runner.migrate_down_one()
    assert "ix_audit_event_actor_username" not in indexes_of(alembic_engine, "audit_event")


def test_a_past_day_of_the_trail_is_read_from_its_own_index_range(alembic_runner, alembic_engine):
    """Migration 0045: the trail between two dates, newest first, is read backwards from the
    range's end through an index on (created_at, seq) — before it, every later event was
    walked to reach a past day (3.9 s for a day 300 days back among 3 million events)."""
    from datetime import date

    from tracker.audit.queries import AuditFilters, audit_query

    one_day = AuditFilters(date_from=date(2026, 12, 3), date_to=date(2026, 12, 3))
    name = "ix_audit_event_created_at"
    alembic_runner.migrate_up_to("0044")
    a_trail_of_30000_events(alembic_engine)
    assert name not in plan_of(alembic_engine, audit_query(one_day).limit(50), {})
    alembic_runner.migrate_up_one()
    with alembic_engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    assert_page_read_from(alembic_engine, one_day, name)
    alembic_runner.migrate_down_one()
    assert name not in indexes_of(alembic_engine, "audit_event")


def test_requests_left_pending_on_closed_tasks_lapse(alembic_runner, alembic_engine):
    """Migration 0046: a request still pending on a completed or cancelled task lapses at
    the moment its task was last changed; one on an open task stays pending. The downgrade
    makes them pending again."""
    alembic_runner.migrate_up_before("0046")
    with alembic_engine.begin() as connection:
        a_unit_and_a_directive(connection)
        tasks_under_the_directive(
            connection,
            [
                {
                    "id": 1,
                    "code": "CL 01",
                    "status": "completed",
                    "updated_at": "2026-12-05 02:00",
                    "completed_at": "2026-12-05 02:00",
                    "completed_on": "2026-12-05",
                },
                {"id": 2, "code": "CL 02", "status": "cancelled", "updated_at": "2026-12-04"},
                {"id": 3, "code": "CL 03", "status": "submitted", "updated_at": "2026-12-03"},
            ],
        )
        connection.execute(
            text(
                "INSERT INTO extension_request (id, task_id, requested_at, previous_deadline,"
                " requested_deadline, reason, status, decision_comment) VALUES (:id, :id,"
                " '2026-12-01 02:00', '2026-12-31', '2027-01-13', 'Chờ số liệu Bộ GTVT',"
                " 'pending', '')"
            ),
            [{"id": 1}, {"id": 2}, {"id": 3}],
        )
    alembic_runner.migrate_up_one()
    read = "SELECT id, status, decided_at IS NOT NULL FROM extension_request ORDER BY id"
    with alembic_engine.connect() as connection:
        assert connection.execute(text(read)).all() == [
            (1, "lapsed", True),
            (2, "lapsed", True),
            (3, "pending", False),
        ]
    alembic_runner.migrate_down_one()
    with alembic_engine.connect() as connection:
        assert [row[1] for row in connection.execute(text(read))] == ["pending"] * 3


def test_a_closing_learns_the_last_history_entry_written_before_it(alembic_runner, alembic_engine):
    """Migration 0051: each closed period keeps the last history entry dated at or before
    its close (its changes are the entries after it); none before it: 0."""
    alembic_runner.migrate_up_before("0051")
    with alembic_engine.begin() as connection:
        a_unit_and_a_directive(connection)
        tasks_under_the_directive(connection, [{"id": 1, "code": "KH 01/Đ-ư"}])
        connection.execute(
            text(
                "INSERT INTO status_update (id, task_id, created_at, new_status, new_percent,"
                " deadline, note) VALUES (:id, 1, :at, 'in_progress', 10, '2026-12-31', '')"
            ),
            [
                {"id": 4, "at": datetime(2026, 9, 30, 9, tzinfo=UTC)},
                {"id": 9, "at": datetime(2026, 10, 2, 9, tzinfo=UTC)},
                {"id": 12, "at": datetime(2026, 10, 20, 9, tzinfo=UTC)},
            ],
        )
        connection.execute(
            text(
                "INSERT INTO period_closing (id, period_start, period_end, key_only,"
                " deadline_basis, scope_key, closed_at, figures, task_count, chain_seq,"
                " chain_hash) VALUES (:id, '2026-07-01', '2026-09-30', false, 'current',"
                " :scope, :at, '{}', 1, 1, 'đ')"
            ),
            [
                {"id": 1, "scope": "quý 3 Sở Nội vụ", "at": datetime(2026, 10, 5, tzinfo=UTC)},
                {"id": 2, "scope": "quý 3 sớm", "at": datetime(2026, 9, 1, tzinfo=UTC)},
            ],
        )
    alembic_runner.migrate_up_one()
    read = "SELECT id, history_mark FROM period_closing ORDER BY id"
    with alembic_engine.connect() as connection:
        assert connection.execute(text(read)).all() == [(1, 9), (2, 0)]
    alembic_runner.migrate_down_one()
    with alembic_engine.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("period_closing")}
    assert "history_mark" not in columns


def test_a_period_close_may_be_a_job(alembic_runner, alembic_engine):
    """Migration 0052: a job of kind 'close' is allowed (refused before it); the downgrade
    removes such jobs (their closings stay) and refuses the kind again."""
    insert = text(
        "INSERT INTO job (kind, parameters, fingerprint, language, request_id, status,"
        " progress_done, attempts, created_at) VALUES (:kind, '{}', 'đ', 'vi', '', 'queued',"
        " 0, 0, :at)"
    )
    at = datetime(2026, 12, 7, 9, tzinfo=UTC)
    alembic_runner.migrate_up_before("0052")
    with pytest.raises(IntegrityError), alembic_engine.begin() as connection:
        connection.execute(insert, {"kind": "close", "at": at})
    alembic_runner.migrate_up_one()
    with alembic_engine.begin() as connection:
        connection.execute(insert, [{"kind": "close", "at": at}, {"kind": "report", "at": at}])
    alembic_runner.migrate_down_one()
    with alembic_engine.connect() as connection:
        kinds = connection.execute(text("SELECT kind FROM job")).scalars().all()
    assert kinds == ["report"]
    with pytest.raises(IntegrityError), alembic_engine.begin() as connection:
        connection.execute(insert, {"kind": "close", "at": at})
