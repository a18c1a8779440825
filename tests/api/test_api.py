"""API v1: tokens, task list and detail, create, PATCH with optimistic locking, units,
summary, CSV export, problem+json errors."""

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tracker.accounts import users
from tracker.domain import lifecycle
from tracker.extensions import db
from tracker.models import ApiToken, AuditEvent, StatusUpdate, Task

from ..conftest import PASSWORD


def token_for(client, user) -> dict:
    response = client.post("/api/v1/tokens", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def written():
    return tuple(
        db.session.scalar(select(func.count(model.id))) for model in (StatusUpdate, AuditEvent)
    )


def assert_problem(response, status: int, detail_part: str = ""):
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["status"] == status and body["title"] and "detail" in body
    assert detail_part in body["detail"]
    return body


@pytest.fixture
def leader(make, org):
    return make.user("unit_leader", org["institute"], username="leader")


def test_token_is_issued_stored_hashed_and_revocable(client, leader):
    response = client.post("/api/v1/tokens", json={"username": "leader", "password": PASSWORD})
    assert response.status_code == 201
    token = response.json["token"]
    assert response.json["expires_at"].endswith("+00:00")
    stored = db.session.scalars(select(ApiToken)).one()
    assert stored.token_hash != token and len(stored.token_hash) == 64
    headers = {"Authorization": f"Bearer {token}"}
    units = client.get("/api/v1/units", headers=headers)
    assert units.status_code == 200
    assert units.json["items"] == [{"code": "INS", "name": "Unit INS", "parent": "DEP"}]
    assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 204
    assert_problem(client.get("/api/v1/units", headers=headers), 401)


def test_bad_credentials_and_missing_token(client, leader):
    assert_problem(
        client.post("/api/v1/tokens", json={"username": "leader", "password": "nope"}), 401
    )
    response = client.get("/api/v1/tasks")
    assert_problem(response, 401, "Bearer")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert_problem(client.get("/api/v1/tasks", headers={"Authorization": "Bearer junk"}), 401)


def test_token_stops_working_when_the_user_is_deactivated(client, make, org, leader):
    headers = token_for(client, leader)
    admin = make.user("admin", org["ministry"])
    users.update_user(
        admin,
        leader,
        name=leader.name,
        email=None,
        role=leader.role,
        unit=leader.unit,
        active=False,
    )
    assert_problem(client.get("/api/v1/tasks", headers=headers), 401)


def test_task_list_is_filtered_paginated_and_scoped(client, make, org, leader, today):
    directive = make.directive("57-NQ/TW")
    for n in range(5):
        make.task(org["institute"], directive, code=f"IN-{n}", deadline=today - timedelta(days=n))
    make.task(org["other"], directive, code="OUT-1")
    headers = token_for(client, leader)
    body = client.get("/api/v1/tasks?per_page=2&page=2", headers=headers).json
    assert body["total"] == 5 and body["page"] == 2 and body["per_page"] == 2
    assert len(body["items"]) == 2
    overdue = client.get("/api/v1/tasks?timeliness=overdue", headers=headers).json
    assert {item["code"] for item in overdue["items"]} == {"IN-1", "IN-2", "IN-3", "IN-4"}
    assert all(item["timeliness"] == "overdue" for item in overdue["items"])
    by_unit = client.get("/api/v1/tasks?unit=OTH", headers=headers).json
    assert by_unit["total"] == 0  # not visible to this leader
    assert_problem(client.get("/api/v1/tasks?status=late", headers=headers), 422, "status")
    assert_problem(client.get("/api/v1/tasks?per_page=1000", headers=headers), 422)


def test_the_tasks_given_to_no_one_through_the_api(client, make, org, leader, today):
    """`unassigned=true` narrows the list and the summary's counts to the tasks no one works
    on yet (the summary is then counted from the tasks, not the kept counts)."""
    directive = make.directive("57-NQ/TW")
    officer = make.user("officer", org["institute"], username="thu.ha")
    make.task(org["institute"], directive, code="NV 01/Đ", owner=officer)
    make.task(org["institute"], directive, code="NV 02/Đ", deadline=today - timedelta(days=2))
    make.task(org["institute"], directive, code="NV 03/Đ")
    headers = token_for(client, leader)
    listed = client.get("/api/v1/tasks?unassigned=true", headers=headers).json
    assert [item["code"] for item in listed["items"]] == ["NV 02/Đ", "NV 03/Đ"]
    assert all(item["owner"] is None for item in listed["items"])
    summary = client.get("/api/v1/reports/summary?unassigned=true", headers=headers).json
    assert summary["total"] == 2 and summary["counts"]["overdue"] == 1
    assert client.get("/api/v1/reports/summary", headers=headers).json["total"] == 3
    assert_problem(
        client.get("/api/v1/tasks?unassigned=true&owner=thu.ha", headers=headers), 422, "not both"
    )


def test_single_task_representation(client, make, org, leader, today):
    officer = make.user("officer", org["institute"], username="ha")
    task = make.task(
        org["institute"],
        make.directive("2795/QĐ-BCT"),
        code="CL-01",
        owner=officer,
        coordinating_units=[org["department"]],
        deadline=today,
        start_date=today - timedelta(9),
        is_key=True,
    )
    headers = token_for(client, leader)
    body = client.get(f"/api/v1/tasks/{task.id}", headers=headers).json
    assert body == {
        "id": task.id,
        "code": "CL-01",
        "title": task.title,
        "kind": "task",
        "directive": "2795/QĐ-BCT",
        "lead_unit": "INS",
        "coordinating_units": ["DEP"],
        "owner": "ha",
        "start_date": (today - timedelta(9)).isoformat(),
        "deadline": today.isoformat(),
        "original_deadline": today.isoformat(),
        "status": "not_started",
        "progress": 0,
        "timeliness": "within_deadline",
        "completed_on": None,
        "parent": None,
        "weight": 1,
        "confidentiality": "normal",
        "key": True,
        "version": 1,
        "updated_at": body["updated_at"],
    }
    assert body["updated_at"].endswith("+00:00")
    assert_problem(client.get("/api/v1/tasks/99999", headers=headers), 404)


def test_patch_updates_and_bumps_version(client, make, org, leader):
    task = make.task(org["institute"])
    headers = token_for(client, leader)
    response = client.patch(
        f"/api/v1/tasks/{task.id}",
        json={"status": "in_progress", "progress": 35, "note": "Drafting", "version": 1},
        headers=headers,
    )
    assert response.status_code == 200
    assert response.json["status"] == "in_progress"
    assert response.json["progress"] == 35 and response.json["version"] == 2


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"status": "in_progress", "version": 1, "owner": "me"}, 422, "owner"),
        ({"status": "in_progress", "version": 1, "deadline": "2030-01-01"}, 422, "deadline"),
        ({"progress": 101, "version": 1}, 422, "progress"),
        ({"progress": "50", "version": 1}, 422, "progress"),
        ({"status": "done", "version": 1}, 422, "status"),
        ({"status": "in_progress"}, 422, "version"),
        ({"status": "completed", "version": 1}, 422, "status"),
    ],
)
def test_patch_refuses_bad_bodies_and_changes_nothing(
    client, make, org, leader, body, status, field
):
    task = make.task(org["institute"])
    headers = token_for(client, leader)
    before = written()
    response = client.patch(f"/api/v1/tasks/{task.id}", json=body, headers=headers)
    problem = assert_problem(response, status)
    assert field in problem.get("errors", {}) or field in problem["detail"]
    assert written() == before
    db.session.rollback()  # see what other connections committed
    assert (task.status, task.version) == ("not_started", 1)


