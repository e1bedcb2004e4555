"""Weekly pattern adherence in the gym's local ISO week, and streaks (docs/protocol.md §1, §4)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from myokine.patterns import WEEKLY_RANGES, Pattern

WEEK = timedelta(days=7)


def week_start(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def week_label(day: date) -> str:
    """`day`'s ISO week as `2026-W48`."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class PatternWeek:
    """One pattern's sessions in one week against its range."""

    done: int
    min: int
    max: int
    status: str


def week_patterns(days_trained: Mapping[str, int]) -> dict[str, PatternWeek]:
    """Each pattern's days trained this week, its range and `below`/`in_range`/`above`."""
    result = {}
    for pattern in Pattern:
        weekly = WEEKLY_RANGES[pattern]
        done = days_trained.get(pattern.value, 0)
        result[pattern.value] = PatternWeek(done, weekly.min, weekly.max, weekly.status(done))
    return result


@dataclass(frozen=True)
class CountedWeek:
    """A member's ISO week as counted: days trained per pattern, and whether on protocol."""

    start: date
    days: dict[str, int]
    on_protocol: bool


def on_protocol(days_trained: Mapping[str, int]) -> bool:
    """Whether all four patterns are in range."""
    return all(w.status == "in_range" for w in week_patterns(days_trained).values())


@dataclass(frozen=True)
class Streaks:
    """Runs of consecutive weeks on protocol."""

    current: int
    longest: int


def streaks(weeks_on_protocol: Iterable[date], this_week: date) -> Streaks:
    """Current and longest runs of on-protocol weeks (given by their Mondays).

    The current week is still going: a streak that ended last week is still current.
    """
    mondays = sorted({week_start(w) for w in weeks_on_protocol})
    longest = run = 0
    previous: date | None = None
    for monday in mondays:
        run = run + 1 if previous is not None and monday - previous == WEEK else 1
        longest = max(longest, run)
        previous = monday
    this_monday = week_start(this_week)
    current = run if previous is not None and this_monday - previous in (WEEK * 0, WEEK) else 0
    return Streaks(current=current, longest=longest)
