"""What a valid set is (docs/protocol.md §5): every field checked, every bad field named."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from myokine.catalog import CATALOG_BY_SLUG, Equipment
from myokine.units import Unit, to_kg

MIN_REPS, MAX_REPS = 0, 100
MIN_LOAD_KG, MAX_LOAD_KG = Decimal(-200), Decimal(1000)
MIN_RPE, MAX_RPE = Decimal(1), Decimal(10)
MAX_LOAD_DECIMALS = 3
MAX_FUTURE = timedelta(minutes=5)
MAX_AGE = timedelta(days=7)
MAX_SLUG_LENGTH = 64
MAX_PROGRAM_DAY_LENGTH = 64
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class FieldError:
    """One bad field and why."""

    field: str
    message: str


class InvalidSet(Exception):  # noqa: N818 - a verdict on the input, like ValueError
    """The set breaks one or more rules; `errors` names each bad field."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class SetEntry:
    """A set as the kiosk sent it, before any rule is checked."""

    exercise: str
    load: Decimal
    unit: str
    reps: int
    rpe: Decimal | None = None
    warmup: bool = False
    performed_at: datetime | None = None
    program_day: str | None = None


@dataclass(frozen=True)
class ValidSet:
    """A set that passed every rule, with its load in exact kilograms."""

    exercise: str
    load: Decimal
    unit: Unit
    load_kg: Decimal
    reps: int
    rpe: Decimal | None
    warmup: bool
    performed_at: datetime
    program_day: str | None


def is_slug(exercise: str) -> bool:
    """Whether `exercise` is shaped like a catalog slug (it may still be in no catalog)."""
    return bool(_SLUG.match(exercise)) and len(exercise) <= MAX_SLUG_LENGTH


def default_equipment(exercise: str) -> Equipment | None:
    """The equipment of an exercise of the default catalog every chain has; None otherwise."""
    known = CATALOG_BY_SLUG.get(exercise)
    return known.equipment if known else None


def _exercise_errors(exercise: str, equipment: Equipment | None) -> list[FieldError]:
    if not is_slug(exercise):
        return [
            FieldError(
                "exercise",
                f"must be an exercise slug (lowercase letters, digits and dashes, "
                f"at most {MAX_SLUG_LENGTH} characters)",
            )
        ]
    if equipment is None:
        return [FieldError("exercise", "is not an exercise of this chain's catalog")]
    return []


def _load_errors(equipment: Equipment | None, load: Decimal, unit: Unit | None) -> list[FieldError]:
    if not load.is_finite():
        return [FieldError("load", "must be a finite number")]
    exponent = load.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_LOAD_DECIMALS:
        return [FieldError("load", f"must have at most {MAX_LOAD_DECIMALS} decimals")]
    if unit is None:
        return []  # the range is in kg: without a unit it cannot be judged
    kg = to_kg(load, unit)
    if kg > MAX_LOAD_KG:
        return [FieldError("load", f"must be at most {MAX_LOAD_KG} kg")]
    # An unknown exercise is refused on its own field; only assisted ones take assistance.
    if kg < 0 and equipment not in (Equipment.ASSISTED, None):
        return [FieldError("load", "must not be negative (only assisted exercises take it)")]
    if kg < MIN_LOAD_KG:
        return [FieldError("load", f"assistance must be at most {-MIN_LOAD_KG} kg")]
    return []


def _rpe_errors(rpe: Decimal | None) -> list[FieldError]:
    if rpe is None:
        return []
    if not rpe.is_finite() or not MIN_RPE <= rpe <= MAX_RPE or (rpe * 2) % 1 != 0:
        return [FieldError("rpe", f"must be {MIN_RPE} to {MAX_RPE} in half steps")]
    return []


def _time_errors(performed_at: datetime, now: datetime) -> list[FieldError]:
    if performed_at.tzinfo is None or performed_at.utcoffset() is None:
        return [FieldError("performed_at", "must carry a time zone offset")]
    if performed_at > now + MAX_FUTURE:
        return [FieldError("performed_at", "must not be more than 5 minutes in the future")]
    if performed_at < now - MAX_AGE:
        return [FieldError("performed_at", "must not be more than 7 days old")]
    return []


def validate_set(
    entry: SetEntry, *, now: datetime, equipment: Equipment | None, check_time: bool = True
) -> ValidSet:
    """The set, checked against every rule; raises `InvalidSet` naming each bad field.

    `equipment` is the exercise's in the chain's catalog, None when the catalog has no such
    exercise (then the set is refused, naming `exercise`).

    `check_time` is off when a correction keeps the set's original time: a trainer may
    correct a set older than the 7 days a new set may be back-dated.
    """
    errors = _exercise_errors(entry.exercise, equipment)
    unit = Unit(entry.unit) if entry.unit in (u.value for u in Unit) else None
    if unit is None:
        errors.append(FieldError("unit", "must be 'kg' or 'lb'"))
    errors += _load_errors(equipment, entry.load, unit)
    if not MIN_REPS <= entry.reps <= MAX_REPS:
        errors.append(FieldError("reps", f"must be {MIN_REPS} to {MAX_REPS}"))
    errors += _rpe_errors(entry.rpe)
    performed_at = entry.performed_at or now
    if check_time:
        errors += _time_errors(performed_at, now)
    if entry.program_day is not None and not 0 < len(entry.program_day) <= MAX_PROGRAM_DAY_LENGTH:
        errors.append(
            FieldError("program_day", f"must be 1 to {MAX_PROGRAM_DAY_LENGTH} characters")
        )
    if errors:
        raise InvalidSet(errors)
    assert unit is not None
    return ValidSet(
        exercise=entry.exercise,
        load=entry.load,
        unit=unit,
        load_kg=to_kg(entry.load, unit),
        reps=entry.reps,
        rpe=entry.rpe,
        warmup=entry.warmup,
        performed_at=performed_at,
        program_day=entry.program_day,
    )