def test_patch_with_stale_version_is_a_conflict(client, make, org, leader):
    task = make.task(org["institute"])
    headers = token_for(client, leader)
    ok = client.patch(
        f"/api/v1/tasks/{task.id}", json={"progress": 10, "version": 1}, headers=headers
    )
    assert ok.status_code == 200
    before = written()
    stale = client.patch(
        f"/api/v1/tasks/{task.id}", json={"progress": 90, "version": 1}, headers=headers
    )
    assert_problem(stale, 409, "changed by someone else")
    assert written() == before


def test_patch_by_someone_without_rights_is_forbidden(client, make, org):
    task = make.task(org["institute"])
    stranger = make.user("unit_leader", org["other"])
    headers = token_for(client, stranger)
    assert_problem(
        client.patch(
            f"/api/v1/tasks/{task.id}", json={"progress": 5, "version": 1}, headers=headers
        ),
        403,
    )


def test_malformed_json_and_wrong_content_type(client, make, org, leader):
    task = make.task(org["institute"])
    headers = token_for(client, leader)
    assert_problem(
        client.patch(
            f"/api/v1/tasks/{task.id}",
            data="{not json",
            headers=headers,
            content_type="application/json",
        ),
        422,
    )
    assert_problem(
        client.patch(
            f"/api/v1/tasks/{task.id}",
            data="progress=5",
            headers=headers,
            content_type="application/x-www-form-urlencoded",
        ),
        415,
    )


