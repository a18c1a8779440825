"""Targets with indicators: values recorded over time, drawn against the target."""

import re
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
    # A Vietnamese reader's chart speaks Vietnamese and writes numbers their way.
    login(client, make.user("supervisor", org["ministry"], name="Trần Thị Ưng", language="vi"))
    page = client.get(f"/targets/{target.id}").text
    chart = page[page.index("<svg") : page.index("</svg>")]
    assert "Giá trị ghi nhận so với lộ trình tới mục tiêu" in chart
    assert "62,5 %" in chart and ">mục tiêu 100 %<" in chart and ">target" not in chart
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


@pytest.mark.parametrize(
    ("language", "typed", "kept"),
    [
        ("vi", "45,5", Decimal("45.5")),
        ("vi", "1.234,5", Decimal("1234.5")),
        ("vi", "1.000", Decimal("1000")),
        ("en", "45.5", Decimal("45.5")),
        ("en", "1,234.5", Decimal("1234.5")),
    ],
)
def test_a_value_is_read_as_the_readers_language_writes_numbers(
    client, make, org, target, today, language, typed, kept
):
    login(client, make.user("supervisor", org["ministry"], language=language))
    response = client.post(
        f"/targets/{target.id}",
        data={"recorded_on": today.isoformat(), "value": typed, "source_note": "Báo cáo quý"},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(TargetValue.value)) == kept


@pytest.mark.parametrize(
    ("language", "typed", "told"),
    [
        ("vi", "45.5", "Số chưa đúng cách viết: có phải là 45,5? (Ví dụ 1.234,5.)"),
        ("vi", "1,000.5", "có phải là 1.000,5?"),
        ("en", "45,5", "Not a number as written here: did you mean 45.5? (For example 1,234.5.)"),
        ("vi", "NaN", "Hãy nhập một số, ví dụ 1.234,5."),
        ("vi", "bốn mươi", "Hãy nhập một số, ví dụ 1.234,5."),
    ],
)
def test_a_value_written_the_other_languages_way_is_refused_not_guessed(
    client, make, org, target, today, language, typed, told
):
    login(client, make.user("supervisor", org["ministry"], language=language))
    response = client.post(
        f"/targets/{target.id}",
        data={"recorded_on": today.isoformat(), "value": typed},
    )
    assert response.status_code == 422
    assert told in response.text
    # The value is shown back as typed, in a text box a browser does not rewrite.
    assert re.search(
        rf'<input [^>]*inputmode="decimal" name="value" required type="text"'
        rf' value="{re.escape(typed)}">',
        response.text,
    )
    assert db.session.scalar(select(func.count(TargetValue.id))) == 0


def test_the_target_form_shows_its_values_as_the_reader_writes_them(client, make, org, target):
    target.baseline_value = Decimal("45.5")
    db.session.commit()
    login(client, make.user("admin", org["ministry"], language="vi"))
    page = client.get(f"/admin/targets/{target.id}/edit").text
    assert 'name="baseline_value" type="text" value="45,5"' in page
    assert 'name="target_value" type="text" value="100"' in page
    # Sent back as shown, the values are kept as they were.
    response = client.post(
        f"/admin/targets/{target.id}/edit",
        data={
            "code": "MT1",
            "title": "Chỉ tiêu Đề án",
            "baseline_value": "45,5",
            "target_value": "1.000",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (target.baseline_value, target.target_value) == (Decimal("45.5"), Decimal("1000"))


def test_the_audit_trail_shows_a_recorded_value_as_the_reader_writes_numbers(
    client, make, org, target, today
):
    login(client, make.user("supervisor", org["ministry"], language="vi"))
    response = client.post(
        f"/targets/{target.id}", data={"recorded_on": today.isoformat(), "value": "1.234,5"}
    )
    assert response.status_code == 302
    login(client, make.user("auditor", org["ministry"], language="vi"))
    trail = client.get("/audit").text
    assert "1.234,5" in trail and "1234.5" not in trail  # recorded as "1234.5"
