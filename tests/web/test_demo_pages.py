"""The demo data: every timeliness class occurs, and every main page renders for its role."""

import pytest
from sqlalchemy import select

from tracker.domain.timeliness import Timeliness
from tracker.extensions import db
from tracker.infra import clock
from tracker.models import Directive, Task, User
from tracker.seed import demo

from ..conftest import login


@pytest.fixture
def demo_data():
    passwords = demo.load_demo()
    return passwords


def test_demo_has_every_timeliness_class_and_one_account_per_role(demo_data):
    today = clock.today()
    classes = {task.timeliness(today) for task in db.session.scalars(select(Task))}
    assert set(Timeliness) <= classes
    assert None in classes  # a cancelled task
    roles = {user.role for user in db.session.scalars(select(User))}
    assert roles == {"admin", "supervisor", "unit_leader", "officer", "auditor"}
    assert all(len(p) >= 12 for p in demo_data.values())
    assert all(user.email for user in db.session.scalars(select(User)))


def test_demo_refuses_to_load_twice(demo_data):
    with pytest.raises(Exception, match="already loaded"):
        demo.load_demo()


PAGES = {
    "admin": [
        "/board",
        "/directives",
        "/tasks",
        "/admin/units",
        "/admin/users",
        "/admin/units/new",
        "/admin/users/new",
        "/admin/directives/new",
        "/admin/tasks/new",
        "/my-unit",
    ],
    "supervisor": ["/board", "/directives", "/tasks", "/tasks?timeliness=overdue"],
    "leader": ["/my-unit", "/my-unit?mine=1", "/directives", "/tasks"],
    "officer": ["/my-unit", "/my-unit?mine=1", "/tasks"],
    "auditor": ["/directives", "/tasks", "/board"],
}


@pytest.mark.parametrize("username", sorted(PAGES))
def test_main_pages_render_for_each_role(client, demo_data, username):
    user = db.session.scalar(select(User).where(User.username == username))
    login(client, user)
    for path in PAGES[username]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    # every task and directive page the user can see renders
    for directive in db.session.scalars(select(Directive)):
        assert client.get(f"/directives/{directive.id}").status_code == 200
        if username in ("admin", "supervisor", "auditor"):
            page = client.get(f"/reports/directives/{directive.id}")
            assert page.status_code == 200
    listing = client.get("/tasks?per_page=200")
    for task in db.session.scalars(select(Task)):
        response = client.get(f"/tasks/{task.id}")
        assert response.status_code in (200, 403)
        visible = response.status_code == 200
        assert (f'/tasks/{task.id}"' in listing.text) == visible


def test_the_demo_is_vietnamese_and_its_history_follows_the_role_rules(demo_data):
    """Every status change in the demo's history was made by someone the policy module lets
    make it, on the task as it stood then; and so were the extension request, the urging
    notice and the difficulty waiting in it."""
    from tracker.domain import policy
    from tracker.models import Comment, ExtensionRequest, StatusUpdate, Unit, UrgingNotice

    assert db.session.scalar(select(Unit.name).where(Unit.code == "BCT")) == "Bộ Công Thương"
    assert db.session.scalar(select(Directive).where(Directive.code == "2795/QĐ-BCT"))
    assert db.session.scalar(select(Task).where(Task.code == "KH 02")).title.startswith("Tiếp nhận")
    changes = 0
    with db.session.no_autoflush:
        for task in db.session.scalars(select(Task)):
            now = task.status
            entries = db.session.scalars(
                select(StatusUpdate)
                .where(StatusUpdate.task_id == task.id)
                .order_by(StatusUpdate.created_at, StatusUpdate.id)
            ).all()
            for entry in entries:
                if entry.old_status is None or entry.old_status == entry.new_status:
                    continue
                task.status = entry.old_status
                allowed = policy.allowed_statuses(entry.actor, task)
                assert entry.new_status in allowed, (task.code, entry.actor.username, entry.note)
                changes += 1
            task.status = now
    assert changes > 30
    request = db.session.scalar(select(ExtensionRequest))
    assert policy.can_request_extension(request.requested_by, db.session.get(Task, request.task_id))
    notice = db.session.scalar(select(UrgingNotice))
    assert policy.can_urge(notice.issued_by, db.session.get(Task, notice.task_id), True)
    obstacle = db.session.scalar(select(Comment).where(Comment.kind == "obstacle"))
    assert policy.can_comment(obstacle.author, db.session.get(Task, obstacle.task_id))
    db.session.rollback()


def test_the_english_demo_for_english_speaking_reviewers(app):
    result = app.test_cli_runner().invoke(args=["demo", "load", "--language", "en"])
    assert result.exit_code == 0, result.output
    from tracker.models import Unit

    assert db.session.scalar(select(Unit.name).where(Unit.code == "BCT")) == (
        "Ministry of Industry and Trade"
    )
    leader = db.session.scalar(select(User).where(User.username == "leader"))
    assert leader.language == "en"