def test_create_task_by_supervisor_inside_subtree(client, make, org, today):
    make.directive("57-NQ/TW")
    supervisor = make.user("supervisor", org["department"])
    owner = make.user("officer", org["institute"], username="ha")
    headers = token_for(client, supervisor)
    body = {
        "code": "NV-9",
        "title": "Issue decree",
        "directive": "57-NQ/TW",
        "lead_unit": "INS",
        "coordinating_units": ["DEP"],
        "owner": "ha",
        "start_date": today.isoformat(),
        "deadline": (today + timedelta(days=30)).isoformat(),
        "key": True,
    }
    response = client.post("/api/v1/tasks", json=body, headers=headers)
    assert response.status_code == 201, response.json
    assert response.json["code"] == "NV-9" and response.json["owner"] == owner.username
    assert response.headers["Location"] == f"/api/v1/tasks/{response.json['id']}"
    outside = dict(body, code="NV-10", lead_unit="OTH")
    assert_problem(client.post("/api/v1/tasks", json=outside, headers=headers), 403)
    unknown = dict(body, code="NV-11", directive="nope", lead_unit="ZZZ")
    problem = assert_problem(client.post("/api/v1/tasks", json=unknown, headers=headers), 422)
    assert set(problem["errors"]) == {"directive", "lead_unit"}
    backwards = dict(body, code="NV-12", deadline=(today - timedelta(days=1)).isoformat())
    assert_problem(client.post("/api/v1/tasks", json=backwards, headers=headers), 422, "deadline")
    assert db.session.scalar(select(func.count(Task.id))) == 1


def test_unit_leader_cannot_create_tasks(client, make, org, leader, today):
    make.directive("57-NQ/TW")
    headers = token_for(client, leader)
    body = {
        "code": "NV-1",
        "title": "t",
        "directive": "57-NQ/TW",
        "lead_unit": "INS",
        "deadline": today.isoformat(),
    }
    assert_problem(client.post("/api/v1/tasks", json=body, headers=headers), 403)


def test_units_are_those_the_caller_may_see(client, make, org):
    headers = token_for(client, make.user("supervisor", org["department"]))
    body = client.get("/api/v1/units", headers=headers).json
    assert body["items"] == [
        {"code": "DEP", "name": "Unit DEP", "parent": "MIN"},
        {"code": "INS", "name": "Unit INS", "parent": "DEP"},
    ]


