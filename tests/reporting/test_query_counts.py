"""SQL statements per page: a small constant that does not grow with the rows shown.

Every list page (HTML and API) is requested twice by the role it is for: once over a small
world, once after many more rows of every kind were added (tasks with owners, coordinating
units, urging notices, comments, submissions, evidence; units, users, directives). The
number of statements must be the same both times and stay under MAX_STATEMENTS: a page that
loads a relation per row (N+1) fails here.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tracker.accounts import tokens
from tracker.domain import lifecycle
from tracker.domain.timeliness import Timeliness
from tracker.extensions import db
from tracker.infra import clock
from tracker.models import Comment, ExtensionRequest
from tracker.org import lookups
from tracker.work import tasks, urging

from ..conftest import PASSWORD, login

MAX_STATEMENTS = 25
# A task page: the reader (their session, account, unit, whether they are anyone's deputy
# and their unread notifications in one), the task with its lead unit, directive, target and
# owner and which of its lists hold anything in one, its history with each entry's actor in
# one; then each list that holds something: its evidence (each entry's shown from it),
# comments, notices, extension requests, subtasks, coordinating units. For one who may give
# the task to someone (here the lead unit's leader), the unit's people too.
BARE_TASK_PAGE_STATEMENTS = 4
TASK_PAGE_STATEMENTS = 11

# (path, role); {directive} is the world's directive id.
LIST_PAGES = [
    ("/tasks", "supervisor"),
    ("/tasks?timeliness=overdue", "supervisor"),
    ("/tasks?as_of=2025-06-30", "supervisor"),
    ("/my-unit", "unit_leader"),
    ("/my-unit?mine=1", "officer"),
    ("/my-unit?unassigned=1", "unit_leader"),
    ("/my-unit/give", "unit_leader"),
    ("/verification", "supervisor"),
    ("/board", "supervisor"),
    ("/board?as_of=2025-06-30", "supervisor"),
    ("/dashboard", "supervisor"),
    ("/directives", "officer"),
    ("/directives/{directive}", "supervisor"),
    ("/directives/{directive}/timeline", "supervisor"),
    ("/reports/directives/{directive}", "supervisor"),
    ("/reports/period?period=2026", "supervisor"),
    ("/reports/league", "supervisor"),
    ("/reports/closings", "supervisor"),
    ("/reminders", "officer"),
    ("/audit", "auditor"),
    ("/admin/units", "admin"),
    ("/admin/users", "admin"),
    ("/public/", None),
    ("/public/directives/{directive}", None),
    ("/api/v1/tasks", "supervisor"),
    ("/api/v1/tasks?timeliness=overdue&page=2&per_page=1", "supervisor"),
    ("/api/v1/units", "supervisor"),
    ("/api/v1/reports/summary", "supervisor"),
]


@contextmanager
def counted_statements(with_parameters: bool = False):
    """Count the SQL statements sent to the database inside the block (by any engine: the
    app under test has its own): each statement's text, or (text, parameters)."""
    statements: list = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters) if with_parameters else statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", record)


class World:
    """A ministry with a department; people of each role; one public directive; tasks."""

    def __init__(self, make):
        self.make = make
        self.ministry = make.unit("QMIN")
        self.department = make.unit("QDEP", self.ministry)
        self.people = {
            "admin": make.user("admin", self.ministry, username="q_admin"),
            "supervisor": make.user("supervisor", self.ministry, username="q_super"),
            "auditor": make.user("auditor", self.ministry, username="q_auditor"),
            "unit_leader": make.user("unit_leader", self.department, username="q_leader"),
            "officer": make.user("officer", self.department, username="q_officer"),
        }
        self.directive = make.directive("Q-1", visibility="public")
        self.rounds = 0
        self.grow(6)

    def grow(self, tasks: int) -> None:
        """Add `tasks` tasks of every kind, and a unit, a user and a directive per task."""
        make, today = self.make, clock.today()
        self.rounds += 1
        for n in range(tasks):
            unit = make.unit(f"QU{self.rounds}-{n}", self.department)
            make.user("officer", unit, username=f"q_off{self.rounds}_{n}")
            make.directive(f"Q-{self.rounds}-{n}", visibility="public")
            status = (lifecycle.IN_PROGRESS, lifecycle.SUBMITTED, lifecycle.COMPLETED)[n % 3]
            task = make.task(
                unit if n % 2 else self.department,
                self.directive,
                deadline=today + timedelta(days=(n % 5 - 2) * 20),
                status=status,
                owner=self.people["officer"],
                coordinating_units=[self.ministry],
                start_date=date(2025, 1, 1),
                title=f"Issue decree {self.rounds}.{n}",
            )
            if task.timeliness(today) is Timeliness.OVERDUE:
                urging.issue_notice(self.people["supervisor"], task, "Report by Friday.")
            db.session.add_all(
                [
                    Comment(task_id=task.id, kind="obstacle", body="Blocked on funds"),
                    ExtensionRequest(
                        task_id=task.id,
                        previous_deadline=task.deadline,
                        requested_deadline=task.deadline + timedelta(days=30),
                        reason="Data late",
                    ),
                ]
            )
            db.session.commit()


