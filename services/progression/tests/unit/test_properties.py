"""Invariants over many generated histories (hypothesis)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from myokine.catalog import DEFAULT_LOAD_STEP_KG, Equipment
from myokine.inventory import (
    Barbell,
    Inventory,
    InventoryUpdate,
    MachineStack,
    PlatePairs,
    default_inventory,
)
from myokine.units import Unit
from progression_service.domain.exercise import ExerciseState, Exposure, replay
from progression_service.domain.loads import ladder_for
from progression_service.domain.plan import ExercisePlan
from progression_service.domain.progression import (
    DELOAD,
    Decision,
    Progression,
    evaluate,
    exposure_load,
)
from progression_service.domain.sets import LiftedSet
from progression_service.domain.targets import roam_to, target_on

DAY = date(2026, 1, 5)


def _weights(*values: str) -> st.SearchStrategy[tuple[Decimal, ...]]:
    return st.lists(st.sampled_from([Decimal(v) for v in values]), min_size=1, unique=True).map(
        lambda ws: tuple(sorted(ws))
    )


@st.composite
def gym_inventories(draw: st.DrawFn) -> Inventory:
    """A gym's equipment: the defaults of a unit, or a random inventory of its own."""
    unit = draw(st.sampled_from(list(Unit)))
    if draw(st.booleans()):
        return default_inventory(unit)
    kg = unit is Unit.KG
    plates = draw(
        _weights("25", "20", "15", "10", "5", "2.5", "1.25", "0.5")
        if kg
        else _weights("45", "35", "25", "10", "5", "2.5", "1.25")
    )
    step = draw(st.sampled_from([Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)]))
    low = step * draw(st.integers(1, 3))
    return InventoryUpdate(
        unit=unit,
        barbell=Barbell(
            bar=draw(
                st.sampled_from(
                    [Decimal(10), Decimal(15), Decimal(20)] if kg else [Decimal(35), Decimal(45)]
                )
            ),
            plates=tuple(PlatePairs(weight=w, pairs=draw(st.integers(1, 4))) for w in plates),
        ),
        dumbbells=draw(_weights("2", "4", "5", "7.5", "10", "12.5", "15", "20", "25", "30")),
        kettlebells=draw(_weights("6", "8", "12", "16", "20", "24", "32", "40")),
        machine=MachineStack(
            step=step,
            min=low,
            max=low + step * draw(st.integers(0, 30)),
            add_ons=draw(st.sampled_from([(), (Decimal("2.5"),), (Decimal(1), Decimal(2))])),
        ),
        bodyweight_step=draw(st.sampled_from([Decimal("1.25"), Decimal("2.5"), Decimal(5)])),
    ).resolved()


plans = st.builds(
    lambda eq, inventory, low, width, sets, start: ExercisePlan(
        exercise="x",
        pattern="squat",
        equipment=eq.value,
        load_step_kg=DEFAULT_LOAD_STEP_KG[eq],
        sets=sets,
        rep_min=low,
        rep_max=low + width,
        starting_load_kg=start,
        inventory=inventory,
    ),
    st.sampled_from(list(Equipment)),
    gym_inventories(),
    st.integers(6, 10),
    st.integers(0, 2),
    st.integers(1, 5),
    st.none() | st.decimals(-200, 600, places=2),
)
lifted_sets = st.builds(
    lambda load, reps, rpe, warmup: LiftedSet(uuid.uuid4(), load, reps, rpe, warmup),
    st.decimals(-150, 520, places=2),
    st.integers(0, 20),
    st.none() | st.sampled_from([Decimal(x) / 2 for x in range(2, 21)]),
    st.booleans(),
)
exposures = st.lists(st.lists(lifted_sets, min_size=1, max_size=6), min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(plans, exposures, st.integers(0, 60))
def test_a_target_is_always_makeable(plan: ExercisePlan, history: list, gap: int) -> None:
    state = Progression()
    ladder = plan.ladder
    for i, sets in enumerate(history):
        day = DAY + timedelta(days=3 * i)
        state, _ = evaluate(state, plan, day, sets)
        target = target_on(state, plan, day + timedelta(days=gap))
        assert ladder.makeable(target.load_kg)
        assert plan.rep_min <= target.reps <= 15
        # A set is dropped only by a deload at the bottom of the ladder; at most 6 sets.
        assert 1 <= target.sets <= max(plan.sets, 6)


@settings(max_examples=300, deadline=None)
@given(plans, st.lists(exposures, min_size=1, max_size=3), st.data())
def test_a_target_is_makeable_at_the_gym_of_the_day(
    plan: ExercisePlan, gyms: list, data: st.DataObject
) -> None:
    """Exposures at several gyms; today's target at any gym is one of its loads."""
    inventories = [plan.inventory, *(data.draw(gym_inventories()) for _ in gyms[1:])]
    state = Progression()
    made_at = plan
    for i, history in enumerate(gyms):
        made_at = plan.at(inventories[i])
        for j, sets in enumerate(history):
            state, _ = evaluate(state, made_at, DAY + timedelta(days=3 * (i * 20 + j)), sets)
    here = plan.at(data.draw(st.sampled_from(inventories)))
    today = DAY + timedelta(days=3 * 20 * len(gyms))
    target = roam_to(target_on(state, made_at, today), here)
    assert here.ladder.makeable(target.load_kg)
    # The visit changes nothing of the member's own state.
    assert (
        target_on(state, made_at, today).load_kg
        == roam_to(target_on(state, made_at, today), made_at).load_kg
    )


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(list(Equipment)),
    gym_inventories(),
    st.decimals(-200, 600, places=3),
    st.sampled_from([DELOAD, Decimal("0.2")]),
)
def test_a_deload_never_raises(
    equipment: Equipment, inventory: Inventory, load: Decimal, cut: Decimal
) -> None:
    ladder = ladder_for(equipment.value, inventory)
    rung = ladder.nearest(load)
    lighter = ladder.reduce(rung, cut)
    assert lighter <= rung
    assert ladder.makeable(lighter)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(list(Equipment)),
    gym_inventories(),
    st.decimals(-200, 600, places=3),
)
def test_a_deload_always_lowers_where_a_lighter_rung_exists(
    equipment: Equipment, inventory: Inventory, load: Decimal
) -> None:
    ladder = ladder_for(equipment.value, inventory)
    rung = ladder.nearest(load)
    lighter = ladder.deload(rung, DELOAD)
    if rung == ladder.lightest:
        assert lighter is None
    else:
        assert lighter is not None and ladder.makeable(lighter) and lighter < rung


