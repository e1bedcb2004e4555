"""Folding an exercise again over what is stored, and the small rules around it, with
plain values (no repository)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from myokine.events import PersonalRecord, StallDetected, TargetsUpdated
from myokine.inventory import default_inventory
from myokine.units import Unit
from progression_service.domain.exercise import (
    StoredExposure,
    StoredSet,
    earliest_days,
    refold,
)
from progression_service.domain.milestones import first_session_may_move, first_session_with
from progression_service.domain.ordering import Turn, turn_of
from progression_service.domain.plan import ExercisePlan, KnownExercise, first_prescriptions
from progression_service.domain.sets import LiftedSet
from progression_service.domain.targets import Rule

MON = date(2026, 1, 5)
CHAIN, MEMBER = uuid.uuid4(), uuid.uuid4()
HOME, POUND_GYM = uuid.uuid4(), uuid.uuid4()
ROW = "barbell-row"


def _sets(
    day: date,
    load: str,
    reps: int,
    *,
    n: int = 3,
    finished: bool = True,
    gym: uuid.UUID = HOME,
) -> list[StoredSet]:
    return [
        StoredSet(day, LiftedSet(uuid.uuid4(), Decimal(load), reps), gym, finished)
        for _ in range(n)
    ]


def test_a_first_finished_exposure_announces_the_target() -> None:
    folded = refold(CHAIN, MEMBER, ROW, None, [], [], _sets(MON, "80", 12), set())
    (target,) = folded.events
    assert isinstance(target, TargetsUpdated)
    assert (target.load_kg, target.reps, target.sets) == (Decimal("82.5"), 6, 3)
    assert folded.standing.pattern == "pull"
    assert folded.standing.gym_id == HOME
    assert [o.day for o in folded.exposures] == [MON]
    assert folded.exposures[0].finished


def test_an_unfinished_exposure_moves_nothing() -> None:
    folded = refold(CHAIN, MEMBER, ROW, None, [], [], _sets(MON, "80", 12, finished=False), set())
    assert folded.events == ()
    assert folded.standing.state.progression.exposures == 0


def test_a_stall_is_announced_once_and_a_known_record_never_again() -> None:
    # The second day beats the first (a record), then three flat days stall.
    days = [MON + timedelta(days=2 * i) for i in range(5)]
    sets = [s for i, day in enumerate(days) for s in _sets(day, "80", 8 + (i == 1))]
    folded = refold(CHAIN, MEMBER, ROW, None, [], [], sets, set())
    stalls = [e for e in folded.events if isinstance(e, StallDetected)]
    records = [e for e in folded.events if isinstance(e, PersonalRecord)]
    assert [s.load_kg for s in stalls] == [Decimal(80)]
    assert records, "the second day beat the first"

    # Folding again from the same facts, as they were stored, announces nothing new.
    stored = [StoredExposure(o.day, o.state_before, o.decision) for o in folded.exposures]
    known = {(r.kind.value, r.set_id) for r in folded.records}
    again = refold(CHAIN, MEMBER, ROW, folded.standing, [], stored, sets, known)
    assert again.events == ()
    assert again.standing == folded.standing


def test_days_without_sets_any_more_are_gone() -> None:
    first = refold(CHAIN, MEMBER, ROW, None, [], [], _sets(MON, "80", 8), set())
    stored = [StoredExposure(o.day, o.state_before, o.decision) for o in first.exposures]
    emptied = refold(CHAIN, MEMBER, ROW, first.standing, [], stored, [], set())
    assert emptied.gone == (MON,)
    assert emptied.exposures == ()
    assert emptied.standing.state == stored[0].state_before


def test_the_gym_of_the_day_makes_the_loads_whatever_unit_was_typed() -> None:
    # A kg member at a pound gym: 3 x 12 at 135 lb (typed as 61.23 kg) moves up to 140 lb,
    # not to 62.5 kg (137.8 lb, which no plates there make).
    pounds = {POUND_GYM: default_inventory(Unit.LB)}
    sets = _sets(MON, "61.23496995", 12, gym=POUND_GYM)
    folded = refold(CHAIN, MEMBER, ROW, None, [], [], sets, set(), pounds)
    assert folded.standing.gym_id == POUND_GYM
    (target,) = folded.events
    assert isinstance(target, TargetsUpdated)
    assert target.load_kg == Decimal("63.5029318")  # 140 lb
    # The same sets at a kg gym go to 62.5 kg.
    at_home = refold(CHAIN, MEMBER, ROW, None, [], [], _sets(MON, "61.23496995", 12), set())
    assert isinstance(at_home.events[0], TargetsUpdated)
    assert at_home.events[0].load_kg == Decimal("62.5")


def test_each_exposure_keeps_the_target_it_led_to_and_why() -> None:
    sets = _sets(MON, "80", 12) + _sets(MON + timedelta(days=2), "82.5", 4)
    folded = refold(CHAIN, MEMBER, ROW, None, [], [], sets, set())
    first, second = (o.target for o in folded.exposures)
    assert first is not None and second is not None
    assert (first.rule, first.load_kg, first.reps) == (Rule.UP, Decimal("82.5"), 6)
    assert (second.rule, second.load_kg, second.reps) == (Rule.HOLD, Decimal("82.5"), 6)
    assert second.previous_load_kg == Decimal("82.5")
    unfinished = refold(
        CHAIN, MEMBER, ROW, None, [], [], _sets(MON, "80", 8, finished=False), set()
    )
    assert unfinished.exposures[0].target is None


def test_a_chains_own_exercise_counts_toward_its_pattern() -> None:
    sled = KnownExercise("sled-push", "squat", "machine", Decimal(10))
    folded = refold(
        CHAIN, MEMBER, "sled-push", None, [], [], _sets(MON, "50", 8), set(), None, sled
    )
    assert folded.standing.pattern == "squat"


def test_each_event_has_its_turn() -> None:
    assert [turn_of(seq, 3) for seq in (2, 3, 4, 5)] == [
        Turn.SEEN,
        Turn.SEEN,
        Turn.NEXT,
        Turn.EARLY,
    ]


def test_the_first_prescription_of_an_exercise_wins() -> None:
    first = ExercisePlan("squat", "squat", "barbell", Decimal("2.5"), rep_min=8)
    second = ExercisePlan("squat", "squat", "barbell", Decimal("2.5"), rep_min=3)
    other = ExercisePlan("row", "pull", "barbell", Decimal("2.5"))
    assert first_prescriptions([first, other, second]) == [first, other]


def test_earliest_days_per_exercise_in_name_order() -> None:
    later = MON + timedelta(days=3)
    touched = [("squat", later), ("row", later), ("squat", MON)]
    assert list(earliest_days(touched).items()) == [("row", later), ("squat", MON)]


def test_the_first_session_moves_only_from_its_day_back() -> None:
    assert first_session_with(None, [MON]) == MON
    assert first_session_with(MON, [MON + timedelta(days=2)]) == MON
    assert first_session_may_move(None, MON)
    assert first_session_may_move(MON, MON)
    assert not first_session_may_move(MON, MON + timedelta(days=1))
