"""Makeable loads per equipment: rounding, next rung, deloads, another gym's loads."""

from __future__ import annotations

from decimal import Decimal

import pytest

from myokine.inventory import Barbell, InventoryUpdate, MachineStack, PlatePairs, default_inventory
from myokine.units import Unit
from progression_service.domain.loads import ladder_for

D = Decimal


def test_barbell_is_a_bar_and_plate_pairs() -> None:
    bar = ladder_for("barbell")
    assert bar.lightest == 20
    assert bar.next_above(D(60)) == D("62.5")
    assert bar.makeable(D("62.5")) and not bar.makeable(D(61))
    assert bar.nearest(D("61.25")) == 60  # a tie goes down
    assert bar.nearest(D("61.3")) == D("62.5")
    assert bar.nearest(D(5)) == 20


def test_kettlebells_come_in_sizes() -> None:
    bells = ladder_for("kettlebell")
    assert bells.loads == tuple(D(k) for k in (8, 12, 16, 20, 24, 28, 32, 36, 40, 48))
    assert bells.next_above(D(16)) == 20
    assert bells.next_above(D(40)) == 48
    assert bells.next_above(D(48)) is None


@pytest.mark.parametrize(
    ("equipment", "lightest", "heaviest"),
    [("dumbbell", "2.5", "50"), ("machine", "5", "150"), ("bodyweight", "0", "100")],
)
def test_ranges(equipment: str, lightest: str, heaviest: str) -> None:
    ladder = ladder_for(equipment)
    assert (ladder.lightest, ladder.heaviest) == (D(lightest), D(heaviest))


def test_assistance_counts_down() -> None:
    assisted = ladder_for("assisted")
    assert (assisted.lightest, assisted.heaviest) == (D(-150), 0)
    assert assisted.next_above(D(-30)) == -25  # less assistance is progress
    assert assisted.reduce(D(-30), D("0.1")) == -35  # a deload adds assistance


def test_deload_rounds_to_the_nearest_load_ties_down() -> None:
    bar = ladder_for("barbell")
    assert bar.reduce(D(100), D("0.1")) == 90
    assert bar.reduce(D("62.5"), D("0.1")) == D("55")  # 56.25 is a tie: down
    assert bar.reduce(D(20), D("0.1")) == 20  # nothing lighter than the bar
    assert ladder_for("kettlebell").reduce(D(16), D("0.1")) == 16  # 14.4 rounds back to 16
    assert ladder_for("kettlebell").reduce(D(20), D("0.1")) == 16


def test_pound_gyms_use_pound_plates() -> None:
    bar = ladder_for("barbell", default_inventory(Unit.LB))
    assert bar.lightest == D("20.41165665")  # the 45 lb bar
    assert bar.next_above(bar.lightest) == D("22.67961850")
    assert str(bar.next_above(bar.lightest)) == "22.6796185"


def test_a_gyms_own_plates_make_its_loads() -> None:
    # A hotel gym: a 15 kg bar, two pairs of 10 and one of 5, and micro plates.
    small = InventoryUpdate(
        unit=Unit.KG,
        barbell=Barbell(
            bar=D(15),
            plates=(
                PlatePairs(weight=D(10), pairs=2),
                PlatePairs(weight=D(5), pairs=1),
                PlatePairs(weight=D("0.5"), pairs=1),
            ),
        ),
    ).resolved()
    bar = ladder_for("barbell", small)
    assert bar.lightest == 15 and bar.heaviest == 66
    assert bar.next_above(D(15)) == 16  # the micro pair: 0.5 kg a side
    assert not bar.makeable(D("62.5"))
    assert bar.nearest(D("62.5")) == 65
    # Visiting with 62.5 kg intended: 65 is 4% heavier, so the next lighter load, 56.
    assert bar.roam(D("62.5")) == 56


def test_a_machine_with_add_ons_makes_the_steps_between() -> None:
    stack = InventoryUpdate(
        unit=Unit.KG, machine=MachineStack(step=D(5), min=D(5), max=D(100), add_ons=(D("2.5"),))
    ).resolved()
    assert ladder_for("machine", stack).next_above(D(40)) == D("42.5")
    assert ladder_for("assisted", stack).next_above(D(-40)) == D("-37.5")


def test_at_another_gym_the_nearest_load_not_over_2_5_percent_heavier() -> None:
    lb_bar = ladder_for("barbell", default_inventory(Unit.LB))
    # 62.5 kg at a pound gym: 140 lb (63.50 kg) is 1.6% heavier and nearer than 135 lb.
    assert lb_bar.roam(D("62.5")) == D("63.5029318")
    # 100 kg: 220 lb (99.79 kg) is nearest.
    assert lb_bar.roam(D(100)) == D("99.7903214")
    bells = ladder_for("kettlebell")
    # 18 kg of kettlebell at a kg gym: 20 is 11% heavier, so the next lighter, 16.
    assert bells.roam(D(18)) == 16
    # 20.4 kg intended: 20 is nearest (and lighter).
    assert bells.roam(D("20.4")) == 20
