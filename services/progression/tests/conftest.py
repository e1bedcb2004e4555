"""The progression service's test set-up: its database migrated once, emptied between tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from devstack.testing import internal_headers, migrate, truncate_all
from myokine.events import (
    AssignmentEnded,
    Event,
    ExerciseAdded,
    ExerciseChanged,
    InventoryChanged,
    LoggedSet,
    MemberEvent,
    PlannedExercise,
    ProgramAssigned,
    SessionFinished,
    SetCorrected,
    SetLogged,
    SetVoided,
)
from myokine.internal_auth import Caller, Role
from myokine.service_runtime import ServiceRuntime
from myokine.units import KG_PER_LB
from progression_service import handlers
from progression_service.bootstrap import Dependencies, bootstrap
from progression_service.main import create_app
from progression_service.repository import Base


@pytest.fixture(scope="session")
def deps() -> Dependencies:
    """The progression service, wired once per run; its database (the run's own) migrated."""
    deps = bootstrap()
    migrate(deps.runtime)
    return deps


@pytest.fixture(scope="session")
def runtime(deps: Dependencies) -> ServiceRuntime:
    """The progression service's runtime (its sessions and messaging tables)."""
    return deps.runtime


@pytest.fixture
def db(runtime: ServiceRuntime) -> Iterator[None]:
    """An empty progression database for one test."""
    truncate_all(runtime, Base.metadata)
    yield


@pytest.fixture
def chain_id() -> uuid.UUID:
    """A fresh chain."""
    return uuid.uuid4()


Headers = Callable[..., dict[str, str]]


@pytest.fixture
def headers(chain_id: uuid.UUID, runtime: ServiceRuntime) -> Headers:
    """Internal-token headers for a caller in the test's chain (a trainer unless told)."""
    secret = runtime.settings.internal_token_secret

    def make(role: Role = "trainer", *, sub: str = "trainer-1", **claims: Any) -> dict[str, str]:
        caller = Caller(sub=sub, role=role, chain_id=claims.pop("chain_id", chain_id), **claims)
        return internal_headers(caller, secret)

    return make


@pytest.fixture
def client(db: None, deps: Dependencies) -> Iterator[TestClient]:
    """The progression service's app on an empty database."""
    with TestClient(create_app(deps)) as test_client:
        yield test_client


class MemberScript:
    """Makes the events logging and program would send about one member, numbered in order."""

    def __init__(self, chain_id: uuid.UUID) -> None:
        self.chain_id = chain_id
        self.member_id = uuid.uuid4()
        self.gym_id = uuid.uuid4()
        self.seq = {"logging": 0, "program": 0}
        self.sessions: dict[date, uuid.UUID] = {}
        self.clock = 0

    def _next(self, producer: str) -> int:
        self.seq[producer] += 1
        return self.seq[producer]

    def _fields(self, producer: str) -> dict[str, Any]:
        return {"chain_id": self.chain_id, "member_id": self.member_id, "seq": self._next(producer)}

    def assign(
        self, *exercises: PlannedExercise, start: date = date(2026, 1, 5)
    ) -> ProgramAssigned:
        """Assign a program of these exercises."""
        return ProgramAssigned(
            **self._fields("program"),
            assignment_id=uuid.uuid4(),
            program_id=uuid.uuid4(),
            program_version=1,
            start_date=start,
            weekdays=[0, 2, 4],
            exercises=list(exercises),
        )

    def end(self, assigned: ProgramAssigned) -> AssignmentEnded:
        """End an assignment."""
        return AssignmentEnded(**self._fields("program"), assignment_id=assigned.assignment_id)

    def lifted(
        self,
        exercise: str,
        load: str | int,
        reps: int,
        day: date,
        *,
        rpe: str | None = None,
        warmup: bool = False,
        unit: str = "kg",
    ) -> LoggedSet:
        """A set as logging describes it (in the day's session); `load` is in kg."""
        self.clock += 1
        return LoggedSet(
            set_id=uuid.uuid4(),
            session_id=self.sessions.setdefault(day, uuid.uuid4()),
            gym_id=self.gym_id,
            exercise=exercise,
            load_kg=Decimal(load),
            load_value=Decimal(load) if unit == "kg" else Decimal(load) / KG_PER_LB,
            unit=unit,
            reps=reps,
            rpe=Decimal(rpe) if rpe is not None else None,
            warmup=warmup,
            performed_at=datetime.combine(day, time(17), UTC) + timedelta(seconds=self.clock),
            local_date=day,
        )

    def log(self, exercise: str, load: str | int, reps: int, day: date, **kw: Any) -> SetLogged:
        """A SetLogged event."""
        return SetLogged(
            **self._fields("logging"), set=self.lifted(exercise, load, reps, day, **kw)
        )

    def correct(self, logged: SetLogged | SetCorrected, **changes: Any) -> SetCorrected:
        """A SetCorrected event changing fields of an earlier set."""
        now = logged.set.model_copy(update=changes)
        return SetCorrected(**self._fields("logging"), set=now, previous=logged.set)

    def void(self, logged: SetLogged | SetCorrected) -> SetVoided:
        """A SetVoided event."""
        return SetVoided(**self._fields("logging"), set=logged.set)

    def finish(self, day: date) -> SessionFinished:
        """The day's session finished."""
        return SessionFinished(
            **self._fields("logging"),
            session_id=self.sessions.setdefault(day, uuid.uuid4()),
            gym_id=self.gym_id,
            local_date=day,
            set_count=1,
        )

    def workout(self, day: date, *sets: tuple[str, str | int, int]) -> list[MemberEvent]:
        """Sets (exercise, load, reps) on `day`, then the session finished."""
        return [*(self.log(ex, load, reps, day) for ex, load, reps in sets), self.finish(day)]


def deliver_events(deps: Dependencies, *events: Event) -> None:
    """Hand events to their handlers, each in a unit of work of its own, as the worker would."""
    by_type: dict[type[Event], Callable[..., None]] = {
        ProgramAssigned: handlers.on_program_assigned,
        AssignmentEnded: handlers.on_assignment_ended,
        SetLogged: handlers.on_set_logged,
        SetCorrected: handlers.on_set_corrected,
        SetVoided: handlers.on_set_voided,
        SessionFinished: handlers.on_session_finished,
        ExerciseAdded: handlers.on_exercise_added,
        ExerciseChanged: handlers.on_exercise_added,
        InventoryChanged: handlers.on_inventory_changed,
    }
    for event in events:
        by_type[type(event)](deps.unit_of_work(), event)


@pytest.fixture
def member(db: None, chain_id: uuid.UUID) -> MemberScript:
    """A member of the test's chain, with an empty database."""
    return MemberScript(chain_id)


@pytest.fixture
def new_member(db: None, chain_id: uuid.UUID) -> Callable[[], MemberScript]:
    """Make more members of the test's chain."""
    return lambda: MemberScript(chain_id)


@pytest.fixture
def deliver(deps: Dependencies) -> Callable[..., None]:
    """Apply events through the handlers, in the order given."""
    return lambda *events: deliver_events(deps, *events)


def planned(exercise: str, pattern: str, equipment: str, step: str, **kw: Any) -> PlannedExercise:
    """A planned exercise (3 sets of 6-12 unless told)."""
    return PlannedExercise(
        exercise=exercise,
        pattern=pattern,
        equipment=equipment,
        load_step_kg=Decimal(step),
        sets=kw.pop("sets", 3),
        rep_min=kw.pop("rep_min", 6),
        rep_max=kw.pop("rep_max", 12),
        **kw,
    )


@pytest.fixture
def plan() -> Callable[..., PlannedExercise]:
    """Make a planned exercise."""
    return planned
