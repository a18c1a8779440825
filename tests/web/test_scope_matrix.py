"""The permission matrix beyond own and other unit (test_permission_matrix.py): tasks led by
a sub-unit, tasks the user's unit coordinates, and tasks assigned to the user personally,
through the HTML forms and the API, as the README's "Roles" table says:

- a supervisor acts on tasks whose lead unit lies in their subtree;
- a unit leader updates tasks whose lead unit is their own; a coordinating unit may comment
  and attach evidence, not change status;
- an officer updates tasks assigned to them personally;
- an auditor reads everything and writes nothing.

Every refusal is checked to have changed nothing.
"""

from __future__ import annotations

import pytest

from ..conftest import PASSWORD, login
from .test_route_walk import fingerprint

ROLES = ("admin", "supervisor", "unit_leader", "officer", "auditor")
ROLE_UNITS = {
    "admin": "OTH2",
    "supervisor": "MIN",
    "unit_leader": "INS",
    "officer": "INS",
    "auditor": "OTH2",
}

# scope → action → roles allowed. The leader and the officer belong to INS, the supervisor
# to MIN (over DEP and INS); LAB is a sub-unit of INS; OTH is outside the supervisor's tree.
EXPECTED = {
    "subtree": {  # led by LAB, under INS
        "view": {"admin", "supervisor", "unit_leader", "officer", "auditor"},
        "progress": {"admin", "supervisor"},
        "contribute": {"admin", "supervisor"},
    },
    "coordinating": {  # led by OTH, INS coordinates
        "view": {"admin", "unit_leader", "officer", "auditor"},
        "progress": {"admin"},
        "contribute": {"admin", "unit_leader", "officer"},
    },
    "assigned": {  # led by OTH, assigned to the officer
        "view": {"admin", "officer", "auditor"},
        "progress": {"admin", "officer"},
        "contribute": {"admin", "officer"},
    },
}


@pytest.fixture
def world(make):
    ministry = make.unit("MIN")
    department = make.unit("DEP", ministry)
    institute = make.unit("INS", department)
    units = {
        "MIN": ministry,
        "DEP": department,
        "INS": institute,
        "LAB": make.unit("LAB", institute),
        "OTH": make.unit("OTH"),
        "OTH2": make.unit("OTH2"),
    }
    people = {
        role: make.user(role, units[code], username=role) for role, code in ROLE_UNITS.items()
    }
    return {"units": units, "people": people, "directive": make.directive("57-NQ/TW")}


def task_for(make, world, scope):
    units, people = world["units"], world["people"]
    if scope == "subtree":
        return make.task(units["LAB"], world["directive"])
    if scope == "coordinating":
        return make.task(units["OTH"], world["directive"], coordinating_units=[units["INS"]])
    return make.task(units["OTH"], world["directive"], owner=people["officer"])


def html(client, task, action):
    if action == "view":
        return client.get(f"/tasks/{task.id}"), 200
    if action == "progress":
        data = {"status": "in_progress", "percent_done": "40", "version": str(task.version)}
        return client.post(f"/tasks/{task.id}/progress", data=data), 302
    return client.post(
        f"/tasks/{task.id}/comments", data={"body": "Data sent.", "kind": "comment"}
    ), 302


def api(client, task, action, headers):
    if action == "view":
        return client.get(f"/api/v1/tasks/{task.id}", headers=headers), 200
    if action == "progress":
        body = {"version": task.version, "status": "in_progress", "progress": 40}
        return client.patch(f"/api/v1/tasks/{task.id}", json=body, headers=headers), 200
    body = {"url": "https://example.gov.vn/minutes.pdf", "note": "Minutes"}
    return client.post(f"/api/v1/tasks/{task.id}/evidence", json=body, headers=headers), 201


CASES = [
    pytest.param(scope, action, role, channel, id=f"{scope}-{action}-{role}-{channel}")
    for scope, actions in EXPECTED.items()
    for action in actions
    for role in ROLES
    for channel in ("html", "api")
]


@pytest.mark.parametrize(("scope", "action", "role", "channel"), CASES)
def test_scope_matrix(client, make, world, scope, action, role, channel):
    task = task_for(make, world, scope)
    user = world["people"][role]
    if channel == "html":
        login(client, user)
    else:
        token = client.post(
            "/api/v1/tokens", json={"username": user.username, "password": PASSWORD}
        ).json["token"]
        headers = {"Authorization": f"Bearer {token}"}
    before = fingerprint()
    if channel == "html":
        response, success = html(client, task, action)
    else:
        response, success = api(client, task, action, headers)
    allowed = role in EXPECTED[scope][action]
    if allowed:
        assert response.status_code == success, response.get_data(as_text=True)[:300]
    else:
        assert response.status_code in (403, 404), response.status_code
        assert fingerprint() == before
