"""The comment thread and difficulties: coordinating units take part; supervisors answer;
open difficulties are listed until answered."""

import re

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
    with pytest.raises(InvalidInput, match="Write the text first"):
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


def test_a_long_discussion_is_shown_fifty_messages_a_page_newest_page_first(client, make, org):
    """A task discussed for years holds thousands of messages: the page shows the newest
    page, in written order, with pages back to the first. A difficulty not yet answered on
    another page is shown above the thread, with its answer form, for whoever answers it."""
    leader = make.user("unit_leader", org["institute"], name="Lê Thị Ươm")
    supervisor = make.user("supervisor", org["ministry"], name="Đỗ Văn Đường")
    task = make.task(org["institute"], code="CĐS Đợt 4", title="Chuyển đổi số ở Sơn La")
    add_messages(task, leader, supervisor, 120)
    login(client, supervisor)

    def discussion(page: str | None) -> str:
        query = {"discussion_page": page} if page is not None else {}
        html = client.get(
            f"/tasks/{task.id}", query_string=query, headers={"Accept-Language": "vi"}
        ).text
        return html[html.index('<section id="discussion"') : html.index('id="history"')]

    def thread(section: str) -> list[int]:
        shown = section[section.rindex('<ol class="thread">') :]
        return [int(n) for n in re.findall(r'<p class="note">Ý kiến số (\d+) về hồ sơ</p>', shown)]

    newest = discussion(None)
    assert thread(newest) == list(range(101, 121))  # the last page, oldest of it first
    assert "Trang 3 / 3 · tổng cộng 120" in newest
    assert f'href="/tasks/{task.id}?discussion_page=2#discussion"' in newest
    assert "chưa được trả lời ở các trang khác" in newest
    above = newest[: newest.rindex('<ol class="thread">')]
    assert "Ý kiến số 3 về hồ sơ" in above and "Ý kiến số 10 về" not in above  # 10 is answered
    assert 'name="answer"' in above
    first = discussion("1")
    assert thread(first) == list(range(1, 51))
    assert "chưa được trả lời ở các trang khác" not in first  # difficulty 3 is on this page
    assert "Đã có nguồn kinh phí" in first
    assert thread(discussion("99")) == list(range(101, 121))
    assert thread(discussion("2")) == list(range(51, 101))


def add_messages(task, author, answerer, count: int) -> None:
    """`count` messages "Ý kiến số n về hồ sơ" on the task; 3 and 10 are difficulties, 10
    answered."""
    db.session.add_all(
        Comment(
            task_id=task.id,
            author=author,
            kind="obstacle" if number in (3, 10) else "comment",
            body=f"Ý kiến số {number} về hồ sơ",
            answer="Đã có nguồn kinh phí" if number == 10 else "",
            answered_by=answerer if number == 10 else None,
            answered_at=task.created_at if number == 10 else None,
        )
        for number in range(1, count + 1)
    )
    db.session.commit()


def test_the_api_lists_a_discussion_a_page_at_a_time(client, make, org):
    leader = make.user("unit_leader", org["institute"], username="trưởng_phòng_Ưng")
    supervisor = make.user("supervisor", org["ministry"])
    task = make.task(org["institute"], code="CĐS Đợt 5")
    add_messages(task, leader, supervisor, 120)
    headers = token_for(client, leader)

    def listing(**query):
        return client.get(f"/api/v1/tasks/{task.id}/comments", headers=headers, query_string=query)

    second = listing(page=2, per_page=50).json
    assert (second["total"], second["page"], second["per_page"]) == (120, 2, 50)
    assert [c["body"] for c in second["items"]] == [
        f"Ý kiến số {n} về hồ sơ" for n in range(51, 101)
    ]
    assert listing(page=4, per_page=50).json["items"] == []
    assert len(listing().json["items"]) == min(120, client.application.config["PER_PAGE"])
    for bad in ({"page": 0}, {"per_page": 0}, {"per_page": 10_000}, {"page": "hai"}):
        assert_problem(listing(**bad), 422)
