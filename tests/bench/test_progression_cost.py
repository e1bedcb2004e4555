"""Progression's cost per event does not grow with the member's history (issue 5).

A member with 100, 1,000, 10,000 and 100,000 logged sets (four exercises, twelve sets a session,
every session finished) logs one more set; then one more session is finished. Applying
either touches only the exercise's days from the set's day on, so the time per event
should be flat across the four sizes. Run with `make bench`.

The history's facts (sets, finished sessions, the member's event counter) are stored in
bulk, then `rebuild_member` derives everything else with the same fold the events use:
this is the state the events would have left (a test checks that), built in seconds.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, insert

from devstack.testing import migrate, truncate_all
from myokine.catalog import CATALOG_BY_SLUG
from myokine.db import transaction
from myokine.events import Event, LoggedSet, SessionFinished, SetLogged
from progression_service import handlers
from progression_service import repository as repo
from progression_service.bootstrap import Dependencies, bootstrap

pytestmark = pytest.mark.bench

SIZES = (100, 1_000, 10_000, 100_000)
EXERCISES = ("barbell-back-squat", "bench-press", "barbell-row", "deadlift")
SETS_PER_EXERCISE = 3
FIRST_DAY = date(2000, 1, 3)
ROUNDS = 40
WARMUP = 5


class History:
    """One member's events, numbered as logging numbers them."""

    def __init__(self) -> None:
        self.chain_id, self.member_id, self.gym_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        self.seq = itertools.count(1)
        self.day = FIRST_DAY
        self.session_id = uuid.uuid4()
        self.clock = itertools.count()

    def _member(self) -> dict[str, Any]:
        return {"chain_id": self.chain_id, "member_id": self.member_id, "seq": next(self.seq)}

    def set(self, exercise: str, load: Decimal, reps: int) -> SetLogged:
        """One more set today."""
        return SetLogged(
            **self._member(),
            set=LoggedSet(
                set_id=uuid.uuid4(),
                session_id=self.session_id,
                gym_id=self.gym_id,
                exercise=exercise,
                load_kg=load,
                load_value=load,
                unit="kg",
                reps=reps,
                performed_at=datetime.combine(self.day, time(6), UTC)
                + timedelta(seconds=next(self.clock)),
                local_date=self.day,
            ),
        )

    def finish(self) -> SessionFinished:
        """Finish today's session; the next one is two days later."""
        event = SessionFinished(
            **self._member(),
            session_id=self.session_id,
            gym_id=self.gym_id,
            local_date=self.day,
            set_count=len(EXERCISES) * SETS_PER_EXERCISE,
        )
        self.day += timedelta(days=2)
        self.session_id = uuid.uuid4()
        return event

    def session(self, number: int) -> list[Event]:
        """A full session: three sets of each exercise, reps that climb and fall back."""
        reps = 6 + number % 7
        load = Decimal(40 + 2.5 * (number % 20))
        events: list[Event] = [
            self.set(exercise, load, reps)
            for exercise in EXERCISES
            for _ in range(SETS_PER_EXERCISE)
        ]
        return [*events, self.finish()]


@pytest.fixture(scope="module")
def deps() -> Dependencies:
    """The progression service on the run's migrated, emptied progression database."""
    deps = bootstrap()
    assert deps.runtime.settings.db_prefix == os.environ["DB_PREFIX"], "not the run's database"
    migrate(deps.runtime)
    truncate_all(deps.runtime, repo.Base.metadata)
    return deps


@pytest.fixture(scope="module")
def apply(deps: Dependencies) -> Callable[[Event], None]:
    """The progression handlers, each event in a unit of work of its own (as the worker)."""
    by_type: dict[str, Callable[..., None]] = {
        "SetLogged": handlers.on_set_logged,
        "SessionFinished": handlers.on_session_finished,
    }
    return lambda event: by_type[event.event_type](deps.unit_of_work(), event)


