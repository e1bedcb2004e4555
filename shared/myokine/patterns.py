"""Movement patterns, their weekly frequencies and rep ranges (docs/protocol.md §1, §2)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Pattern(StrEnum):
    """The four movement patterns the protocol trains every week."""

    SQUAT = "squat"
    HINGE = "hinge"
    PUSH = "push"
    PULL = "pull"


@dataclass(frozen=True)
class WeeklyRange:
    """How many sessions a week a pattern should be trained."""

    min: int
    max: int

    def status(self, done: int) -> str:
        """`below`, `in_range` or `above`."""
        if done < self.min:
            return "below"
        if done > self.max:
            return "above"
        return "in_range"


WEEKLY_RANGES: dict[Pattern, WeeklyRange] = {
    Pattern.SQUAT: WeeklyRange(2, 3),
    Pattern.HINGE: WeeklyRange(1, 2),
    Pattern.PUSH: WeeklyRange(2, 3),
    Pattern.PULL: WeeklyRange(2, 3),
}

REP_MIN = 6
REP_MAX = 12
DEFAULT_WORKING_SETS = 3
