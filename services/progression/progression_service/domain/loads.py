"""Makeable loads: what a member can actually put on the bar, rack or stack (docs/protocol.md §2).

Every target is a rung of a ladder: the loads the equipment of the gym where the member
trains that day can make (`myokine.inventory`), so loads are compared by position on the
ladder, never by float equality. Loads are kilograms as exact decimals; a pound gym's
ladder holds the exact kilogram value of each pound load. Assisted exercises count the
assistance as a negative load, so on every ladder "heavier" means "greater".
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import Decimal

from myokine.catalog import Equipment
from myokine.inventory import DEFAULT_INVENTORIES, Inventory
from myokine.units import Unit

# A member at another gym gets that gym's nearest load, unless it is heavier than this
# much more than the intended one (docs/protocol.md §2, rule `roam`).
ROAM_TOLERANCE = Decimal("0.025")


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

    def roam(self, intended: Decimal) -> Decimal:
        """The rung for a member who would lift `intended` elsewhere: the nearest one not
        heavier than `intended` by more than 2.5%, else the next lighter one (ties go down).
        """
        allowed = intended + abs(intended) * ROAM_TOLERANCE
        nearest = self.nearest(intended)
        return nearest if nearest <= allowed else self.at_or_below(intended)


def ladder_for(equipment: str, inventory: Inventory = DEFAULT_INVENTORIES[Unit.KG]) -> Ladder:
    """The makeable loads of `equipment` in a gym with `inventory` (by default the
    protocol's kg equipment)."""
    return Ladder(inventory.loads_kg(Equipment(equipment)))
