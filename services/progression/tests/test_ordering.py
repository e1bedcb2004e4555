"""Redelivered and reordered events leave the same state as events delivered once, in order."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from devstack.testing import truncate_all
from myokine.consumers import RetryLater
from myokine.events import Event
from myokine.service_runtime import ServiceRuntime
from progression_service.repository import Base

MON = date(2026, 1, 5)


def _history(member: Any, plan: Any) -> list[Event]:
    """Three weeks of squats and rows with a typo corrected and a set voided."""
    events: list[Event] = [member.assign(plan("barbell-row", "pull", "barbell", "2.5"))]
    typo = None
    for week in range(3):
        for offset in (0, 2, 4):
            day = MON + timedelta(weeks=week, days=offset)
            events.append(member.log("barbell-back-squat", 60 + 5 * week, 12 - offset, day))
            events.append(member.log("barbell-row", "50", 12, day))
            extra = member.log("barbell-row", "50", 12, day)
            events.append(extra)
            if typo is None:
                typo = extra
            events.append(member.finish(day))
    assert typo is not None
    events.append(member.correct(typo, reps=8))
    events.append(member.void(events[1]))
    return events


def _snapshot(runtime: ServiceRuntime, client: Any, headers: Any, member: Any) -> Any:
    progress = client.get(
        f"/internal/v1/members/{member.member_id}/progress", headers=headers()
    ).json()
    with runtime.sessions() as session:
        outbox = Counter(session.execute(select(runtime.tables.outbox.c.event_type)).scalars())
    return progress, outbox


def _deliver_until_done(events: list[Event], deliver: Any) -> None:
    pending = list(events)
    while pending:
        waiting = []
        for event in pending:
            try:
                deliver(event)
            except RetryLater:
                waiting.append(event)
        assert len(waiting) < len(pending), "no event could be applied"
        pending = waiting


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.randoms(use_true_random=False))
def test_order_and_redelivery_do_not_change_the_result(
    client, headers, new_member, deliver, plan, runtime, rnd
) -> None:
    truncate_all(runtime, Base.metadata)
    member = new_member()
    events = _history(member, plan)
    deliver(*events)
    expected = _snapshot(runtime, client, headers, member)

    truncate_all(runtime, Base.metadata)
    shuffled = events + rnd.sample(events, len(events) // 3)
    rnd.shuffle(shuffled)
    _deliver_until_done(shuffled, deliver)
    assert _snapshot(runtime, client, headers, member) == expected
