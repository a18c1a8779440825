"""Recurring tasks: one occurrence per period once it has begun, created exactly once."""

from datetime import date

import pytest
from sqlalchemy import func, select

from tracker.domain.errors import Forbidden, InvalidInput
from tracker.domain.periods import label, period_of, periods_between
from tracker.extensions import db
from tracker.models import Task
from tracker.work import recurring

from ..api.test_api import assert_problem, token_for
from ..conftest import login


def test_periods():
    assert period_of(date(2026, 5, 17), "monthly") == (date(2026, 5, 1), date(2026, 5, 31))
    assert period_of(date(2026, 5, 17), "quarterly") == (date(2026, 4, 1), date(2026, 6, 30))
    assert period_of(date(2026, 11, 2), "half_yearly") == (date(2026, 7, 1), date(2026, 12, 31))
    assert period_of(date(2028, 2, 10), "monthly")[1] == date(2028, 2, 29)
    assert [
        label(s, "quarterly")
        for s, _ in periods_between(date(2025, 11, 5), date(2026, 4, 1), "quarterly")
    ] == ["2025Q4", "2026Q1", "2026Q2"]
    assert label(date(2026, 3, 1), "monthly") == "2026-03"
    assert label(date(2026, 7, 1), "half_yearly") == "2026H2"


@pytest.fixture
def template(make, org):
    admin = make.user("admin", org["ministry"])
    directive = make.directive("57-NQ/TW")
    return admin, recurring.create_template(
        admin,
        directive=directive,
        code_prefix="BC57",
        title="Quarterly report on Resolution 57",
        lead_unit=org["institute"],
        owner=None,
        frequency="quarterly",
        days_after_period_end=10,
        starts_on=date(2026, 1, 1),
        is_key=True,
    )


def test_run_creates_each_occurrence_once_and_catches_up(template):
    _, _ = template
    created = recurring.run(date(2026, 5, 20))
    assert [(t.code, t.start_date, t.deadline) for t in created] == [
        ("BC57-2026Q1", date(2026, 1, 1), date(2026, 4, 10)),
        ("BC57-2026Q2", date(2026, 4, 1), date(2026, 7, 10)),
    ]
    assert all(t.is_key and t.title.startswith("Quarterly report") for t in created)
    assert recurring.run(date(2026, 5, 20)) == []
    assert [t.code for t in recurring.run(date(2026, 7, 1))] == ["BC57-2026Q3"]
    assert db.session.scalar(select(func.count(Task.id))) == 3


def test_templates_are_for_admins_and_validated(make, org, template):
    admin, first = template
    with pytest.raises(Forbidden):
        recurring.create_template(
            make.user("supervisor", org["ministry"]),
            directive=first.directive,
            code_prefix="X",
            title="x",
            lead_unit=org["institute"],
            frequency="monthly",
            starts_on=date(2026, 1, 1),
        )
    with pytest.raises(InvalidInput, match="already has a recurring task"):
        recurring.create_template(
            admin,
            directive=first.directive,
            code_prefix="BC57",
            title="again",
            lead_unit=org["institute"],
            frequency="monthly",
            starts_on=date(2026, 1, 1),
        )


def test_admin_page_cli_and_api(app, client, make, org, template):
    admin, first = template
    login(client, admin)
    page = client.get("/admin/recurring").text
    assert "BC57-…" in page
    response = client.post(
        "/admin/recurring",
        data={
            "directive_id": first.directive_id,
            "code_prefix": "BCT",
            "title": "Monthly figures",
            "lead_unit_id": org["department"].id,
            "frequency": "monthly",
            "days_after_period_end": "5",
            "starts_on": "2026-10-01",
        },
    )
    assert response.status_code == 302
    result = app.test_cli_runner().invoke(args=["recurring", "run", "--date", "2026-11-03"])
    assert result.exit_code == 0, result.output
    assert "BCT-2026-11: deadline 2026-12-05" in result.output
    again = app.test_cli_runner().invoke(args=["recurring", "run", "--date", "2026-11-03"])
    assert "0 created" in again.output
    headers = token_for(client, admin)
    created = client.post(
        "/api/v1/recurring",
        headers=headers,
        json={
            "directive": "57-NQ/TW",
            "code_prefix": "H",
            "title": "Six-month review",
            "lead_unit": "MIN",
            "frequency": "half_yearly",
            "starts_on": "2026-01-01",
        },
    )
    assert created.status_code == 201, created.json
    assert_problem(
        client.post(
            "/api/v1/recurring",
            headers=headers,
            json={
                "directive": "57-NQ/TW",
                "code_prefix": "Y",
                "title": "t",
                "lead_unit": "MIN",
                "frequency": "weekly",
                "starts_on": "2026-01-01",
            },
        ),
        422,
    )
    leader_headers = token_for(client, make.user("unit_leader", org["institute"]))
    assert_problem(client.get("/api/v1/recurring", headers=leader_headers), 403)


def test_a_national_programmes_templates_come_a_page_at_a_time(client, make, org, template):
    """A monthly report for every unit is a template per unit: the admin page and the API
    list them a page at a time (before, every one of thousands in one answer)."""
    admin, first = template
    for number in range(1, 56):
        unit = make.unit(
            f"Sở Nội vụ {number:02d}", org["ministry"], name=f"Sở Nội vụ tỉnh {number}"
        )
        recurring.create_template(
            admin,
            directive=first.directive,
            code_prefix=f"BCĐ {number:02d}",
            title="Báo cáo tháng về chuyển đổi số",
            lead_unit=unit,
            owner=None,
            frequency="monthly",
            days_after_period_end=5,
            starts_on=date(2026, 1, 1),
            is_key=False,
        )
    login(client, admin)
    first_page = client.get("/admin/recurring").text
    assert first_page.count("<tr><td>57-NQ/TW</td>") == 50
    assert "BC57-…" in first_page and "BCĐ 49-…" in first_page and "BCĐ 50-…" not in first_page
    assert "Page 1 of 2 · 56 in all" in first_page
    second_page = client.get("/admin/recurring?page=2").text
    assert second_page.count("<tr><td>57-NQ/TW</td>") == 6 and "BCĐ 55-…" in second_page

    headers = token_for(client, admin)
    answer = client.get("/api/v1/recurring?page=3&per_page=20", headers=headers).json
    assert (answer["total"], answer["page"], answer["per_page"]) == (56, 3, 20)
    assert [t["code_prefix"] for t in answer["items"]] == [f"BCĐ {n:02d}" for n in range(40, 56)]
    assert_problem(client.get("/api/v1/recurring?per_page=100000", headers=headers), 422)
    assert_problem(client.get("/api/v1/recurring?page=ba", headers=headers), 422)
