"""Personal records: the first day is the baseline, then three kinds, 0.25 kg tolerance."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

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
