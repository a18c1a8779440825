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