def test_summary_counts_and_rates(client, make, org, today):
    directive = make.directive("57-NQ/TW")
    day = timedelta(days=1)
    make.task(
        org["institute"],
        directive,
        deadline=today - day,
        status=lifecycle.COMPLETED,
        completed_on=today - 2 * day,
    )
    make.task(
        org["institute"],
        directive,
        deadline=today - 5 * day,
        status=lifecycle.COMPLETED,
        completed_on=today - day,
    )
    make.task(org["institute"], directive, deadline=today - day)
    make.task(org["institute"], directive, deadline=today + day)
    make.task(org["other"], make.directive("01-KH"), deadline=today - day)
    headers = token_for(client, make.user("auditor", org["ministry"]))
    body = client.get("/api/v1/reports/summary?directive=57-NQ/TW", headers=headers).json
    assert body["counts"] == {
        "completed_on_time": 1,
        "completed_late": 1,
        "within_deadline": 1,
        "overdue": 1,
    }
    assert body["come_due"] == 3
    assert body["completion_rate"] == pytest.approx(2 / 3)
    assert body["overdue_rate"] == pytest.approx(1 / 3)
    everything = client.get("/api/v1/reports/summary", headers=headers).json
    assert everything["counts"]["overdue"] == 2
    past = client.get(
        f"/api/v1/reports/summary?directive=57-NQ/TW&as_of={(today - 3 * day).isoformat()}",
        headers=headers,
    ).json
    assert past["counts"] == {
        "completed_on_time": 0,
        "completed_late": 0,
        "within_deadline": 3,
        "overdue": 1,
    }
    assert_problem(client.get("/api/v1/reports/summary?as_of=31.03.2026", headers=headers), 422)
    assert_problem(client.get("/api/v1/reports/summary?directive=nope", headers=headers), 404)


