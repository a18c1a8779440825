"""The admin forms' unit choosers (web/unit_choosers.py): every unit while the tree is small;
from UNIT_SEARCH_FROM units on, the units the form holds and those searched for — by the
search box's JSON as one types, or its Find button without scripts, which saves nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import AuditEvent, Task, Unit, User
from tracker.web import unit_choosers

from ..conftest import login


def offered(page: str, select_name: str) -> list[str]:
    """The labels of a select's options, as the page offers them."""
    found = re.search(rf'<select[^>]*name="{select_name}"[^>]*>(.*?)</select>', page, re.S)
    assert found, f"no select {select_name}"
    return [
        re.sub(r"&#3[49];|&amp;", lambda m: {"&#34;": '"', "&#39;": "'"}.get(m[0], "&"), label)
        for label in re.findall(r"<option[^>]*>(.*?)</option>", found[1])
    ]


@pytest.fixture
def tree(make):
    """A national tree in miniature: a committee, two ministries and their departments."""
    top = make.unit("BCĐ TW", name="Ban Chỉ đạo Trung ương")
    finance = make.unit("BTC", top, name="Bộ Tài chính")
    budget = make.unit("BTC Vụ NSNN", finance, name="Vụ Ngân sách nhà nước")
    trade = make.unit("BCT", top, name="Bộ Công Thương")
    power = make.unit("Cục ĐTĐL", trade, name="Cục Điều tiết điện lực")
    science = make.unit("Vụ KHCN", trade, name="Vụ Khoa học và Công nghệ")
    admin = make.user("admin", top, username="quan.tri", name="Quản Trị Viên")
    return {
        "top": top,
        "finance": finance,
        "budget": budget,
        "trade": trade,
        "power": power,
        "science": science,
        "admin": admin,
    }


@pytest.fixture
def national(app, monkeypatch):
    """The choosers behave as at national size: search from 3 units, 2 found at most."""
    monkeypatch.setitem(app.config, "UNIT_SEARCH_FROM", 3)
    monkeypatch.setattr(unit_choosers, "FOUND_AT_MOST", 2)


def test_a_small_tree_offers_every_unit_and_no_search_box(client, tree):
    login(client, tree["admin"])
    page = client.get("/admin/tasks/new").text
    assert len(offered(page, "lead_unit_id")) == 6
    assert "· · BTC Vụ NSNN — Vụ Ngân sách nhà nước" in offered(page, "lead_unit_id")
    assert "lead_unit_id_find" not in page and 'name="find_unit"' not in page


def test_a_national_tree_offers_the_units_held_and_those_found(client, tree, make, national):
    """The task form offers the task's own units and the first of the tree; Find (no
    scripts) offers the units whose code and name hold the words typed, without
    diacritics, keeps what was typed and saves nothing; the unit found is then saved."""
    directive = make.directive("2795/QĐ-BCT", title="Kế hoạch điện lực")
    task = make.task(
        tree["science"],
        directive,
        code="NV 01/QĐ",
        title="Đề án điện gió",
        coordinating_units=[tree["budget"]],
    )
    login(client, tree["admin"])
    events = db.session.scalar(select(func.count(AuditEvent.id)))

    page = client.get(f"/admin/tasks/{task.id}/edit").text
    leads = offered(page, "lead_unit_id")
    assert leads == [
        "BCĐ TW — Ban Chỉ đạo Trung ương",
        "· BTC — Bộ Tài chính",
        "· · Vụ KHCN — Vụ Khoa học và Công nghệ",
    ]  # the first two of the tree, and the task's own
    assert "· · BTC Vụ NSNN — Vụ Ngân sách nhà nước" in offered(page, "coordinating_unit_ids")
    assert 'name="lead_unit_id_find"' in page
    assert "More units match than the list shows" in page

    form = {
        "directive_id": directive.id,
        "code": "NV 01/QĐ",
        "title": "Đề án điện gió ngoài khơi",
        "kind": "task",
        "lead_unit_id": tree["science"].id,
        "coordinating_unit_ids": [tree["budget"].id],
        "deadline": task.deadline.isoformat(),
        "version": str(task.version),
    }
    found = client.post(
        f"/admin/tasks/{task.id}/edit",
        data=dict(form, find_unit="lead_unit_id", lead_unit_id_find="  dieu TIET dien "),
    )
    assert found.status_code == 200
    assert offered(found.text, "lead_unit_id") == [
        "· · Cục ĐTĐL — Cục Điều tiết điện lực",
        "· · Vụ KHCN — Vụ Khoa học và Công nghệ",
    ]
    assert 'value="dieu TIET dien"' in found.text  # the words, shown again
    assert "Units found: 1." in found.text
    assert "Đề án điện gió ngoài khơi" in found.text  # what was typed is kept...
    db.session.expire_all()
    assert task.title == "Đề án điện gió" and task.version == int(form["version"])  # ...unsaved
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events

    nothing = client.post(
        f"/admin/tasks/{task.id}/edit",
        data=dict(form, find_unit="lead_unit_id", lead_unit_id_find="100%_"),
    )
    assert nothing.status_code == 200
    assert "No unit has these words in its code or name." in nothing.text

    saved = client.post(
        f"/admin/tasks/{task.id}/edit", data=dict(form, lead_unit_id=tree["power"].id)
    )
    assert saved.status_code == 302, saved.text
    db.session.expire_all()
    assert (task.lead_unit_id, task.title) == (tree["power"].id, "Đề án điện gió ngoài khơi")

    no_such = client.post(
        f"/admin/tasks/{task.id}/edit",
        data=dict(form, lead_unit_id=999_999, version=str(task.version)),
    )
    assert no_such.status_code == 422
    db.session.expire_all()
    assert task.lead_unit_id == tree["power"].id


