"""POST /api/v1/tasks/progress: several tasks' progress in one request, saved together (each
with its own history entry and audit event, the chain whole) or, when any one is refused,
nothing saved and the refused update named; and the same through gunicorn."""

from __future__ import annotations

import threading

import pytest
import requests
from sqlalchemy import select, update

from tracker.audit import verify_trail
from tracker.domain.errors import Conflict
from tracker.extensions import db
from tracker.models import AuditEvent, StatusUpdate, Task
from tracker.work import tasks as work
from tracker.work.tasks import MOST_REPORTS_AT_ONCE

from ..conftest import PASSWORD
from ..served import gunicorn
from .test_api import assert_problem, token_for, written


@pytest.fixture
def unit_world(make):
    """A department of a ministry, its leader, three of its tasks and one of another unit."""
    ministry = make.unit("BXD", name="Bộ Xây dựng")
    department = make.unit("Cục Đường bộ", ministry, name="Cục Đường bộ Việt Nam")
    other = make.unit("Sở GTVT Hà Nội", name="Sở Giao thông vận tải Hà Nội")
    plan = make.directive("Kế hoạch 12/KH-BXD", title="Kế hoạch bảo trì đường bộ")
    leader = make.user("unit_leader", department, username="truong.cuc", name="Đỗ Thị Ương")
    ours = [
        make.task(department, plan, code=f"NV Đợt {n}", status="in_progress") for n in (1, 2, 3)
    ]
    theirs = make.task(other, plan, code="NV Sở 1")
    return {"leader": leader, "ours": ours, "theirs": theirs}


def report(task: Task, **fields) -> dict:
    return {"task_id": task.id, "version": task.version, **fields}


def state_of(tasks: list[Task]) -> list[tuple[str, int, int]]:
    db.session.rollback()  # what other connections committed
    return [(t.status, t.percent_done, t.version) for t in tasks]


def test_several_tasks_are_saved_together_each_with_its_entry_and_event(client, unit_world):
    first, second, third = unit_world["ours"]
    notes = ["Đã khảo sát 12 km quốc lộ", "Đang lập dự toán sửa chữa", "Chờ ý kiến Sở Tài chính"]
    body = {
        "updates": [
            report(third, status="in_progress", progress=20, note=notes[2]),
            report(first, status="in_progress", progress=45, note=notes[0]),
            report(second, progress=10, note=notes[1]),
        ]
    }
    headers = token_for(client, unit_world["leader"])
    events_before = db.session.scalar(select(db.func.count(AuditEvent.id)))
    v = first.version  # each was made, then put in progress: all three alike

    response = client.post("/api/v1/tasks/progress", json=body, headers=headers)

    assert response.status_code == 200, response.json
    answered = [
        (item["code"], item["progress"], item["version"]) for item in response.json["items"]
    ]
    assert answered == [("NV Đợt 3", 20, v + 1), ("NV Đợt 1", 45, v + 1), ("NV Đợt 2", 10, v + 1)]
    assert state_of([first, second, third]) == [
        ("in_progress", 45, v + 1),
        ("in_progress", 10, v + 1),
        ("in_progress", 20, v + 1),
    ]
    for task, note in zip((first, second, third), notes, strict=True):
        entry = db.session.scalars(
            select(StatusUpdate).where(StatusUpdate.task_id == task.id, StatusUpdate.note == note)
        ).one()
        assert entry.actor.username == "truong.cuc"
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "task").order_by(AuditEvent.seq)
    ).all()[-3:]
    # Written in task id order, one event each, chained one after the other.
    assert [event.object_id for event in events] == [first.id, second.id, third.id]
    assert db.session.scalar(select(db.func.count(AuditEvent.id))) == events_before + 3
    check = verify_trail()
    assert check.problems == []