def test_csv_export_through_the_api(client, make, org):
    make.task(org["institute"], make.directive("57-NQ/TW"), code="NV-1")
    auditor_headers = token_for(client, make.user("auditor", org["other"]))
    response = client.get("/api/v1/exports/tasks.csv?directive=57-NQ/TW", headers=auditor_headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == ["NV-1"]
    leader_headers = token_for(client, make.user("unit_leader", org["institute"]))
    assert_problem(client.get("/api/v1/exports/tasks.csv", headers=leader_headers), 403)


def test_unknown_route_and_method_are_problem_json(client, leader):
    headers = token_for(client, leader)
    assert_problem(client.get("/api/v1/nothing", headers=headers), 404)
    assert_problem(client.delete("/api/v1/tasks", headers=headers), 405)


def test_the_units_are_listed_in_tree_order_with_their_parents(client, make, org):
    make.unit("Vụ Đ-01", org["department"], name="Vụ Pháp chế")
    make.user("admin", org["ministry"], username="quan.tri")
    token = client.post("/api/v1/tokens", json={"username": "quan.tri", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json['token']}"}
    items = client.get("/api/v1/units", headers=headers).json["items"]
    assert [(u["code"], u["parent"]) for u in items] == [
        ("MIN", None),
        ("DEP", "MIN"),
        ("INS", "DEP"),
        ("Vụ Đ-01", "DEP"),
        ("OTH", None),
    ]


def test_the_units_are_listed_a_page_at_a_time_with_their_total(client, make, org):
    """A national tree has 30,000 units: the list comes a page at a time, in tree order,
    with how many there are; a search is paged the same way."""
    for number in range(1, 6):
        make.unit(f"Sở Đ-{number}", org["department"], name=f"Sở Tư pháp số {number}")
    make.user("admin", org["ministry"], username="quản.trị")
    token = client.post("/api/v1/tokens", json={"username": "quản.trị", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json['token']}"}

    def listed(**query):
        return client.get("/api/v1/units", query_string=query, headers=headers)

    everything = [u["code"] for u in listed(per_page=200).json["items"]]
    assert len(everything) == 9
    pages = [listed(page=n, per_page=4).json for n in (1, 2, 3)]
    assert [page["total"] for page in pages] == [9, 9, 9]
    assert [u["code"] for page in pages for u in page["items"]] == everything
    assert [len(page["items"]) for page in pages] == [4, 4, 1]
    assert listed(page=4, per_page=4).json["items"] == []
    searched = listed(q="so tu phap", page=2, per_page=3).json
    assert searched["total"] == 5
    assert [u["code"] for u in searched["items"]] == ["Sở Đ-4", "Sở Đ-5"]
    for bad in ({"page": 0}, {"per_page": 201}, {"page": "một"}):
        assert_problem(listed(**bad), 422)


def test_the_units_api_finds_units_by_words_within_the_callers_units(client, make):
    """`?q=` narrows the units the caller sees to those whose code and name hold its words,
    diacritics optional; a unit outside the caller's units is not found, however named."""
    ministry = make.unit("BTC", name="Bộ Tài chính")
    budget = make.unit("BTC Vụ NSNN", ministry, name="Vụ Ngân sách nhà nước")
    make.unit("BTC Vụ ĐT", ministry, name="Vụ Đầu tư")
    make.unit("KBNN", name="Kho bạc Nhà nước")  # another tree: not the caller's
    make.user("supervisor", ministry, username="giam.sat")
    token = client.post("/api/v1/tokens", json={"username": "giam.sat", "password": PASSWORD}).json[
        "token"
    ]
    headers = {"Authorization": f"Bearer {token}"}

    def found(query: str) -> list[str]:
        answer = client.get("/api/v1/units", query_string={"q": query}, headers=headers)
        assert answer.status_code == 200, query
        return [unit["code"] for unit in answer.json["items"]]

    assert found("") == ["BTC", "BTC Vụ NSNN", "BTC Vụ ĐT"]
    assert found("nha nuoc") == [budget.code]
    assert found("vu dau") == ["BTC Vụ ĐT"]
    assert found("Kho bạc") == []
    assert found("%") == [] and found("_") == []
    assert found("x" * 5_000) == []


def test_a_leader_gives_a_task_to_someone_of_the_unit_through_the_api(client, make, org, leader):
    institute = org["institute"]
    huong = make.user("officer", institute, username="ng.huong", name="Nguyễn Thị Hương")
    stranger = make.user("officer", org["other"], username="la.khach")
    task = make.task(institute, code="NV 03/Đ", title="Cập nhật cơ sở dữ liệu")
    headers = token_for(client, leader)

    def give(owner, version=None):
        return client.put(
            f"/api/v1/tasks/{task.id}/owner",
            json={"version": version or task.version, "owner": owner},
            headers=headers,
        )

    before = written(), task.owner_id
    assert_problem(give("khong.ai"), 422, "do not exist")
    assert_problem(give(""), 422)  # nobody is null, not an empty name
    assert_problem(give(stranger.username), 422, "la.khach is not in INS")
    assert_problem(give(huong.username, task.version + 3), 409)
    assert_problem(
        client.put(f"/api/v1/tasks/{task.id}/owner", json={"owner": None}, headers=headers), 422
    )
    db.session.expire_all()
    assert (written(), task.owner_id) == before

    answer = give(huong.username)
    assert answer.status_code == 200, answer.json
    assert (answer.json["owner"], answer.json["version"]) == ("ng.huong", 2)
    answer = give(None, answer.json["version"])
    assert answer.status_code == 200 and answer.json["owner"] is None
    # The task's history says to whom it was given, then from whom it was taken back.
    entries = db.session.scalars(
        select(StatusUpdate).where(StatusUpdate.task_id == task.id).order_by(StatusUpdate.id)
    ).all()
    assert [(e.actor_id, e.note_code, e.note_values) for e in entries[-2:]] == [
        (leader.id, "task.given", {"name": "Nguyễn Thị Hương"}),
        (leader.id, "task.taken_back", {"name": "Nguyễn Thị Hương"}),
    ]
    # The officer may not give tasks.
    assert_problem(
        client.put(
            f"/api/v1/tasks/{task.id}/owner",
            json={"version": answer.json["version"], "owner": "ng.huong"},
            headers=token_for(client, huong),
        ),
        403,
    )
