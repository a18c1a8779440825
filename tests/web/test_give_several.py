"""The page that gives several of a unit's open tasks at once (/my-unit/give), in
Vietnamese: the rows with someone chosen given together, each person told and each task's
history saying it; or — a person of another unit, a stale row, a task the leader may not
see — nothing given, the refusal named in Vietnamese and the choices kept."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import AuditEvent, Notification, StatusUpdate, Task

from ..conftest import login
from ..histories import new_task, progress

DAY = timedelta(days=1)


@pytest.fixture
def unit(make):
    ministry = make.unit("BNV", name="Bộ Nội vụ")
    department = make.unit("Vụ CCHC", ministry, name="Vụ Cải cách hành chính")
    other = make.unit("Sở NV Đà Nẵng", name="Sở Nội vụ Đà Nẵng")
    plan = make.directive("Kế hoạch 45/KH-BNV", title="Kế hoạch cải cách hành chính 2026")
    leader = make.user(
        "unit_leader", department, username="vu.truong", name="Lưu Thị Ước", language="vi"
    )
    people = {
        "hà": make.user("officer", department, username="le.ha", name="Lê Thu Hà"),
        "đức": make.user("officer", department, username="ng.duc", name="Nguyễn Văn Đức"),
        "stranger": make.user("officer", other, username="tran.khach", name="Trần Khách"),
    }
    tasks = {
        "first": make.task(department, plan, code="CCHC Đợt 1", status="in_progress"),
        "second": make.task(department, plan, code="CCHC Đợt 2"),
        "given": make.task(department, plan, code="CCHC Đợt 3", owner=people["hà"]),
        "done": make.task(
            department, plan, code="CCHC Đợt 4", status="completed", completed_on=None
        ),
        "theirs": make.task(other, plan, code="ĐN Đợt 1", status="in_progress"),
    }
    db.session.execute(db.delete(Notification))
    db.session.commit()
    return {"leader": leader, "people": people, "tasks": tasks}


def page_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def post(client, rows: list[tuple[Task, object, int | None]]):
    """Each row: (task, the person chosen or "" for nobody, the version sent or None)."""
    data: dict[str, object] = {"task_id": [str(task.id) for task, _, _ in rows]}
    for task, person, version in rows:
        data[f"owner-{task.id}"] = str(getattr(person, "id", person))
        data[f"version-{task.id}"] = str(task.version if version is None else version)
    return client.post("/my-unit/give", data=data)


def written() -> tuple[int, ...]:
    models = (StatusUpdate, AuditEvent, Notification)
    return tuple(db.session.scalar(select(func.count(m.id))) for m in models)


def owners(*tasks: Task) -> list[int | None]:
    db.session.rollback()
    return [task.owner_id for task in tasks]


def test_the_page_offers_the_open_tasks_given_to_no_one(client, unit):
    login(client, unit["leader"])
    my_unit = client.get("/my-unit").get_data(as_text=True)
    assert "Giao nhiều nhiệm vụ một lần" in my_unit
    response = client.get("/my-unit/give")
    assert response.status_code == 200
    text = page_text(response)
    assert "CCHC Đợt 1" in text and "CCHC Đợt 2" in text
    for elsewhere in ("CCHC Đợt 3", "CCHC Đợt 4", "ĐN Đợt 1"):
        assert elsewhere not in text  # given already, done, another unit's
    chooser = re.search(
        rf'<select name="owner-{unit["tasks"]["first"].id}"[^>]*>(.*?)</select>',
        response.get_data(as_text=True),
        re.S,
    ).group(1)
    assert re.findall(r">([^<]+)</option>", chooser) == [
        "— chưa giao ai —",
        "Lê Thu Hà (le.ha)",
        "Lưu Thị Ước (vu.truong)",
        "Nguyễn Văn Đức (ng.duc)",
    ]
    # One plan's tasks: the plan just imported, say.
    plan = page_text(client.get("/my-unit/give", query_string={"directive": "Kế hoạch 45/KH-BNV"}))
    assert "CCHC Đợt 1" in plan and "CCHC Đợt 2" in plan
    other = page_text(client.get("/my-unit/give", query_string={"directive": "Kế hoạch khác"}))
    assert "CCHC Đợt 1" not in other


def test_a_past_report_date_does_not_change_what_waits_today(client, make, unit, today):
    """The page is of what waits today: a task open yesterday and cancelled today is not
    offered, whatever report date the query names."""
    supervisor = make.user("supervisor", unit["tasks"]["first"].lead_unit.parent)
    plan = unit["tasks"]["first"].directive
    dropped = new_task(
        make, unit["tasks"]["first"].lead_unit, plan, "CCHC Bỏ", today + 9 * DAY, today - 9 * DAY
    )
    progress(supervisor, dropped, "cancelled", 0, today, "Gộp vào Đợt 2.")
    login(client, unit["leader"])
    yesterday = (today - DAY).isoformat()
    text = page_text(client.get(f"/my-unit/give?as_of={yesterday}"))
    assert "CCHC Đợt 1" in text and "CCHC Bỏ" not in text


def test_the_chosen_rows_are_given_together_and_each_person_told(client, unit):
    tasks, people = unit["tasks"], unit["people"]
    login(client, unit["leader"])
    response = post(client, [(tasks["first"], people["đức"], None), (tasks["second"], "", None)])
    assert response.status_code == 302
    follow = client.get(response.headers["Location"])
    assert "Đã giao 1 nhiệm vụ." in page_text(follow)
    assert owners(tasks["first"], tasks["second"]) == [people["đức"].id, None]
    told = db.session.scalars(select(Notification)).all()
    assert [(n.recipient_id, n.kind) for n in told] == [(people["đức"].id, "task.assigned")]
    entry = db.session.scalars(
        select(StatusUpdate)
        .where(StatusUpdate.task_id == tasks["first"].id)
        .order_by(StatusUpdate.id.desc())
    ).first()
    assert (entry.note_code, entry.note_values) == ("task.given", {"name": "Nguyễn Văn Đức"})

    response = post(client, [(tasks["second"], people["hà"], None)])
    assert response.status_code == 302
    assert owners(tasks["second"]) == [people["hà"].id]
    # Nothing is waiting now: the page says so.
    assert "đều đã được giao" in page_text(client.get("/my-unit/give"))


@pytest.mark.parametrize(
    ("second_person", "second_version", "status", "said"),
    [
        ("stranger", None, 422, "tran.khach không thuộc Vụ CCHC"),
        ("đức", 9, 409, "CCHC Đợt 2"),
        ("nobody-there", None, 422, "Hãy chọn một người của đơn vị."),
    ],
)
def test_a_refused_row_gives_none_and_is_named_in_vietnamese(
    client, unit, second_person, second_version, status, said
):
    tasks, people = unit["tasks"], unit["people"]
    person = people.get(second_person, "987654")
    login(client, unit["leader"])
    before = written()
    response = post(
        client,
        [(tasks["first"], people["hà"], None), (tasks["second"], person, second_version)],
    )
    assert response.status_code == status
    assert said in page_text(response)
    assert written() == before
    assert owners(tasks["first"], tasks["second"]) == [None, None]
    chosen = f'<option value="{people["hà"].id}" selected>'
    assert chosen in response.get_data(as_text=True)  # the choices are kept


def test_nothing_chosen_saves_nothing(client, unit):
    login(client, unit["leader"])
    before = written()
    response = post(client, [(unit["tasks"]["first"], "", None)])
    assert response.status_code == 422
    assert "Chưa có gì để lưu" in page_text(response)
    assert written() == before


def test_a_task_the_leader_may_not_see_is_not_named(client, make, unit):
    secret = make.task(
        make.unit("Cục An ninh", name="Cục An ninh nội bộ"),
        code="MẬT 01",
        confidentiality="secret",
    )
    login(client, unit["leader"])
    before = written()
    response = post(
        client,
        [
            (unit["tasks"]["first"], unit["people"]["hà"], None),
            (secret, unit["people"]["hà"], None),
        ],
    )
    assert response.status_code == 404
    text = page_text(response)
    assert f"(nhiệm vụ id {secret.id})" in text and "MẬT 01" not in text
    assert written() == before


def test_an_officer_may_not_give_and_is_not_offered_the_page(client, unit):
    login(client, unit["people"]["hà"])
    assert "Giao nhiều nhiệm vụ một lần" not in client.get("/my-unit").get_data(as_text=True)
    assert client.get("/my-unit/give").status_code == 403
    before = written()
    response = post(client, [(unit["tasks"]["first"], unit["people"]["hà"], None)])
    assert response.status_code == 403
    assert written() == before


def test_a_form_without_its_token_gives_nothing(app, client, unit, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login(client, unit["leader"])
    before = written()
    response = post(client, [(unit["tasks"]["first"], unit["people"]["hà"], None)])
    assert response.status_code == 400
    assert written() == before
