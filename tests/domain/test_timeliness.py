"""Timeliness, the pure function: every boundary named in the foundation issue."""

from datetime import date, timedelta

import pytest

from tracker.domain.lifecycle import CANCELLED, COMPLETED, IN_PROGRESS, NOT_STARTED, SUBMITTED
from tracker.domain.timeliness import (
    Timeliness,
    TimelinessCounts,
    classify,
    days_overdue,
    is_due_soon,
)

R = date(2026, 3, 31)  # the report date
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("status", "deadline", "completed_on", "expected"),
    [
        # due today, not done: still within deadline, not overdue
        (IN_PROGRESS, R, None, Timeliness.WITHIN_DEADLINE),
        (NOT_STARTED, R, None, Timeliness.WITHIN_DEADLINE),
        # a day past the deadline: overdue
        (IN_PROGRESS, R - DAY, None, Timeliness.OVERDUE),
        # completed on the deadline day: on time
        (COMPLETED, R - 5 * DAY, R - 5 * DAY, Timeliness.COMPLETED_ON_TIME),
        # completed a day late
        (COMPLETED, R - 5 * DAY, R - 4 * DAY, Timeliness.COMPLETED_LATE),
        # completed on the report date itself, late
        (COMPLETED, R - DAY, R, Timeliness.COMPLETED_LATE),
        # submitted but not yet verified is not completed
        (SUBMITTED, R - DAY, None, Timeliness.OVERDUE),
        (SUBMITTED, R + DAY, None, Timeliness.WITHIN_DEADLINE),
        # completed after the report date counts as not completed on the report date
        (COMPLETED, R + 10 * DAY, R + DAY, Timeliness.WITHIN_DEADLINE),
        (COMPLETED, R - DAY, R + DAY, Timeliness.OVERDUE),
        # cancelled has no class at all
        (CANCELLED, R - 30 * DAY, None, None),
        (CANCELLED, R + 30 * DAY, None, None),
    ],
)
def test_classify_boundaries(status, deadline, completed_on, expected):
    assert classify(status, deadline, completed_on, R) is expected


def test_extended_deadline_is_judged_against_the_extended_date():
    original, extended = R - 10 * DAY, R + 10 * DAY
    assert classify(IN_PROGRESS, original, None, R) is Timeliness.OVERDUE
    assert classify(IN_PROGRESS, extended, None, R) is Timeliness.WITHIN_DEADLINE
    # completed between the original and the extended deadline: on time against the extension
    assert classify(COMPLETED, extended, R - DAY, R) is Timeliness.COMPLETED_ON_TIME
    assert classify(COMPLETED, original, R - DAY, R) is Timeliness.COMPLETED_LATE


@pytest.mark.parametrize(
    ("deadline", "expected"),
    [(R, True), (R + 7 * DAY, True), (R + 8 * DAY, False), (R - DAY, False)],
)
def test_due_soon_is_within_deadline_and_close(deadline, expected):
    assert is_due_soon(IN_PROGRESS, deadline, None, R, 7) is expected


def test_completed_task_is_never_due_soon():
    assert not is_due_soon(COMPLETED, R + DAY, R - DAY, R, 7)


def test_days_overdue():
    assert days_overdue(R - 3 * DAY, R) == 3
    assert days_overdue(R, R) == 0
    assert days_overdue(R + DAY, R) == 0


def test_rates_are_over_tasks_that_have_come_due():
    # the published example: of those due, 14,068 on time, 1,983 late, 223 overdue
    counts = TimelinessCounts(
        completed_on_time=14068, completed_late=1983, within_deadline=5640, overdue=223
    )
    assert counts.total == 21914
    assert counts.come_due == 16274
    assert counts.completion_rate == pytest.approx((14068 + 1983) / 16274)
    assert counts.overdue_rate == pytest.approx(223 / 16274)
    assert counts.share(Timeliness.COMPLETED_ON_TIME) == pytest.approx(14068 / 16274)


def test_rates_without_tasks_due_are_undefined_not_zero():
    counts = TimelinessCounts(within_deadline=4)
    assert counts.completion_rate is None
    assert counts.overdue_rate is None


def test_counts_add_up():
    a = TimelinessCounts(1, 2, 3, 4)
    b = TimelinessCounts(10, 20, 30, 40)
    assert a + b == TimelinessCounts(11, 22, 33, 44)
