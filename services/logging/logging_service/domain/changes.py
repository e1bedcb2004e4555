"""Who may correct or void a set, and what a correction makes of it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from logging_service.domain.sets import FieldError, InvalidSet, SetEntry

MEMBER_WINDOW = timedelta(hours=24)
"""How long after logging a set its member may still change it; staff may at any time."""


def may_change(*, is_staff: bool, logged_at: datetime, now: datetime) -> bool:
    """Whether the caller may correct or void a set logged at `logged_at`."""
    return is_staff or now - logged_at <= MEMBER_WINDOW


@dataclass(frozen=True)
class Correction:
    """The fields a correction changes; `None` leaves a field as it is (RPE: see `clear_rpe`)."""

    exercise: str | None = None
    load: Decimal | None = None
    unit: str | None = None
    reps: int | None = None
    rpe: Decimal | None = None
    clear_rpe: bool = False
    warmup: bool | None = None

    @property
    def is_empty(self) -> bool:
        """Whether it changes nothing at all."""
        return self == Correction()


def apply_correction(current: SetEntry, correction: Correction) -> SetEntry:
    """The set as it stands after `correction` (not yet validated).

    A unit without a load re-reads the logged number in that unit: the member typed 100
    meaning pounds, not kilograms.
    """
    if correction.is_empty:
        raise InvalidSet([FieldError("body", "a correction must change at least one field")])
    return replace(
        current,
        exercise=correction.exercise if correction.exercise is not None else current.exercise,
        load=correction.load if correction.load is not None else current.load,
        unit=correction.unit if correction.unit is not None else current.unit,
        reps=correction.reps if correction.reps is not None else current.reps,
        rpe=None
        if correction.clear_rpe
        else (correction.rpe if correction.rpe is not None else current.rpe),
        warmup=correction.warmup if correction.warmup is not None else current.warmup,
    )
