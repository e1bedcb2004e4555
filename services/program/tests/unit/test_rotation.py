"""Which day comes next: the one after the last day trained; a missed day is not skipped."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from program_service.domain.rotation import is_newer_session, next_day_index


def test_a_new_assignment_starts_on_the_first_day() -> None:
    assert next_day_index(None, 3) == 0


@pytest.mark.parametrize(
    ("last", "count", "expected"), [(0, 3, 1), (1, 3, 2), (2, 3, 0), (0, 1, 0)]
)
def test_the_day_after_the_last_one_trained(last: int, count: int, expected: int) -> None:
    assert next_day_index(last, count) == expected


def test_a_rotation_needs_days() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        next_day_index(None, 0)


@given(st.integers(min_value=1, max_value=14), st.integers(min_value=0, max_value=100))
def test_training_every_day_shown_walks_the_whole_rotation(count: int, sessions: int) -> None:
    last: int | None = None
    shown = []
    for _ in range(sessions):
        today = next_day_index(last, count)
        shown.append(today)
        last = today
    assert shown == [i % count for i in range(sessions)]


def test_only_a_later_session_moves_the_rotation() -> None:
    assert is_newer_session(1, None)
    assert is_newer_session(5, 4)
    assert not is_newer_session(4, 4)
    assert not is_newer_session(3, 4)
