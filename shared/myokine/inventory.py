"""A gym's equipment, and the loads it can make (docs/protocol.md §2, "A gym's inventory").

Every gym has an inventory in one unit (kg or lb): its barbell and plate pairs (with how
many of each), fixed dumbbells and kettlebells, the machine stacks' step, range and
add-on weights, and the step of added load for bodyweight exercises. A gym that sets
none has the protocol's defaults in its unit; a kind left out of an update keeps its
default. A gym may also say which kinds it does not have at all (`missing`: no
kettlebells, say): a kiosk then offers no exercise on them as a substitute.

The loads an inventory makes are given in exact kilograms (a pound gym's 135 lb is
61.23496995 kg), lightest first, so progression compares them as rungs of a ladder and
never as floats. Plate math (`plates_per_side`) answers which plates make a barbell load.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from myokine.catalog import Equipment
from myokine.units import Unit, to_kg

# Hundredths of the gym's unit: every weight an inventory names is a whole number of them,
# so the sums behind plate math are exact integers.
_CENTS = Decimal("0.01")

# The most plates one side of a bar may hold, in the gym's unit: it bounds plate math.
MAX_PLATES_PER_SIDE = {Unit.KG: Decimal(600), Unit.LB: Decimal(1300)}
# Added load for bodyweight exercises goes up to this (a dip belt's chain, a vest).
MAX_ADDED_LOAD = {Unit.KG: Decimal(100), Unit.LB: Decimal(220)}


def _json_number(value: Decimal) -> int | float:
    # Every weight has at most two decimals, so the float reads back as the same decimal.
    return int(value) if value == value.to_integral_value() else float(value)


Amount = Annotated[
    Decimal,
    PlainSerializer(_json_number, return_type=int | float, when_used="json"),
    WithJsonSchema({"type": "number"}, mode="serialization"),
]
"""An exact decimal here, a plain JSON number on the wire (in the API and in events)."""

Weight = Annotated[Amount, Field(gt=0, le=500, decimal_places=2)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PlatePairs(_Frozen):
    """Pairs of one plate weight: a pair loads both sides of the bar."""

    weight: Annotated[Amount, Field(gt=0, le=100, decimal_places=2)]
    pairs: int = Field(ge=1, le=50)


class Barbell(_Frozen):
    """The bar and the plate pairs that load it."""

    bar: Annotated[Amount, Field(ge=0, le=60, decimal_places=2)]
    plates: tuple[PlatePairs, ...] = Field(min_length=1, max_length=16)

    @model_validator(mode="after")
    def _plates_once_each(self) -> Self:
        weights = [p.weight for p in self.plates]
        if len(set(weights)) != len(weights):
            raise ValueError("each plate weight is listed once, with its number of pairs")
        return self


class MachineStack(_Frozen):
    """Machine and cable stacks: `min` to `max` in steps of `step`, plus any of the add-ons."""

    step: Annotated[Amount, Field(gt=0, le=50, decimal_places=2)]
    min: Weight
    max: Weight
    add_ons: tuple[Annotated[Amount, Field(gt=0, le=50, decimal_places=2)], ...] = Field(
        default=(), max_length=4
    )

    @model_validator(mode="after")
    def _range(self) -> Self:
        if self.min > self.max:
            raise ValueError("min must not be above max")
        if (self.max - self.min) / self.step > 1000:
            raise ValueError("a stack has at most 1000 steps")
        return self


def _sorted_unique(values: Iterable[Decimal]) -> tuple[Decimal, ...]:
    return tuple(sorted(set(values)))


Missing = Annotated[
    tuple[Equipment, ...],
    Field(
        max_length=len(Equipment),
        description="Kinds of equipment this gym does not have (bodyweight always is).",
    ),
]


def _known_missing(missing: tuple[Equipment, ...]) -> tuple[Equipment, ...]:
    if Equipment.BODYWEIGHT in missing:
        raise ValueError("every gym has bodyweight exercises")
    return tuple(sorted(set(missing)))


class InventoryUpdate(_Frozen):
    """What a trainer sets for a gym: its unit, and the kinds it names (the rest default)."""

    unit: Unit
    barbell: Barbell | None = None
    dumbbells: tuple[Weight, ...] | None = Field(default=None, min_length=1, max_length=100)
    kettlebells: tuple[Weight, ...] | None = Field(default=None, min_length=1, max_length=50)
    machine: MachineStack | None = None
    bodyweight_step: Annotated[Amount, Field(gt=0, le=20, decimal_places=2)] | None = None
    missing: Missing = ()

    @field_validator("missing")
    @classmethod
    def _bodyweight_is_never_missing(cls, missing: tuple[Equipment, ...]) -> tuple[Equipment, ...]:
        return _known_missing(missing)

    @model_validator(mode="after")
    def _fits_a_bar(self) -> Self:
        if self.barbell is not None:
            per_side = sum((p.weight * p.pairs for p in self.barbell.plates), Decimal(0))
            if per_side > MAX_PLATES_PER_SIDE[self.unit]:
                raise ValueError(
                    f"the plates load at most {MAX_PLATES_PER_SIDE[self.unit]} {self.unit} a side"
                )
        return self

    def resolved(self) -> Inventory:
        """The whole inventory: the kinds named here, the unit's defaults for the rest."""
        default = default_inventory(self.unit)
        return Inventory(
            unit=self.unit,
            barbell=self.barbell or default.barbell,
            dumbbells=_sorted_unique(self.dumbbells) if self.dumbbells else default.dumbbells,
            kettlebells=(
                _sorted_unique(self.kettlebells) if self.kettlebells else default.kettlebells
            ),
            machine=self.machine or default.machine,
            bodyweight_step=self.bodyweight_step or default.bodyweight_step,
            missing=self.missing,
        )


