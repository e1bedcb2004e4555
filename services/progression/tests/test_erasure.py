"""Erasing a member on PostgreSQL: afterwards no row of the progression database names them,
an event of theirs in progress is erased with the rest, and a late one is dropped."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text

from devstack.testing import rows_naming
from myokine.events import MemberErased
from myokine.service_runtime import ServiceRuntime
from progression_service import handlers
from progression_service.bootstrap import Dependencies

from .conftest import MemberScript

MON = date(2026, 1, 5)
FULL = ("barbell-back-squat", "deadlift", "bench-press", "barbell-row")


def trained(deliver: Callable[..., None], plan: Callable[..., Any], member: MemberScript) -> None:
    """A program and three weeks of full workouts: targets, records, weeks, milestones."""
    deliver(member.assign(plan("barbell-back-squat", "squat", "barbell", "2.5")))
    for week in range(3):
        for day in (0, 2, 4):
            monday = MON + timedelta(weeks=week, days=day)
            deliver(*member.workout(monday, *[(ex, 60 + 2.5 * week, 10) for ex in FULL]))


def test_after_the_erasure_no_row_names_the_member_and_late_events_are_dropped(
    deps: Dependencies,
    runtime: ServiceRuntime,
    member: MemberScript,
    new_member: Callable[[], MemberScript],
    deliver: Callable[..., None],
    plan: Callable[..., Any],
) -> None:
    other = new_member()
    trained(deliver, plan, member)
    trained(deliver, plan, other)
    before = rows_naming(runtime.engine, str(member.member_id))
    assert {"sets", "exposures", "personal_records", "weeks", "milestones", "outbox"} <= set(before)

    erased = MemberErased(chain_id=member.chain_id, member_id=member.member_id)
    handlers.on_member_erased(deps.unit_of_work(), erased)
    handlers.on_member_erased(deps.unit_of_work(), erased)

    assert rows_naming(runtime.engine, str(member.member_id)) == {}
    assert rows_naming(runtime.engine, str(other.member_id)).keys() == before.keys()
    # On their way before the erasure: later sets, and a new assignment.
    deliver(*member.workout(MON + timedelta(weeks=3), ("deadlift", 80, 8)))
    deliver(member.assign(plan("deadlift", "hinge", "barbell", "2.5")))
    assert rows_naming(runtime.engine, str(member.member_id)) == {}


def test_an_event_in_progress_finishes_first_and_is_erased_with_the_rest(
    deps: Dependencies,
    runtime: ServiceRuntime,
    member: MemberScript,
    deliver: Callable[..., None],
) -> None:
    deliver(member.log("deadlift", 100, 8, MON))
    erasure = threading.Thread(
        target=handlers.on_member_erased,
        args=(
            deps.unit_of_work(),
            MemberErased(chain_id=member.chain_id, member_id=member.member_id),
        ),
    )
    with runtime.engine.connect() as event_in_progress:
        # What applying the member's next set holds: their logging stream, locked, and a
        # set written but not yet committed.
        event_in_progress.execute(
            text("SELECT 1 FROM streams WHERE member_id = :m FOR UPDATE"),
            {"m": member.member_id},
        )
        event_in_progress.execute(
            text(
                "INSERT INTO sets (set_id, chain_id, member_id, session_id, gym_id, exercise,"
                " local_date, performed_at, load_kg, load_value, unit, reps, warmup)"
                " VALUES (gen_random_uuid(), :c, :m, gen_random_uuid(), gen_random_uuid(),"
                " 'deadlift', :d, now(), 100, 100, 'kg', 8, false)"
            ),
            {"c": member.chain_id, "m": member.member_id, "d": MON},
        )
        erasure.start()
        erasure.join(timeout=1.0)
        assert erasure.is_alive(), "the erasure waits for the member's event in progress"
        event_in_progress.commit()
    erasure.join(timeout=30)
    assert not erasure.is_alive()
    assert rows_naming(runtime.engine, str(member.member_id)) == {}
