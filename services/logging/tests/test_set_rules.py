"""Unit tests of the set rules (docs/protocol.md §5): pure values, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logging_service.domain.sets import (
    InvalidSet,
    SetEntry,
    ValidSet,
    default_equipment,
    validate_set,
)
from myokine.catalog import Equipment

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
# Exercises the test chain added to its catalog, beside the default one.
CHAIN_OWN = {"chain-own-assisted-dip": Equipment.ASSISTED, "hack-squat": Equipment.MACHINE}


def validate(e: SetEntry, *, check_time: bool = True) -> ValidSet:
    """The set checked against the rules, for a chain with the catalog above."""
    equipment = default_equipment(e.exercise) or CHAIN_OWN.get(e.exercise)
    return validate_set(e, now=NOW, equipment=equipment, check_time=check_time)


def entry(**changes: object) -> SetEntry:
    fields: dict[str, object] = {
        "exercise": "bench-press",
        "load": Decimal("100"),
        "unit": "kg",
        "reps": 8,
        "rpe": None,
        "warmup": False,
        "performed_at": None,
    }
    fields.update(changes)
    return SetEntry(**fields)  # type: ignore[arg-type]


def bad_fields(e: SetEntry) -> set[str]:
    with pytest.raises(InvalidSet) as caught:
        validate(e)
    return {err.field for err in caught.value.errors}


def test_a_good_set_passes_with_time_defaulting_to_now() -> None:
    valid = validate(entry())
    assert valid.load_kg == Decimal("100")
    assert valid.performed_at == NOW


def test_pounds_are_converted_exactly() -> None:
    valid = validate(entry(load=Decimal("135"), unit="lb"))
    assert valid.load_kg == Decimal("61.23496995")  # 135 x 0.45359237, not rounded
    assert valid.load == Decimal("135")


def test_pounds_exact_value() -> None:
    valid = validate(entry(load=Decimal("225"), unit="lb"))
    assert valid.load_kg == Decimal("102.05828325")


@pytest.mark.parametrize("reps", [0, 1, 12, 100])
def test_reps_in_range(reps: int) -> None:
    assert validate(entry(reps=reps)).reps == reps


@pytest.mark.parametrize("reps", [-1, 101, 1000])
def test_reps_out_of_range(reps: int) -> None:
    assert bad_fields(entry(reps=reps)) == {"reps"}


@pytest.mark.parametrize("load", ["0", "1000", "0.5", "62.5", "999.999"])
def test_loads_in_range(load: str) -> None:
    validate(entry(load=Decimal(load)))


@pytest.mark.parametrize("load", ["1000.001", "5000", "-1", "0.0001", "NaN", "Infinity"])
def test_loads_refused(load: str) -> None:
    assert bad_fields(entry(load=Decimal(load))) == {"load"}


def test_the_range_is_in_kg_whatever_the_unit() -> None:
    validate(entry(load=Decimal("2204"), unit="lb"))  # 999.7 kg
    assert bad_fields(entry(load=Decimal("2205"), unit="lb")) == {"load"}  # 1000.2 kg


def test_assistance_down_to_minus_200_kg_on_assisted_exercises() -> None:
    validate(entry(exercise="assisted-pull-up", load=Decimal("-200")))
    validate(entry(exercise="chain-own-assisted-dip", load=Decimal("-20")))
    assert bad_fields(entry(exercise="assisted-pull-up", load=Decimal("-200.5"))) == {"load"}
    assert bad_fields(entry(exercise="bench-press", load=Decimal("-10"))) == {"load"}


@pytest.mark.parametrize("rpe", ["1", "1.5", "7", "8.5", "10"])
def test_rpe_in_half_steps(rpe: str) -> None:
    assert validate(entry(rpe=Decimal(rpe))).rpe == Decimal(rpe)


@pytest.mark.parametrize("rpe", ["0", "0.5", "10.5", "11", "7.3", "8.25", "-1"])
def test_rpe_refused(rpe: str) -> None:
    assert bad_fields(entry(rpe=Decimal(rpe))) == {"rpe"}


def test_time_limits() -> None:
    validate(entry(performed_at=NOW + timedelta(minutes=5)))
    validate(entry(performed_at=NOW - timedelta(days=7)))
    assert bad_fields(entry(performed_at=NOW + timedelta(minutes=5, seconds=1))) == {"performed_at"}
    assert bad_fields(entry(performed_at=NOW - timedelta(days=7, seconds=1))) == {"performed_at"}
    assert bad_fields(entry(performed_at=datetime(2026, 3, 2, 17, 0))) == {"performed_at"}


def test_time_with_an_offset_is_compared_as_an_instant() -> None:
    plus_two = timezone(timedelta(hours=2))
    later_looking = datetime(2026, 3, 2, 20, 4, tzinfo=plus_two)  # 18:04 UTC
    assert validate(entry(performed_at=later_looking)).performed_at == later_looking


def test_a_correction_may_keep_an_old_time() -> None:
    old = entry(performed_at=NOW - timedelta(days=30))
    validate(old, check_time=False)


@pytest.mark.parametrize("slug", ["", "Bench", "bench press", "bench--press", "-x", "a" * 65])
def test_exercise_must_be_a_slug(slug: str) -> None:
    assert bad_fields(entry(exercise=slug)) == {"exercise"}


def test_unit_must_be_known() -> None:
    assert bad_fields(entry(unit="stone")) == {"unit"}


def test_every_bad_field_is_named_at_once() -> None:
    e = entry(
        exercise="Bad Slug",
        reps=101,
        rpe=Decimal("11"),
        unit="g",
        performed_at=NOW + timedelta(hours=1),
    )
    assert bad_fields(e) == {"exercise", "reps", "rpe", "unit", "performed_at"}


@given(
    reps=st.integers(-1000, 1000),
    load=st.decimals(min_value=-500, max_value=2000, places=2),
    rpe=st.none() | st.decimals(min_value=0, max_value=12, places=1),
)
def test_valid_exactly_when_each_rule_holds(reps: int, load: Decimal, rpe: Decimal | None) -> None:
    e = entry(exercise="assisted-pull-up", reps=reps, load=load, rpe=rpe)
    expected = set()
    if not 0 <= reps <= 100:
        expected.add("reps")
    if not -200 <= load <= 1000:
        expected.add("load")
    if rpe is not None and not (1 <= rpe <= 10 and rpe * 2 == int(rpe * 2)):
        expected.add("rpe")
    if expected:
        assert bad_fields(e) == expected
    else:
        assert validate(e).load_kg == load


def test_an_exercise_must_be_in_the_chains_catalog() -> None:
    """ "zumba" and a made-up slug are refused, naming `exercise`; the chain's own pass."""
    assert bad_fields(entry(exercise="zumba")) == {"exercise"}
    assert bad_fields(entry(exercise="not-a-real-exercise", reps=300)) == {"exercise", "reps"}
    assert bad_fields(entry(exercise="deadlift\n")) == {"exercise"}
    assert validate(entry(exercise="hack-squat")).exercise == "hack-squat"


def test_only_assisted_exercises_of_the_chain_take_assistance() -> None:
    assert bad_fields(entry(exercise="hack-squat", load=Decimal("-10"))) == {"load"}