def test_every_unit_chooser_searches_at_national_size(client, tree, national):
    """The person, unit and recurring task forms: a search box, a short list, and Find."""
    login(client, tree["admin"])
    for path, field in (
        ("/admin/users/new", "unit_id"),
        ("/admin/units/new", "parent_id"),
        ("/admin/recurring", "lead_unit_id"),
    ):
        page = client.get(path).text
        assert f'name="{field}_find"' in page, path
        assert len(offered(page, field)) <= 3, path  # (a parent may be none)
        found = client.post(
            path, data={"find_unit": field, f"{field}_find": "ngan sach", "name": "Trần Văn Đức"}
        )
        assert found.status_code == 200, path
        assert "· · BTC Vụ NSNN — Vụ Ngân sách nhà nước" in offered(found.text, field), path
    assert db.session.scalar(select(func.count(User.id))) == 1
    assert db.session.scalar(select(func.count(Unit.id))) == 6


def test_the_person_form_saves_a_unit_found(client, tree, national):
    login(client, tree["admin"])
    saved = client.post(
        "/admin/users/new",
        data={
            "username": "tran.van.duc",
            "name": "Trần Văn Đức",
            "role": "officer",
            "unit_id": tree["budget"].id,
            "password": "một mật khẩu đủ dài",
        },
    )
    assert saved.status_code == 302, saved.text
    person = db.session.scalar(select(User).where(User.username == "tran.van.duc"))
    assert person.unit_id == tree["budget"].id


def test_the_search_box_asks_for_units_as_json(client, tree, make, national):
    login(client, tree["admin"])
    answer = client.get("/admin/units/choices", query_string={"q": "Bộ tai"})
    assert answer.status_code == 200
    assert answer.get_json() == {
        "items": [{"id": tree["finance"].id, "label": "· BTC — Bộ Tài chính"}],
        "more": False,
    }
    first = client.get("/admin/units/choices").get_json()
    assert [item["id"] for item in first["items"]] == [tree["top"].id, tree["finance"].id]
    assert first["more"] is True
    for strange in ("%", "_", "\\", "x" * 10_000, "\x00", "' OR 1=1 --", "Đ" * 500):
        response = client.get("/admin/units/choices", query_string={"q": strange})
        assert response.status_code in (200, 400), strange
        if response.status_code == 200:
            assert response.get_json()["items"] == [], strange

    login(client, make.user("supervisor", tree["top"]))
    assert client.get("/admin/units/choices", query_string={"q": "bo"}).status_code == 403


def test_a_units_search_key_follows_its_code_and_name(tree):
    unit = tree["budget"]
    assert unit.search_key == "btc vu nsnn vu ngan sach nha nuoc"
    unit.name = "Vụ Đầu tư"
    db.session.commit()
    assert db.session.scalar(select(Unit.search_key).where(Unit.id == unit.id)) == (
        "btc vu nsnn vu dau tu"
    )
    assert db.session.scalar(select(func.count(Task.id))) == 0


@pytest.mark.browser
def test_the_forms_with_search_boxes_are_valid_html(client, tree, national, tmp_path):
    from .test_valid_html import check

    login(client, tree["admin"])
    files = []
    for number, path in enumerate(("/admin/tasks/new", "/admin/users/new", "/admin/units/new")):
        page = tmp_path / f"form-{number}.html"
        page.write_text(client.get(path).text, encoding="utf-8")
        files.append(page)
    found = tmp_path / "found.html"
    found.write_text(
        client.post(
            "/admin/tasks/new", data={"find_unit": "lead_unit_id", "lead_unit_id_find": "bo"}
        ).text,
        encoding="utf-8",
    )
    assert "lead_unit_id_find" in found.read_text(encoding="utf-8")
    assert check([*files, found]) == []
