"""Which starting loads a trainer may give an assignment.

Assisted exercises count assistance as a negative load (docs/protocol.md §5), so they may
start below zero.
"""

from __future__ import annotations

from decimal import Decimal

MIN_LOAD_KG, MIN_ASSISTED_LOAD_KG, MAX_LOAD_KG = Decimal(0), Decimal(-200), Decimal(1000)


def load_problem(kg: Decimal, *, assisted: bool) -> str | None:
    """Why `kg` cannot be a starting load, or None when it can."""
    low = MIN_ASSISTED_LOAD_KG if assisted else MIN_LOAD_KG
    if low <= kg <= MAX_LOAD_KG:
        return None
    return f"a load must lie in {low}..{MAX_LOAD_KG} kg"
