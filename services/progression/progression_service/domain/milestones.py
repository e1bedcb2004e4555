"""Protocol milestones (PROTOCOL.md §4): first session, first protocol week, four weeks in a
row on protocol, and the strength check twelve weeks after the first session."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from myokine.patterns import WEEKLY_RANGES

ADAPTATION_WEEKS = 4
STRENGTH_CHECK_AFTER = timedelta(weeks=12)
BASELINE_WINDOW = timedelta(days=14)


class Milestone(StrEnum):
    """The milestones a member can reach, once each."""

    FIRST_SESSION = "first_session"
    FIRST_PROTOCOL_WEEK = "first_protocol_week"
    INITIAL_ADAPTATION = "initial_adaptation"
    STRENGTH_CHECK = "strength_check"


def protocol_reached_on(
    day_patterns: Mapping[date, Iterable[str]], finished_days: Iterable[date]
) -> date | None:
    """The day an on-protocol week reached it: the first finished day by which every
    pattern has its weekly minimum of days trained (None while no finished day does).

    `day_patterns` maps each day of the week to the patterns trained that day. The week's
    maximum is not checked here: the caller asks only about weeks on protocol as a whole.
    """
    finished = set(finished_days)
    counts: dict[str, int] = {}
    for day in sorted(day_patterns):
        for pattern in set(day_patterns[day]):
            counts[pattern] = counts.get(pattern, 0) + 1
        met = all(counts.get(p.value, 0) >= r.min for p, r in WEEKLY_RANGES.items())
        if met and day in finished:
            return day
    return None


@dataclass(frozen=True)
class StrengthChange:
    """A pattern's main lift, its e1RM in the first two weeks and now."""

    exercise: str
    baseline_e1rm_kg: Decimal
    current_e1rm_kg: Decimal

    @property
    def change_kg(self) -> Decimal:
        """Kilograms gained (negative: lost)."""
        return self.current_e1rm_kg - self.baseline_e1rm_kg

    @property
    def change_pct(self) -> Decimal:
        """Change relative to the baseline, in percent to the tenth."""
        pct = self.change_kg / self.baseline_e1rm_kg * 100
        return pct.quantize(Decimal("0.1"), ROUND_HALF_UP)


def strength_check(
    baseline: Mapping[str, Mapping[str, Decimal]],
    current: Mapping[str, Mapping[str, Decimal]],
) -> dict[str, StrengthChange]:
    """Per pattern, the e1RM change of its main lift.

    `baseline` and `current` map pattern -> exercise -> best e1RM in the first two weeks
    and in the last two weeks. The main lift is the pattern's strongest baseline exercise
    that was also trained lately (ties by name, for a stable answer).
    """
    changes = {}
    for pattern, lifts in baseline.items():
        shared = [(e1rm, ex) for ex, e1rm in lifts.items() if ex in current.get(pattern, {})]
        if not shared:
            continue
        _, main = max(shared, key=lambda pair: (pair[0], pair[1]))
        changes[pattern] = StrengthChange(main, lifts[main], current[pattern][main])
    return changes
