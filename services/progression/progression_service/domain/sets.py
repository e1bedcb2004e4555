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
    def working(self) -> bool:
        """A working set (docs/protocol.md §1): not a warm-up and at least one rep.

        Only working sets make an exposure, its load and its records.
        """
        return not self.warmup and self.reps >= 1

    @property
    def failed(self) -> bool:
        """A failed attempt (docs/protocol.md §2): a set of 0 reps, not a warm-up.

        It stays in the history; it is a miss only at or below the working load.
        """
        return not self.warmup and self.reps == 0
