"""Makeable loads: what a member can actually put on the bar, rack or stack (docs/protocol.md §2).

Every target is a rung of its equipment's ladder, so loads are compared by position on
the ladder, never by float equality. Loads are kilograms as exact decimals; a pound gym's
ladder holds the exact kilogram value of each pound load. Assisted exercises count the
assistance as a negative load, so on every ladder "heavier" means "greater".
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import Decimal

from myokine.catalog import Equipment
from myokine.units import Unit, to_kg

KETTLEBELLS_KG = tuple(Decimal(k) for k in (8, 12, 16, 20, 24, 28, 32, 36, 40, 48))
BARBELL_BAR_KG = Decimal(20)
BARBELL_BAR_LB = Decimal(45)
# No gym has plates for more than this; past it, progression adds a set instead.
BARBELL_MAX_KG = Decimal(500)
BARBELL_MAX_LB = Decimal(1100)
DUMBBELL_MAX_KG = Decimal(50)
DUMBBELL_MAX_LB = Decimal(120)
MACHINE_MAX_KG = Decimal(150)
MACHINE_MAX_LB = Decimal(300)
ADDED_LOAD_MAX_KG = Decimal(100)
ADDED_LOAD_MAX_LB = Decimal(200)
ASSISTANCE_MAX_KG = Decimal(150)
ASSISTANCE_MAX_LB = Decimal(300)

# Steps of a pound gym's equipment, in pounds (docs/protocol.md §2: 5 lb on a barbell).
LB_STEPS: dict[Equipment, Decimal] = {
    Equipment.BARBELL: Decimal(5),
    Equipment.DUMBBELL: Decimal(5),
    Equipment.MACHINE: Decimal(10),
    Equipment.BODYWEIGHT: Decimal("2.5"),
    Equipment.ASSISTED: Decimal(10),
}


def canonical(load: Decimal) -> Decimal:
    """`load` without trailing zeros, so 40.0 and 40.00 both read `40` (never `4E+1`)."""
    return load.quantize(Decimal(1)) if load == load.to_integral_value() else load.normalize()


def _steps(start: Decimal, stop: Decimal, step: Decimal) -> tuple[Decimal, ...]:
    count = int((stop - start) / step)
    return tuple(canonical(start + step * i) for i in range(count + 1))


@dataclass(frozen=True)
class Ladder:
    """The makeable loads of one piece of equipment, lightest first (kg)."""

    loads: tuple[Decimal, ...]

    def __post_init__(self) -> None:
        if not self.loads:
            raise ValueError("a ladder needs at least one load")

    @property
    def lightest(self) -> Decimal:
        """The lightest makeable load."""
        return self.loads[0]

    @property
    def heaviest(self) -> Decimal:
        """The heaviest makeable load."""
        return self.loads[-1]

    def makeable(self, load: Decimal) -> bool:
        """Whether `load` is exactly a rung of this ladder."""
        i = bisect_left(self.loads, load)
        return i < len(self.loads) and self.loads[i] == load

    def nearest(self, load: Decimal) -> Decimal:
        """The makeable load nearest to `load`; a tie goes to the lighter one."""
        i = bisect_left(self.loads, load)
        if i == 0:
            return self.loads[0]
        if i == len(self.loads):
            return self.loads[-1]
        below, above = self.loads[i - 1], self.loads[i]
        if above == load:
            return above
        return above if above - load < load - below else below

    def at_or_below(self, load: Decimal) -> Decimal:
        """The heaviest makeable load not above `load` (the lightest if none is)."""
        i = bisect_right(self.loads, load)
        return self.loads[max(i - 1, 0)]

    def next_above(self, load: Decimal) -> Decimal | None:
        """The lightest makeable load heavier than `load`; None at the top of the ladder."""
        i = bisect_right(self.loads, self.nearest(load))
        return self.loads[i] if i < len(self.loads) else None

    def next_below(self, load: Decimal) -> Decimal | None:
        """The heaviest makeable load lighter than `load`; None at the bottom of the ladder."""
        i = bisect_left(self.loads, self.nearest(load))
        return self.loads[i - 1] if i > 0 else None

    def deload(self, load: Decimal, fraction: Decimal) -> Decimal | None:
        """`load` lightened by `fraction`, to the nearest makeable load but at least one rung
        lower (docs/protocol.md §2: a deload really lowers); None where no rung is lighter.

        On coarse equipment 10% may round back to the same load (16 kg bell, 5 kg stack):
        the next rung down is taken instead. For assistance, lighter means more assistance.
        """
        below = self.next_below(load)
        if below is None:
            return None
        return min(self.nearest(load - abs(load) * fraction), below)

    def reduce(self, load: Decimal, fraction: Decimal) -> Decimal:
        """`load` lightened by `fraction` (0.1 = 10%), rounded to the nearest makeable load.

        Ties go down, and the result is never heavier than `load`: a deload never raises.
        For assistance (negative loads) lighter means more assistance.
        """
        wanted = load - abs(load) * fraction
        return min(self.nearest(wanted), self.at_or_below(load))


def ladder_for(equipment: str, load_step_kg: Decimal, unit: Unit = Unit.KG) -> Ladder:
    """The default makeable loads of `equipment` (a gym in pounds gets pound steps).

    `load_step_kg` is the exercise's step from the catalog; kettlebells come in fixed sizes.
    """
    kind = Equipment(equipment)
    if kind is Equipment.KETTLEBELL:
        return Ladder(KETTLEBELLS_KG)
    if unit is Unit.LB:
        return Ladder(tuple(canonical(to_kg(v, Unit.LB)) for v in _lb_loads(kind)))
    step = load_step_kg if load_step_kg > 0 else Decimal("2.5")
    if kind is Equipment.BARBELL:
        return Ladder(_steps(BARBELL_BAR_KG, BARBELL_MAX_KG, step))
    if kind is Equipment.DUMBBELL:
        return Ladder(_steps(step, DUMBBELL_MAX_KG, step))
    if kind is Equipment.MACHINE:
        return Ladder(_steps(step, MACHINE_MAX_KG, step))
    if kind is Equipment.BODYWEIGHT:
        return Ladder(_steps(Decimal(0), ADDED_LOAD_MAX_KG, step))
    return Ladder(_steps(-ASSISTANCE_MAX_KG, Decimal(0), step))


def _lb_loads(kind: Equipment) -> tuple[Decimal, ...]:
    step = LB_STEPS[kind]
    if kind is Equipment.BARBELL:
        return _steps(BARBELL_BAR_LB, BARBELL_MAX_LB, step)
    if kind is Equipment.DUMBBELL:
        return _steps(step, DUMBBELL_MAX_LB, step)
    if kind is Equipment.MACHINE:
        return _steps(step, MACHINE_MAX_LB, step)
    if kind is Equipment.BODYWEIGHT:
        return _steps(Decimal(0), ADDED_LOAD_MAX_LB, step)
    return _steps(-ASSISTANCE_MAX_LB, Decimal(0), step)
