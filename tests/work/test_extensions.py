"""Deadline extensions: requested by the lead unit's leader, decided by a supervisor;
approval moves the deadline and keeps the original; reports judge either deadline."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tracker.domain import lifecycle
from tracker.domain.errors import Forbidden, InvalidInput
from tracker.extensions import db
from tracker.models import AuditEvent, ExtensionRequest, StatusUpdate
from tracker.work import deadline_extensions as extensions
from tracker.work import tasks

from ..api.test_api import assert_problem, token_for
from ..conftest import login

DAY = timedelta(days=1)


@pytest.fixture
def scene(make, org, today):
    leader = make.user("unit_leader", org["institute"])
    supervisor = make.user("supervisor", org["department"])
    task = make.task(org["institute"], deadline=today - 2 * DAY, code="CL-02")
    return leader, supervisor, task


def test_request_and_approval_move_the_deadline_and_keep_the_original(scene, today):
    leader, supervisor, task = scene
    original = task.deadline
    request = extensions.request_extension(leader, task, today + 10 * DAY, "Waiting for data")
    assert request.status == "pending" and task.deadline == original
    assert task.timeliness(today).value == "overdue"
    extensions.decide_extension(supervisor, request, True, "Agreed")
    db.session.rollback()  # see what other connections committed
    assert task.deadline == today + 10 * DAY
    assert task.original_deadline == original
    assert task.times_extended == 1
    assert task.timeliness(today).value == "within_deadline"
    assert task.timeliness(today, "original").value == "overdue"
    notes = [str(u.system_note or "") for u in task.updates]
    assert any(n.startswith("Extension requested") for n in notes)
    assert any(n.startswith("Extension approved") for n in notes)
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert "extension.request" in actions and "extension.approved" in actions


def test_rejection_needs_a_comment_and_keeps_the_deadline(scene, today):
    leader, supervisor, task = scene
    request = extensions.request_extension(leader, task, today + 10 * DAY, "More time")
    with pytest.raises(InvalidInput, match="comment is required"):
        extensions.decide_extension(supervisor, request, False, "")
    db.session.rollback()
    extensions.decide_extension(supervisor, request, False, "The decree cannot wait")
    db.session.rollback()  # see what other connections committed
    assert task.deadline == today - 2 * DAY and task.times_extended == 0
    with pytest.raises(InvalidInput, match=r"already decided \(rejected\)"):
        extensions.decide_extension(supervisor, request, True, "")


@pytest.mark.parametrize(
    ("days", "reason", "message"),
    [
        (-5, "x", "after the current deadline"),
        (0, "x", "after the current deadline"),
        (5, "  ", "say why"),
    ],
)
def test_bad_requests_are_refused(scene, today, days, reason, message):
    leader, _, task = scene
    with pytest.raises(InvalidInput, match=message):
        extensions.request_extension(leader, task, task.deadline + days * DAY, reason)
    db.session.rollback()
    assert db.session.scalar(select(func.count(ExtensionRequest.id))) == 0


def test_one_pending_request_at_a_time(scene, today):
    leader, _, task = scene
    extensions.request_extension(leader, task, today + 5 * DAY, "Need time")
    with pytest.raises(InvalidInput, match="already awaiting a decision"):
        extensions.request_extension(leader, task, today + 9 * DAY, "More time")


def test_who_may_request_and_decide(make, org, scene, today):
    leader, supervisor, task = scene
    for outsider in (
        make.user("officer", org["institute"]),
        make.user("auditor", org["ministry"]),
        supervisor,
    ):
        with pytest.raises(Forbidden):
            extensions.request_extension(outsider, task, today + 5 * DAY, "x")
    request = extensions.request_extension(leader, task, today + 5 * DAY, "x")
    for outsider in (
        leader,
        make.user("supervisor", org["other"]),
        make.user("auditor", org["ministry"]),
    ):
        with pytest.raises(Forbidden):
            extensions.decide_extension(outsider, request, True, "")


def test_extension_through_the_screens(client, scene, today):
    leader, supervisor, task = scene
    login(client, leader)
    page = client.get(f"/tasks/{task.id}")
    assert "Request an extension" in page.text
    new_date = (today + 20 * DAY).isoformat()
    response = client.post(
        f"/tasks/{task.id}/extensions",
        data={"deadline": new_date, "reason": "Awaiting the ministry's data"},
    )
    assert response.status_code == 302
    refused = client.post(
        f"/tasks/{task.id}/extensions", data={"deadline": new_date, "reason": "again"}
    )
    assert refused.status_code == 422 and "already awaiting a decision" in refused.text
    login(client, supervisor)
    queue = client.get("/verification")
    assert "Awaiting the ministry&#39;s data" in queue.text
    request = db.session.scalars(select(ExtensionRequest)).one()
    response = client.post(
        f"/extensions/{request.id}/decision", data={"decision": "approve", "comment": "Agreed"}
    )
    assert response.status_code == 302
    page = client.get(f"/tasks/{task.id}").text
    assert "extended 1 time" in page and "Approved" in page
    assert "No extension request is waiting" in client.get("/verification").text


def test_reports_judge_against_the_original_deadline_on_request(client, make, org, scene, today):
    leader, supervisor, task = scene
    request = extensions.request_extension(leader, task, today + 10 * DAY, "x")
    extensions.decide_extension(supervisor, request, True, "")
    login(client, make.user("auditor", org["ministry"]))
    current = client.get("/tasks?timeliness=overdue").text
    original = client.get("/tasks?timeliness=overdue&deadline=original").text
    assert "CL-02" not in current and "CL-02" in original
    headers = token_for(client, make.user("auditor", org["other"]))
    summary = client.get("/api/v1/reports/summary?deadline=original", headers=headers).json
    assert summary["counts"]["overdue"] == 1 and summary["judged_against"] == "original"
    assert client.get("/api/v1/reports/summary", headers=headers).json["counts"]["overdue"] == 0
    assert_problem(client.get("/api/v1/reports/summary?deadline=latest", headers=headers), 422)
    csv_text = client.get("/reports/tasks.csv?deadline=original").data.decode("utf-8-sig")
    assert "Not completed, overdue" in csv_text and "original" in csv_text


def test_extensions_through_the_api(client, scene, today):
    leader, supervisor, task = scene
    leader_headers = token_for(client, leader)
    response = client.post(
        f"/api/v1/tasks/{task.id}/extensions",
        headers=leader_headers,
        json={"deadline": (today + 7 * DAY).isoformat(), "reason": "Data"},
    )
    assert response.status_code == 201 and response.json["status"] == "pending"
    request_id = response.json["id"]
    assert_problem(
        client.post(
            f"/api/v1/extensions/{request_id}/decision",
            headers=leader_headers,
            json={"approve": True},
        ),
        403,
    )
    supervisor_headers = token_for(client, supervisor)
    decided = client.post(
        f"/api/v1/extensions/{request_id}/decision",
        headers=supervisor_headers,
        json={"approve": True, "comment": "ok"},
    )
    assert decided.status_code == 200 and decided.json["status"] == "approved"
    task_json = client.get(f"/api/v1/tasks/{task.id}", headers=leader_headers).json
    assert task_json["deadline"] == (today + 7 * DAY).isoformat()
    assert task_json["original_deadline"] == (today - 2 * DAY).isoformat()
    assert_problem(
        client.post(
            f"/api/v1/tasks/{task.id}/extensions",
            headers=leader_headers,
            json={"deadline": "soon", "reason": "x"},
        ),
        422,
    )
    history = db.session.scalar(select(func.count(StatusUpdate.id)))
    assert history == 3  # assigned, requested, approved
    listing = client.get(f"/api/v1/tasks/{task.id}/extensions", headers=leader_headers).json
    assert [(r["id"], r["status"]) for r in listing["items"]] == [(request_id, "approved")]
    assert (listing["total"], listing["page"], listing["per_page"]) == (1, 1, 25)


def test_a_request_still_pending_when_its_task_closes_lapses(client, make, org, scene, today):
    """The supervisor verifies a submitted task without deciding its extension request: the
    request lapses (no one may decide it on a closed task), the deadline stays, the page says
    so in Vietnamese, and the trail names who closed the task. Before verifying, the page
    warns that it will."""
    leader, supervisor, task = scene
    supervisor.language = "vi"
    request = extensions.request_extension(
        leader, task, today + 30 * DAY, "Chờ ý kiến thẩm định của Bộ Tư pháp."
    )
    tasks.report_progress(
        leader, task, task.version, lifecycle.SUBMITTED, 100, "Đã xong.", "https://bct.gov.vn/bc"
    )
    login(client, supervisor)
    page = client.get(f"/tasks/{task.id}").text
    deadline = f"{task.deadline:%d/%m/%Y}"
    assert "Có đề nghị gia hạn đang chờ quyết định" in page
    assert f"thời hạn giữ nguyên {deadline}" in page

    version = db.session.get(type(task), task.id).version
    answer = client.post(
        f"/tasks/{task.id}/verification", data={"verdict": "verify", "note": "", "version": version}
    )
    assert answer.status_code == 302
    db.session.rollback()  # see what the request committed
    request = db.session.get(ExtensionRequest, request.id)
    assert (request.status, request.decided_by_id) == ("lapsed", None)
    assert request.decided_at is not None
    assert task.status == "completed" and f"{task.deadline:%d/%m/%Y}" == deadline
    page = client.get(f"/tasks/{task.id}").text
    assert "Hết hiệu lực" in page and "trước khi có quyết định" in page
    assert "Đang chờ" not in page and "Có đề nghị gia hạn đang chờ" not in page
    lapsed = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "extension.lapsed")
    ).one()
    assert lapsed.actor_id == supervisor.id
    assert (lapsed.before["status"], lapsed.after["status"]) == ("pending", "lapsed")


def test_cancelling_a_task_lapses_its_pending_request(make, org, scene, today):
    leader, supervisor, task = scene
    extensions.request_extension(leader, task, today + 30 * DAY, "Chờ số liệu.")
    tasks.report_progress(
        supervisor, task, task.version, lifecycle.CANCELLED, None, "Không còn cần thiết."
    )
    db.session.rollback()
    assert [r.status for r in task.extension_requests] == ["lapsed"]
    assert task.pending_extension is None


def test_a_decision_sent_after_the_request_lapsed_is_refused_saying_so(
    client, make, org, scene, today
):
    """A second supervisor had the task page open; the first verified the task meanwhile.
    The decision sent from the old page is refused with why, on the page and the API, and
    changes nothing."""
    leader, supervisor, task = scene
    request = extensions.request_extension(leader, task, today + 30 * DAY, "Chờ số liệu.")
    tasks.report_progress(
        leader, task, task.version, lifecycle.SUBMITTED, 100, "Xong.", "https://bct.gov.vn/bc"
    )
    tasks.report_progress(supervisor, task, task.version, lifecycle.COMPLETED, 100, "Đạt.")
    supervisor.language = "vi"
    db.session.commit()
    login(client, supervisor)
    refused = client.post(
        f"/extensions/{request.id}/decision", data={"decision": "approve", "comment": ""}
    )
    assert refused.status_code == 422
    assert "Đề nghị này đã hết hiệu lực" in refused.text
    answer = client.post(
        f"/api/v1/extensions/{request.id}/decision",
        json={"approve": True, "comment": ""},
        headers=token_for(client, supervisor),
    )
    assert_problem(answer, 422, "lapsed")
    db.session.rollback()
    assert db.session.get(ExtensionRequest, request.id).status == "lapsed"
    assert task.deadline == today - 2 * DAY and task.times_extended == 0
