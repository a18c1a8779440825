"""The permission matrix: every role × every action × own or other unit, through the HTML
views and the API. Each cell asserts the status code, and that a refusal changed nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tracker.domain import lifecycle
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Comment,
    ExtensionRequest,
    StatusUpdate,
    Task,
    Unit,
    UrgingNotice,
    User,
)

from ..conftest import PASSWORD, login

ROLE_UNITS = {
    "admin": "OTH2",
    "supervisor": "MIN",
    "unit_leader": "INS",
    "officer": "INS",
    "auditor": "OTH2",
}
ROLES = tuple(ROLE_UNITS)


@dataclass
class Action:
    name: str
    request: Callable  # (client, task, headers) -> response
    expected: dict[str, tuple[int, int]]  # role -> (own task, other unit's task)
    start_status: str = lifecycle.NOT_STARTED
    api: bool = False
    prepare: Callable | None = None  # (task) -> None, run before the snapshot


def pending_request(task) -> None:
    db.session.add(
        ExtensionRequest(
            task_id=task.id,
            previous_deadline=task.deadline,
            requested_deadline=task.deadline + timedelta(days=30),
            reason="Need the ministry's data",
        )
    )
    db.session.commit()


def open_obstacle(task) -> None:
    db.session.add(Comment(task_id=task.id, kind="obstacle", body="Blocked by customs"))
    db.session.commit()


def comment_id(task) -> int:
    return db.session.scalar(select(Comment.id).where(Comment.task_id == task.id))


def make_overdue(task) -> None:
    task.deadline = task.deadline - timedelta(days=60)
    db.session.commit()


def request_id(task) -> int:
    return db.session.scalar(select(ExtensionRequest.id).where(ExtensionRequest.task_id == task.id))


def progress(status, percent="50", note="Matrix"):
    def send(client, task, headers):
        return client.post(
            f"/tasks/{task.id}/progress",
            data={
                "status": status,
                "percent_done": percent,
                "note": note,
                "evidence_url": "https://example.gov.vn/decree.pdf",
                "version": str(task.version),
            },
        )

    return send


def api_patch(body):
    def send(client, task, headers):
        return client.patch(
            f"/api/v1/tasks/{task.id}", json=dict(body, version=task.version), headers=headers
        )

    return send


def api_create(client, task, headers):
    return client.post(
        "/api/v1/tasks",
        json={
            "code": "NEW-1",
            "title": "New",
            "directive": task.directive.code,
            "lead_unit": task.lead_unit.code,
            "deadline": task.deadline.isoformat(),
        },
        headers=headers,
    )


def admin_task_edit_post(client, task, headers):
    return client.post(
        f"/admin/tasks/{task.id}/edit",
        data={
            "directive_id": task.directive_id,
            "code": task.code,
            "title": "Renamed",
            "kind": "task",
            "lead_unit_id": task.lead_unit_id,
            "deadline": task.deadline.isoformat(),
            "version": str(task.version),
        },
    )


def give_to_someone_of_the_unit(client, task, headers):
    """Give the task to someone of its lead unit who does not have it (or to nobody)."""
    person = db.session.scalar(
        select(User.id).where(User.unit_id == task.lead_unit_id, User.id != (task.owner_id or 0))
    )
    return client.post(
        f"/tasks/{task.id}/owner", data={"owner_id": person or "None", "version": task.version}
    )


ALL = (200, 200)
OWN = (200, 403)
NONE = (403, 403)
SAVED = (302, 302)
SAVED_OWN = (302, 403)

ACTIONS = [
    Action(
        "view task",
        lambda c, t, h: c.get(f"/tasks/{t.id}"),
        {"admin": ALL, "supervisor": OWN, "unit_leader": OWN, "officer": OWN, "auditor": ALL},
    ),
    Action(
        "report progress",
        progress("in_progress"),
        {
            "admin": SAVED,
            "supervisor": SAVED_OWN,
            "unit_leader": SAVED_OWN,
            "officer": SAVED_OWN,
            "auditor": NONE,
        },
    ),
    Action(
        "submit",
        progress("submitted", "100"),
        {
            "admin": SAVED,
            "supervisor": SAVED_OWN,
            "unit_leader": SAVED_OWN,
            "officer": SAVED_OWN,
            "auditor": NONE,
        },
    ),
    Action(
        "verify",
        progress("completed", "100"),
        {
            "admin": SAVED,
            "supervisor": SAVED_OWN,
            "unit_leader": NONE,
            "officer": NONE,
            "auditor": NONE,
        },
        start_status=lifecycle.SUBMITTED,
    ),
    Action(
        "send back",
        progress("in_progress", "80", "Annex missing"),
        {
            "admin": SAVED,
            "supervisor": SAVED_OWN,
            "unit_leader": NONE,
            "officer": NONE,
            "auditor": NONE,
        },
        start_status=lifecycle.SUBMITTED,
    ),
    Action(
        "cancel",
        progress("cancelled"),
        {
            "admin": SAVED,
            "supervisor": SAVED_OWN,
            "unit_leader": NONE,
            "officer": NONE,
            "auditor": NONE,
        },
    ),
    Action(
        "give to someone",
        give_to_someone_of_the_unit,
        {
            "admin": SAVED,
            "supervisor": SAVED_OWN,
            "unit_leader": SAVED_OWN,
            "officer": NONE,
            "auditor": NONE,
        },
    ),
    Action(
        "api give to someone",
        lambda c, t, h: c.put(
            f"/api/v1/tasks/{t.id}/owner", json={"version": t.version, "owner": None}, headers=h
        ),
        {
            "admin": ALL,
            "supervisor": OWN,
            "unit_leader": OWN,
            "officer": NONE,
            "auditor": NONE,
        },
        api=True,
    ),
    Action(
        "attach evidence",
        lambda c, t, h: c.post(f"/tasks/{t.id}/evidence", data={"url": "https://e.gov.vn/1"}),
        {
            "admin": SAVED,
            "supervisor": SAVED_OWN,
            "unit_leader": SAVED_OWN,
            "officer": SAVED_OWN,
            "auditor": NONE,
        },
    ),
    Action(
        "api attach evidence",
        lambda c, t, h: c.post(
            f"/api/v1/tasks/{t.id}/evidence", json={"url": "https://e.gov.vn/1"}, headers=h
        ),
        {
            "admin": (201, 201),
            "supervisor": (201, 403),
            "unit_leader": (201, 403),
            "officer": (201, 403),
            "auditor": NONE,
        },
        api=True,
    ),
    Action(
        "request extension",
        lambda c, t, h: c.post(
            f"/tasks/{t.id}/extensions",
            data={"deadline": (t.deadline + timedelta(days=9)).isoformat(), "reason": "Data"},
        ),
        {
            "admin": NONE,
            "supervisor": NONE,
            "unit_leader": SAVED_OWN,
            "officer": NONE,
            "auditor": NONE,
        },
    ),
    Action(
        "decide extension",
        lambda c, t, h: c.post(
            f"/extensions/{request_id(t)}/decision", data={"decision": "approve"}
        ),
        {
            "admin": SAVED,
            "supervisor": SAVED_OWN,
            "unit_leader": NONE,
            "officer": NONE,
            "auditor": NONE,
        },
        prepare=pending_request,
    ),
    Action(
        "api decide extension",
        lambda c, t, h: c.post(
            f"/api/v1/extensions/{request_id(t)}/decision",
            json={"approve": False, "comment": "No"},
            headers=h,
        ),
        {
            "admin": ALL,
            "supervisor": OWN,
            "unit_leader": NONE,
            "officer": NONE,
            "auditor": NONE,
        },
        prepare=pending_request,
        api=True,
    ),
    Action(
        "comment",
        lambda c, t, h: c.post(f"/tasks/{t.id}/comments", data={"kind": "comment", "body": "Hi"}),
        {
            "admin": SAVED,
            "supervisor": SAVED_OWN,
            "unit_leader": SAVED_OWN,
            "officer": SAVED_OWN,
            "auditor": NONE,
        },
    ),
    Action(
        "answer difficulty",
        lambda c, t, h: c.post(f"/comments/{comment_id(t)}/answer", data={"answer": "Done"}),
        {
            "admin": SAVED,
            "supervisor": SAVED_OWN,
            "unit_leader": NONE,
            "officer": NONE,
            "auditor": NONE,
        },
        prepare=open_obstacle,
    ),
    Action(
        "api comment",
        lambda c, t, h: c.post(f"/api/v1/tasks/{t.id}/comments", json={"body": "Hi"}, headers=h),
        {
            "admin": (201, 201),
            "supervisor": (201, 403),
            "unit_leader": (201, 403),
            "officer": (201, 403),
            "auditor": NONE,
        },
        api=True,
    ),
    Action(
        "urging notice",
        lambda c, t, h: c.post(f"/tasks/{t.id}/urging", data={"text": "Deliver now"}),
        {
            "admin": SAVED,
            "supervisor": SAVED_OWN,
            "unit_leader": NONE,
            "officer": NONE,
            "auditor": NONE,
        },
        prepare=make_overdue,
    ),
    Action(
        "api urging notice",
        lambda c, t, h: c.post(f"/api/v1/tasks/{t.id}/urging", json={"text": "Now"}, headers=h),
        {
            "admin": (201, 201),
            "supervisor": (201, 403),
            "unit_leader": NONE,
            "officer": NONE,
            "auditor": NONE,
        },
        prepare=make_overdue,
        api=True,
    ),
    Action(
        "verification queue",
        lambda c, t, h: c.get("/verification"),
        {"admin": ALL, "supervisor": ALL, "unit_leader": NONE, "officer": NONE, "auditor": NONE},
    ),
    Action(
        "edit task form",
        lambda c, t, h: c.get(f"/admin/tasks/{t.id}/edit"),
        {"admin": ALL, "supervisor": NONE, "unit_leader": NONE, "officer": NONE, "auditor": NONE},
    ),
    Action(
        "edit task",
        admin_task_edit_post,
        {"admin": SAVED, "supervisor": NONE, "unit_leader": NONE, "officer": NONE, "auditor": NONE},
    ),
    Action(
        "api view task",
        lambda c, t, h: c.get(f"/api/v1/tasks/{t.id}", headers=h),
        {"admin": ALL, "supervisor": OWN, "unit_leader": OWN, "officer": OWN, "auditor": ALL},
        api=True,
    ),
    Action(
        "api report progress",
        api_patch({"status": "in_progress", "progress": 30}),
        {"admin": ALL, "supervisor": OWN, "unit_leader": OWN, "officer": OWN, "auditor": NONE},
        api=True,
    ),
    Action(
        "api verify",
        api_patch({"status": "completed"}),
        {"admin": ALL, "supervisor": OWN, "unit_leader": NONE, "officer": NONE, "auditor": NONE},
        start_status=lifecycle.SUBMITTED,
        api=True,
    ),
    Action(
        "api create task",
        api_create,
        {
            "admin": ((201, 201)),
            "supervisor": (201, 403),
            "unit_leader": NONE,
            "officer": NONE,
            "auditor": NONE,
        },
        api=True,
    ),
]

# Pages without a task: role -> status.
PAGES = {
    "/board": {"admin": 200, "supervisor": 200, "unit_leader": 403, "officer": 403, "auditor": 200},
    "/reports/tasks.csv": {
        "admin": 200,
        "supervisor": 200,
        "unit_leader": 403,
        "officer": 403,
        "auditor": 200,
    },
    "/my-unit": {
        "admin": 200,
        "supervisor": 200,
        "unit_leader": 200,
        "officer": 200,
        "auditor": 403,
    },
    "/tasks": dict.fromkeys(ROLES, 200),
    "/directives": dict.fromkeys(ROLES, 200),
    "/reminders": dict.fromkeys(ROLES, 200),
    "/audit": {"admin": 200, "supervisor": 403, "unit_leader": 403, "officer": 403, "auditor": 200},
    "/admin/units": {"admin": 200, **dict.fromkeys(ROLES[1:], 403)},
    "/admin/units/new": {"admin": 200, **dict.fromkeys(ROLES[1:], 403)},
    "/admin/users": {"admin": 200, **dict.fromkeys(ROLES[1:], 403)},
    "/admin/users/new": {"admin": 200, **dict.fromkeys(ROLES[1:], 403)},
    "/admin/directives/new": {"admin": 200, **dict.fromkeys(ROLES[1:], 403)},
    "/admin/tasks/new": {"admin": 200, **dict.fromkeys(ROLES[1:], 403)},
    "/admin/recurring": {"admin": 200, **dict.fromkeys(ROLES[1:], 403)},
    "/admin/import": {
        "admin": 200,
        "supervisor": 200,
        "unit_leader": 403,
        "officer": 403,
        "auditor": 403,
    },
    "/api/v1/exports/tasks.csv": {
        "admin": 200,
        "supervisor": 200,
        "unit_leader": 403,
        "officer": 403,
        "auditor": 200,
    },
    "/api/v1/units": dict.fromkeys(ROLES, 200),
    "/api/v1/tasks": dict.fromkeys(ROLES, 200),
    "/api/v1/reports/summary": dict.fromkeys(ROLES, 200),
}


@pytest.fixture
def world(make):
    ministry = make.unit("MIN")
    department = make.unit("DEP", ministry)
    institute = make.unit("INS", department)
    other = make.unit("OTH")
    make.unit("OTH2")
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    people = {
        role: make.user(role, units[code], username=role) for role, code in ROLE_UNITS.items()
    }
    return {
        "units": units,
        "people": people,
        "institute": institute,
        "other": other,
        "directive": make.directive("57-NQ/TW"),
        "department": department,
    }


def snapshot():
    return (
        tuple(db.session.execute(select(ExtensionRequest.id, ExtensionRequest.status)).all()),
        tuple(db.session.execute(select(Comment.id, Comment.answer)).all()),
        db.session.scalar(select(func.count(UrgingNotice.id))),
        tuple(
            db.session.execute(
                select(Task.id, Task.status, Task.version, Task.title).order_by(Task.id)
            ).all()
        ),
        db.session.scalar(select(func.count(StatusUpdate.id))),
        db.session.scalar(select(func.count(AuditEvent.id))),
    )


def bearer(client, user: User) -> dict:
    response = client.post("/api/v1/tokens", json={"username": user.username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.json['token']}"}


CASES = [
    pytest.param(action, role, scope, id=f"{action.name}-{role}-{scope}")
    for action in ACTIONS
    for role in ROLES
    for scope in ("own", "other")
]


@pytest.mark.parametrize(("action", "role", "scope"), CASES)
def test_matrix(client, make, world, action, role, scope):
    user = world["people"][role]
    lead = world["institute"] if scope == "own" else world["other"]
    task = make.task(
        lead,
        world["directive"],
        status=action.start_status,
        owner=world["people"]["officer"] if scope == "own" else None,
    )
    if action.prepare:
        action.prepare(task)
    headers = bearer(client, user) if action.api else {}
    if not action.api:
        login(client, user)
    before = snapshot()
    response = action.request(client, task, headers)
    expected = action.expected[role][0 if scope == "own" else 1]
    assert response.status_code == expected, response.get_data(as_text=True)[:300]
    if expected in (403, 404) or (expected == 200 and response.request.method == "GET"):
        assert snapshot() == before


@pytest.mark.parametrize(("path", "role"), [(path, role) for path in PAGES for role in ROLES])
def test_pages(client, world, path, role):
    user = world["people"][role]
    if path.startswith("/api/"):
        response = client.get(path, headers=bearer(client, user))
    else:
        login(client, user)
        response = client.get(path)
    assert response.status_code == PAGES[path][role]


@pytest.mark.parametrize("role", ROLES[1:])
def test_admin_writes_are_refused_to_everyone_else(client, world, role):
    login(client, world["people"][role])
    before = snapshot()
    unit_count = db.session.scalar(select(func.count(Unit.id)))
    responses = [
        client.post("/admin/units/new", data={"code": "NEW", "name": "New"}),
        client.post(
            "/admin/users/new",
            data={
                "username": "x",
                "name": "X",
                "role": "admin",
                "unit_id": world["institute"].id,
                "password": "a long enough password",
            },
        ),
        client.post(
            "/admin/directives/new",
            data={"code": "1-CT", "kind": "directive", "title": "T", "visibility": "internal"},
        ),
        client.post(
            f"/admin/units/{world['institute'].id}/edit", data={"code": "INS", "name": "Renamed"}
        ),
    ]
    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    assert snapshot() == before
    assert db.session.scalar(select(func.count(Unit.id))) == unit_count
    assert db.session.scalar(select(func.count(User.id))) == len(ROLES)
