"""`make bench` times every page of the app that reads tasks or grows with the tree, not a
chosen few: each GET route of the app is opened by the bench's page list
(scripts/bench.py, `page_paths`) or named in its `NOT_MEASURED` with the reason, and
each page timed has its goal. A new page fails here until it is measured or excused."""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import date
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(SCRIPTS))  # bench.py imports bench_chart from beside it
    try:
        spec = importlib.util.spec_from_file_location("bench", SCRIPTS / "bench.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench"] = module  # its dataclasses look their module up as they are made
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(SCRIPTS))
        sys.modules.pop("bench", None)
    return module


def _subjects(bench):
    return bench.Subjects(
        supervisor="giám_sát_01",
        leader="trưởng_phòng_Đ01",
        leader_tasks=[11, 12, 13],
        writers=[],
        directive_id=2,
        directive_code="S1-0001/NQ",
        today=date(2026, 12, 7),
        largest_directive_id=3,
        target_id=4,
        leader_unit_id=5,
        leader_id=6,
        public_directive_id=7,
        closing_id=8,
    )


def _get_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}


def test_every_page_is_measured_or_named_with_a_reason(app, bench):
    paths = bench.page_paths(_subjects(bench), feed_token="bí-mật_01")
    adapter = app.url_map.bind("localhost")
    measured = {}
    for page, path in paths.items():
        endpoint, _ = adapter.match(path.split("?")[0], method="GET")
        measured.setdefault(endpoint, []).append(page)
    routes = _get_endpoints(app)
    left_out = routes - set(measured) - set(bench.NOT_MEASURED)
    assert not left_out, f"neither measured by make bench nor named in NOT_MEASURED: {left_out}"
    assert not set(measured) & set(bench.NOT_MEASURED), "measured and said not to be"
    assert set(bench.NOT_MEASURED) <= routes, "NOT_MEASURED names a route the app no longer has"
    assert all(reason.strip() for reason in bench.NOT_MEASURED.values())


def test_each_page_measured_has_a_goal_and_a_path(bench):
    paths = bench.page_paths(_subjects(bench), feed_token="bí-mật_01")
    assert set(paths) == set(bench.PAGE_GOALS)
    assert all(0 < goal <= 500 for goal in bench.PAGE_GOALS.values())
    # The reader's own feed, the bench's own closing and the synthetic public directive.
    assert paths["calendar feed"] == "/calendar/bí-mật_01.ics"
    assert paths["closed period"] == "/reports/closings/8"
    assert paths["public directive"] == "/public/directives/7"
    assert paths["period, a past quarter"] == "/reports/period?period=2026-Q2"


def test_the_table_by_size_shows_each_readers_p95_and_marks_a_miss(bench, tmp_path, monkeypatch):
    """`make bench` prints every page by size from the runs it kept: the p95 of the admin /
    the top supervisor / the unit leader, a dash where the reader may not open it, and a
    p95 over the goal in bold."""
    chart = bench.bench_chart  # the module bench.py draws and prints with
    monkeypatch.setattr(chart, "OUT", tmp_path)

    def page(p95, goal):
        return {"median_ms": p95 / 2, "p95_ms": p95, "goal_ms": goal}

    for tasks, slow in ((30_000, 18.4), (3_000_000, 23.6)):
        pages = {
            "admin: task page": page(slow, 20),
            "top supervisor: task page": page(12.0, 20),
            "unit leader: task page": page(9.0, 20),
            "admin: closed period": page(141.0, 300),
        }
        run = {
            "machine": {"tasks": tasks},
            "results": [{"database": "postgresql", "pages": pages}],
        }
        (tmp_path / f"results-{tasks}.json").write_text(json.dumps(run, ensure_ascii=False))
    lines = chart.table().splitlines()
    assert lines[0].endswith("| 30,000 tasks | 3,000,000 tasks | goal p95 ms |")
    assert "| closed period | 141 / – / – | 141 / – / – | 300 |" in lines
    assert "| task page | 18 / 12 / 9 | **24** / 12 / 9 | 20 |" in lines
