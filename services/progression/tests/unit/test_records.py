"""Personal records: the first day is the baseline, then three kinds, 0.25 kg tolerance."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from myokine.units import KG_PER_LB
from progression_service.domain.records import RecordKind, Records, record_set
from progression_service.domain.sets import LiftedSet

D = Decimal
DAY = date(2026, 1, 5)


def lift(load: str | Decimal, reps: int, rpe: str | None = None) -> LiftedSet:
    return LiftedSet(uuid.uuid4(), D(load), reps, D(rpe) if rpe else None)


def fold(
    days: list[list[LiftedSet]], records: Records | None = None
) -> tuple[Records, list[list[RecordKind]]]:
    records = records or Records()
    found = []
    for i, day in enumerate(days):
        for lifted in day:
            records, new = record_set(records, DAY + timedelta(days=i), lifted, bodyweight=False)
            found.append(sorted(r.kind for r in new))
    return records, found


def test_the_first_day_is_the_baseline() -> None:
    records, found = fold([[lift(100, 6), lift(110, 6), lift(110, 8)]])
    assert found == [[], [], []]
    assert records.best_e1rm_kg == D("139.33")
    assert records.heaviest_at_six_kg == 110


def test_each_kind_after_the_baseline() -> None:
    _, found = fold(
        [
            [lift(100, 8)],
            [lift("102.5", 6)],  # heavier at 6 reps (e1RM 123 < 126.67): load
            [lift(100, 9)],  # e1RM 130, and more reps than any set at >= 100 kg (8)
            [lift(90, 12)],  # e1RM 126 < 130, but most reps at >= 90 kg so far is 9
        ]
    )
    assert found[0] == []
    assert found[1] == [RecordKind.LOAD]
    assert found[2] == sorted([RecordKind.E1RM, RecordKind.REPS])
    assert found[3] == [RecordKind.REPS]


def test_a_pound_load_within_tolerance_is_no_record() -> None:
    pounds = D(220) * KG_PER_LB + D("0.2")  # 99.99 kg: within 0.25 kg of 100
    _, found = fold([[lift(100, 8)], [lift(pounds, 8)]])
    assert found[1] == []


def test_rpe_counts_in_the_estimate() -> None:
    _, found = fold([[lift(100, 8)], [lift(100, 8, rpe="8")]])
    assert found[1] == [RecordKind.E1RM]


def test_warmups_and_failed_attempts_set_nothing() -> None:
    warm = LiftedSet(uuid.uuid4(), D(200), 8, warmup=True)
    records, found = fold([[lift(100, 8)], [warm, lift(200, 0)]])
    assert found[1:] == [[], []]
    assert records.heaviest_at_six_kg == 100


def test_a_set_of_more_than_twelve_reps_can_still_be_a_reps_record() -> None:
    _, found = fold([[lift(60, 12)], [lift(60, 15)]])
    assert found[1] == [RecordKind.REPS]


def test_a_best_within_tolerance_is_kept_but_not_celebrated() -> None:
    records, found = fold([[lift(100, 8)], [lift("100.2", 8)]])
    assert found[1] == []
    assert records.best_e1rm_kg == D("126.92")
    assert records.heaviest_at_six_kg == D("100.2")


def test_a_unit_round_trip_is_no_record() -> None:
    """220 lb x 10 then 100 kg x 10: 133.05 then 133.33 kg e1RM, within 0.25 x (1 + 10/30)."""
    _, found = fold([[lift(60, 10)], [lift(220 * KG_PER_LB, 10)], [lift(100, 10)]])
    assert found == [[], [RecordKind.E1RM, RecordKind.LOAD], []]


def test_an_e1rm_beyond_the_carried_tolerance_is_a_record() -> None:
    # 100.5 kg x 10 = 134.00; the best (133.33) + 0.25 x 4/3 = 133.67.
    _, found = fold([[lift(60, 10)], [lift(100, 10)], [lift("100.5", 10)]])
    assert RecordKind.E1RM in found[2]


@settings(max_examples=300, deadline=None)
@given(st.integers(20, 600), st.integers(1, 12), st.booleans())
def test_unit_round_trips_never_make_a_record(pounds: int, reps: int, kg_first: bool) -> None:
    """The same weight typed in the other unit, to its usual precision (0.5 kg or 1 lb)."""
    in_kg = Decimal(pounds) * KG_PER_LB
    typed_kg = (in_kg * 2).quantize(Decimal(1)) / 2  # what a kg member types for it
    first, second = (typed_kg, in_kg) if kg_first else (in_kg, typed_kg)
    _, found = fold([[lift(10, 1)], [lift(first, reps)], [lift(second, reps)]])
    assert found[2] == []
