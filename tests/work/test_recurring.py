"""Recurring tasks: one occurrence per period once it has begun, created exactly once."""

import io
import logging
from datetime import date

import pytest
from sqlalchemy import func, insert, select

from tracker.domain.errors import Forbidden, InvalidInput
from tracker.domain.periods import label, period_of, periods_between
from tracker.extensions import db
from tracker.models import RecurringTask, Task
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


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("title", "Báo cáo quý\nvề Nghị quyết 57", "one line"),
        ("title", "Báo cáo \u202equý", "one line"),
        ("code_prefix", "BC\t57", "one line"),
        # Each occurrence's title is the template's with " (2026-05)" after it: the template
        # keeps room for it within a task title's 500 characters.
        ("title", "Đ" * 491, "at most 490 characters"),
    ],
)
def test_a_template_that_could_not_make_its_tasks_is_refused(
    make, org, template, field, value, problem
):
    """A template is refused when the tasks it would make could not be: otherwise it is
    saved, and every daily run fails on it (and on the templates after it) for ever."""
    admin, first = template
    values = {
        "directive": first.directive,
        "code_prefix": "BC 57-Đ",
        "title": "Báo cáo quý về Nghị quyết 57",
        "lead_unit": org["institute"],
        "frequency": "monthly",
        "starts_on": date(2026, 4, 1),
    }
    with pytest.raises(InvalidInput, match=problem) as refused:
        recurring.create_template(admin, **values | {field: value})
    assert field in refused.value.field_errors
    db.session.rollback()
    longest = recurring.create_template(admin, **values | {"title": "Đ" * 490})
    created = {task.code: task for task in recurring.run(date(2026, 5, 20))}
    assert len(created["BC 57-Đ-2026-05"].title) == 500
    assert longest.title == "Đ" * 490


def test_the_form_and_the_api_refuse_such_a_template_and_save_nothing(client, make, org, template):
    admin, first = template
    login(client, admin)
    too_long = "Báo cáo tháng về chuyển đổi số " + "ư" * 469
    assert len(too_long) == 500  # a task title's length, no room for " (2026-05)"
    page = client.post(
        "/admin/recurring",
        data={
            "directive_id": first.directive_id,
            "code_prefix": "BC 57",
            "title": too_long,
            "lead_unit_id": org["department"].id,
            "frequency": "monthly",
            "days_after_period_end": "5",
            "starts_on": "01/10/2026",
        },
    )
    assert page.status_code == 422
    assert "490" in page.text  # said under the title
    answer = client.post(
        "/api/v1/recurring",
        headers=token_for(client, admin),
        json={
            "directive": "57-NQ/TW",
            "code_prefix": "BC\u202e57",
            "title": "Báo cáo tháng",
            "lead_unit": "MIN",
            "frequency": "monthly",
            "starts_on": "2026-10-01",
        },
    )
    assert_problem(answer, 422, "one line")
    assert "code_prefix" in answer.json["errors"]
    assert db.session.scalar(select(func.count(RecurringTask.id))) == 1


def test_a_template_saved_before_the_rule_does_not_stop_the_others(app, org, template, monkeypatch):
    """The daily run makes every other template's occurrences and names the one it cannot."""
    admin, first = template
    db.session.execute(
        insert(RecurringTask.__table__).values(
            directive_id=first.directive_id,
            code_prefix="CŨ",
            title="Báo cáo\ncũ",
            description="",
            lead_unit_id=org["institute"].id,
            frequency="monthly",
            days_after_period_end=0,
            starts_on=date(2026, 4, 1),
            is_key=False,
            active=True,
        )
    )
    db.session.commit()
    recurring.create_template(
        admin,
        directive=first.directive,
        code_prefix="BC Đ",
        title="Báo cáo quý",
        lead_unit=org["institute"],
        frequency="quarterly",
        starts_on=date(2026, 4, 1),
    )
    log = io.StringIO()
    monkeypatch.setattr(app.logger, "handlers", [logging.StreamHandler(log)])
    result = app.test_cli_runner().invoke(args=["recurring", "run", "--date", "2026-05-20"])
    assert result.exit_code == 0, result.output
    codes = set(db.session.scalars(select(Task.code)))
    assert codes == {"BC57-2026Q1", "BC57-2026Q2", "BC Đ-2026Q2"}
    said = "Recurring task 2 (CŨ) makes no occurrence: Title: one line of printable characters"
    assert said in log.getvalue()
