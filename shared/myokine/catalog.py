"""The exercise catalog every chain starts with (docs/protocol.md §1).

The protocol's eight exercises come first, then common variants. Chains may add their
own exercises; these slugs are stable and never renamed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from myokine.patterns import Pattern


class Equipment(StrEnum):
    """What a load is made of, which decides the loads that can be made."""

    BARBELL = "barbell"
    DUMBBELL = "dumbbell"
    KETTLEBELL = "kettlebell"
    MACHINE = "machine"
    BODYWEIGHT = "bodyweight"
    ASSISTED = "assisted"


DEFAULT_LOAD_STEP_KG: dict[Equipment, Decimal] = {
    Equipment.BARBELL: Decimal("2.5"),
    Equipment.DUMBBELL: Decimal("2.5"),
    Equipment.KETTLEBELL: Decimal("4"),
    Equipment.MACHINE: Decimal("5"),
    Equipment.BODYWEIGHT: Decimal("1.25"),
    Equipment.ASSISTED: Decimal("5"),
}


@dataclass(frozen=True)
class CatalogExercise:
    """One exercise of the catalog."""

    slug: str
    name: str
    pattern: Pattern
    equipment: Equipment

    @property
    def load_step_kg(self) -> Decimal:
        """The smallest load change on this exercise's equipment."""
        return DEFAULT_LOAD_STEP_KG[self.equipment]

    @property
    def bodyweight(self) -> bool:
        """Whether the member's body weight is part of the load."""
        return self.equipment in (Equipment.BODYWEIGHT, Equipment.ASSISTED)


def _ex(slug: str, name: str, pattern: Pattern, equipment: Equipment) -> CatalogExercise:
    return CatalogExercise(slug, name, pattern, equipment)


SQ, HI, PU, PL = Pattern.SQUAT, Pattern.HINGE, Pattern.PUSH, Pattern.PULL
BB, DB, KB = Equipment.BARBELL, Equipment.DUMBBELL, Equipment.KETTLEBELL
MC, BW, AS = Equipment.MACHINE, Equipment.BODYWEIGHT, Equipment.ASSISTED

PROTOCOL_EXERCISES: tuple[CatalogExercise, ...] = (
    _ex("barbell-back-squat", "Barbell back squat", SQ, BB),
    _ex("goblet-squat", "Goblet squat", SQ, KB),
    _ex("deadlift", "Deadlift", HI, BB),
    _ex("kettlebell-swing", "Kettlebell swing", HI, KB),
    _ex("bench-press", "Bench press", PU, BB),
    _ex("overhead-press", "Overhead press", PU, BB),
    _ex("pull-up", "Pull-up", PL, BW),
    _ex("barbell-row", "Barbell row", PL, BB),
)

VARIANTS: tuple[CatalogExercise, ...] = (
    _ex("front-squat", "Front squat", SQ, BB),
    _ex("leg-press", "Leg press", SQ, MC),
    _ex("dumbbell-split-squat", "Dumbbell split squat", SQ, DB),
    _ex("romanian-deadlift", "Romanian deadlift", HI, BB),
    _ex("hip-thrust", "Barbell hip thrust", HI, BB),
    _ex("dumbbell-bench-press", "Dumbbell bench press", PU, DB),
    _ex("push-up", "Push-up", PU, BW),
    _ex("dumbbell-shoulder-press", "Dumbbell shoulder press", PU, DB),
    _ex("chin-up", "Chin-up", PL, BW),
    _ex("assisted-pull-up", "Assisted pull-up", PL, AS),
    _ex("lat-pulldown", "Lat pulldown", PL, MC),
    _ex("seated-cable-row", "Seated cable row", PL, MC),
    _ex("dumbbell-row", "One-arm dumbbell row", PL, DB),
)

DEFAULT_CATALOG: tuple[CatalogExercise, ...] = PROTOCOL_EXERCISES + VARIANTS
CATALOG_BY_SLUG: dict[str, CatalogExercise] = {e.slug: e for e in DEFAULT_CATALOG}
