"""Estimated one-repetition maximum (docs/protocol.md §3)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MAX_E1RM_REPS = 12
MAX_EFFECTIVE_REPS = 15
CENTS = Decimal("0.01")


def reps_in_reserve(rpe: Decimal | None) -> Decimal:
    """Reps left in the tank: 10 - RPE when RPE was logged, else none."""
    return Decimal(10) - rpe if rpe is not None else Decimal(0)


def effective_reps(reps: int, rpe: Decimal | None) -> Decimal:
    """Reps done plus reps left in reserve."""
    return reps + reps_in_reserve(rpe)


def epley_factor(reps: int, rpe: Decimal | None) -> Decimal:
    """What Epley multiplies the load by: 1 + r/30, or 1 when r is one rep."""
    effective = effective_reps(reps, rpe)
    return Decimal(1) if effective <= 1 else 1 + effective / 30


def e1rm(load_kg: Decimal, reps: int, rpe: Decimal | None, *, bodyweight: bool) -> Decimal | None:
    """Epley on effective reps (reps + RIR), in kg to the hundredth; None when not estimable.

    There is no estimate for a failed attempt, a set of more than 12 reps, more than 15
    effective reps, or a bodyweight set (the member's body weight is unknown here).
    """
    if bodyweight or reps < 1 or reps > MAX_E1RM_REPS:
        return None
    if effective_reps(reps, rpe) > MAX_EFFECTIVE_REPS:
        return None
    return (load_kg * epley_factor(reps, rpe)).quantize(CENTS, ROUND_HALF_UP)
