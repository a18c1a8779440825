"""Targets with indicators: values recorded over time, drawn against the target."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tracker.domain.errors import Forbidden, InvalidInput
from tracker.extensions import db
from tracker.models import TargetValue
from tracker.org import directives

from ..api.test_api import assert_problem, token_for
from ..conftest import login


@pytest.fixture
def target(make, today):
    directive = make.directive("57-NQ/TW")
    target = directives.add_target(
        directive,
        {
            "code": "MT1",
            "title": "100% of guiding decrees issued",
            "indicator": "Decrees issued",
            "baseline_value": Decimal(0),
            "target_value": Decimal(100),
            "unit_of_measure": "%",
            "due_on": today + timedelta(days=90),
        },
    )
    db.session.commit()
    return target


def test_values_are_recorded_once_per_day_by_supervisors(make, org, target, today):
    supervisor = make.user("supervisor", org["ministry"])
    directives.record_target_value(
        supervisor, target, today - timedelta(days=30), Decimal(40), "Q3 review"
    )
    with pytest.raises(InvalidInput, match="already recorded"):
        directives.record_target_value(
            supervisor, target, today - timedelta(days=30), Decimal(41), "again"
        )
    db.session.rollback()
    with pytest.raises(InvalidInput, match="future date"):
        directives.record_target_value(
            supervisor, target, today + timedelta(days=1), Decimal(50), ""
        )
    db.session.rollback()
    with pytest.raises(Forbidden):
        directives.record_target_value(
            make.user("unit_leader", org["institute"]), target, today, Decimal(50), ""
        )
    assert db.session.scalar(select(func.count(TargetValue.id))) == 1


def test_target_page_draws_the_trajectory(client, make, org, target, today):
    supervisor = make.user("supervisor", org["ministry"])
    login(client, supervisor)
    for days_ago, value in ((60, "35"), (30, "62.5")):
        response = client.post(
            f"/targets/{target.id}",
            data={
                "recorded_on": (today - timedelta(days=days_ago)).isoformat(),
                "value": value,
                "source_note": "Quarterly review",
            },
        )
        assert response.status_code == 302
    page = client.get(f"/targets/{target.id}").text
    assert "<svg" in page and "<polyline" in page
    assert page.count("<circle") == 2
    assert "62.5 %" in page and "target 100 %" in page
    login(client, make.user("unit_leader", org["institute"]))
    page = client.get(f"/targets/{target.id}")
    assert page.status_code == 200 and "Record a value" not in page.text
    assert client.post(f"/targets/{target.id}", data={"value": "1"}).status_code == 403


def test_target_values_through_the_api(client, make, org, target, today):
    supervisor = make.user("supervisor", org["ministry"])
    headers = token_for(client, supervisor)
    response = client.post(
        f"/api/v1/targets/{target.id}/values",
        headers=headers,
        json={"recorded_on": today.isoformat(), "value": "88.5", "source_note": "API"},
    )
    assert response.status_code == 201, response.json
    assert response.json["values"] == [
        {
            "recorded_on": today.isoformat(),
            "value": 88.5,
            "source_note": "API",
            "recorded_by": supervisor.username,
        }
    ]
    assert response.json["target_value"] == 100.0
    assert_problem(
        client.post(
            f"/api/v1/targets/{target.id}/values",
            headers=headers,
            json={"recorded_on": today.isoformat(), "value": "x"},
        ),
        422,
    )