class Inventory(_Frozen):
    """A gym's whole equipment, in its unit. Hashable, so its ladders are computed once."""

    unit: Unit
    barbell: Barbell
    dumbbells: tuple[Amount, ...]
    kettlebells: tuple[Amount, ...]
    machine: MachineStack
    bodyweight_step: Amount
    missing: Missing = ()

    def has(self, equipment: Equipment | str) -> bool:
        """Whether the gym has this kind of equipment (assistance comes from the machines)."""
        kind = Equipment(equipment)
        if kind is Equipment.ASSISTED:
            kind = Equipment.MACHINE
        return kind not in self.missing

    def loads_kg(self, equipment: Equipment | str) -> tuple[Decimal, ...]:
        """Every load this gym makes on `equipment`, in exact kg, lightest first.

        Assistance counts as a negative load (more assistance is lighter), made by the
        machine stack; bodyweight exercises add load in `bodyweight_step` from 0.
        """
        return _loads_kg(self, Equipment(equipment))

    def plates_per_side(self, load_kg: Decimal) -> tuple[Decimal, ...] | None:
        """The plates (heaviest first, in the gym's unit) on each side of the bar for a
        barbell load, with the fewest plates; () for the empty bar, None when the gym's
        plates cannot make it."""
        value = _in_unit(load_kg, self.unit)
        per_side = (value - self.barbell.bar) / 2
        if per_side < 0:
            return None
        return _plate_sums(self.barbell).get(_to_cents(per_side))


def _in_unit(load_kg: Decimal, unit: Unit) -> Decimal:
    """A kilogram load back in `unit`, to the hundredth the inventory's weights use."""
    value = load_kg if unit is Unit.KG else load_kg / to_kg(Decimal(1), unit)
    return value.quantize(_CENTS)


def _to_cents(value: Decimal) -> int:
    return int((value / _CENTS).to_integral_value())


def _canonical(load: Decimal) -> Decimal:
    """`load` without trailing zeros, so 40.0 and 40.00 both read `40` (never `4E+1`)."""
    return load.quantize(Decimal(1)) if load == load.to_integral_value() else load.normalize()


def _steps(start: Decimal, stop: Decimal, step: Decimal) -> list[Decimal]:
    count = int((stop - start) / step)
    return [start + step * i for i in range(count + 1)]


