"""Subtasks: a parent's percent done rolls up from its children by weight, and a parent
cannot be submitted or completed while a child is open."""

import pytest

from tracker.domain import lifecycle
from tracker.domain.errors import InvalidInput
from tracker.extensions import db
from tracker.work import tasks

from ..api.test_api import token_for
from ..conftest import login

LINK = "https://vanban.example.gov.vn/result.pdf"


@pytest.fixture
def family(make, org):
    leader = make.user("unit_leader", org["institute"])
    supervisor = make.user("supervisor", org["ministry"])
    directive = make.directive()
    parent = make.task(org["institute"], directive, code="P")
    first = make.task(org["institute"], directive, code="P.1", parent=parent)
    second = make.task(org["institute"], directive, code="P.2", parent=parent, weight=3)
    return leader, supervisor, parent, first, second


def test_percent_rolls_up_by_weight(family):
    leader, _, parent, first, second = family
    tasks.report_progress(leader, first, first.version, lifecycle.IN_PROGRESS, 100, "")
    db.session.rollback()  # see what other connections committed
    assert parent.percent_done == 25  # (100×1 + 0×3) / 4
    tasks.report_progress(leader, second, second.version, lifecycle.IN_PROGRESS, 50, "")
    db.session.rollback()  # see what other connections committed
    assert parent.percent_done == 62  # (100 + 150) / 4 = 62.5, rounded to even
    # the parent's own percent comes from its children, whatever is typed
    tasks.report_progress(leader, parent, parent.version, lifecycle.IN_PROGRESS, 5, "Going")
    db.session.rollback()  # see what other connections committed
    assert parent.percent_done == 62


def test_cancelled_children_do_not_count(family):
    leader, supervisor, parent, first, second = family
    tasks.report_progress(leader, first, first.version, lifecycle.IN_PROGRESS, 80, "")
    tasks.report_progress(supervisor, second, second.version, lifecycle.CANCELLED, 0, "Merged")
    db.session.rollback()  # see what other connections committed
    assert parent.percent_done == 80


def test_parent_cannot_close_while_a_child_is_open(family):
    leader, supervisor, parent, first, second = family
    with pytest.raises(InvalidInput, match="subtasks are open: P.1, P.2"):
        tasks.report_progress(
            leader, parent, parent.version, lifecycle.SUBMITTED, 100, "Done", LINK
        )
    db.session.rollback()
    for child in (first, second):
        tasks.report_progress(leader, child, child.version, lifecycle.SUBMITTED, 100, "Done", LINK)
        tasks.report_progress(supervisor, child, child.version, lifecycle.COMPLETED, 100, "OK")
    db.session.rollback()  # see what other connections committed
    assert parent.percent_done == 100
    tasks.report_progress(
        leader, parent, parent.version, lifecycle.SUBMITTED, 100, "All done", LINK
    )
    assert parent.status == lifecycle.SUBMITTED


def test_a_task_cannot_be_its_own_ancestor(make, org, family):
    _, _, parent, first, _ = family
    admin = make.user("admin", org["ministry"])
    values = tasks.TaskValues(
        code=parent.code,
        title=parent.title,
        directive=parent.directive,
        lead_unit=parent.lead_unit,
        deadline=parent.deadline,
        parent=first,
    )
    with pytest.raises(InvalidInput, match="own subtask"):
        tasks.edit_task(admin, parent, parent.version, values)


def test_subtasks_on_the_page_and_through_the_api(client, make, org, family):
    leader, supervisor, parent, first, _ = family
    login(client, leader)
    page = client.get(f"/tasks/{parent.id}").text
    assert "Subtasks" in page and "P.1" in page and "weight 3" in page
    headers = token_for(client, supervisor)
    body = {
        "code": "P.3",
        "title": "Third part",
        "directive": parent.directive.code,
        "lead_unit": "INS",
        "deadline": parent.deadline.isoformat(),
        "parent": parent.id,
        "weight": 2,
    }
    response = client.post("/api/v1/tasks", json=body, headers=headers)
    assert response.status_code == 201, response.json
    assert response.json["parent"] == parent.id and response.json["weight"] == 2


