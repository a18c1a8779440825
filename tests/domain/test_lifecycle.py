"""The status lifecycle: legal moves pass, illegal ones are refused with a clear message."""

import pytest

from tracker.domain.errors import InvalidTransition
from tracker.domain.lifecycle import (
    CANCELLED,
    COMPLETED,
    IN_PROGRESS,
    NOT_STARTED,
    STATUSES,
    SUBMITTED,
    check_transition,
)

LEGAL = {
    (NOT_STARTED, IN_PROGRESS),
    (NOT_STARTED, SUBMITTED),
    (NOT_STARTED, CANCELLED),
    (IN_PROGRESS, SUBMITTED),
    (IN_PROGRESS, CANCELLED),
    (SUBMITTED, COMPLETED),
    (SUBMITTED, IN_PROGRESS),
    (SUBMITTED, CANCELLED),
}


@pytest.mark.parametrize("old", STATUSES)
@pytest.mark.parametrize("new", STATUSES)
def test_every_pair_of_statuses(old, new):
    if old == new or (old, new) in LEGAL:
        check_transition(old, new)
    else:
        with pytest.raises(InvalidTransition) as refused:
            check_transition(old, new)
        assert "cannot go from" in refused.value.message


def test_completion_without_verification_is_explained():
    with pytest.raises(InvalidTransition, match="only a supervisor's verification"):
        check_transition(IN_PROGRESS, COMPLETED)


def test_finished_task_cannot_move():
    with pytest.raises(InvalidTransition, match="already “Completed”"):
        check_transition(COMPLETED, IN_PROGRESS)


def test_unknown_status_is_refused():
    with pytest.raises(InvalidTransition, match="Unknown status 'done'"):
        check_transition(IN_PROGRESS, "done")