def statements_for(client, world: World, path: str, role: str | None) -> int:
    url = path.format(directive=world.directive.id)
    headers = {}
    if role is not None and url.startswith("/api/"):
        token, _ = tokens.issue_token(world.people[role].username, PASSWORD)
        headers = {"Authorization": f"Bearer {token}"}
    elif role is not None:
        login(client, world.people[role])
    with counted_statements() as statements:
        response = client.get(url, headers=headers)
        response.get_data()
        response.close()
    assert response.status_code == 200, (url, response.status_code)
    return len(statements)


@pytest.mark.parametrize(("path", "role"), LIST_PAGES)
def test_a_list_page_sends_the_same_few_statements_however_many_rows_it_shows(
    app, make, path, role
):
    world = World(make)
    few = statements_for(app.test_client(), world, path, role)
    world.grow(12)
    many = statements_for(app.test_client(), world, path, role)
    assert many == few, f"{path}: {few} statements with few rows, {many} with more"
    assert many <= MAX_STATEMENTS, f"{path}: {many} statements"


def test_a_task_page_sends_the_same_statements_however_long_its_history(app, make):
    """Each history entry shows its evidence: read for all the entries at once."""
    world = World(make)
    leader = world.people["unit_leader"]
    task = make.task(world.department, world.directive, status=lifecycle.IN_PROGRESS)

    def report(times: int) -> None:
        for n in range(times):
            tasks.report_progress(
                leader,
                task,
                task.version,
                lifecycle.IN_PROGRESS,
                (task.percent_done + 7) % 99,
                note=f"Bước {n}: đã gửi báo cáo",
                evidence_url=f"https://congthuong.example.vn/bao-cao-{task.version}",
            )

    report(2)
    few = statements_for(app.test_client(), world, f"/tasks/{task.id}", "unit_leader")
    report(8)
    many = statements_for(app.test_client(), world, f"/tasks/{task.id}", "unit_leader")
    assert many == few, f"the task page: {few} statements with 2 entries, {many} with 10"
    assert many <= TASK_PAGE_STATEMENTS


def test_a_task_with_nothing_in_its_lists_is_shown_without_reading_them(app, make):
    """A task without subtasks, coordinating units, evidence, comments, notices or extension
    requests (most tasks): its page reads none of them; the same page of a task with a
    subtask and a coordinating unit shows them, read by one statement each."""
    world = World(make)
    bare = make.task(world.department, world.directive, status=lifecycle.IN_PROGRESS)
    client = app.test_client()
    assert statements_for(client, world, f"/tasks/{bare.id}", "unit_leader") == (
        BARE_TASK_PAGE_STATEMENTS
    )
    page = client.get(f"/tasks/{bare.id}").get_data(as_text=True)
    assert bare.code in page
    justice = make.unit("STP-ĐB", world.ministry, name="Sở Tư pháp tỉnh Điện Biên")
    parent = make.task(
        world.department, world.directive, code="KH 01/Đ-ư", coordinating_units=[justice]
    )
    child = make.task(world.department, world.directive, code="KH 01/Đ-ư.1", parent=parent)
    assert statements_for(client, world, f"/tasks/{parent.id}", "unit_leader") == (
        BARE_TASK_PAGE_STATEMENTS + 2
    )
    page = client.get(f"/tasks/{parent.id}").get_data(as_text=True)
    assert child.code in page and justice.code in page


# An update through the API: token with its user and whether they are anyone's deputy in one,
# the task with its lead unit, directive, target and owner and which of its lists hold
# anything in one (a task without subtasks or coordinating units: nothing more to read),
# the task's row, its history entry and the moment it supersedes, the audit chain's head
# (lock and read in one), event and new head.
UPDATE_STATEMENTS = 8


