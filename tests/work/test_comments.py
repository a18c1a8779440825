"""The comment thread and difficulties: coordinating units take part; supervisors answer;
open difficulties are listed until answered."""

import pytest
from sqlalchemy import func, select

from tracker.domain.errors import Forbidden, InvalidInput
from tracker.extensions import db
from tracker.models import AuditEvent, Comment
from tracker.work import comments

from ..api.test_api import assert_problem, token_for
from ..conftest import login


@pytest.fixture
def scene(make, org):
    leader = make.user("unit_leader", org["institute"])
    helper = make.user("officer", org["other"])  # in a coordinating unit
    supervisor = make.user("supervisor", org["ministry"])
    task = make.task(org["institute"], coordinating_units=[org["other"]], code="CL-03")
    return leader, helper, supervisor, task


def test_thread_with_an_obstacle_answered_by_the_supervisor(client, scene):
    leader, helper, supervisor, task = scene
    login(client, helper)
    assert (
        client.post(
            f"/tasks/{task.id}/comments",
            data={"kind": "comment", "body": "Our data arrives Friday."},
        ).status_code
        == 302
    )
    login(client, leader)
    response = client.post(
        f"/tasks/{task.id}/comments",
        data={"kind": "obstacle", "body": "No budget for the test rig."},
    )
    assert response.status_code == 302
    login(client, supervisor)
    queue = client.get("/verification").text
    assert "No budget for the test rig." in queue
    obstacle = db.session.scalar(select(Comment).where(Comment.kind == "obstacle"))
    response = client.post(
        f"/comments/{obstacle.id}/answer",
        data={"answer": "Use the 2026 reserve; decision attached."},
    )
    assert response.status_code == 302
    page = client.get(f"/tasks/{task.id}").text
    assert "Our data arrives Friday." in page and "Use the 2026 reserve" in page
    assert "No difficulty is waiting for an answer" in client.get("/verification").text
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert {"comment.add", "obstacle.add", "obstacle.answer"} <= set(actions)


def test_rules(make, org, scene):
    leader, helper, supervisor, task = scene
    with pytest.raises(Forbidden):
        comments.post_comment(make.user("auditor", org["ministry"]), task, "hi")
    with pytest.raises(Forbidden):
        comments.post_comment(make.user("unit_leader", make.unit("FAR")), task, "hi")
    with pytest.raises(InvalidInput, match="Write the body"):
        comments.post_comment(leader, task, "   ")
    note = comments.post_comment(leader, task, "Plain comment")
    with pytest.raises(InvalidInput, match="Only a reported difficulty"):
        comments.answer_obstacle(supervisor, note, "answer")
    obstacle = comments.post_comment(helper, task, "Blocked", "obstacle")
    with pytest.raises(Forbidden):
        comments.answer_obstacle(leader, obstacle, "I answer myself")
    comments.answer_obstacle(supervisor, obstacle, "Unblocked")
    with pytest.raises(InvalidInput, match="already answered"):
        comments.answer_obstacle(supervisor, obstacle, "again")
    assert db.session.scalar(select(func.count(Comment.id))) == 2


def test_comments_through_the_api(client, scene):
    leader, helper, supervisor, task = scene
    headers = token_for(client, helper)
    response = client.post(
        f"/api/v1/tasks/{task.id}/comments",
        headers=headers,
        json={"kind": "obstacle", "body": "Waiting for customs"},
    )
    assert response.status_code == 201 and response.json["kind"] == "obstacle"
    assert_problem(
        client.post(
            f"/api/v1/tasks/{task.id}/comments", headers=headers, json={"body": "x", "kind": "rant"}
        ),
        422,
    )
    assert_problem(
        client.post(
            f"/api/v1/comments/{response.json['id']}/answer",
            headers=headers,
            json={"answer": "self"},
        ),
        403,
    )
    answered = client.post(
        f"/api/v1/comments/{response.json['id']}/answer",
        headers=token_for(client, supervisor),
        json={"answer": "Called them"},
    )
    assert answered.status_code == 200 and answered.json["answered_by"] == supervisor.username
    listing = client.get(f"/api/v1/tasks/{task.id}/comments", headers=headers).json
    assert [c["answer"] for c in listing["items"]] == ["Called them"]
