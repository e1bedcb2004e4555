"""A set as progression sees it: load, reps and effort, nothing about who or where."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class LiftedSet:
    """One logged set of one exercise."""

    set_id: uuid.UUID
    load_kg: Decimal
    reps: int
    rpe: Decimal | None = None
    warmup: bool = False

    @property
    def attempted(self) -> bool:
        """Part of the exposure: not a warm-up (a failed attempt, 0 reps, is a miss)."""
        return not self.warmup

    @property
    def working(self) -> bool:
        """A working set (docs/protocol.md §1): not a warm-up and at least one rep."""
        return not self.warmup and self.reps >= 1
