"""The page that reports several of a unit's tasks at once (/my-unit/progress), in Vietnamese:
the changed rows saved together (a task not started moves to in progress), or — a stale
row, a percent that is not one, another unit's task — nothing saved, the refusal named in
Vietnamese and what was typed kept."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import AuditEvent, StatusUpdate, Task

from ..conftest import login


@pytest.fixture
def unit(make):
    ministry = make.unit("BNV", name="Bộ Nội vụ")
    department = make.unit("Vụ CCHC", ministry, name="Vụ Cải cách hành chính")
    other = make.unit("Sở NV Đà Nẵng", name="Sở Nội vụ Đà Nẵng")
    plan = make.directive("Kế hoạch 45/KH-BNV", title="Kế hoạch cải cách hành chính 2026")
    leader = make.user(
        "unit_leader", department, username="vu.truong", name="Lưu Thị Ước", language="vi"
    )
    tasks = {
        "started": make.task(department, plan, code="CCHC Đợt 1", status="in_progress"),
        "new": make.task(department, plan, code="CCHC Đợt 2"),
        "done": make.task(
            department, plan, code="CCHC Đợt 3", status="completed", completed_on=None
        ),
        "theirs": make.task(other, plan, code="ĐN Đợt 1", status="in_progress"),
    }
    return {"leader": leader, "tasks": tasks}


def page_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def row(task: Task, percent: int | str, note: str = "", version: int | None = None) -> dict:
    return {
        f"percent-{task.id}": str(percent),
        f"note-{task.id}": note,
        f"version-{task.id}": str(task.version if version is None else version),
    }


def post(client, tasks: list[Task], *rows: dict):
    data = {"task_id": [str(task.id) for task in tasks]}
    for each in rows:
        data |= each
    return client.post("/my-unit/progress", data=data)


def written() -> tuple[int, int]:
    return tuple(db.session.scalar(select(func.count(m.id))) for m in (StatusUpdate, AuditEvent))


def state(*tasks: Task) -> list[tuple[str, int, int]]:
    db.session.rollback()
    return [(task.status, task.percent_done, task.version) for task in tasks]


def test_the_page_offers_the_open_tasks_the_leader_reports_on(client, unit):
    login(client, unit["leader"])
    response = client.get("/my-unit/progress")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    started, new, done = (unit["tasks"][k] for k in ("started", "new", "done"))
    assert "Báo cáo nhiều nhiệm vụ: Vụ Cải cách hành chính" in html
    for task in (started, new):
        assert f'name="percent-{task.id}"' in html
    assert f'name="percent-{done.id}"' not in html  # completed: shown, not reported on
    assert "CCHC Đợt 3" in html
    assert "ĐN Đợt 1" not in html  # another unit's
    assert 'href="/my-unit/progress"' in client.get("/my-unit").get_data(as_text=True)


def test_the_changed_rows_are_saved_together_and_the_unchanged_left(client, unit):
    started, new, done = (unit["tasks"][k] for k in ("started", "new", "done"))
    login(client, unit["leader"])
    before = written()
    response = post(
        client,
        [started, new],
        row(started, 65, "Đã trình dự thảo quy chế lên Bộ trưởng"),
        row(new, 20),
    )
    assert response.status_code == 302
    assert state(started, new) == [
        ("in_progress", 65, started.version),
        ("in_progress", 20, new.version),  # not started → in progress once any is done
    ]
    assert written() == (before[0] + 2, before[1] + 2)
    page = client.get(response.headers["Location"])
    assert "Đã lưu tiến độ của 2 nhiệm vụ." in page_text(page)

    unchanged = post(client, [started], row(started, 65))
    assert unchanged.status_code == 422
    assert "Không có gì để lưu" in page_text(unchanged)


@pytest.mark.parametrize(
    ("second", "percent", "version", "status", "said"),
    [
        pytest.param(
            "new",
            30,
            9,
            409,
            "Cập nhật thứ 2 (nhiệm vụ CCHC Đợt 2): Nhiệm vụ CCHC Đợt 2 đã được người khác thay đổi",
            id="a row read before someone else changed it",
        ),
        pytest.param(
            "new", "ba mươi", None, 422, "(nhiệm vụ CCHC Đợt 2)", id="a percent not a number"
        ),
        pytest.param("new", 130, None, 422, "(nhiệm vụ CCHC Đợt 2)", id="a percent over 100"),
        pytest.param("theirs", 30, None, 404, "(nhiệm vụ id ", id="another unit's task slipped in"),
    ],
)
def test_a_refused_row_saves_none_and_is_named_in_vietnamese(
    client, unit, second, percent, version, status, said
):
    tasks = unit["tasks"]
    first, other = tasks["started"], tasks[second]
    login(client, unit["leader"])
    before, states = written(), state(*tasks.values())

    response = post(
        client,
        [first, other],
        row(first, 70, "Hoàn thiện hồ sơ"),
        row(other, percent, "Đợt 2 bắt đầu", version=version),
    )

    assert response.status_code == status
    assert said in page_text(response)
    assert written() == before
    assert state(*tasks.values()) == states
    assert 'value="Hoàn thiện hồ sơ"' in response.get_data(as_text=True)  # what was typed


def test_a_refused_row_is_counted_among_the_page_rows(client, unit):
    """The rows left unchanged still count: the refused one is named by its row."""
    started, new = unit["tasks"]["started"], unit["tasks"]["new"]
    login(client, unit["leader"])
    response = post(
        client,
        [started, new],
        row(started, started.percent_done),  # unchanged: not reported
        row(new, 25, version=7),
    )
    assert response.status_code == 409
    assert "Cập nhật thứ 2 (nhiệm vụ CCHC Đợt 2)" in page_text(response)


def test_a_task_the_leader_may_not_see_is_not_named(client, make, unit):
    secret = make.task(
        make.unit("Cục An ninh", name="Cục An ninh nội bộ"),
        code="MẬT 01",
        status="in_progress",
        confidentiality="secret",
    )
    started = unit["tasks"]["started"]
    login(client, unit["leader"])
    before = written()
    response = post(client, [started, secret], row(started, 80), row(secret, 10))
    assert response.status_code == 404
    text = page_text(response)
    assert f"(nhiệm vụ id {secret.id})" in text and "MẬT 01" not in text
    assert written() == before


def test_a_form_without_its_token_saves_nothing(app, client, unit, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    started = unit["tasks"]["started"]
    login(client, unit["leader"])
    before = written()
    response = post(client, [started], row(started, 90))
    assert response.status_code == 400
    assert written() == before