@lru_cache(maxsize=512)
def _plate_sums(barbell: Barbell) -> dict[int, tuple[Decimal, ...]]:
    """Every per-side plate sum (in cents) with the fewest plates that make it."""
    best: dict[int, tuple[Decimal, ...]] = {0: ()}
    for plate in sorted(barbell.plates, key=lambda p: p.weight, reverse=True):
        cents = _to_cents(plate.weight)
        grown = dict(best)
        for total, plates in best.items():
            for n in range(1, plate.pairs + 1):
                key = total + cents * n
                candidate = plates + (plate.weight,) * n
                if key not in grown or len(candidate) < len(grown[key]):
                    grown[key] = candidate
        best = grown
    return best


def _subset_sums(values: Iterable[Decimal]) -> list[Decimal]:
    sums = {Decimal(0)}
    for value in values:
        sums |= {s + value for s in sums}
    return sorted(sums)


@lru_cache(maxsize=512)
def _loads_kg(inventory: Inventory, equipment: Equipment) -> tuple[Decimal, ...]:
    unit = inventory.unit
    native: Iterable[Decimal]
    if equipment is Equipment.BARBELL:
        bar = inventory.barbell.bar
        native = (bar + 2 * Decimal(c) * _CENTS for c in _plate_sums(inventory.barbell))
    elif equipment is Equipment.DUMBBELL:
        native = inventory.dumbbells
    elif equipment is Equipment.KETTLEBELL:
        native = inventory.kettlebells
    elif equipment is Equipment.MACHINE:
        native = _stack(inventory.machine)
    elif equipment is Equipment.BODYWEIGHT:
        native = _steps(Decimal(0), MAX_ADDED_LOAD[unit], inventory.bodyweight_step)
    else:
        native = [Decimal(0), *(-load for load in _stack(inventory.machine))]
    return tuple(sorted({_canonical(to_kg(v, unit)) for v in native}))


def _stack(machine: MachineStack) -> list[Decimal]:
    rungs = _steps(machine.min, machine.max, machine.step)
    return sorted({r + extra for r in rungs for extra in _subset_sums(machine.add_ons)})


def _pairs(*pairs: tuple[str, int]) -> tuple[PlatePairs, ...]:
    return tuple(PlatePairs(weight=Decimal(w), pairs=n) for w, n in pairs)


def _decimals(*values: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(v) for v in values)


DEFAULT_INVENTORIES: dict[Unit, Inventory] = {
    Unit.KG: Inventory(
        unit=Unit.KG,
        barbell=Barbell(
            bar=Decimal(20),
            plates=_pairs(
                ("25", 8), ("20", 1), ("15", 1), ("10", 1), ("5", 1), ("2.5", 1), ("1.25", 1)
            ),
        ),
        dumbbells=tuple(_canonical(v) for v in _steps(Decimal("2.5"), Decimal(50), Decimal("2.5"))),
        kettlebells=_decimals("8", "12", "16", "20", "24", "28", "32", "36", "40", "48"),
        machine=MachineStack(step=Decimal(5), min=Decimal(5), max=Decimal(150)),
        bodyweight_step=Decimal("1.25"),
    ),
    Unit.LB: Inventory(
        unit=Unit.LB,
        barbell=Barbell(
            bar=Decimal(45),
            plates=_pairs(("45", 8), ("35", 1), ("25", 1), ("10", 2), ("5", 1), ("2.5", 1)),
        ),
        dumbbells=tuple(Decimal(v) for v in range(5, 125, 5)),
        kettlebells=_decimals("18", "26", "35", "44", "53", "62", "70", "79", "88", "106"),
        machine=MachineStack(step=Decimal(10), min=Decimal(10), max=Decimal(300)),
        bodyweight_step=Decimal("2.5"),
    ),
}
"""The protocol's equipment for a gym that sets none (docs/protocol.md §2): in kg a 20 kg
bar with pairs of 25 to 1.25 kg (2.5 kg steps), dumbbells 2.5 to 50 kg, kettlebells 8 to
48 kg, stacks 5 to 150 kg in 5 kg steps, added load in 1.25 kg steps; in lb the same in
pound equipment (a 45 lb bar, 5 lb steps; kettlebells are the kg sizes' usual lb labels)."""


def default_inventory(unit: Unit) -> Inventory:
    """The protocol's default equipment of a gym in `unit`."""
    return DEFAULT_INVENTORIES[unit]
