"""Makeable loads per equipment: rounding, next rung, deloads."""

from __future__ import annotations

from decimal import Decimal

import pytest

from myokine.units import Unit
from progression_service.domain.loads import KETTLEBELLS_KG, ladder_for

D = Decimal


def test_barbell_is_a_bar_and_plate_pairs() -> None:
    bar = ladder_for("barbell", D("2.5"))
    assert bar.lightest == 20
    assert bar.next_above(D(60)) == D("62.5")
    assert bar.makeable(D("62.5")) and not bar.makeable(D(61))
    assert bar.nearest(D("61.25")) == 60  # a tie goes down
    assert bar.nearest(D("61.3")) == D("62.5")
    assert bar.nearest(D(5)) == 20


def test_kettlebells_come_in_sizes() -> None:
    bells = ladder_for("kettlebell", D(4))
    assert bells.loads == KETTLEBELLS_KG
    assert bells.next_above(D(16)) == 20
    assert bells.next_above(D(40)) == 48
    assert bells.next_above(D(48)) is None


@pytest.mark.parametrize(
    ("equipment", "lightest", "heaviest"),
    [("dumbbell", "2.5", "50"), ("machine", "5", "150"), ("bodyweight", "0", "100")],
)
def test_ranges(equipment: str, lightest: str, heaviest: str) -> None:
    step = {"dumbbell": "2.5", "machine": "5", "bodyweight": "1.25"}[equipment]
    ladder = ladder_for(equipment, D(step))
    assert (ladder.lightest, ladder.heaviest) == (D(lightest), D(heaviest))


def test_assistance_counts_down() -> None:
    assisted = ladder_for("assisted", D(5))
    assert (assisted.lightest, assisted.heaviest) == (D(-150), 0)
    assert assisted.next_above(D(-30)) == -25  # less assistance is progress
    assert assisted.reduce(D(-30), D("0.1")) == -35  # a deload adds assistance


def test_deload_rounds_to_the_nearest_load_ties_down() -> None:
    bar = ladder_for("barbell", D("2.5"))
    assert bar.reduce(D(100), D("0.1")) == 90
    assert bar.reduce(D("62.5"), D("0.1")) == D("55")  # 56.25 is a tie: down
    assert bar.reduce(D(20), D("0.1")) == 20  # nothing lighter than the bar
    assert ladder_for("kettlebell", D(4)).reduce(D(16), D("0.1")) == 16  # 14.4 rounds back to 16
    assert ladder_for("kettlebell", D(4)).reduce(D(20), D("0.1")) == 16


def test_pound_gyms_use_pound_plates() -> None:
    bar = ladder_for("barbell", D("2.5"), Unit.LB)
    assert bar.lightest == D("20.41165665")  # the 45 lb bar
    assert bar.next_above(bar.lightest) == D("22.67961850")
    assert str(bar.next_above(bar.lightest)) == "22.6796185"
