"""Field-level rules: extra fields in a form or an API body change nothing they do not name
(no mass assignment); auditors write through no side door; a change of role or unit ends an
API token on its next request."""

import io

import pytest
from sqlalchemy import select

from tracker.accounts import users
from tracker.extensions import db
from tracker.models import Task

from .conftest import PASSWORD, login
from .web.test_route_walk import fingerprint
from .work.test_evidence import PDF


@pytest.fixture
def scene(make, org):
    leader = make.user("unit_leader", org["department"], username="leader")
    officer = make.user("officer", org["department"], username="officer")
    task = make.task(org["department"], code="T1", owner=officer)
    return {"leader": leader, "officer": officer, "task": task, "org": org}


def test_a_progress_form_with_extra_fields_changes_only_progress(client, scene):
    task, org = scene["task"], scene["org"]
    login(client, scene["leader"])
    response = client.post(
        f"/tasks/{task.id}/progress",
        data={
            "status": "in_progress",
            "percent_done": "30",
            "note": "On track",
            "version": str(task.version),
            "deadline": "2099-12-31",
            "owner_id": str(scene["leader"].id),
            "lead_unit_id": str(org["other"].id),
            "title": "Renamed by the leader",
            "is_key": "y",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Task, task.id)
    assert saved.percent_done == 30
    assert (saved.deadline, saved.owner_id, saved.lead_unit_id, saved.title, saved.is_key) == (
        task.deadline,
        scene["officer"].id,
        org["department"].id,
        task.title,
        False,
    )


def test_a_unit_leader_cannot_reach_the_task_editor(client, scene):
    login(client, scene["leader"])
    task = scene["task"]
    before = fingerprint()
    response = client.post(
        f"/admin/tasks/{task.id}/edit",
        data={"code": "T1", "title": "x", "deadline": "2099-12-31", "version": task.version},
    )
    assert response.status_code == 403
    assert fingerprint() == before


@pytest.mark.parametrize(
    "path, data",
    [
        ("/tasks/{id}/comments", {"body": "Looks late", "kind": "comment"}),
        ("/tasks/{id}/evidence", {"file": (io.BytesIO(PDF), "x.pdf"), "note": "n"}),
        ("/tasks/{id}/urging", {"text": "Hurry up"}),
        ("/tasks/{id}/extensions", {"deadline": "2099-01-01", "reason": "why not"}),
        ("/tasks/{id}/progress", {"status": "in_progress", "percent_done": "10"}),
    ],
)
def test_auditors_write_through_no_side_door(client, make, scene, path, data):
    auditor = make.user("auditor", scene["org"]["ministry"])
    login(client, auditor)
    before = fingerprint()
    task = scene["task"]
    if "percent_done" in data:
        data = {**data, "version": str(task.version)}
    response = client.post(path.format(id=task.id), data=data)
    assert response.status_code == 403
    assert fingerprint() == before


@pytest.mark.parametrize("change", ["role", "unit"])
def test_a_new_role_or_unit_ends_the_api_token(client, make, scene, change):
    admin = make.user("admin", scene["org"]["ministry"])
    leader = scene["leader"]
    token = client.post("/api/v1/tokens", json={"username": "leader", "password": PASSWORD}).json[
        "token"
    ]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200
    role = "officer" if change == "role" else leader.role
    unit = scene["org"]["institute"] if change == "unit" else leader.unit
    users.update_user(
        admin, leader, name=leader.name, email=leader.email, role=role, unit=unit, active=True
    )
    assert client.get("/api/v1/tasks", headers=headers).status_code == 401
    assert db.session.scalar(select(Task.id)) == scene["task"].id


def test_two_editors_at_the_same_version_the_second_writes_nothing(client, app, scene):
    """HTML form with a file, then the API, both at version N: one wins, the other gets a
    conflict and leaves no history entry, audit event or stored file behind."""
    from .web.test_faults import stored_files

    task = scene["task"]
    version = task.version
    login(client, scene["leader"])
    first = client.post(
        f"/tasks/{task.id}/progress",
        data={"status": "in_progress", "percent_done": "20", "version": str(version)},
    )
    assert first.status_code == 302
    before, files = fingerprint(), stored_files()
    second = client.post(
        f"/tasks/{task.id}/progress",
        data={
            "status": "in_progress",
            "percent_done": "60",
            "note": "Mine",
            "version": str(version),
            "evidence_file": (io.BytesIO(PDF), "minutes.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert second.status_code == 409
    assert "changed by someone else" in second.text
    assert fingerprint() == before
    assert stored_files() == files
    token = client.post("/api/v1/tokens", json={"username": "officer", "password": PASSWORD}).json[
        "token"
    ]
    before_api = fingerprint()
    third = client.patch(
        f"/api/v1/tasks/{task.id}",
        json={"version": version, "status": "in_progress", "progress": 70},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert third.status_code == 409
    assert fingerprint() == before_api
    db.session.expire_all()
    assert db.session.get(Task, task.id).percent_done == 20
