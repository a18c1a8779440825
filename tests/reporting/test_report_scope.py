"""One scope rule for every report: a supervisor's board, period report, league table and
dashboard count the same tasks, those led by their units; a task their unit only
coordinates is visible in lists, not counted (the demo's BCT supervisor and the National
Data Center's task that BCT coordinates)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ..conftest import login
from .test_period_and_league import cells


@pytest.mark.now("2026-12-02T09:00:00+07:00")
def test_board_period_league_and_dashboard_count_the_same_tasks(client, make, today):
    ministry = make.unit("BCT", name="Bộ Công Thương")
    institute = make.unit("VNCCK", ministry, name="Viện Nghiên cứu Cơ khí")
    outside = make.unit("TTDLQG", name="Trung tâm Dữ liệu quốc gia")
    directive = make.directive("2795/QĐ-BCT", kind="decision")
    make.task(institute, directive, code="NV 1", deadline=today - timedelta(days=5))
    make.task(ministry, directive, code="NV 2", deadline=today + timedelta(days=10))
    coordinated = make.task(
        outside,
        directive,
        code="NV 3",
        deadline=today - timedelta(days=2),
        coordinating_units=[ministry],
    )
    login(client, make.user("supervisor", ministry))

    assert "NV 3" in client.get("/tasks").text  # visible in the list
    assert client.get(f"/tasks/{coordinated.id}").status_code == 200

    board = client.get("/board").text
    assert "TTDLQG" not in board and "VNCCK" in board
    period = client.get("/reports/period?period=2026-Q4").text
    assert "TTDLQG" not in period
    assert cells(period, "VNCCK")[6] == "1"  # NV 1 overdue at the end (as of today)
    league = client.get("/reports/league").text
    assert "TTDLQG" not in league and "VNCCK" in league
    dashboard = client.get("/dashboard").text
    assert 'aria-label="Tasks per timeliness class, 2 in all"' in dashboard
    for page in (period, league):
        assert "units under BCT" in page  # the scope is said on the page


def test_the_head_of_the_only_tree_sees_every_unit_and_no_one_else_does(make):
    """The shortcut that leaves a whole-tree reader's statements unnarrowed holds for the
    head of the only tree: not for a unit below it, and for no one once a second tree has
    a head."""
    from tracker.reporting.task_queries import _every_unit_within

    head = make.unit("BCĐ TW", name="Ban Chỉ đạo Trung ương")
    ministry = make.unit("BTC", head, name="Bộ Tài chính")
    make.unit("BTC Vụ NSNN", ministry, name="Vụ Ngân sách nhà nước")
    assert _every_unit_within(head.path)
    assert not _every_unit_within(ministry.path)
    make.unit("TTDLQG", name="Trung tâm Dữ liệu quốc gia")
    assert not _every_unit_within(head.path)
    assert not _every_unit_within("")
