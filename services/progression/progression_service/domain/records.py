"""Personal records (docs/protocol.md §3): best e1RM, heaviest load at ≥ 6 reps, most reps
at a load.

Loads are compared in kg with a 0.25 kg tolerance, carried through the formula for e1RM
(a new e1RM must beat the best by more than 0.25 * (1 + r/30) kg), so a unit round trip
is never a record: 100 kg x 10 after 220 lb x 10 is none.
The first exposure (day) of an exercise is the baseline: it sets the bests, no records.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from progression_service.domain.sets import LiftedSet
from progression_service.domain.strength import CENTS, e1rm, epley_factor

TOLERANCE_KG = Decimal("0.25")
LOAD_RECORD_MIN_REPS = 6


class RecordKind(StrEnum):
    """The three kinds of personal record."""

    E1RM = "e1rm"
    LOAD = "load"
    """Heaviest load lifted for at least six reps."""
    REPS = "reps"
    """Most reps at a load at least as heavy as any earlier set with that many reps."""


@dataclass(frozen=True)
class PersonalRecord:
    """A record one set set."""

    kind: RecordKind
    value: Decimal
    set_id: uuid.UUID
    day: date
    load_kg: Decimal
    reps: int


@dataclass(frozen=True)
class Records:
    """The bests of one member on one exercise."""

    best_e1rm_kg: Decimal | None = None
    heaviest_at_six_kg: Decimal | None = None
    frontier: tuple[tuple[Decimal, int], ...] = ()
    """(load, most reps) pairs no other set beats on both, heaviest first."""
    days: int = 0
    """Training days counted so far; the first one is the baseline."""
    last_day: date | None = None

    def most_reps_at_or_above(self, load_kg: Decimal) -> int | None:
        """The most reps of any earlier set at least as heavy as `load_kg` (within tolerance)."""
        reps = [r for load, r in self.frontier if load >= load_kg - TOLERANCE_KG]
        return max(reps) if reps else None


def record_set(
    records: Records, day: date, lifted: LiftedSet, *, bodyweight: bool
) -> tuple[Records, list[PersonalRecord]]:
    """Fold one set into the bests; the records it set (none on the baseline day)."""
    if not lifted.working:
        return records, []
    if records.last_day != day:
        records = Records(
            records.best_e1rm_kg,
            records.heaviest_at_six_kg,
            records.frontier,
            records.days + 1,
            day,
        )
    baseline = records.days == 1
    kinds: list[tuple[RecordKind, Decimal]] = []

    best_e1rm = records.best_e1rm_kg
    estimate = e1rm(lifted.load_kg, lifted.reps, lifted.rpe, bodyweight=bodyweight)
    if estimate is not None and (best_e1rm is None or estimate > best_e1rm):
        if _beats(estimate, best_e1rm, e1rm_tolerance(lifted)):
            kinds.append((RecordKind.E1RM, estimate))
        best_e1rm = estimate
    heaviest = records.heaviest_at_six_kg
    if lifted.reps >= LOAD_RECORD_MIN_REPS and (heaviest is None or lifted.load_kg > heaviest):
        if _beats(lifted.load_kg, heaviest, TOLERANCE_KG):
            kinds.append((RecordKind.LOAD, lifted.load_kg))
        heaviest = lifted.load_kg
    previous_reps = records.most_reps_at_or_above(lifted.load_kg)
    if previous_reps is not None and lifted.reps > previous_reps:
        kinds.append((RecordKind.REPS, Decimal(lifted.reps)))

    found = (
        []
        if baseline
        else [
            PersonalRecord(kind, value, lifted.set_id, day, lifted.load_kg, lifted.reps)
            for kind, value in kinds
        ]
    )
    frontier = _add_to_frontier(records.frontier, lifted.load_kg, lifted.reps)
    return Records(best_e1rm, heaviest, frontier, records.days, day), found


def e1rm_tolerance(lifted: LiftedSet) -> Decimal:
    """How much a new e1RM must beat the best by: the load tolerance through Epley.

    Plus a hundredth, because both e1RMs are rounded to one: two estimates of the same
    weight typed in two units may differ by that rounding alone.
    """
    return TOLERANCE_KG * epley_factor(lifted.reps, lifted.rpe) + CENTS


def _beats(value: Decimal, best: Decimal | None, tolerance: Decimal) -> bool:
    """A record: better than an earlier best by more than the tolerance."""
    return best is not None and value > best + tolerance


def _add_to_frontier(
    frontier: tuple[tuple[Decimal, int], ...], load: Decimal, reps: int
) -> tuple[tuple[Decimal, int], ...]:
    if any(lo >= load and r >= reps for lo, r in frontier):
        return frontier
    kept = [(lo, r) for lo, r in frontier if not (lo <= load and r <= reps)]
    return tuple(sorted([*kept, (load, reps)], reverse=True))