@pytest.mark.parametrize(
    ("updates_of", "status", "named"),
    [
        pytest.param(
            lambda ours, theirs: [
                report(ours[0], progress=30),
                {**report(ours[1], progress=40), "version": 7},
            ],
            409,
            "Update 2 (task NV Đợt 2)",
            id="a stale version",
        ),
        pytest.param(
            lambda ours, theirs: [report(ours[0], progress=30), report(theirs, progress=50)],
            403,
            "Update 2 (task id ",
            id="a task of another unit",
        ),
        pytest.param(
            lambda ours, theirs: [
                report(ours[0], progress=30),
                {"task_id": 2_000_000_000, "version": 1, "progress": 5},
            ],
            404,
            "Update 2 (task id 2000000000)",
            id="a task that does not exist",
        ),
        pytest.param(
            lambda ours, theirs: [report(ours[1], progress=30), report(ours[1], progress=31)],
            422,
            "Update 2 (task NV Đợt 2)",
            id="the same task twice",
        ),
        pytest.param(
            lambda ours, theirs: [
                report(ours[0], progress=30),
                report(ours[2], status="submitted", note="Hoàn thành"),
            ],
            422,
            "Update 2 (task NV Đợt 3)",
            id="a submission without evidence",
        ),
        pytest.param(
            lambda ours, theirs: [report(ours[0], progress=30), report(ours[1], progress=101)],
            422,
            "updates.1.progress",
            id="a percent over 100",
        ),
        pytest.param(
            lambda ours, theirs: [report(ours[0], progress=30), report(ours[1], colour="đỏ")],
            422,
            "updates.1.colour",
            id="an unknown field",
        ),
        pytest.param(lambda ours, theirs: [], 422, "updates", id="no update"),
        pytest.param(
            lambda ours, theirs: [
                report(ours[0], progress=n % 100) for n in range(MOST_REPORTS_AT_ONCE + 1)
            ],
            422,
            "updates",
            id="more than the most at once",
        ),
    ],
)
def test_a_refused_update_saves_none_of_them_and_is_named(
    client, unit_world, updates_of, status, named
):
    ours, theirs = unit_world["ours"], unit_world["theirs"]
    headers = token_for(client, unit_world["leader"])
    body = {"updates": updates_of(ours, theirs)}
    before, tasks_before = written(), state_of([*ours, theirs])

    response = client.post("/api/v1/tasks/progress", json=body, headers=headers)

    problem = assert_problem(response, status)
    assert named in problem["detail"] or named in problem.get("errors", {})
    assert written() == before
    assert state_of([*ours, theirs]) == tasks_before


def test_the_refused_update_is_named_under_its_place_in_the_errors(client, unit_world):
    first, second, _ = unit_world["ours"]
    body = {"updates": [report(first, progress=30), report(second, status="submitted")]}
    response = client.post(
        "/api/v1/tasks/progress", json=body, headers=token_for(client, unit_world["leader"])
    )
    problem = assert_problem(response, 422, "Update 2 (task NV Đợt 2): ")
    assert list(problem["errors"]) == ["updates.1.note"]


@pytest.mark.postgres
def test_two_batches_locking_each_others_rows_get_a_conflict_not_an_error(app, unit_world):
    """Two writers each holding a task row the other needs: PostgreSQL breaks the cycle, and
    the one it rolls back is told to try again (409), with nothing saved."""
    first, second, _ = unit_world["ours"]
    ids, leader_id = [first.id, second.id], unit_world["leader"].id
    both_hold_one = threading.Barrier(2, timeout=20)
    outcomes: dict[str, str] = {}

    def writer(name: str, holds: int, wants: int) -> None:
        with app.app_context():
            leader = db.session.get(type(unit_world["leader"]), leader_id)
            held, wanted = db.session.get(Task, holds), db.session.get(Task, wants)
            try:
                # Lock one row as an earlier statement of the same request would.
                db.session.execute(
                    update(Task).where(Task.id == held.id).values(updated_at=Task.updated_at)
                )
                both_hold_one.wait()
                work.report_progress_together(
                    leader,
                    [work.ProgressReport(wanted, wanted.version, "in_progress", 60, place=0)],
                )
                outcomes[name] = "saved"
            except Conflict as conflict:
                outcomes[name] = f"409 {conflict.message}"
            finally:
                db.session.rollback()
                db.session.remove()

    threads = [
        threading.Thread(target=writer, args=("a", ids[0], ids[1])),
        threading.Thread(target=writer, args=("b", ids[1], ids[0])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcome.split(" ")[0] for outcome in outcomes.values()) == ["409", "saved"]
    refused = next(outcome for outcome in outcomes.values() if outcome.startswith("409"))
    assert "changed by someone else at the same moment" in refused


@pytest.mark.slow
def test_a_batch_through_gunicorn(database_url, tmp_path, unit_world):
    first, second, _ = unit_world["ours"]
    with gunicorn(database_url, tmp_path / "instance", SESSION_COOKIE_SECURE="0") as base:
        token = requests.post(
            f"{base}/api/v1/tokens",
            json={"username": "truong.cuc", "password": PASSWORD},
            timeout=30,
        ).json()["token"]
        response = requests.post(
            f"{base}/api/v1/tasks/progress",
            json={
                "updates": [
                    report(first, progress=55, note="Đã thi công 5,5 km — đạt 55 %"),
                    report(second, progress=5, note="Khởi công ngày 02/12"),
                ]
            },
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert [item["progress"] for item in response.json()["items"]] == [55, 5]
    notes = db.session.scalars(
        select(StatusUpdate.note).where(StatusUpdate.task_id.in_([first.id, second.id]))
    ).all()
    assert "Đã thi công 5,5 km — đạt 55 %" in notes
