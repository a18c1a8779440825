"""One task's whole life through the screens, as its users would go through it: assigned,
an extension requested and granted, urged when late, submitted with evidence, sent back,
submitted again and verified; every step in its history."""

import io
from datetime import timedelta

from tracker.extensions import db
from tracker.models import ExtensionRequest, Task

from ..conftest import login
from ..work.test_evidence import PDF


def test_a_task_from_assignment_to_verification(client, make, org, today):
    admin = make.user("admin", org["ministry"])
    leader = make.user("unit_leader", org["institute"], name="Phan Đăng Phong")
    supervisor = make.user("supervisor", org["department"], name="Trần Văn Giám Sát")
    directive = make.directive("2795/QĐ-BCT", kind="decision")

    login(client, admin)  # assignment
    response = client.post(
        "/admin/tasks/new",
        data={
            "directive_id": directive.id,
            "code": "CL-02",
            "title": "Railway industry scheme",
            "kind": "task",
            "lead_unit_id": org["institute"].id,
            "deadline": (today - timedelta(days=3)).isoformat(),
            "is_key": "y",
        },
    )
    assert response.status_code == 302
    task = db.session.query(Task).one()

    login(client, leader)  # late already: the leader asks for more time
    assert (
        client.post(
            f"/tasks/{task.id}/extensions",
            data={
                "deadline": (today + timedelta(days=20)).isoformat(),
                "reason": "Transport data arrives next month",
            },
        ).status_code
        == 302
    )

    login(client, supervisor)  # the supervisor urges, then rejects the extension
    assert (
        client.post(
            f"/tasks/{task.id}/urging", data={"text": "Deliver the scheme within 5 days."}
        ).status_code
        == 302
    )
    request = db.session.query(ExtensionRequest).one()
    assert (
        client.post(
            f"/extensions/{request.id}/decision",
            data={"decision": "reject", "comment": "The Minister needs it now."},
        ).status_code
        == 302
    )

    login(client, leader)  # submission with a result note and evidence
    response = client.post(
        f"/tasks/{task.id}/progress",
        data={
            "status": "submitted",
            "percent_done": "100",
            "note": "Scheme sent to the Ministry.",
            "version": "1",
            "evidence_file": (io.BytesIO(PDF), "scheme.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302

    login(client, supervisor)  # sent back, with the reason
    assert (
        client.post(
            f"/tasks/{task.id}/progress",
            data={
                "status": "in_progress",
                "percent_done": "90",
                "note": "Annex 2 is missing.",
                "version": "2",
            },
        ).status_code
        == 302
    )

    login(client, leader)  # submitted again; the evidence already attached counts
    assert (
        client.post(
            f"/tasks/{task.id}/progress",
            data={
                "status": "submitted",
                "percent_done": "100",
                "note": "Annex 2 added.",
                "evidence_url": "https://vanban.example.gov.vn/annex-2",
                "version": "3",
            },
        ).status_code
        == 302
    )

    login(client, supervisor)  # verified
    assert (
        client.post(
            f"/tasks/{task.id}/progress",
            data={
                "status": "completed",
                "percent_done": "100",
                "note": "Accepted.",
                "version": "4",
            },
        ).status_code
        == 302
    )

    db.session.rollback()
    assert task.status == "completed" and task.completed_on == today
    assert task.timeliness(today).value == "completed_late"
    page = client.get(f"/tasks/{task.id}").text
    history = page[page.index(">History</h2>") :]
    steps = [
        "Task assigned.",
        "Extension requested",
        f"Urging notice {today.year}/0001",
        "rejected. The Minister needs it now.",
        "Scheme sent to the Ministry.",
        "Annex 2 is missing.",
        "Annex 2 added.",
        "Accepted.",
    ]
    positions = [history.index(step) for step in steps]
    assert positions == sorted(positions, reverse=True)  # newest first, every step there
    assert "scheme.pdf" in history and "annex-2" in history
