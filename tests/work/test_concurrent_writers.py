"""Concurrent writers queue instead of failing: eight clients report progress at once, on
SQLite (WAL, a busy timeout, and a transaction that begins with its first write) as on
PostgreSQL; no 'database is locked', no 5xx, every write stored with its audit event."""

import threading

from sqlalchemy import func, select

from tracker import audit
from tracker.extensions import db
from tracker.models import AuditEvent, StatusUpdate

from ..conftest import PASSWORD

WRITERS, WRITES = 8, 6


def test_concurrent_progress_reports_all_land(app, client, make, org):
    make.user("admin", org["ministry"], username="root")
    tasks = [make.task(org["department"], code=f"T{n}") for n in range(WRITERS)]
    token = client.post("/api/v1/tokens", json={"username": "root", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json['token']}"}
    task_ids = [task.id for task in tasks]
    answers: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(WRITERS)

    def writer(task_id: int) -> None:
        own = app.test_client()
        start.wait()
        for number in range(WRITES):
            current = own.get(f"/api/v1/tasks/{task_id}", headers=headers).json
            response = own.patch(
                f"/api/v1/tasks/{task_id}",
                json={
                    "version": current["version"],
                    "status": "in_progress",
                    "progress": number + 1,
                    "note": f"write {number}",
                },
                headers=headers,
            )
            with lock:
                answers.append(response.status_code)

    threads = [threading.Thread(target=writer, args=(task_id,)) for task_id in task_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * (WRITERS * WRITES)
    db.session.expire_all()
    written = db.session.scalar(
        select(func.count(StatusUpdate.id)).where(StatusUpdate.note.like("write %"))
    )
    assert written == WRITERS * WRITES
    progress_events = db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action.in_(("task.status_changed", "task.progress_reported"))
        )
    )
    assert progress_events == WRITERS * WRITES
    assert audit.verify_chain()[1] is None
