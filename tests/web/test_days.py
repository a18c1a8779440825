"""Days are typed and shown dd/mm/yyyy whatever the browser: text boxes, not the browser's
date picker; yyyy-mm-dd (links, programs) is read too; anything else is refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.domain.days import parse_day
from tracker.extensions import db
from tracker.models import ExtensionRequest

from ..conftest import login


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("31/03/2026", date(2026, 3, 31)),
        ("1/4/2027", date(2027, 4, 1)),
        ("2028-02-29", date(2028, 2, 29)),
    ],
)
def test_days_are_read_as_people_and_links_write_them(text, day):
    assert parse_day(text) == day


@pytest.mark.parametrize("text", ["", "31.03.2026", "30/02/2026", "2026/03/31", "hôm nay"])
def test_other_writings_are_refused(text):
    with pytest.raises(ValueError):
        parse_day(text)


def test_filters_and_forms_take_and_show_dd_mm_yyyy(client, make, org, today):
    leader = make.user("unit_leader", org["department"])
    task = make.task(org["department"], deadline=today + timedelta(days=5))
    login(client, leader)
    page = client.get("/tasks?as_of=31/03/2026").text
    assert 'name="as_of" value="31/03/2026"' in page and 'type="date"' not in page
    task_page = client.get(f"/tasks/{task.id}").text
    assert 'id="extension-deadline"' in task_page and 'placeholder="dd/mm/yyyy"' in task_page
    wanted = today + timedelta(days=40)
    response = client.post(
        f"/tasks/{task.id}/extensions",
        data={"deadline": f"{wanted:%d/%m/%Y}", "reason": "Chờ số liệu của Bộ Tài chính."},
    )
    assert response.status_code == 302
    assert db.session.query(ExtensionRequest).one().requested_deadline == wanted
    assert client.get("/tasks?as_of=31.03.2026").status_code == 422


def test_a_day_that_does_not_exist_is_refused_as_such_not_as_missing(client, make, org, today):
    """An admin who types 31/02/2027 as a task's deadline is told that it is no day, in
    Vietnamese, with the form as typed: not "give the deadline" (the required-field message
    took the place of the reason), and nothing is saved."""
    from sqlalchemy import func, select

    from tracker.models import Task

    admin = make.user("admin", org["ministry"])
    directive = make.directive("2795/QĐ-BCT")
    login(client, admin)
    form = {
        "directive_id": directive.id,
        "code": "NV Đ-01",
        "title": "Rà soát quy hoạch điện VIII",
        "kind": "task",
        "lead_unit_id": org["department"].id,
        "weight": "1",
        "confidentiality": "normal",
    }
    vietnamese = {"Accept-Language": "vi"}
    for typed in ("31/02/2027", "ngày mai"):
        refused = client.post(
            "/admin/tasks/new", data={**form, "deadline": typed}, headers=vietnamese
        )
        assert refused.status_code == 422
        assert f"{typed} không phải là một ngày: hãy viết ngày/tháng/năm" in refused.text
        assert "Nhập thời hạn" not in refused.text
    missing = client.post("/admin/tasks/new", data={**form, "deadline": ""}, headers=vietnamese)
    assert missing.status_code == 422 and "Nhập thời hạn" in missing.text
    assert db.session.scalar(select(func.count()).select_from(Task)) == 0
    saved = client.post("/admin/tasks/new", data={**form, "deadline": f"{today:%d/%m/%Y}"})
    assert saved.status_code == 302
