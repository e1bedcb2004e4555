"""The handler tests' fake repository answers as the real one: the same history delivered
to both announces the same events and reads the same progress, targets and attention."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from myokine.events import Event, ExerciseAdded, InventoryChanged
from myokine.internal_auth import Caller
from myokine.inventory import InventoryUpdate
from myokine.memory_unit_of_work import MemoryUnitOfWork
from myokine.service_runtime import ServiceRuntime
from myokine.units import Unit
from progression_service import handlers, queries
from progression_service.bootstrap import Dependencies
from progression_service.domain.milestones import Milestone
from progression_service.repository import ProgressionRepository

from .conftest import MemberScript, deliver_events, planned
from .unit.fakes import FakeProgressionRepository
from .unit.test_handlers import HANDLERS

MON = date(2026, 1, 5)
FULL = ("barbell-back-squat", "deadlift", "bench-press", "barbell-row")
REST = ("barbell-back-squat", "bench-press", "barbell-row")


def _history(member: MemberScript) -> list[Event]:
    """Thirteen weeks: a plan, protocol weeks, a stall, a typo corrected, sets voided,
    an unfinished session, pounds, a chain's own exercise, a gym's own equipment, a late
    assignment and the strength check."""
    events: list[Event] = [
        member.assign(planned("barbell-row", "pull", "barbell", "2.5")),
        ExerciseAdded(
            chain_id=member.chain_id,
            slug="chain-machine",
            name="Chain machine",
            pattern="push",
            equipment="machine",
            load_step_kg=Decimal(5),
            bodyweight=False,
        ),
        InventoryChanged(
            chain_id=member.chain_id,
            gym_id=member.gym_id,
            version=1,
            inventory=InventoryUpdate(
                unit=Unit.KG, kettlebells=(Decimal(16), Decimal(24))
            ).resolved(),
        ),
    ]
    hinges = []
    for w in range(13):
        monday = MON + timedelta(weeks=w)
        logged = [member.log(ex, 60 + 2.5 * (w % 3), 8 + w % 5, monday) for ex in FULL]
        hinges.append(logged[1])
        events += [*logged, member.finish(monday)]
        wednesday = monday + timedelta(days=2)
        events += member.workout(wednesday, *[(ex, "60", 8) for ex in REST])
        if w % 4 == 3:
            events.append(member.log("goblet-squat", "24", 12, monday + timedelta(days=4)))
        saturday = monday + timedelta(days=5)
        if w == 2:
            events.append(member.log("bench-press", "100", 10, saturday, unit="lb"))
        if 4 <= w < 8:  # a machine of the chain's own, at one load until it stalls
            events += member.workout(saturday, *[("chain-machine", "80", 8)] * 3)
    events.append(member.correct(hinges[0], reps=12))
    events.append(member.void(hinges[3]))
    events.append(
        member.assign(
            planned("barbell-back-squat", "squat", "barbell", "2.5", rep_min=6, rep_max=8),
            start=MON + timedelta(weeks=4),
        )
    )
    events.append(member.end(events[0]))  # type: ignore[arg-type]
    return events


def _outbox(runtime: ServiceRuntime) -> list[tuple[str, dict[str, Any]]]:
    outbox = runtime.tables.outbox
    with runtime.sessions() as session:
        rows = session.execute(select(outbox.c.event_type, outbox.c.body).order_by(outbox.c.id))
        return [(kind, _payload(body)) for kind, body in rows]


def _payload(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("event_id", "occurred_at")}


def _reads(uow: Any, member: MemberScript) -> tuple[Any, ...]:
    trainer = Caller(sub="trainer-1", role="trainer", chain_id=member.chain_id)
    today = MON + timedelta(weeks=12, days=3)
    return (
        queries.member_progress(uow(), trainer, member.member_id).model_dump(),
        queries.member_targets(uow(), trainer, member.member_id, [*FULL, "x"], today).model_dump(),
        queries.gym_attention(uow(), trainer, member.gym_id, today).model_dump(),
    )


def test_the_fake_and_the_database_agree(
    db: None, deps: Dependencies, runtime: ServiceRuntime, member: MemberScript
) -> None:
    events = _history(member)
    deliver_events(deps, *events)
    handlers.rebuild_member(deps.unit_of_work(), member.chain_id, member.member_id)

    memory: MemoryUnitOfWork[ProgressionRepository] = MemoryUnitOfWork(FakeProgressionRepository())
    for event in events:
        HANDLERS[type(event)](memory, event)
    handlers.rebuild_member(memory, member.chain_id, member.member_id)

    announced = [(e.event_type, _payload(e.to_message())) for e in memory.outbox]
    assert announced == _outbox(runtime)
    assert {kind for kind, _ in announced} >= {
        "TargetsUpdated",
        "PersonalRecord",
        "StallDetected",
        "MilestoneReached",
    }
    reached = {body["milestone"] for kind, body in announced if kind == "MilestoneReached"}
    assert reached == {milestone.value for milestone in Milestone}
    assert _reads(lambda: memory, member) == _reads(deps.unit_of_work, member)