@settings(max_examples=300, deadline=None)
@given(plans, exposures)
def test_deload_decisions_lower_the_load_or_drop_a_set(plan: ExercisePlan, history: list) -> None:
    state = Progression()
    for i, sets in enumerate(history):
        before = state
        state, decision = evaluate(state, plan, DAY + timedelta(days=2 * i), sets)
        if decision in (Decision.MISS_DELOAD, Decision.STALL):
            assert state.target_load_kg is not None and state.working_load_kg is not None
            lowered = state.target_load_kg < state.working_load_kg
            dropped = plan.sets + state.extra_sets < plan.sets + before.extra_sets
            at_one_set = plan.sets + before.extra_sets == 1
            assert lowered or dropped or at_one_set
            assert state.target_load_kg <= state.working_load_kg


@settings(max_examples=300, deadline=None)
@given(plans, exposures, st.data())
def test_a_failed_attempt_above_the_load_changes_nothing(
    plan: ExercisePlan, history: list, data: st.DataObject
) -> None:
    """A 0-rep set heavier than the exposure's load is no part of the exposure."""
    state = Progression()
    for i, sets in enumerate(history):
        day = DAY + timedelta(days=2 * i)
        load = exposure_load(sets, plan.ladder)
        with_failure = list(sets)
        if load is not None and (heavier := plan.ladder.next_above(load)) is not None:
            with_failure.insert(data.draw(st.integers(0, len(sets))), failed_at(heavier))
        assert evaluate(state, plan, day, with_failure) == evaluate(state, plan, day, sets)
        state, _ = evaluate(state, plan, day, sets)


def failed_at(load: Decimal) -> LiftedSet:
    return LiftedSet(uuid.uuid4(), load, 0)


def _exposures(history: list, finished: list[bool]) -> list[Exposure]:
    return [
        Exposure(DAY + timedelta(days=2 * i), tuple(sets), done)
        for i, (sets, done) in enumerate(zip(history, finished, strict=True))
    ]


@settings(max_examples=200, deadline=None)
@given(plans, exposures, st.data())
def test_folding_again_from_a_stored_day_equals_folding_from_scratch(
    plan: ExercisePlan, history: list, data: st.DataObject
) -> None:
    finished = data.draw(st.lists(st.booleans(), min_size=len(history), max_size=len(history)))
    days = _exposures(history, finished)
    split = data.draw(st.integers(0, len(days)))
    whole, _ = replay(ExerciseState(), [plan] * len(days), days)
    _, outcomes = replay(ExerciseState(), [plan] * len(days), days)
    start = outcomes[split].state_before if split < len(days) else whole
    again, _ = replay(start, [plan] * (len(days) - split), days[split:])
    assert again == whole


@settings(max_examples=200, deadline=None)
@given(plans, exposures, st.data())
def test_a_corrected_set_leaves_the_state_of_a_right_one(
    plan: ExercisePlan, history: list, data: st.DataObject
) -> None:
    days = _exposures(history, [True] * len(history))
    which = data.draw(st.integers(0, len(days) - 1))
    typo = data.draw(lifted_sets)
    right, _ = replay(ExerciseState(), [plan] * len(days), days)
    wrong_days = list(days)
    wrong_days[which] = Exposure(days[which].day, (*days[which].sets, typo), True)
    _, outcomes = replay(ExerciseState(), [plan] * len(days), wrong_days)
    corrected, _ = replay(outcomes[which].state_before, [plan] * (len(days) - which), days[which:])
    assert corrected == right
