"""Does a program follow the protocol? (docs/protocol.md §1, the window rule, and §2's rep range.)

A program conforms when, for every pattern, the number of days containing that pattern
in every window of N consecutive sessions of the rotation (N = sessions per week) lies
in the pattern's weekly range, and every rep range lies within 6-12.

The rotation repeats forever, so windows wrap around the end of the day list and there
are as many distinct windows as days. Windows holding the same days (e.g. every window
when N is a multiple of the number of days) would repeat one finding, so each finding
is reported once, at the first window in rotation order that shows it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from myokine.patterns import REP_MAX, REP_MIN, WEEKLY_RANGES, Pattern
from program_service.domain.plans import Plan, TrainingDay


class Rule(StrEnum):
    """The rules a program can break."""

    WEEKLY_MIN = "weekly_min"
    """A pattern is trained on fewer days than its minimum in some window of N sessions."""
    WEEKLY_MAX = "weekly_max"
    """A pattern is trained on more days than its maximum in some window of N sessions."""
    REP_RANGE = "rep_range"
    """An exercise's rep range leaves 6-12."""


@dataclass(frozen=True)
class Violation:
    """One way a program breaks the protocol, located by pattern, rule and day.

    For the window rules `day` is the first day of the offending window and `window`
    lists the window's days in order; for the rep rule `day` holds the exercise.
    """

    pattern: Pattern
    rule: Rule
    day: str
    detail: str
    window: tuple[str, ...] = ()
    count: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    exercise: str | None = None


def windows(days: tuple[TrainingDay, ...], sessions: int) -> list[tuple[TrainingDay, ...]]:
    """Every window of `sessions` consecutive sessions of the rotation, one per starting day."""
    count = len(days)
    return [tuple(days[(start + i) % count] for i in range(sessions)) for start in range(count)]


def _window_violations(plan: Plan) -> list[Violation]:
    found: list[Violation] = []
    seen: set[tuple[Pattern, Rule, frozenset[tuple[int, int]]]] = set()
    positions = {id(day): index for index, day in enumerate(plan.days)}
    for window in windows(plan.days, plan.sessions_per_week):
        # Two windows with the same days in another order count the same; report once.
        content = frozenset(Counter(positions[id(day)] for day in window).items())
        names = tuple(day.name for day in window)
        for pattern, weekly in WEEKLY_RANGES.items():
            done = sum(1 for day in window if pattern in day.patterns)
            if done < weekly.min:
                rule, bound = Rule.WEEKLY_MIN, f"at least {weekly.min}"
            elif done > weekly.max:
                rule, bound = Rule.WEEKLY_MAX, f"at most {weekly.max}"
            else:
                continue
            if (pattern, rule, content) in seen:
                continue
            seen.add((pattern, rule, content))
            found.append(
                Violation(
                    pattern=pattern,
                    rule=rule,
                    day=names[0],
                    detail=(
                        f"{pattern}: {done} of {len(window)} sessions ({', '.join(names)}) "
                        f"train it; the protocol asks for {bound} "
                        f"({weekly.min}-{weekly.max} a week)"
                    ),
                    window=names,
                    count=done,
                    minimum=weekly.min,
                    maximum=weekly.max,
                )
            )
    return found


def _rep_violations(plan: Plan) -> list[Violation]:
    return [
        Violation(
            pattern=slot.pattern,
            rule=Rule.REP_RANGE,
            day=day.name,
            detail=(
                f"{slot.exercise} on day {day.name}: {slot.rep_min}-{slot.rep_max} reps "
                f"leaves the protocol's {REP_MIN}-{REP_MAX}"
            ),
            minimum=slot.rep_min,
            maximum=slot.rep_max,
            exercise=slot.exercise,
        )
        for day in plan.days
        for slot in day.slots
        if slot.rep_min < REP_MIN or slot.rep_max > REP_MAX
    ]


def check(plan: Plan) -> list[Violation]:
    """Every violation of the protocol in `plan`; empty when it conforms."""
    if not plan.days or plan.sessions_per_week < 1:
        raise ValueError("a program needs at least one day and one session a week")
    return _window_violations(plan) + _rep_violations(plan)
