"""e1RM: Epley on reps + RIR (docs/protocol.md §3's worked numbers and more)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from progression_service.domain.strength import e1rm

D = Decimal


@pytest.mark.parametrize(
    ("load", "reps", "rpe", "expected"),
    [
        ("100", 10, None, "133.33"),
        ("100", 6, None, "120.00"),
        ("100", 8, "8", "133.33"),
        ("60", 1, None, "60.00"),
        ("60", 1, "10", "60.00"),
        ("100", 5, "9.5", "118.33"),
        ("100", 12, None, "140.00"),
        ("80", 10, "5", "120.00"),
    ],
)
def test_epley_with_reps_in_reserve(load: str, reps: int, rpe: str | None, expected: str) -> None:
    assert e1rm(D(load), reps, D(rpe) if rpe else None, bodyweight=False) == D(expected)


@pytest.mark.parametrize(
    ("reps", "rpe"),
    [(13, None), (0, None), (10, "4"), (12, "6")],
)
def test_no_estimate_past_its_range(reps: int, rpe: str | None) -> None:
    assert e1rm(D(100), reps, D(rpe) if rpe else None, bodyweight=False) is None


def test_no_estimate_without_body_weight() -> None:
    assert e1rm(D(10), 8, None, bodyweight=True) is None