def test_an_update_answers_what_it_wrote_without_reading_it_back(app, make):
    world = World(make)
    task = make.task(world.department, world.directive, status=lifecycle.IN_PROGRESS)
    token, _ = tokens.issue_token(world.people["unit_leader"].username, PASSWORD)
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    version = client.get(f"/api/v1/tasks/{task.id}", headers=headers).get_json()["version"]
    body = {"version": version, "status": "in_progress", "progress": 45, "note": "Đã xong bước 2"}
    with counted_statements() as statements:
        answer = client.patch(f"/api/v1/tasks/{task.id}", json=body, headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert len(statements) <= UPDATE_STATEMENTS, "\n".join(statements)
    read_back = client.get(f"/api/v1/tasks/{task.id}", headers=headers).get_json()
    assert answer.get_json() == read_back
    assert (read_back["progress"], read_back["version"]) == (45, version + 1)


def test_a_tasks_own_statement_reads_every_table_by_its_key_on_sqlite():
    """SQLite planned the task's coordinating units, once joined to the task's statement, as
    the join of every unit with every coordination (11 ms of the task page at 100,000 tasks,
    where PostgreSQL took 0.2): the statement holds no such join, and SQLite finds every row
    it reads by a key."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's query planner (PostgreSQL's plans are proven at 300,000 tasks)")
    compiled = lookups._task_shown().compile(dialect=db.engine.dialect)
    arguments = [
        1 if name == "shown_task_id" else compiled.params[name] for name in compiled.positiontup
    ]
    connection = db.session.connection().connection.dbapi_connection
    plan = [row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + str(compiled), arguments)]
    scans = [step for step in plan if step.startswith(("SCAN", "MATERIALIZE"))]
    assert not scans, plan


def test_the_tasks_waiting_to_be_given_are_counted_from_their_own_index(app, make):
    """Migration 0050: an admin's task list filtered to the tasks given to no one counted
    every task without an owner, open or closed (41 ms at 300,000 tasks on PostgreSQL, 17
    ms at 100,000 on SQLite, growing with the data). The filter is spelt as the partial
    index of the waiting tasks, so that both databases can count them from it: SQLite plans
    the count through that index when told to (it refuses an index that does not apply;
    it did, while the open statuses were sent as parameters), and PostgreSQL, allowed no
    other way to read the tasks, counts them from the index alone."""
    ministry = make.unit("BỘ TƯ PHÁP", name="Bộ Tư pháp")
    department = make.unit("VỤ PHÁP CHẾ Đ", ministry, name="Vụ Pháp chế và Đổi mới")
    admin = make.user("admin", ministry, username="quản_trị")
    officer = make.user("officer", department, username="lê_thu_hà", name="Lê Thu Hà")
    plan = make.directive("số 12/KH-ĐTW")
    waiting = make.task(department, plan, code="NV ĐẦU 01", title="Rà soát văn bản")
    given = make.task(department, plan, code="NV ĐẦU 02", owner=officer)
    closed = make.task(department, plan, code="NV ĐẦU 03", status=lifecycle.COMPLETED)
    client = app.test_client()
    login(client, admin)
    with counted_statements(with_parameters=True) as sent:
        page = client.get("/tasks?unassigned=1").get_data(as_text=True)
    assert waiting.code in page
    assert given.code not in page and closed.code not in page
    (count, parameters), *_ = [
        (sql, params) for sql, params in sent if "count(" in sql and "owner_id IS NULL" in sql
    ]
    db.session.commit()  # what the page read is no longer held
    connection = db.session.connection().connection.dbapi_connection
    if db.engine.dialect.name == "sqlite":
        forced = count.replace("FROM task", "FROM task INDEXED BY ix_task_waiting", 1)
        plan_rows = connection.execute("EXPLAIN QUERY PLAN " + forced, parameters).fetchall()
        assert any("ix_task_waiting" in row[3] for row in plan_rows), plan_rows
        return
    cursor = connection.cursor()
    for way in ("seqscan", "bitmapscan", "indexscan"):
        cursor.execute(f"SET LOCAL enable_{way} = off")
    plan_text = " ".join(row[0] for row in cursor.execute("EXPLAIN " + count, parameters))
    assert "Index Only Scan using ix_task_waiting" in plan_text, plan_text
