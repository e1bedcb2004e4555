"""A program as the rules see it: training days in rotation, each a list of exercise slots."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from myokine.patterns import DEFAULT_WORKING_SETS, REP_MAX, REP_MIN, Pattern

DEFAULT_REST_SECONDS = 90


@dataclass(frozen=True)
class Slot:
    """One exercise on a training day, with its prescription."""

    exercise: str
    pattern: Pattern
    sets: int = DEFAULT_WORKING_SETS
    rep_min: int = REP_MIN
    rep_max: int = REP_MAX
    rest_seconds: int = DEFAULT_REST_SECONDS
    notes: str | None = None


@dataclass(frozen=True)
class TrainingDay:
    """One day of the rotation (A, B, ...)."""

    name: str
    slots: tuple[Slot, ...]

    @property
    def patterns(self) -> frozenset[Pattern]:
        """The movement patterns this day trains."""
        return frozenset(slot.pattern for slot in self.slots)


@dataclass(frozen=True)
class Plan:
    """A program's content: days done in rotation, and how many sessions a week."""

    name: str
    sessions_per_week: int
    days: tuple[TrainingDay, ...]

    def day_index(self, name: str) -> int | None:
        """The position of the day called `name` in the rotation, if there is one."""
        for index, day in enumerate(self.days):
            if day.name == name:
                return index
        return None


@dataclass(frozen=True)
class VersionContent:
    """What one version of a program holds: its plan, how it breaks the protocol, and why
    that is allowed."""

    plan: Plan
    violations: list[dict[str, Any]]
    """How the plan breaks the protocol, as the API shows each violation; empty if it conforms."""
    exception_reason: str | None
    """Why a plan that breaks the protocol is saved anyway; None for one that conforms."""
