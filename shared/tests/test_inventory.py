"""A gym's inventory: its defaults, what an update leaves at default, and plate math."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from myokine.catalog import Equipment
from myokine.inventory import Barbell, InventoryUpdate, PlatePairs, default_inventory
from myokine.units import KG_PER_LB, Unit

D = Decimal


def test_the_protocols_defaults_in_kg() -> None:
    kg = default_inventory(Unit.KG)
    bar = kg.loads_kg("barbell")
    assert bar[:3] == (20, D("22.5"), 25)  # a 20 kg bar, 2.5 kg steps
    assert kg.loads_kg("dumbbell")[0] == D("2.5") and kg.loads_kg("dumbbell")[-1] == 50
    assert kg.loads_kg("kettlebell") == tuple(D(k) for k in (8, 12, 16, 20, 24, 28, 32, 36, 40, 48))
    assert (kg.loads_kg("machine")[0], kg.loads_kg("machine")[-1]) == (5, 150)
    assert kg.loads_kg("bodyweight")[:2] == (0, D("1.25"))
    assert (kg.loads_kg("assisted")[0], kg.loads_kg("assisted")[-1]) == (-150, 0)


def test_a_pound_gym_makes_pound_loads_in_exact_kg() -> None:
    lb = default_inventory(Unit.LB)
    bar = lb.loads_kg("barbell")
    assert bar[0] == 45 * KG_PER_LB  # the 45 lb bar
    assert bar[1] - bar[0] == 5 * KG_PER_LB  # 5 lb steps
    assert 135 * KG_PER_LB in bar and D("62.5") not in bar


def test_plates_per_side_with_the_fewest_plates() -> None:
    kg = default_inventory(Unit.KG)
    assert kg.plates_per_side(D("62.5")) == (D(20), D("1.25"))
    assert kg.plates_per_side(D(100)) == (D(25), D(15))
    assert kg.plates_per_side(D(20)) == ()  # the empty bar
    assert kg.plates_per_side(D(61)) is None  # no plates make 20.5 a side
    assert kg.plates_per_side(D(10)) is None  # lighter than the bar
    lb = default_inventory(Unit.LB)
    assert lb.plates_per_side(225 * KG_PER_LB) == (D(45), D(45))
    assert lb.plates_per_side(135 * KG_PER_LB) == (D(45),)


def test_plate_counts_limit_what_a_gym_makes() -> None:
    two_pairs = InventoryUpdate(
        unit=Unit.KG, barbell=Barbell(bar=D(20), plates=(PlatePairs(weight=D(20), pairs=2),))
    ).resolved()
    assert two_pairs.loads_kg("barbell") == (20, 60, 100)
    assert two_pairs.plates_per_side(D(100)) == (D(20), D(20))


def test_a_kind_left_out_keeps_its_default() -> None:
    bells = InventoryUpdate(unit=Unit.KG, kettlebells=(D(24), D(12), D(16))).resolved()
    assert bells.kettlebells == (12, 16, 24)  # sorted
    assert bells.barbell == default_inventory(Unit.KG).barbell
    assert InventoryUpdate(unit=Unit.LB).resolved() == default_inventory(Unit.LB)


def test_a_gym_says_which_kinds_it_does_not_have() -> None:
    gym = InventoryUpdate.model_validate({"unit": "kg", "missing": ["kettlebell", "machine"]})
    inventory = gym.resolved()
    assert not inventory.has("kettlebell")
    assert not inventory.has(Equipment.ASSISTED)  # assistance is a machine's stack
    assert inventory.has("barbell") and inventory.has("bodyweight")
    assert default_inventory(Unit.KG).has("kettlebell")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"unit": "stone"}, "unit"),
        ({"unit": "kg", "kettlebells": [0]}, "kettlebells"),
        ({"unit": "kg", "kettlebells": []}, "kettlebells"),
        ({"unit": "kg", "dumbbells": [2.555]}, "dumbbells"),
        ({"unit": "kg", "barbell": {"bar": 20, "plates": []}}, "barbell"),
        (
            {"unit": "kg", "barbell": {"bar": 20, "plates": [{"weight": 5, "pairs": 1}] * 2}},
            "barbell",
        ),
        ({"unit": "kg", "machine": {"step": 5, "min": 50, "max": 10}}, "machine"),
        ({"unit": "kg", "forklift": [1]}, "forklift"),
        ({"unit": "kg", "missing": ["bodyweight"]}, "missing"),
        ({"unit": "kg", "missing": ["forklift"]}, "missing"),
    ],
)
def test_an_impossible_inventory_is_refused(body: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        InventoryUpdate.model_validate(body)
    assert refused.value.errors()[0]["loc"][0] == field