def test_a_supervisor_cannot_hang_a_subtask_under_another_ministrys_task(client, make, org):
    """The probe's attack: a supervisor, refused on another ministry's task, posts a new task
    with it as `parent`. Refused exactly as for an id that does not exist, and the other
    task is untouched (percent, version, history)."""
    from sqlalchemy import func, select

    from tracker.models import StatusUpdate

    theirs = make.task(org["other"], code="NV 03", status=lifecycle.IN_PROGRESS, percent_done=60)
    directive = theirs.directive
    supervisor = make.user("supervisor", org["ministry"])
    headers = token_for(client, supervisor)
    before = (theirs.percent_done, theirs.version)
    entries = db.session.scalar(select(func.count(StatusUpdate.id)))

    def create(parent_id):
        return client.post(
            "/api/v1/tasks",
            json={
                "directive": directive.code,
                "code": f"CON {parent_id}",
                "title": "Nhiệm vụ con",
                "lead_unit": "DEP",
                "deadline": "2027-06-30",
                "parent": parent_id,
                "weight": 1000,
            },
            headers=headers,
        )

    hidden, missing = create(theirs.id), create(987654)
    assert hidden.status_code == missing.status_code == 422
    assert hidden.json["errors"] == missing.json["errors"] == {"parent": ["no such task"]}
    db.session.refresh(theirs)
    assert (theirs.percent_done, theirs.version) == before
    assert db.session.scalar(select(func.count(StatusUpdate.id))) == entries


def test_a_roll_up_writes_the_parents_history_and_audit_event(family):
    from sqlalchemy import select

    from tracker.models import AuditEvent, StatusUpdate

    leader, _, parent, first, _ = family
    tasks.report_progress(leader, first, first.version, lifecycle.IN_PROGRESS, 80, "Tiến triển.")
    last = db.session.scalars(
        select(StatusUpdate)
        .where(StatusUpdate.task_id == parent.id)
        .order_by(StatusUpdate.id.desc())
        .limit(1)
    ).one()
    assert str(last.system_note) == "Percent done follows the subtasks: 0% → 20%."
    assert (
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == parent.id)
        ).all()[-1]
        == "task.rolled_up"
    )


def test_a_supervisor_names_only_someone_of_their_units_as_owner(client, make, org):
    """Every field that names another object is authorised: the parent (above), the owner
    (here: someone of another ministry would be handed the task and its reminders), the
    target (of the same directive) and the coordinating units (any unit: coordination
    across ministries is the point, and it gives them no say over status)."""
    from sqlalchemy import func, select

    from tracker.models import Task

    directive = make.directive("Chỉ thị 05/CT-TTg")
    supervisor = make.user("supervisor", org["ministry"])
    outsider = make.user("officer", org["other"], username="can.bo.bo.khac")
    insider = make.user("officer", org["institute"], username="can.bo.vien")
    headers = token_for(client, supervisor)

    def create(code, **extra):
        body = {
            "directive": directive.code,
            "code": code,
            "title": "Xây dựng đề án",
            "lead_unit": "DEP",
            "deadline": "2027-06-30",
            **extra,
        }
        return client.post("/api/v1/tasks", json=body, headers=headers)

    refused = create("NV Đ 1", owner=outsider.username)
    assert refused.status_code == 422
    assert refused.json["errors"] == {"owner": ["not in your units"]}
    assert db.session.scalar(select(func.count(Task.id))) == 0
    assert create("NV Đ 2", owner=insider.username, coordinating_units=["OTH"]).status_code == 201
    other_target = make.directive("Nghị quyết 57-NQ/TW")
    from datetime import date

    from tracker.models import Target

    db.session.add(
        Target(directive=other_target, code="MT ư", title="Mục tiêu", due_on=date(2030, 1, 1))
    )
    db.session.commit()
    wrong_target = create("NV Đ 3", target="MT ư")
    assert wrong_target.status_code == 422
    assert db.session.scalar(select(func.count(Task.id))) == 1
    from tracker.org import imports

    report = imports.run_import(
        supervisor,
        [
            {
                "directive": directive.code,
                "task_code": "NV Đ 4",
                "title": "Báo cáo",
                "lead_unit": "DEP",
                "deadline": "2027-06-30",
                "owner": outsider.username,
            }
        ],
        dry_run=False,
    )
    assert [(error.column, error.message) for error in report.errors] == [
        ("owner", "can.bo.bo.khac is not in your units: a task's owner is someone of your units.")
    ]
    assert db.session.scalar(select(func.count(Task.id))) == 1