def seed(deps: Dependencies, history: History, size: int) -> None:
    """Store `size` sets of history as facts, then derive the rest from them."""
    per_session = len(EXERCISES) * SETS_PER_EXERCISE
    events = [e for n in range(-(-size // per_session)) for e in history.session(n)]
    logged = [e for e in events if isinstance(e, SetLogged)][:size]
    finished = [e for e in events if isinstance(e, SessionFinished)]
    with transaction(deps.runtime.sessions) as session:
        session.execute(
            insert(repo.LoggedSet),
            [
                {
                    "set_id": e.set.set_id,
                    "chain_id": history.chain_id,
                    "member_id": history.member_id,
                    "session_id": e.set.session_id,
                    "gym_id": e.set.gym_id,
                    "exercise": e.set.exercise,
                    "pattern": CATALOG_BY_SLUG[e.set.exercise].pattern.value,
                    "local_date": e.set.local_date,
                    "performed_at": e.set.performed_at,
                    "load_kg": e.set.load_kg,
                    "load_value": e.set.load_value,
                    "unit": e.set.unit,
                    "reps": e.set.reps,
                    "rpe": e.set.rpe,
                    "warmup": e.set.warmup,
                }
                for e in logged
            ],
        )
        session.execute(
            insert(repo.FinishedSession),
            [
                {
                    "session_id": e.session_id,
                    "chain_id": history.chain_id,
                    "member_id": history.member_id,
                    "local_date": e.local_date,
                }
                for e in finished
            ],
        )
        session.add(repo.Member(member_id=history.member_id, chain_id=history.chain_id))
        session.add(
            repo.Stream(member_id=history.member_id, producer="logging", last_seq=events[-1].seq)
        )
    handlers.rebuild_member(deps.unit_of_work(), history.chain_id, history.member_id)


@pytest.fixture(scope="module")
def histories(deps: Dependencies) -> dict[int, History]:
    """One member per size, with that many sets of history."""
    built = {}
    for size in SIZES:
        built[size] = History()
        seed(deps, built[size], size)
    return built


class StatementCounter:
    """Counts the SQL statements of the timed calls, to show that they do not grow either."""

    def __init__(self) -> None:
        self.count = 0
        self.calls = 0
        self.active = False

    def seen(self, *args: Any) -> None:
        """A statement went to the database."""
        self.count += self.active

    def timed(self, apply: Callable[[Event], None]) -> Callable[[Event], None]:
        """`apply`, counting the statements it sends."""

        def counted(event: Event) -> None:
            self.active, self.calls = True, self.calls + 1
            try:
                apply(event)
            finally:
                self.active = False

        return counted

    def note(self, benchmark: Any) -> None:
        """Record the statements per timed call in the benchmark's extra info."""
        benchmark.extra_info["statements_per_event"] = round(self.count / max(self.calls, 1), 1)


@pytest.fixture
def statements(deps: Dependencies) -> Iterator[StatementCounter]:
    """A statement counter on progression's engine, for one benchmark."""
    counter = StatementCounter()
    event.listen(deps.runtime.engine, "before_cursor_execute", counter.seen)
    yield counter
    event.remove(deps.runtime.engine, "before_cursor_execute", counter.seen)


@pytest.mark.parametrize("size", SIZES)
def test_cost_of_one_set(
    benchmark: Any,
    histories: dict[int, History],
    apply: Any,
    statements: StatementCounter,
    size: int,
) -> None:
    history = histories[size]
    benchmark.extra_info["history_sets"] = size

    def next_set() -> tuple[tuple[Event], dict[str, Any]]:
        return (history.set(EXERCISES[0], Decimal(60), 10),), {}

    benchmark.pedantic(
        statements.timed(apply), setup=next_set, rounds=ROUNDS, iterations=1, warmup_rounds=WARMUP
    )
    statements.note(benchmark)
    apply(history.finish())


@pytest.mark.parametrize("size", SIZES)
def test_cost_of_finishing_a_session(
    benchmark: Any,
    histories: dict[int, History],
    apply: Any,
    statements: StatementCounter,
    size: int,
) -> None:
    history = histories[size]
    benchmark.extra_info["history_sets"] = size

    def next_session() -> tuple[tuple[Event], dict[str, Any]]:
        for exercise in EXERCISES:
            apply(history.set(exercise, Decimal(60), 10))
        return (history.finish(),), {}

    benchmark.pedantic(
        statements.timed(apply),
        setup=next_session,
        rounds=ROUNDS,
        iterations=1,
        warmup_rounds=WARMUP,
    )
    statements.note(benchmark)
